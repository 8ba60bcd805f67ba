//! What dispatch needs of one stored record ([`DispatchRequest`]), built from a decoded record
//! or from the writer's own knowledge of what it appended; on its own so that the index
//! service and the dispatch backlog can name it without importing `dispatch`.

use crate::store::config::StoreConfig;
use crate::store::message::{
    sys_flag, tags_code, NAME_VALUE_SEPARATOR, PROPERTY_DELAY, PROPERTY_KEYS, PROPERTY_SEPARATOR,
    PROPERTY_TAGS, PROPERTY_UNIQ_KEY, SCHEDULE_TOPIC,
};
use crate::store::record::DecodedRecord;

/// What dispatch needs to know about one stored record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DispatchRequest {
    pub topic: String,
    pub queue_id: i32,
    pub commit_log_offset: i64,
    pub msg_size: i32,
    pub tags_code: i64,
    pub store_timestamp: i64,
    pub queue_offset: i64,
    pub keys: Option<String>,
    pub uniq_key: Option<String>,
    pub sys_flag: i32,
    pub prepared_transaction_offset: i64,
}

/// The fixed-size fields of a stored record that dispatch needs (what the writer knows
/// without decoding the record it just encoded).
#[derive(Debug, Clone, Copy)]
pub struct RecordPlace {
    pub queue_id: i32,
    pub phys_offset: i64,
    pub total_size: i32,
    pub store_timestamp: i64,
    pub queue_offset: i64,
    pub sys_flag: i32,
    pub prepared_transaction_offset: i64,
}

/// The properties dispatch reads. Found in one pass; the first occurrence of a name wins and
/// malformed pairs are skipped, exactly as [`crate::store::message::property`] does.
#[derive(Debug, Default)]
struct DispatchProps<'a> {
    tags: Option<&'a str>,
    keys: Option<&'a str>,
    uniq_key: Option<&'a str>,
    delay: Option<&'a str>,
}

impl<'a> DispatchProps<'a> {
    fn parse(props: &'a str) -> DispatchProps<'a> {
        let mut p = DispatchProps::default();
        for seg in props.split(PROPERTY_SEPARATOR) {
            let Some(idx) = seg.find(NAME_VALUE_SEPARATOR) else {
                continue;
            };
            if seg.len() < 3 || idx == 0 || idx >= seg.len() - 1 {
                continue;
            }
            let slot = match &seg[..idx] {
                PROPERTY_TAGS => &mut p.tags,
                PROPERTY_KEYS => &mut p.keys,
                PROPERTY_UNIQ_KEY => &mut p.uniq_key,
                PROPERTY_DELAY => &mut p.delay,
                _ => continue,
            };
            if slot.is_none() {
                *slot = Some(&seg[idx + 1..]);
            }
        }
        p
    }
}

impl DispatchRequest {
    /// Builds the request; for `SCHEDULE_TOPIC_XXXX` the tagsCode is the deliver time
    /// (store time + delay of the DELAY level), as RocketMQ's schedule service expects.
    pub fn from_record(rec: &DecodedRecord, cfg: &StoreConfig) -> DispatchRequest {
        let place = RecordPlace {
            queue_id: rec.queue_id,
            phys_offset: rec.phys_offset,
            total_size: rec.total_size,
            store_timestamp: rec.store_timestamp,
            queue_offset: rec.queue_offset,
            sys_flag: rec.sys_flag,
            prepared_transaction_offset: rec.prepared_transaction_offset,
        };
        Self::from_parts(&rec.topic, &rec.properties, place, cfg)
    }

    /// Same as [`DispatchRequest::from_record`] from the record's parts (the append path).
    pub fn from_parts(
        topic: &str,
        properties: &str,
        place: RecordPlace,
        cfg: &StoreConfig,
    ) -> DispatchRequest {
        let props = DispatchProps::parse(properties);
        let mut code = tags_code(props.tags);
        if topic == SCHEDULE_TOPIC {
            if let Some(level) = props.delay.and_then(|l| l.parse::<i32>().ok()) {
                let max_level = cfg.message_delay_level.split_whitespace().count() as i32;
                let level = level.min(max_level);
                if let Some(delay) = cfg.delay_level_millis(level) {
                    code = place.store_timestamp + delay;
                }
            }
        }
        DispatchRequest {
            topic: topic.to_string(),
            queue_id: place.queue_id,
            commit_log_offset: place.phys_offset,
            msg_size: place.total_size,
            tags_code: code,
            store_timestamp: place.store_timestamp,
            queue_offset: place.queue_offset,
            keys: props.keys.map(str::to_string),
            uniq_key: props.uniq_key.map(str::to_string),
            sys_flag: place.sys_flag,
            prepared_transaction_offset: place.prepared_transaction_offset,
        }
    }

    /// Prepared and rolled-back transaction messages get no consume-queue entry.
    pub fn goes_to_consume_queue(&self) -> bool {
        matches!(
            sys_flag::transaction_type(self.sys_flag),
            sys_flag::TRANSACTION_NOT_TYPE | sys_flag::TRANSACTION_COMMIT_TYPE
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::message::property;

    #[test]
    fn one_pass_property_scan_matches_property_lookup() {
        let cases = [
            "",
            "TAGS\u{1}a\u{2}KEYS\u{1}k1 k2\u{2}UNIQ_KEY\u{1}U1",
            // First occurrence wins; malformed pairs are skipped.
            "TAGS\u{1}\u{2}TAGS\u{1}b\u{2}KEYS\u{1}x\u{2}KEYS\u{1}y\u{2}\u{1}z\u{2}DELAY\u{1}3",
            "UNIQ_KEY\u{1}u\u{1}v\u{2}junk\u{2}TAGS",
        ];
        for s in cases {
            let p = DispatchProps::parse(s);
            assert_eq!(p.tags, property(s, PROPERTY_TAGS), "{s:?}");
            assert_eq!(p.keys, property(s, PROPERTY_KEYS), "{s:?}");
            assert_eq!(p.uniq_key, property(s, PROPERTY_UNIQ_KEY), "{s:?}");
            assert_eq!(p.delay, property(s, PROPERTY_DELAY), "{s:?}");
        }
    }
}
