//! Turning a parked `SCHEDULE_TOPIC_XXXX` record into its delivery (Java `messageTimeup` and
//! `correctDeliverTimestamp`, 4.9.7), kept apart from the scheduler actor ([`crate::broker::actors::schedule`])
//! so the rules can be read and tested without a broker.
//!
//! The delivered message is the parked record's body, flag, sysFlag, born timestamp and host,
//! store host and reconsume times, sent to `REAL_TOPIC`/`REAL_QID`, with *the properties string
//! unchanged*. Java clears `DELAY` from the property map only after it has serialised that map
//! into the properties string the commit log writes, so a message delivered by a Java broker
//! keeps `DELAY`, `REAL_TOPIC` and `REAL_QID` (consumers see them; tools read `REAL_TOPIC`). It
//! is not delayed again: only the send paths look at `DELAY`, and the store computes a deliver
//! time only for `SCHEDULE_TOPIC_XXXX`, so the real topic's tagsCode is the tag hash again.

use crate::broker::meta::topic_validator::RMQ_SYS_TRANS_HALF_TOPIC;
use crate::store::consume_queue::CqEntry;
use crate::store::message::{property, SCHEDULE_TOPIC};
use crate::store::record::{decode_record, DecodedRecord};
use crate::store::{MessageInner, StoreError, StoreReader};

/// Property: the topic a parked message is delivered to.
pub const PROPERTY_REAL_TOPIC: &str = "REAL_TOPIC";
/// Property: the queue a parked message is delivered to.
pub const PROPERTY_REAL_QID: &str = "REAL_QID";

/// Why one parked entry cannot be delivered (it is skipped, as Java skips it).
#[derive(Debug, thiserror::Error)]
pub enum ScheduleError {
    #[error("no record at commit-log offset {phys} (removed by cleanup?)")]
    Unreadable { phys: i64 },
    #[error("corrupt record at commit-log offset {phys}: {reason}")]
    Corrupt { phys: i64, reason: String },
    #[error("record at commit-log offset {phys} belongs to topic `{topic}`, not {SCHEDULE_TOPIC}")]
    NotScheduled { phys: i64, topic: String },
    #[error("record at commit-log offset {phys} has no {PROPERTY_REAL_TOPIC} property")]
    NoRealTopic { phys: i64 },
    #[error(
        "record at commit-log offset {phys} has {PROPERTY_REAL_QID} `{value}`, not a queue id"
    )]
    BadRealQid { phys: i64, value: String },
    #[error("record at commit-log offset {phys} would be delivered to {RMQ_SYS_TRANS_HALF_TOPIC}")]
    TransactionHalf { phys: i64 },
    #[error("the store refused the delivery of commit-log offset {phys}: {source}")]
    Refused { phys: i64, source: StoreError },
}

/// Java's `correctDeliverTimestamp`: a deliver time further away than the level's delay (the
/// clock went back, or the entry is not a deliver time) means "now".
pub fn correct_deliver_timestamp(now: i64, deliver: i64, delay_ms: i64) -> i64 {
    if deliver > now.saturating_add(delay_ms) {
        now
    } else {
        deliver
    }
}

/// Java's `messageTimeup`: the message to append for a parked record (see the module doc for
/// why the properties string is kept as stored).
pub fn message_timeup(rec: DecodedRecord) -> Result<MessageInner, ScheduleError> {
    let phys = rec.phys_offset;
    if rec.topic != SCHEDULE_TOPIC {
        return Err(ScheduleError::NotScheduled {
            phys,
            topic: rec.topic,
        });
    }
    let topic = property(&rec.properties, PROPERTY_REAL_TOPIC)
        .ok_or(ScheduleError::NoRealTopic { phys })?
        .to_string();
    let qid = property(&rec.properties, PROPERTY_REAL_QID).unwrap_or_default();
    let queue_id = qid
        .trim()
        .parse::<i32>()
        .ok()
        .filter(|q| *q >= 0)
        .ok_or_else(|| ScheduleError::BadRealQid {
            phys,
            value: qid.to_string(),
        })?;
    if topic == RMQ_SYS_TRANS_HALF_TOPIC {
        return Err(ScheduleError::TransactionHalf { phys });
    }
    Ok(MessageInner {
        topic,
        queue_id,
        flag: rec.flag,
        body: rec.body,
        properties: rec.properties,
        sys_flag: rec.sys_flag,
        born_timestamp: rec.born_timestamp,
        born_host: rec.born_host,
        store_host: rec.store_host,
        reconsume_times: rec.reconsume_times,
        prepared_transaction_offset: 0,
    })
}

/// Reads the parked record of a consume-queue entry and builds its delivery.
pub(super) fn read_parked(
    reader: &StoreReader,
    e: &CqEntry,
) -> Result<MessageInner, ScheduleError> {
    let phys = e.phys_offset;
    let raw = reader
        .look_message_by_offset(phys)
        .ok_or(ScheduleError::Unreadable { phys })?;
    let rec =
        decode_record(&raw, false).map_err(|reason| ScheduleError::Corrupt { phys, reason })?;
    message_timeup(rec)
}

/// Store errors that no retry can fix: the entry is skipped instead of blocking its level.
pub(super) fn is_permanent(e: &StoreError) -> bool {
    matches!(
        e,
        StoreError::MessageIllegal(_) | StoreError::PropertiesSizeExceeded { .. }
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::message::encode_properties;
    use bytes::Bytes;

    fn parked(props: &[(&str, &str)]) -> DecodedRecord {
        DecodedRecord {
            total_size: 0,
            magic: 0,
            body_crc: 0,
            queue_id: 1,
            flag: 7,
            queue_offset: 3,
            phys_offset: 4096,
            sys_flag: 0x2,
            born_timestamp: 11,
            born_host: "10.0.0.1:5000".parse().unwrap(),
            store_timestamp: 12,
            store_host: "10.0.0.2:10911".parse().unwrap(),
            reconsume_times: 2,
            prepared_transaction_offset: 0,
            body: Bytes::from_static(b"payload"),
            topic: SCHEDULE_TOPIC.into(),
            properties: encode_properties(props.iter().copied()),
        }
    }

    #[test]
    fn deliver_time_further_than_the_delay_means_now() {
        assert_eq!(correct_deliver_timestamp(1_000, 1_500, 1_000), 1_500);
        assert_eq!(correct_deliver_timestamp(1_000, 2_000, 1_000), 2_000);
        assert_eq!(correct_deliver_timestamp(1_000, 2_001, 1_000), 1_000);
        assert_eq!(correct_deliver_timestamp(1_000, -5, 1_000), -5);
    }

    #[test]
    fn timeup_restores_the_real_destination_and_keeps_the_record() {
        let rec = parked(&[
            ("TAGS", "TagA"),
            ("KEYS", "k1 k2"),
            ("DELAY", "2"),
            ("REAL_TOPIC", "T"),
            ("REAL_QID", "3"),
        ]);
        let props = rec.properties.clone();
        let m = message_timeup(rec).unwrap();
        assert_eq!((m.topic.as_str(), m.queue_id), ("T", 3));
        assert_eq!((m.flag, m.sys_flag, m.reconsume_times), (7, 0x2, 2));
        assert_eq!(m.born_timestamp, 11);
        assert_eq!(m.store_host.to_string(), "10.0.0.2:10911");
        assert_eq!(m.body.as_ref(), b"payload");
        // Java serialises the properties before clearing DELAY: the string is kept as stored.
        assert_eq!(m.properties, props);
        assert_eq!(property(&m.properties, "DELAY"), Some("2"));
    }

    #[test]
    fn timeup_refuses_what_cannot_be_delivered() {
        let no_topic = parked(&[("REAL_QID", "0")]);
        assert!(matches!(
            message_timeup(no_topic),
            Err(ScheduleError::NoRealTopic { .. })
        ));
        let bad_qid = parked(&[("REAL_TOPIC", "T"), ("REAL_QID", "x")]);
        assert!(matches!(
            message_timeup(bad_qid),
            Err(ScheduleError::BadRealQid { .. })
        ));
        let half = parked(&[("REAL_TOPIC", RMQ_SYS_TRANS_HALF_TOPIC), ("REAL_QID", "0")]);
        assert!(matches!(
            message_timeup(half),
            Err(ScheduleError::TransactionHalf { .. })
        ));
        let mut other = parked(&[("REAL_TOPIC", "T"), ("REAL_QID", "0")]);
        other.topic = "T".into();
        assert!(matches!(
            message_timeup(other),
            Err(ScheduleError::NotScheduled { .. })
        ));
    }
}
