//! Requests the broker relays to one consumer client and answers with the client's reply:
//! GET_CONSUMER_RUNNING_INFO (307, mqadmin consumerStatus) and CONSUME_MESSAGE_DIRECTLY (309,
//! queryMsgById -g -d), as Java `AdminBrokerProcessor.callConsumer` + `Broker2Client.callClient`
//! do. The relayed request gets an opaque of the broker's own; the client's response comes
//! back through the handler's `on_response` and completes the waiting admin request.

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::oneshot;

use super::reply::resp;
use crate::actors::remoting::{ConnHandle, Reply};
use crate::broker::node::state::Broker;
use crate::codec::codes::{request, response};
use crate::codec::headers::client::CallConsumerHeader;
use crate::codec::RemotingCommand;

/// Java `Broker2Client.callClient` waits this long.
const CALL_TIMEOUT: Duration = Duration::from_secs(10);
/// Java `MQVersion.Version.V3_1_8_SNAPSHOT.ordinal()`.
const MIN_VERSION: i32 = 62;

pub use super::pending_calls::PendingCalls;

/// A response a client sent on its connection: completes the relayed call it answers.
pub fn on_response(b: &Broker, cmd: RemotingCommand) {
    if let Some(tx) = b.client_calls.waiting.lock().remove(&cmd.opaque) {
        let _ = tx.send(cmd);
    }
}

/// Why a call to a client got no answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallFailure {
    /// The connection closed before the request went out or before the answer came.
    Closed,
    /// No answer within the timeout.
    Timeout,
}

/// Sends `cmd` to the client on `conn` under an opaque of the broker's own and waits up to
/// `timeout` for its response (Java `Broker2Client.callClient`).
pub async fn call(
    b: &Broker,
    conn: &ConnHandle,
    mut cmd: RemotingCommand,
    timeout: Duration,
) -> Result<RemotingCommand, CallFailure> {
    // Opaques of our own, far from the small ones clients count from.
    let opaque = b.client_calls.next.fetch_add(1, Ordering::Relaxed) | (1 << 30);
    cmd.opaque = opaque;
    let (tx, rx) = oneshot::channel();
    b.client_calls.waiting.lock().insert(opaque, tx);
    let answer = if conn.send(cmd) {
        match tokio::time::timeout(timeout, rx).await {
            Ok(Ok(answer)) => Ok(answer),
            Ok(Err(_)) => Err(CallFailure::Closed),
            Err(_) => Err(CallFailure::Timeout),
        }
    } else {
        Err(CallFailure::Closed)
    };
    b.client_calls.waiting.lock().remove(&opaque);
    answer
}

/// GET_CONSUMER_RUNNING_INFO / CONSUME_MESSAGE_DIRECTLY: finds the client by group and id and
/// forwards the request (same header and body) to it.
pub fn call_consumer(b: &Arc<Broker>, h: CallConsumerHeader, req: RemotingCommand) -> Reply {
    let (group, client_id) = (h.consumer_group, h.client_id);
    let found = b
        .meta
        .lock()
        .consumers
        .find_channel(&group, &client_id)
        .map(|c| (c.conn.0, c.version));
    let fail = |code, remark: String| Reply::now(resp(&req, code, Some(remark)));
    let Some((conn_id, version)) = found else {
        return fail(
            response::SYSTEM_ERROR,
            format!("The Consumer <{group}> <{client_id}> not online"),
        );
    };
    if version < MIN_VERSION {
        return fail(
            response::SYSTEM_ERROR,
            format!(
                "The Consumer <{client_id}> Version <{}> too low to finish, please upgrade it to V3_1_8_SNAPSHOT",
                crate::tools::admin::versions::version_desc(version)
            ),
        );
    }
    let Some(conn) = b.conns.lock().get(&conn_id).cloned() else {
        return fail(
            response::SYSTEM_ERROR,
            format!("The Consumer <{group}> <{client_id}> not online"),
        );
    };
    let mut relayed = RemotingCommand::request(req.code).with_body(req.body.clone());
    relayed.ext_fields = req.ext_fields.clone();
    if req.code == request::CONSUME_MESSAGE_DIRECTLY {
        // Java `AdminBrokerProcessor.consumeMessageDirectly`: the client gets the stored record
        // of the offsetMsgId, and this broker's name.
        relayed
            .ext_fields
            .insert("brokerName".into(), b.cfg.broker_name.clone());
        let record = h
            .msg_id
            .as_deref()
            .and_then(crate::client::msg_id::parse_offset_msg_id)
            .and_then(|(_, offset)| b.store.reader().look_message_by_offset(offset));
        if let Some(bytes) = record {
            relayed.body = bytes;
        }
    }
    let b = b.clone();
    Reply::later(async move {
        Some(match call(&b, &conn, relayed, CALL_TIMEOUT).await {
            Ok(client) => {
                let mut out =
                    RemotingCommand::response_to(&req, client.code).with_body(client.body);
                out.remark = client.remark;
                out.ext_fields = client.ext_fields;
                out
            }
            Err(CallFailure::Closed) => resp(
                &req,
                response::SYSTEM_ERROR,
                Some(format!(
                    "invoke consumer <{group}> <{client_id}> Exception: connection closed"
                )),
            ),
            Err(CallFailure::Timeout) => resp(
                &req,
                response::CONSUME_MSG_TIMEOUT,
                Some(format!(
                    "consumer <{group}> <{client_id}> Timeout: no answer in {} ms",
                    CALL_TIMEOUT.as_millis()
                )),
            ),
        })
    })
}
