//! INVOKE_BROKER_TO_GET_CONSUMER_STATUS (223): the broker asks each online consumer of a group
//! (or the one named by `clientAddr`) for its consume offsets on `topic` with
//! GET_CONSUMER_STATUS_FROM_CLIENT (221) and answers their tables keyed by client id (Java
//! `Broker2Client.getConsumeStatus`; mqadmin `getConsumerStatus`).

use std::sync::Arc;
use std::time::Duration;

use slog::warn;

use super::call_client::call;
use super::reply::resp;
use crate::actors::remoting::Reply;
use crate::broker::node::state::Broker;
use crate::codec::codes::{request, response};
use crate::codec::headers::group_offsets::ConsumerStatusHeader;
use crate::codec::RemotingCommand;
use crate::protocol::consumer_status::GetConsumerStatusBody;
use crate::tools::admin::versions::version_desc;

/// Java `MQVersion.Version.V3_0_7_SNAPSHOT`: the first client that answers 221.
const MIN_VERSION: i32 = 28;
/// Java `callClient`'s invokeSync timeout.
const CALL_TIMEOUT: Duration = Duration::from_secs(5);

/// Handles INVOKE_BROKER_TO_GET_CONSUMER_STATUS (`topic`*, `group`*, `clientAddr`: a client id).
pub fn consumer_status(b: &Arc<Broker>, h: ConsumerStatusHeader, req: RemotingCommand) -> Reply {
    let fail = |remark: String| Reply::now(resp(&req, response::SYSTEM_ERROR, Some(remark)));
    let (topic, group) = (h.topic, h.group);
    let only = h.client_addr.filter(|c| !c.trim().is_empty());
    let clients: Vec<(u64, String, i32)> = b
        .meta
        .lock()
        .consumers
        .group(&group)
        .map(|g| {
            g.channels
                .values()
                .map(|c| (c.conn.0, c.client_id.clone(), c.version))
                .collect()
        })
        .unwrap_or_default();
    if clients.is_empty() {
        return fail(format!(
            "No Any Consumer online in the consumer group: [{group}]"
        ));
    }
    if let Some((_, _, v)) = clients.iter().find(|(_, _, v)| *v < MIN_VERSION) {
        return fail(format!(
            "the client does not support this feature. version={}",
            version_desc(*v)
        ));
    }
    let targets: Vec<_> = {
        let conns = b.conns.lock();
        clients
            .into_iter()
            .filter(|(_, id, _)| only.as_ref().is_none_or(|o| o == id))
            .filter_map(|(conn, id, _)| conns.get(&conn).cloned().map(|c| (c, id)))
            .collect()
    };
    let b = b.clone();
    Reply::later(async move {
        let mut answer = GetConsumerStatusBody::default();
        for (conn, client_id) in targets {
            let ask = RemotingCommand::request(request::GET_CONSUMER_STATUS_FROM_CLIENT)
                .with_ext("topic", &topic)
                .with_ext("group", &group);
            match call(&b, &conn, ask, CALL_TIMEOUT).await {
                Ok(r) if r.code == response::SUCCESS && !r.body.is_empty() => {
                    match std::str::from_utf8(&r.body)
                        .map_err(|e| e.to_string())
                        .and_then(|t| GetConsumerStatusBody::decode(t).map_err(|e| e.to_string()))
                    {
                        Ok(body) => {
                            answer
                                .consumer_table
                                .insert(client_id, body.message_queue_table);
                        }
                        Err(e) => {
                            warn!(b.log, "bad consumer status body"; "client" => &client_id, "error" => e)
                        }
                    }
                }
                Ok(_) => {}
                Err(e) => {
                    warn!(b.log, "consumer status call failed"; "client" => &client_id, "error" => ?e)
                }
            }
        }
        Some(resp(&req, response::SUCCESS, None).with_body(answer.encode().into_bytes()))
    })
}
