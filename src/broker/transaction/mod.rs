//! Transactional messages (Java 4.9.7 `TransactionalMessageBridge`,
//! `TransactionalMessageServiceImpl`, `EndTransactionProcessor`,
//! `TransactionalMessageCheckService`).
//!
//! A send with `TRAN_MSG=true` is stored as a *half message* in `RMQ_SYS_TRANS_HALF_TOPIC`
//! queue 0 with its destination in `REAL_TOPIC`/`REAL_QID` ([`half`]); consumers of the real
//! topic never see it. END_TRANSACTION ([`end`]) commits (the real message is stored, then an
//! op message) or rolls back (op message only). An op message goes to
//! `RMQ_SYS_TRANS_OP_HALF_TOPIC` (same queue id as the half queue) with tag `d` and the half
//! message's queue offset as its body. The check actor ([`check`]) walks the half queue from
//! the consume offset of group `CID_RMQ_SYS_TRANS`, skips what the op queue marks as done,
//! re-puts an open half message and asks a producer of its group for its state
//! (CHECK_TRANSACTION_STATE); after `transactionCheckMax` checks the message is discarded to
//! `TRANS_CHECK_MAX_TIME_TOPIC`. Everything lives in ordinary stored topics and consumer
//! offsets, so a broker restart loses nothing.

pub mod check;
pub mod end;
pub mod half;
pub mod resume;
pub mod scan;

/// Java `MixAll.CID_SYS_RMQ_TRANS`: the group whose offsets record the check's progress.
pub const CID_RMQ_SYS_TRANS: &str = "CID_RMQ_SYS_TRANS";
/// Java `TransactionalMessageUtil.REMOVETAG`: the op message tag of a finished transaction.
pub const REMOVE_TAG: &str = "d";
/// `MessageConst.PROPERTY_TRANSACTION_PREPARED`.
pub const PROPERTY_TRAN_MSG: &str = "TRAN_MSG";
/// `MessageConst.PROPERTY_PRODUCER_GROUP`.
pub const PROPERTY_PGROUP: &str = "PGROUP";
/// `MessageConst.PROPERTY_TRANSACTION_CHECK_TIMES`.
pub const PROPERTY_CHECK_TIMES: &str = "TRANSACTION_CHECK_TIMES";
/// `MessageConst.PROPERTY_CHECK_IMMUNITY_TIME_IN_SECONDS`.
pub const PROPERTY_IMMUNITY_SECONDS: &str = "CHECK_IMMUNITY_TIME_IN_SECONDS";
/// `MessageConst.PROPERTY_TRANSACTION_PREPARED_QUEUE_OFFSET`.
pub const PROPERTY_PREPARED_QUEUE_OFFSET: &str = "TRAN_PREPARED_QUEUE_OFFSET";

/// Java `MessageSysFlag.resetTransactionValue`: replaces the transaction bits of `flag`.
pub fn reset_transaction_value(flag: i32, tx_type: i32) -> i32 {
    (flag & !crate::store::message::sys_flag::TRANSACTION_ROLLBACK_TYPE) | tx_type
}

/// Replaces (or adds) properties in a properties string, keeping the other pairs in order.
pub fn set_properties(props: &str, set: &[(&str, String)]) -> String {
    use crate::store::message::{decode_properties, encode_properties};
    let mut pairs = decode_properties(props);
    pairs.retain(|(k, _)| !set.iter().any(|(s, _)| s == k));
    pairs.extend(set.iter().map(|(k, v)| (k.to_string(), v.clone())));
    encode_properties(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::message::{property, sys_flag};

    #[test]
    fn reset_replaces_only_the_transaction_bits() {
        let f = sys_flag::MULTI_TAGS | sys_flag::TRANSACTION_PREPARED_TYPE;
        assert_eq!(
            reset_transaction_value(f, sys_flag::TRANSACTION_NOT_TYPE),
            sys_flag::MULTI_TAGS
        );
        assert_eq!(
            reset_transaction_value(f, sys_flag::TRANSACTION_COMMIT_TYPE),
            sys_flag::MULTI_TAGS | sys_flag::TRANSACTION_COMMIT_TYPE
        );
    }

    #[test]
    fn property_updates_replace_and_add() {
        let p = crate::store::message::encode_properties([("A", "1"), ("B", "2")]);
        let q = set_properties(&p, &[("A", "3".into()), ("C", "4".into())]);
        assert_eq!(property(&q, "A"), Some("3"));
        assert_eq!(property(&q, "B"), Some("2"));
        assert_eq!(property(&q, "C"), Some("4"));
    }
}
