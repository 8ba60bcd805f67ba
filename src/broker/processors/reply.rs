//! Small helpers shared by the processors: building responses and mapping store errors to
//! RocketMQ response codes.

use crate::codec::codes::response;
use crate::codec::RemotingCommand;
use crate::store::StoreError;

/// A response to `req` with `code` and an optional remark.
pub fn resp(
    req: &RemotingCommand,
    code: i32,
    remark: impl Into<Option<String>>,
) -> RemotingCommand {
    let mut r = RemotingCommand::response_to(req, code);
    r.remark = remark.into();
    r
}

/// SUCCESS with no remark.
pub fn ok(req: &RemotingCommand) -> RemotingCommand {
    RemotingCommand::response_to(req, response::SUCCESS)
}

/// SYSTEM_ERROR with a remark.
pub fn error(req: &RemotingCommand, remark: impl Into<String>) -> RemotingCommand {
    resp(req, response::SYSTEM_ERROR, Some(remark.into()))
}

/// NO_PERMISSION with Java's remark when `brokerPermission` forbids writes (sends and
/// send-backs alike).
pub fn check_broker_writeable(
    b: &crate::broker::node::state::Broker,
    req: &RemotingCommand,
) -> Result<(), RemotingCommand> {
    if crate::protocol::topic::perm::is_writeable(b.live.get().broker_permission as i32) {
        return Ok(());
    }
    Err(resp(
        req,
        response::NO_PERMISSION,
        Some(format!(
            "the broker[{}] sending message is forbidden",
            b.cfg.broker_ip1
        )),
    ))
}

/// The response code RocketMQ gives a failed put.
pub fn store_error_code(e: &StoreError) -> i32 {
    match e {
        StoreError::MessageIllegal(_) | StoreError::PropertiesSizeExceeded { .. } => {
            response::MESSAGE_ILLEGAL
        }
        StoreError::DiskFull { .. }
        | StoreError::NoSpace { .. }
        | StoreError::ShutDown
        | StoreError::ReadOnly(_) => response::SERVICE_NOT_AVAILABLE,
        _ => response::SYSTEM_ERROR,
    }
}

/// The remark of a failed put: for SERVICE_NOT_AVAILABLE Java's text (4.9.7
/// `SendMessageProcessor.handlePutMessageResult`, with `diskUtil()`'s last measured ratios of
/// the commit-log, consume-queue and index paths), else the store's error.
pub fn store_error_remark(b: &crate::broker::node::state::Broker, e: &StoreError) -> String {
    if let StoreError::AppendFailed { .. } = e {
        // Java: AppendMessageStatus.UNKNOWN_ERROR -> PutMessageStatus.UNKNOWN_ERROR ->
        // SYSTEM_ERROR "UNKNOWN_ERROR" (`SendMessageProcessor.handlePutMessageResult`).
        return "UNKNOWN_ERROR".to_string();
    }
    if store_error_code(e) != response::SERVICE_NOT_AVAILABLE {
        return e.to_string();
    }
    let [cl, cq, index] = b.store.reader().disk_ratios();
    service_not_available_remark(cl, cq, index)
}

/// Java's SERVICE_NOT_AVAILABLE remark for a put, with `String.format("%5.2f")` ratios.
pub fn service_not_available_remark(cl: f64, cq: f64, index: f64) -> String {
    format!(
        "service not available now. It may be caused by one of the following reasons: the broker's disk is full [CL: {cl:5.2} CQ: {cq:5.2} INDEX: {index:5.2}], messages are put to the slave, message store has been shut down, etc."
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn service_not_available_remark_formats_like_javas_diskutil() {
        assert_eq!(
            service_not_available_remark(0.91, 0.5, -1.0),
            "service not available now. It may be caused by one of the following reasons: the \
             broker's disk is full [CL:  0.91 CQ:  0.50 INDEX: -1.00], messages are put to the \
             slave, message store has been shut down, etc."
        );
    }
}
