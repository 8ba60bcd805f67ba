//! Admin and dashboard bodies the broker answers with: topic stats (202), consume stats (208),
//! consumer/producer connections (203/204), the consumer id list (38), group and topic lists
//! (300, 305).
//!
//! TopicStatsTable and ConsumeStats are maps keyed by MessageQueue objects, which fastjson writes
//! as raw JSON object keys; they have hand-written `encode`/`decode` for that form, and they
//! carry the superset fields rocketmq-client-rust 1.0.0 requires (`topicPutTps`, `pullOffset`).

use std::collections::BTreeMap;

use serde::{Deserialize, Deserializer, Serialize};

use super::heartbeat::{ConsumeFromWhere, ConsumeType, MessageModel, SubscriptionData};
use super::lenient;
use super::message_queue::{quote_map_keys, write_object_key_map, MessageQueue};

/// Per-queue offsets of a topic (value of TopicStatsTable).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TopicOffset {
    #[serde(default, deserialize_with = "lenient::i64")]
    pub last_update_timestamp: i64,
    #[serde(default, deserialize_with = "lenient::i64")]
    pub max_offset: i64,
    #[serde(default, deserialize_with = "lenient::i64")]
    pub min_offset: i64,
}

/// Body of GET_TOPIC_STATS_INFO (202).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct TopicStatsTable {
    pub offset_table: BTreeMap<MessageQueue, TopicOffset>,
    /// Not in Java 4.9; rocketmq-client-rust 1.0.0 requires it.
    pub topic_put_tps: f64,
}

impl TopicStatsTable {
    /// fastjson form: `{"offsetTable":{{mq}:{…}},"topicPutTps":0.0}`.
    pub fn encode(&self) -> String {
        let mut out = String::from("{\"offsetTable\":");
        write_object_key_map(&mut out, self.offset_table.iter());
        out.push_str(",\"topicPutTps\":");
        out.push_str(&json_f64(self.topic_put_tps));
        out.push('}');
        out
    }

    /// Reads the fastjson form (or quoted keys holding the queue's JSON).
    pub fn decode(text: &str) -> Result<Self, serde_json::Error> {
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct Raw {
            #[serde(default)]
            offset_table: BTreeMap<String, TopicOffset>,
            #[serde(default, deserialize_with = "lenient_f64")]
            topic_put_tps: f64,
        }
        let raw: Raw = serde_json::from_str(&quote_map_keys(text))?;
        Ok(TopicStatsTable {
            offset_table: mq_keys(raw.offset_table)?,
            topic_put_tps: raw.topic_put_tps,
        })
    }
}

/// Per-queue consume progress (value of ConsumeStats).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OffsetWrapper {
    #[serde(default, deserialize_with = "lenient::i64")]
    pub broker_offset: i64,
    #[serde(default, deserialize_with = "lenient::i64")]
    pub consumer_offset: i64,
    #[serde(default, deserialize_with = "lenient::i64")]
    pub last_timestamp: i64,
    /// Not in Java 4.9; rocketmq-client-rust 1.0.0 requires it.
    #[serde(default, deserialize_with = "lenient::i64")]
    pub pull_offset: i64,
}

/// Body of GET_CONSUME_STATS (208).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ConsumeStats {
    pub consume_tps: f64,
    pub offset_table: BTreeMap<MessageQueue, OffsetWrapper>,
}

impl ConsumeStats {
    /// fastjson form: `{"consumeTps":0.0,"offsetTable":{{mq}:{…}}}`.
    pub fn encode(&self) -> String {
        let mut out = String::from("{\"consumeTps\":");
        out.push_str(&json_f64(self.consume_tps));
        out.push_str(",\"offsetTable\":");
        write_object_key_map(&mut out, self.offset_table.iter());
        out.push('}');
        out
    }

    /// Reads the fastjson form (or quoted keys holding the queue's JSON).
    pub fn decode(text: &str) -> Result<Self, serde_json::Error> {
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct Raw {
            #[serde(default, deserialize_with = "lenient_f64")]
            consume_tps: f64,
            #[serde(default)]
            offset_table: BTreeMap<String, OffsetWrapper>,
        }
        let raw: Raw = serde_json::from_str(&quote_map_keys(text))?;
        Ok(ConsumeStats {
            consume_tps: raw.consume_tps,
            offset_table: mq_keys(raw.offset_table)?,
        })
    }
}

fn mq_keys<V>(m: BTreeMap<String, V>) -> Result<BTreeMap<MessageQueue, V>, serde_json::Error> {
    m.into_iter()
        .map(|(k, v)| Ok((MessageQueue::from_key(&k)?, v)))
        .collect()
}

/// A double as fastjson writes it: always with a fraction (`0.0`); non-finite values as 0.0.
fn json_f64(v: f64) -> String {
    let v = if v.is_finite() { v } else { 0.0 };
    serde_json::to_string(&v).unwrap_or_else(|_| "0.0".into())
}

fn lenient_f64<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
    let v = Option::<serde_json::Value>::deserialize(d)?;
    Ok(match v {
        Some(serde_json::Value::Number(n)) => n.as_f64().unwrap_or(0.0),
        Some(serde_json::Value::String(s)) => s.trim().parse().unwrap_or(0.0),
        _ => 0.0,
    })
}

/// One client connection as admin tools see it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Connection {
    #[serde(default, deserialize_with = "lenient::string")]
    pub client_addr: String,
    #[serde(default, deserialize_with = "lenient::string")]
    pub client_id: String,
    /// Java `LanguageCode` name, e.g. `JAVA`.
    #[serde(default, deserialize_with = "lenient::string")]
    pub language: String,
    #[serde(default, deserialize_with = "lenient::i32")]
    pub version: i32,
}

/// Body of GET_CONSUMER_CONNECTION_LIST (203).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConsumerConnection {
    #[serde(default)]
    pub connection_set: Vec<Connection>,
    #[serde(default)]
    pub consume_from_where: ConsumeFromWhere,
    #[serde(default)]
    pub consume_type: ConsumeType,
    #[serde(default)]
    pub message_model: MessageModel,
    #[serde(default)]
    pub subscription_table: BTreeMap<String, SubscriptionData>,
}

/// Body of GET_PRODUCER_CONNECTION_LIST (204).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProducerConnection {
    #[serde(default)]
    pub connection_set: Vec<Connection>,
}

/// Body of GET_CONSUMER_LIST_BY_GROUP (38) responses.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GetConsumerListByGroupResponseBody {
    #[serde(default)]
    pub consumer_id_list: Vec<String>,
}

/// `{"groupList":[…]}`: body of QUERY_TOPIC_CONSUME_BY_WHO (300) and similar.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GroupList {
    #[serde(default)]
    pub group_list: Vec<String>,
}

/// The body of QUERY_TOPIC_CONSUME_BY_WHO (300).
pub type QueryConsumeByWhoBody = GroupList;

/// `{"topicList":[…]}` (+ `brokerAddr` in some name-server answers).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TopicList {
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "lenient::opt_string"
    )]
    pub broker_addr: Option<String>,
    #[serde(default)]
    pub topic_list: Vec<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn topic_stats_fastjson_form() {
        let mut t = TopicStatsTable::default();
        t.offset_table.insert(
            MessageQueue::new("T", "b", 0),
            TopicOffset {
                last_update_timestamp: 1690000000000,
                max_offset: 10,
                min_offset: 0,
            },
        );
        let text = t.encode();
        assert_eq!(
            text,
            r#"{"offsetTable":{{"brokerName":"b","queueId":0,"topic":"T"}:{"lastUpdateTimestamp":1690000000000,"maxOffset":10,"minOffset":0}},"topicPutTps":0.0}"#
        );
        assert_eq!(TopicStatsTable::decode(&text).unwrap(), t);
        // Java 4.9 omits topicPutTps.
        let java = r#"{"offsetTable":{{"brokerName":"b","queueId":0,"topic":"T"}:{"lastUpdateTimestamp":1690000000000,"maxOffset":10,"minOffset":0}}}"#;
        assert_eq!(TopicStatsTable::decode(java).unwrap(), t);
    }

    #[test]
    fn consume_stats_has_pull_offset() {
        let mut s = ConsumeStats::default();
        s.offset_table.insert(
            MessageQueue::new("T", "b", 1),
            OffsetWrapper {
                broker_offset: 10,
                consumer_offset: 8,
                last_timestamp: 5,
                pull_offset: 8,
            },
        );
        let text = s.encode();
        assert!(text.starts_with(
            r#"{"consumeTps":0.0,"offsetTable":{{"brokerName":"b","queueId":1,"topic":"T"}:{"#
        ));
        assert!(text.contains(r#""pullOffset":8"#));
        assert_eq!(ConsumeStats::decode(&text).unwrap(), s);
    }

    #[test]
    fn lists_and_connections() {
        let tl = TopicList {
            broker_addr: None,
            topic_list: vec!["A".into()],
        };
        assert_eq!(
            serde_json::to_string(&tl).unwrap(),
            r#"{"topicList":["A"]}"#
        );
        let c = ConsumerConnection {
            connection_set: vec![Connection {
                client_addr: "10.0.0.9:52314".into(),
                client_id: "c".into(),
                language: "JAVA".into(),
                version: 407,
            }],
            ..Default::default()
        };
        let text = serde_json::to_string(&c).unwrap();
        assert!(text.contains(r#""consumeFromWhere":"CONSUME_FROM_LAST_OFFSET""#));
        assert!(text.contains(r#""messageModel":"CLUSTERING""#));
        assert_eq!(
            serde_json::from_str::<ConsumerConnection>(&text).unwrap(),
            c
        );
    }
}
