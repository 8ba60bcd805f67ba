//! RESUME_CHECK_HALF_MESSAGE (323, mqadmin `resumeCheckHalfMessage`; Java 4.9.7
//! `AdminBrokerProcessor.resumeCheckHalfMessage`): the message named by an offsetMsgId is put
//! back into the half queue with `TRANSACTION_CHECK_TIMES=0`, so the check asks its producer
//! again (typically a message discarded to `TRANS_CHECK_MAX_TIME_TOPIC`).

use std::sync::Arc;

use slog::{info, warn};

use super::end::put;
use super::half::{read_record, resume_message};
use crate::actors::remoting::Reply;
use crate::broker::node::state::Broker;
use crate::broker::processors::reply::{error, resp};
use crate::codec::codes::response;
use crate::codec::headers::client::ResumeCheckHalfHeader;
use crate::codec::RemotingCommand;
use crate::store::message::decode_offset_msg_id;

const EXCEPTION: &str =
    "Exception was thrown when putting message back to RMQ_SYS_TRANS_HALF_TOPIC.";

/// Handles one RESUME_CHECK_HALF_MESSAGE.
pub fn handle(b: &Arc<Broker>, h: ResumeCheckHalfHeader, req: RemotingCommand) -> Reply {
    let msg_id = h.msg_id;
    let Some((_, phys)) = decode_offset_msg_id(&msg_id) else {
        return Reply::now(error(&req, EXCEPTION));
    };
    let rec = match read_record(&b.store.reader(), phys) {
        Ok(r) => r,
        Err(e) => {
            warn!(b.log, "resumeCheckHalfMessage: no message"; "msgId" => &msg_id, "error" => %e);
            return Reply::now(error(&req, EXCEPTION));
        }
    };
    let b = b.clone();
    Reply::later(async move {
        Some(match put(&b, resume_message(&rec)).await {
            Ok(_) => {
                info!(b.log, "put message back to RMQ_SYS_TRANS_HALF_TOPIC"; "msgId" => &msg_id);
                resp(&req, response::SUCCESS, None)
            }
            Err(e) => {
                warn!(b.log, "put back to RMQ_SYS_TRANS_HALF_TOPIC failed"; "error" => %e);
                error(&req, "Put message back to RMQ_SYS_TRANS_HALF_TOPIC failed.")
            }
        })
    })
}
