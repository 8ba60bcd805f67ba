//! Typed custom headers of every request the broker and name server serve, decoded once from
//! a command's extFields and written back to them by clients; one file per family. The hot
//! ones (send, pull, send-back, end-transaction) are written by hand; the rest are declared
//! with `request_header!` (`field.rs`).
//!
//! Every header has `from_command(&RemotingCommand) -> Result<Self, HeaderError>` (required
//! fields missing or malformed values are errors whose text suits a SYSTEM_ERROR remark) and
//! `write_to(&self, &mut RemotingCommand)` (null fields omitted, as Java does).

pub mod acl;
pub mod admin;
pub mod client;
pub mod end_transaction;
pub mod field;
pub mod group_offsets;
pub mod namesrv;
pub mod offsets;
pub mod pull_request;
pub mod pull_response;
pub mod query;
pub mod send_back;
pub mod send_request;
pub mod send_response;

pub use end_transaction::EndTransactionRequestHeader;
pub use field::{ExtField, Header};
pub use pull_request::{pull_sys_flag, PullMessageRequestHeader};
pub use pull_response::PullMessageResponseHeader;
pub use send_back::ConsumerSendMsgBackRequestHeader;
pub use send_request::SendMessageRequestHeader;
pub use send_response::SendMessageResponseHeader;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codec::codes::request;
    use crate::codec::RemotingCommand;

    fn send_header() -> SendMessageRequestHeader {
        SendMessageRequestHeader {
            producer_group: "PG".into(),
            topic: "T".into(),
            default_topic: "TBW102".into(),
            default_topic_queue_nums: 4,
            queue_id: -1,
            sys_flag: 0,
            born_timestamp: 1_700_000_000_000,
            flag: 0,
            properties: Some("KEYS\u{1}k\u{2}".into()),
            reconsume_times: Some(0),
            unit_mode: false,
            max_reconsume_times: None,
            batch: false,
            bname: Some("broker-a".into()),
        }
    }

    #[test]
    fn send_header_round_trips_in_both_forms() {
        let h = send_header();
        let mut v1 = RemotingCommand::request(request::SEND_MESSAGE);
        h.write_to(&mut v1);
        assert_eq!(v1.ext("topic"), Some("T"));
        assert_eq!(v1.ext("unitMode"), Some("false"));
        assert_eq!(SendMessageRequestHeader::from_command(&v1), Ok(h.clone()));

        let mut v2 = RemotingCommand::request(request::SEND_MESSAGE_V2);
        h.write_to(&mut v2);
        assert_eq!(v2.ext("b"), Some("T"));
        assert_eq!(v2.ext("n"), Some("broker-a"));
        assert!(v2.ext("topic").is_none());
        assert_eq!(SendMessageRequestHeader::from_command(&v2), Ok(h.clone()));

        // Code 10 carrying V2 keys still decodes (key-based fallback).
        let mut mixed = RemotingCommand::request(request::SEND_MESSAGE);
        h.write_v2(&mut mixed);
        assert_eq!(SendMessageRequestHeader::from_command(&mixed), Ok(h));
    }

    #[test]
    fn send_header_reports_first_missing_required_field() {
        let cmd = RemotingCommand::request(request::SEND_MESSAGE).with_ext("producerGroup", "PG");
        let e = SendMessageRequestHeader::from_command(&cmd).unwrap_err();
        assert_eq!(e.field, "topic");
    }

    #[test]
    fn pull_headers_round_trip() {
        let h = PullMessageRequestHeader {
            consumer_group: "G".into(),
            topic: "T".into(),
            queue_id: 1,
            queue_offset: 7,
            max_msg_nums: 32,
            sys_flag: pull_sys_flag::SUSPEND | pull_sys_flag::COMMIT_OFFSET,
            commit_offset: 5,
            suspend_timeout_millis: 15_000,
            subscription: Some("*".into()),
            sub_version: 1,
            expression_type: Some("TAG".into()),
            bname: None,
        };
        let mut cmd = RemotingCommand::request(request::PULL_MESSAGE);
        h.write_to(&mut cmd);
        let back = PullMessageRequestHeader::from_command(&cmd).unwrap();
        assert_eq!(back, h);
        assert!(back.has_suspend() && back.has_commit_offset());
        assert!(!back.has_subscription() && !back.is_lite_pull() && !back.has_class_filter());

        let r = PullMessageResponseHeader {
            suggest_which_broker_id: 0,
            next_begin_offset: 8,
            min_offset: 0,
            max_offset: 8,
        };
        let mut resp = RemotingCommand::response_to(&cmd, 0);
        r.write_to(&mut resp);
        assert_eq!(PullMessageResponseHeader::from_command(&resp), Ok(r));
    }

    #[test]
    fn send_response_and_send_back_round_trip() {
        let s = SendMessageResponseHeader {
            msg_id: "0A00000100002A9F0000000000000ABC".into(),
            queue_id: 1,
            queue_offset: 17,
            transaction_id: None,
            msg_region: Some(send_response::DEFAULT_REGION.into()),
            trace_on: Some(true),
        };
        let mut cmd = RemotingCommand::request(0);
        s.write_to(&mut cmd);
        assert_eq!(cmd.ext("TRACE_ON"), Some("true"));
        assert_eq!(SendMessageResponseHeader::from_command(&cmd), Ok(s));

        let b = ConsumerSendMsgBackRequestHeader {
            offset: 1234,
            group: "G".into(),
            delay_level: 0,
            origin_msg_id: Some("ID".into()),
            origin_topic: Some("T".into()),
            unit_mode: false,
            max_reconsume_times: Some(16),
        };
        let mut cmd = RemotingCommand::request(request::CONSUMER_SEND_MSG_BACK);
        b.write_to(&mut cmd);
        assert_eq!(ConsumerSendMsgBackRequestHeader::from_command(&cmd), Ok(b));
    }
}
