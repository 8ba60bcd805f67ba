//! SEND_REPLY_MESSAGE (324) and SEND_REPLY_MESSAGE_V2 (325): the reply a request-reply consumer
//! sends to `{cluster}_REPLY_TOPIC`, pushed at once to the requesting producer as
//! PUSH_REPLY_MESSAGE_TO_CLIENT (326) and then stored, as Java 4.9.7 `ReplyMessageProcessor`
//! does (docs/protocol.md §2.12).
//!
//! The requester is the client named by the reply's `REPLY_TO_CLIENT` property, found among the
//! producers that sent this broker a heartbeat. The answer's code is the push's outcome:
//! SUCCESS when the requester answered SUCCESS, else SYSTEM_ERROR with Java's remark; the store
//! only fills in the message id and queue offset. With `storeReplyMessageEnable=false` the
//! reply is pushed and not stored (Java's switch, on by default).

use std::sync::Arc;
use std::time::Duration;

use slog::warn;

use super::call_client;
use super::reply::{error, resp};
use super::send;
use crate::actors::remoting::{ConnHandle, Reply};
use crate::broker::node::state::Broker;
use crate::broker::store_actors::PutKind;
use crate::codec::codes::{request, response};
use crate::codec::headers::send_response::SendMessageResponseHeader;
use crate::codec::headers::SendMessageRequestHeader;
use crate::codec::RemotingCommand;
use crate::store::message::{decode_properties, encode_properties};
use crate::store::MessageInner;

/// Java `Broker2Client.callClient` waits this long for the requester.
const PUSH_TIMEOUT: Duration = Duration::from_secs(10);
/// The property naming the requesting client (Java `MessageConst.PROPERTY_MESSAGE_REPLY_TO_CLIENT`).
const REPLY_TO_CLIENT: &str = "REPLY_TO_CLIENT";
/// Set when the reply is pushed (Java `MessageConst.PROPERTY_PUSH_REPLY_TIME`).
const PUSH_REPLY_TIME: &str = "PUSH_REPLY_TIME";

/// Handles one reply.
pub fn handle(b: &Arc<Broker>, conn: &ConnHandle, req: RemotingCommand) -> Reply {
    match prepare(b, conn, &req) {
        Ok((msg, push, sender)) => {
            let b = b.clone();
            Reply::later(async move { Some(complete(&b, &req, msg, push, sender).await) })
        }
        Err(r) => Reply::now(r),
    }
}

/// Java's `msgCheck` (topic, permission, auto-creation, queue id), then the message to store
/// the PUSH_REPLY_MESSAGE_TO_CLIENT request for the requester and the requester's client id
/// (`REPLY_TO_CLIENT`).
fn prepare(
    b: &Broker,
    conn: &ConnHandle,
    req: &RemotingCommand,
) -> Result<(MessageInner, RemotingCommand, Option<String>), RemotingCommand> {
    let h = SendMessageRequestHeader::from_command(req).map_err(|e| error(req, e.to_string()))?;
    send::check_send(b, req, &h)?;
    let dest = send::resolve_destination(b, req, &h)?;
    let queue_id = send::check_queue_id(req, conn, &dest.config, h.queue_id)?;
    let properties = h.properties.clone().unwrap_or_default();
    let msg = MessageInner {
        topic: h.topic.clone(),
        queue_id,
        flag: h.flag,
        body: req.body.clone(),
        properties: properties.clone(),
        sys_flag: h.sys_flag,
        born_timestamp: h.born_timestamp,
        born_host: conn.peer(),
        store_host: b.store_host(),
        reconsume_times: h.reconsume_times.unwrap_or(0),
        prepared_transaction_offset: 0,
    };
    // Java `ReplyMessageRequestHeader`: the send header's fields plus born/store host and time.
    let mut push =
        RemotingCommand::request(request::PUSH_REPLY_MESSAGE_TO_CLIENT).with_body(req.body.clone());
    let now = crate::store::time::now_ms();
    let mut props = decode_properties(&properties);
    let sender = props
        .iter()
        .find(|(k, _)| k == REPLY_TO_CLIENT)
        .map(|(_, v)| v.clone());
    props.retain(|(k, _)| k != PUSH_REPLY_TIME);
    props.push((PUSH_REPLY_TIME.into(), now.to_string()));
    let fields = [
        ("producerGroup", h.producer_group.clone()),
        ("topic", h.topic.clone()),
        ("defaultTopic", h.default_topic.clone()),
        (
            "defaultTopicQueueNums",
            h.default_topic_queue_nums.to_string(),
        ),
        ("queueId", h.queue_id.to_string()),
        ("sysFlag", h.sys_flag.to_string()),
        ("bornTimestamp", h.born_timestamp.to_string()),
        ("flag", h.flag.to_string()),
        (
            "properties",
            encode_properties(props.iter().map(|(k, v)| (k.as_str(), v.as_str()))),
        ),
        ("reconsumeTimes", h.reconsume_times.unwrap_or(0).to_string()),
        ("unitMode", h.unit_mode.to_string()),
        ("bornHost", conn.peer().to_string()),
        ("storeHost", b.store_host().to_string()),
        ("storeTimestamp", now.to_string()),
    ];
    for (k, v) in fields {
        push.ext_fields.insert(k.into(), v);
    }
    Ok((msg, push, sender))
}

/// Pushes the reply to its requester (Java `pushReplyMessage`): `Err` carries Java's remark.
async fn push_to_requester(
    b: &Broker,
    sender: Option<String>,
    push: RemotingCommand,
) -> Result<(), String> {
    let Some(sender) = sender else {
        return Err(format!(
            "reply message properties[{REPLY_TO_CLIENT}] is null"
        ));
    };
    let conn_id = b
        .meta
        .lock()
        .producers
        .find_by_client_id(&sender)
        .map(|c| c.conn.0);
    let conn = conn_id.and_then(|id| b.conns.lock().get(&id).cloned());
    let Some(conn) = conn else {
        return Err(format!(
            "push reply message fail, channel of <{sender}> not found."
        ));
    };
    match call_client::call(b, &conn, push, PUSH_TIMEOUT).await {
        Ok(r) if r.code == response::SUCCESS => Ok(()),
        answer => {
            let why = match answer {
                Ok(r) => r.remark.unwrap_or_default(),
                Err(e) => format!("{e:?}"),
            };
            warn!(b.log, "push reply message failed"; "client" => &sender, "why" => why);
            Err(format!("push reply message to {sender}fail."))
        }
    }
}

/// Push first, then store (Java's order); the push decides the code.
async fn complete(
    b: &Arc<Broker>,
    req: &RemotingCommand,
    msg: MessageInner,
    push: RemotingCommand,
    sender: Option<String>,
) -> RemotingCommand {
    let queue_id = msg.queue_id;
    let pushed = push_to_requester(b, sender, push).await;
    let mut header = SendMessageResponseHeader {
        // Java sets "0" "to avoid client decoding exception" when nothing is stored.
        msg_id: "0".into(),
        queue_id,
        queue_offset: 0,
        transaction_id: None,
        msg_region: Some(send::region(b)),
        trace_on: Some(b.cfg.trace_on),
    };
    // storeReplyMessageEnable=false: push only (the answer keeps msgId "0", offset 0).
    if b.cfg.store_reply_message_enable {
        match b.store.puts.submit(PutKind::Single, msg).await {
            Ok(Ok(put)) => {
                b.stats.count_put(&put);
                b.stats.windows.on_put(
                    &b.cfg.broker_cluster_name,
                    &put.topic,
                    put.msg_num as i64,
                    put.wrote_bytes as i64,
                );
                header.msg_id = put.msg_id_header();
                header.queue_offset = put.queue_offset;
            }
            Ok(Err(e)) => warn!(b.log, "reply message not stored"; "error" => %e),
            Err(_) => warn!(b.log, "reply message not stored: the writer is restarting"),
        }
    }
    let mut r = match pushed {
        Ok(()) => resp(req, response::SUCCESS, None),
        Err(remark) => resp(req, response::SYSTEM_ERROR, Some(remark)),
    };
    header.write_to(&mut r);
    r
}
