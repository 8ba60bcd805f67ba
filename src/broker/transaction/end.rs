//! END_TRANSACTION (37, usually oneway): a producer's commit or rollback of a half message
//! (Java 4.9.7 `EndTransactionProcessor`). The half message is found by its commit-log
//! offset and must name the same producer group, queue offset and commit-log offset as the
//! request; a commit stores the real message and then the op message, a rollback only the op
//! message. Codes and remarks are Java's.

use std::sync::Arc;

use slog::{debug, warn};

use super::half::{end_message, op_message, read_record};
use super::PROPERTY_PGROUP;
use crate::actors::remoting::{ConnHandle, Reply};
use crate::broker::node::state::Broker;
use crate::broker::processors::reply::{error, resp};
use crate::broker::store_actors::Put;
use crate::codec::codes::response;
use crate::codec::headers::EndTransactionRequestHeader;
use crate::codec::RemotingCommand;
use crate::store::message::{property, sys_flag};
use crate::store::record::DecodedRecord;
use crate::store::{MessageInner, StoreError};

/// Handles one END_TRANSACTION.
pub fn handle(b: &Arc<Broker>, conn: &ConnHandle, req: RemotingCommand) -> Reply {
    let h = match EndTransactionRequestHeader::from_command(&req) {
        Ok(h) => h,
        Err(e) => return Reply::now(error(&req, e.to_string())),
    };
    if b.is_slave() {
        return Reply::now(resp(&req, response::SLAVE_NOT_AVAILABLE, None));
    }
    match h.commit_or_rollback {
        sys_flag::TRANSACTION_COMMIT_TYPE | sys_flag::TRANSACTION_ROLLBACK_TYPE => {}
        other => {
            // Java answers nothing for TRANSACTION_NOT_TYPE ("still unknown") or anything else.
            debug!(b.log, "END_TRANSACTION without an outcome"; "peer" => %conn.peer(),
                   "commitOrRollback" => other, "fromTransactionCheck" => h.from_transaction_check,
                   "msgId" => &h.msg_id, "remark" => req.remark.as_deref().unwrap_or(""));
            return Reply::none();
        }
    }
    let half = match read_record(&b.store.reader(), h.commit_log_offset) {
        Ok(r) => r,
        Err(e) => {
            debug!(b.log, "END_TRANSACTION names no half message"; "error" => %e);
            return Reply::now(error(&req, "Find prepared transaction message failed"));
        }
    };
    if let Err(remark) = check_prepare_message(&half, &h) {
        return Reply::now(error(&req, remark));
    }
    let b = b.clone();
    Reply::later(async move { Some(finish(&b, &req, &h, half).await) })
}

/// Java `checkPrepareMessage`.
fn check_prepare_message(
    half: &DecodedRecord,
    h: &EndTransactionRequestHeader,
) -> Result<(), &'static str> {
    if property(&half.properties, PROPERTY_PGROUP) != Some(h.producer_group.as_str()) {
        return Err("The producer group wrong");
    }
    if half.queue_offset != h.tran_state_table_offset {
        return Err("The transaction state table offset wrong");
    }
    if half.phys_offset != h.commit_log_offset {
        return Err("The commit log offset wrong");
    }
    Ok(())
}

async fn finish(
    b: &Arc<Broker>,
    req: &RemotingCommand,
    h: &EndTransactionRequestHeader,
    half: DecodedRecord,
) -> RemotingCommand {
    if h.commit_or_rollback == sys_flag::TRANSACTION_COMMIT_TYPE {
        let msg = match end_message(&half, h.commit_log_offset) {
            Ok(m) => m,
            Err(e) => return error(req, e.to_string()),
        };
        if let Err(e) = put(b, msg).await {
            return final_message_error(b, req, &e);
        }
    }
    delete_prepare_message(b, &half).await;
    resp(req, response::SUCCESS, None)
}

/// Java `deletePrepareMessage`: the op message; a failure is only logged (Java returns true).
pub async fn delete_prepare_message(b: &Broker, half: &DecodedRecord) {
    let op = op_message(
        half.queue_id,
        half.queue_offset,
        b.store_host(),
        crate::store::time::now_ms(),
    );
    if let Err(e) = put(b, op).await {
        warn!(b.log, "transaction op message write failed"; "half_offset" => half.queue_offset,
              "error" => %e);
    }
}

/// Appends through the writer actor.
pub async fn put(b: &Broker, msg: MessageInner) -> Result<crate::store::PutResult, StoreError> {
    match b.store.writer.get().send(Put(msg)).await {
        Ok(Ok(put)) => {
            b.stats.count_put(&put);
            Ok(put)
        }
        Ok(Err(e)) => Err(e),
        Err(_) => Err(StoreError::ShutDown),
    }
}

/// Java `sendFinalMessage`'s codes and remarks for a failed put.
fn final_message_error(b: &Broker, req: &RemotingCommand, e: &StoreError) -> RemotingCommand {
    match e {
        StoreError::MessageIllegal(_) | StoreError::PropertiesSizeExceeded { .. } => resp(
            req,
            response::MESSAGE_ILLEGAL,
            Some(format!(
                "The message is illegal, maybe msg body or properties length not matched. msg body length limit {}B, msg properties length limit 32KB.",
                b.live.get().max_message_size
            )),
        ),
        StoreError::DiskFull { .. } | StoreError::ShutDown | StoreError::ReadOnly(_) => resp(
            req,
            response::SERVICE_NOT_AVAILABLE,
            Some("Service not available now.".into()),
        ),
        other => error(req, format!("UNKNOWN_ERROR: {other}")),
    }
}
