//! The messages the transaction code writes, one function per Java method it follows:
//! the half message of a send (`TransactionalMessageBridge.parseHalfMessageInner`), the real
//! message of a commit (`EndTransactionProcessor.endMessageTransaction`), the op message of a
//! finished transaction (`addRemoveTagInTransactionOp` / `makeOpMessageInner`), the re-put of a
//! checked half message (`renewHalfMessageInner`, `renewImmunityHalfMessageInner`), the discard
//! to `TRANS_CHECK_MAX_TIME_TOPIC` (`DefaultTransactionalMessageCheckListener`) and the body of
//! CHECK_TRANSACTION_STATE (`MessageDecoder.encode` of the message with its real topic).

use bytes::Bytes;

use super::{reset_transaction_value, set_properties, PROPERTY_CHECK_TIMES};
use crate::broker::actors::schedule_timeup::{PROPERTY_REAL_QID, PROPERTY_REAL_TOPIC};
use crate::broker::meta::topic_validator::{
    RMQ_SYS_TRANS_CHECK_MAX_TIME_TOPIC, RMQ_SYS_TRANS_HALF_TOPIC, RMQ_SYS_TRANS_OP_HALF_TOPIC,
};
use crate::store::message::{encode_properties, property, sys_flag};
use crate::store::record::{
    decode_record, encode_record, DecodedRecord, RecordHead, RecordPayload,
};
use crate::store::{MessageInner, StoreReader};

/// Why a stored half message cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum HalfError {
    #[error("no record at commit-log offset {phys}")]
    Unreadable { phys: i64 },
    #[error("corrupt record at commit-log offset {phys}: {reason}")]
    Corrupt { phys: i64, reason: String },
    #[error("record at commit-log offset {phys} has no {PROPERTY_REAL_TOPIC} property")]
    NoRealTopic { phys: i64 },
    #[error(
        "record at commit-log offset {phys} has {PROPERTY_REAL_QID} `{value}`, not a queue id"
    )]
    BadRealQid { phys: i64, value: String },
}

/// Turns a sent message into its half message: destination kept in `REAL_TOPIC`/`REAL_QID`,
/// transaction bits cleared (so the half queue gets a consume-queue entry), topic
/// `RMQ_SYS_TRANS_HALF_TOPIC` queue 0.
pub fn to_half(msg: &mut MessageInner) {
    msg.properties = set_properties(
        &msg.properties,
        &[
            (PROPERTY_REAL_TOPIC, msg.topic.clone()),
            (PROPERTY_REAL_QID, msg.queue_id.to_string()),
        ],
    );
    msg.sys_flag = reset_transaction_value(msg.sys_flag, sys_flag::TRANSACTION_NOT_TYPE);
    msg.topic = RMQ_SYS_TRANS_HALF_TOPIC.to_string();
    msg.queue_id = 0;
}

/// Reads and decodes the record at `phys` (Java `lookMessageByOffset`).
pub fn read_record(reader: &StoreReader, phys: i64) -> Result<DecodedRecord, HalfError> {
    let raw = reader
        .look_message_by_offset(phys)
        .ok_or(HalfError::Unreadable { phys })?;
    decode_record(&raw, false).map_err(|reason| HalfError::Corrupt { phys, reason })
}

/// `REAL_TOPIC` and `REAL_QID` of a half message.
pub fn real_destination(rec: &DecodedRecord) -> Result<(String, i32), HalfError> {
    let phys = rec.phys_offset;
    let topic = property(&rec.properties, PROPERTY_REAL_TOPIC)
        .ok_or(HalfError::NoRealTopic { phys })?
        .to_string();
    let qid = property(&rec.properties, PROPERTY_REAL_QID).unwrap_or_default();
    let queue_id = qid
        .trim()
        .parse::<i32>()
        .map_err(|_| HalfError::BadRealQid {
            phys,
            value: qid.to_string(),
        })?;
    Ok((topic, queue_id))
}

/// The real message of a commit. Java writes the half message's properties string as stored
/// (its map edits come after the string is built), so `REAL_TOPIC`, `REAL_QID` and `TRAN_MSG`
/// stay visible to consumers; `UNIQ_KEY` (the producer's msgId) is kept.
pub fn end_message(rec: &DecodedRecord, commit_log_offset: i64) -> Result<MessageInner, HalfError> {
    let (topic, queue_id) = real_destination(rec)?;
    Ok(MessageInner {
        topic,
        queue_id,
        flag: rec.flag,
        body: rec.body.clone(),
        properties: rec.properties.clone(),
        sys_flag: reset_transaction_value(rec.sys_flag, sys_flag::TRANSACTION_COMMIT_TYPE),
        born_timestamp: rec.born_timestamp,
        born_host: rec.born_host,
        store_host: rec.store_host,
        reconsume_times: rec.reconsume_times,
        prepared_transaction_offset: commit_log_offset,
    })
}

/// The op message marking the half message at `half_queue_offset` of half queue `queue_id`
/// as finished: tag `d`, body = the offset in decimal.
pub fn op_message(
    queue_id: i32,
    half_queue_offset: i64,
    store_host: std::net::SocketAddr,
    now_ms: i64,
) -> MessageInner {
    MessageInner {
        topic: RMQ_SYS_TRANS_OP_HALF_TOPIC.to_string(),
        queue_id,
        flag: 0,
        body: Bytes::from(half_queue_offset.to_string()),
        properties: encode_properties([("TAGS", super::REMOVE_TAG), ("WAIT", "true")]),
        sys_flag: 0,
        born_timestamp: now_ms,
        born_host: store_host,
        store_host,
        reconsume_times: 0,
        prepared_transaction_offset: 0,
    }
}

/// The re-put of a checked half message with its updated properties (Java
/// `renewHalfMessageInner` sets neither flag nor reconsume times: both become 0).
pub fn renew_half(rec: &DecodedRecord, properties: String) -> MessageInner {
    MessageInner {
        topic: rec.topic.clone(),
        queue_id: rec.queue_id,
        flag: 0,
        body: rec.body.clone(),
        properties,
        sys_flag: rec.sys_flag,
        born_timestamp: rec.born_timestamp,
        born_host: rec.born_host,
        store_host: rec.store_host,
        reconsume_times: 0,
        prepared_transaction_offset: 0,
    }
}

/// A half message checked too often, moved to `TRANS_CHECK_MAX_TIME_TOPIC` queue 0.
pub fn discard_message(rec: &DecodedRecord) -> MessageInner {
    MessageInner {
        topic: RMQ_SYS_TRANS_CHECK_MAX_TIME_TOPIC.to_string(),
        queue_id: 0,
        flag: rec.flag,
        body: rec.body.clone(),
        properties: rec.properties.clone(),
        sys_flag: rec.sys_flag,
        born_timestamp: rec.born_timestamp,
        born_host: rec.born_host,
        store_host: rec.store_host,
        reconsume_times: rec.reconsume_times,
        prepared_transaction_offset: 0,
    }
}

/// RESUME_CHECK_HALF_MESSAGE's re-put: `TRANSACTION_CHECK_TIMES=0`, half topic queue 0.
pub fn resume_message(rec: &DecodedRecord) -> MessageInner {
    let mut m = discard_message(rec);
    m.topic = RMQ_SYS_TRANS_HALF_TOPIC.to_string();
    m.properties = set_properties(&rec.properties, &[(PROPERTY_CHECK_TIMES, "0".into())]);
    m
}

/// The CHECK_TRANSACTION_STATE body: the half message as stored at (`queue_offset`, `phys`),
/// with its real topic and queue and the given properties, encoded as a record.
pub fn check_body(
    rec: &DecodedRecord,
    properties: &str,
    queue_offset: i64,
    phys: i64,
) -> Result<Bytes, HalfError> {
    let (topic, queue_id) = real_destination(rec)?;
    let msg = MessageInner {
        topic,
        queue_id,
        flag: rec.flag,
        body: rec.body.clone(),
        properties: properties.to_string(),
        sys_flag: rec.sys_flag,
        born_timestamp: rec.born_timestamp,
        born_host: rec.born_host,
        store_host: rec.store_host,
        reconsume_times: rec.reconsume_times,
        prepared_transaction_offset: rec.prepared_transaction_offset,
    };
    let mut out = Vec::new();
    encode_record(
        &mut out,
        &msg,
        RecordHead {
            queue_offset,
            phys_offset: phys,
            store_timestamp: rec.store_timestamp,
            sys_flag: rec.sys_flag,
        },
        RecordPayload {
            flag: rec.flag,
            body: &rec.body,
            properties,
        },
    );
    Ok(Bytes::from(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sent() -> MessageInner {
        let mut m = MessageInner::new("T", 3, Bytes::from_static(b"x"));
        m.properties =
            encode_properties([("TRAN_MSG", "true"), ("PGROUP", "g"), ("UNIQ_KEY", "u")]);
        m.sys_flag = sys_flag::TRANSACTION_PREPARED_TYPE;
        m
    }

    fn stored(m: &MessageInner, phys: i64, qo: i64) -> DecodedRecord {
        let mut out = Vec::new();
        let head = RecordHead {
            queue_offset: qo,
            phys_offset: phys,
            store_timestamp: 5,
            sys_flag: m.sys_flag,
        };
        let p = RecordPayload {
            flag: m.flag,
            body: &m.body,
            properties: &m.properties,
        };
        encode_record(&mut out, m, head, p);
        decode_record(&out, true).unwrap()
    }

    #[test]
    fn half_then_commit_restores_the_destination() {
        let mut m = sent();
        to_half(&mut m);
        assert_eq!(
            (m.topic.as_str(), m.queue_id),
            (RMQ_SYS_TRANS_HALF_TOPIC, 0)
        );
        assert_eq!(sys_flag::transaction_type(m.sys_flag), 0);
        let rec = stored(&m, 100, 7);
        let c = end_message(&rec, 100).unwrap();
        assert_eq!((c.topic.as_str(), c.queue_id), ("T", 3));
        assert_eq!(
            sys_flag::transaction_type(c.sys_flag),
            sys_flag::TRANSACTION_COMMIT_TYPE
        );
        assert_eq!(c.prepared_transaction_offset, 100);
        assert_eq!(property(&c.properties, "UNIQ_KEY"), Some("u"));
        let body = check_body(&rec, &rec.properties, 7, 100).unwrap();
        let back = decode_record(&body, true).unwrap();
        assert_eq!((back.topic.as_str(), back.queue_id), ("T", 3));
        assert_eq!((back.queue_offset, back.phys_offset), (7, 100));
    }

    #[test]
    fn op_message_names_the_half_offset() {
        let op = op_message(0, 42, "127.0.0.1:10911".parse().unwrap(), 1);
        assert_eq!(op.topic, RMQ_SYS_TRANS_OP_HALF_TOPIC);
        assert_eq!(op.body.as_ref(), b"42");
        assert_eq!(property(&op.properties, "TAGS"), Some("d"));
    }
}
