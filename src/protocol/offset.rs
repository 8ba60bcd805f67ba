//! Offset tables: consumerOffset.json / GET_ALL_CONSUMER_OFFSET (43) and delayOffset.json /
//! GET_ALL_DELAY_OFFSET (45).
//!
//! Java writes the integer keys (queue ids, delay levels) unquoted, so decoding goes through
//! [`from_fastjson`]; encoding writes standard JSON with quoted keys, which fastjson also reads.

use std::collections::BTreeMap;

use serde::{Deserialize, Deserializer, Serialize};

use super::lenient;
use super::message_queue::from_fastjson;

/// `topic@group` → queue id → committed consume offset.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConsumerOffsetWrapper {
    #[serde(default, deserialize_with = "nested_offsets")]
    pub offset_table: BTreeMap<String, BTreeMap<i32, i64>>,
}

/// Delay level (1..=18) → consume offset in SCHEDULE_TOPIC_XXXX queue level−1.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DelayOffsetWrapper {
    #[serde(default, deserialize_with = "offsets")]
    pub offset_table: BTreeMap<i32, i64>,
}

/// An offset value that may be a string, a number or null.
#[derive(Deserialize)]
struct Offset(#[serde(deserialize_with = "lenient::i64")] i64);

fn offsets<'de, D: Deserializer<'de>>(d: D) -> Result<BTreeMap<i32, i64>, D::Error> {
    let m = Option::<BTreeMap<i32, Offset>>::deserialize(d)?;
    Ok(m.unwrap_or_default()
        .into_iter()
        .map(|(k, v)| (k, v.0))
        .collect())
}

fn nested_offsets<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<BTreeMap<String, BTreeMap<i32, i64>>, D::Error> {
    #[derive(Deserialize)]
    struct Inner(#[serde(deserialize_with = "offsets")] BTreeMap<i32, i64>);
    let m = Option::<BTreeMap<String, Inner>>::deserialize(d)?;
    Ok(m.unwrap_or_default()
        .into_iter()
        .map(|(k, v)| (k, v.0))
        .collect())
}

impl ConsumerOffsetWrapper {
    /// Parses Java- or Rust-written text (unquoted or quoted queue-id keys).
    pub fn decode(text: &str) -> Result<Self, serde_json::Error> {
        from_fastjson(text)
    }

    /// Standard JSON of the same shape.
    pub fn encode(&self, pretty: bool) -> String {
        encode(self, pretty)
    }
}

impl DelayOffsetWrapper {
    /// Parses Java- or Rust-written text (unquoted or quoted level keys).
    pub fn decode(text: &str) -> Result<Self, serde_json::Error> {
        from_fastjson(text)
    }

    /// Standard JSON of the same shape.
    pub fn encode(&self, pretty: bool) -> String {
        encode(self, pretty)
    }
}

fn encode<T: Serialize>(v: &T, pretty: bool) -> String {
    // Maps of strings/integers to integers always serialize.
    let r = if pretty {
        serde_json::to_string_pretty(v)
    } else {
        serde_json::to_string(v)
    };
    r.unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_java_consumer_offsets() {
        let java = "{\n\t\"offsetTable\":{\n\t\t\"TopicTest@cg1\":{0:250,1:251,2:\"249\",3:250\n\t\t},\n\t\t\"%RETRY%cg1@cg1\":{0:0\n\t\t}\n\t}\n}";
        let w = ConsumerOffsetWrapper::decode(java).unwrap();
        assert_eq!(w.offset_table["TopicTest@cg1"][&2], 249);
        assert_eq!(w.offset_table["%RETRY%cg1@cg1"][&0], 0);
        let back = ConsumerOffsetWrapper::decode(&w.encode(true)).unwrap();
        assert_eq!(back, w);
        assert_eq!(
            w.encode(false),
            r#"{"offsetTable":{"%RETRY%cg1@cg1":{"0":0},"TopicTest@cg1":{"0":250,"1":251,"2":249,"3":250}}}"#
        );
    }

    #[test]
    fn reads_delay_offsets_and_empty() {
        let w = DelayOffsetWrapper::decode("{\"offsetTable\":{1:0,2:17,3:5}}").unwrap();
        assert_eq!(w.offset_table.get(&2), Some(&17));
        assert!(DelayOffsetWrapper::decode("{}")
            .unwrap()
            .offset_table
            .is_empty());
        assert!(DelayOffsetWrapper::decode("{\"offsetTable\":null}")
            .unwrap()
            .offset_table
            .is_empty());
    }
}
