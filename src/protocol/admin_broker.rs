//! Bodies of three broker-wide admin answers (Java 4.9.7 `common.protocol.body`):
//! ConsumeStatsList (GET_BROKER_CONSUME_STATS, 317), QueryConsumeQueueResponseBody with its
//! ConsumeQueueData units (QUERY_CONSUME_QUEUE, 321) and ProducerTableInfo
//! (GET_ALL_PRODUCER_INFO, 328). Field names and nesting are fastjson's; absent (null) fields
//! are left out as fastjson leaves them out.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::admin::ConsumeStats;
use super::heartbeat::SubscriptionData;
use super::lenient;

/// Body of GET_BROKER_CONSUME_STATS (Java `ConsumeStatsList`).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ConsumeStatsList {
    pub broker_addr: String,
    /// One map per subscription group: `{group: [ConsumeStats per topic]}`.
    pub consume_stats_list: Vec<BTreeMap<String, Vec<ConsumeStats>>>,
    pub total_diff: i64,
}

impl ConsumeStatsList {
    /// fastjson form: `{"brokerAddr":…,"consumeStatsList":[{"g":[{…}]}],"totalDiff":N}`; the
    /// ConsumeStats keep their MessageQueue object keys ([`ConsumeStats::encode`]).
    pub fn encode(&self) -> String {
        let q = |s: &str| serde_json::Value::String(s.to_string()).to_string();
        let mut out = format!(
            "{{\"brokerAddr\":{},\"consumeStatsList\":[",
            q(&self.broker_addr)
        );
        for (i, m) in self.consume_stats_list.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            out.push('{');
            for (j, (group, stats)) in m.iter().enumerate() {
                if j > 0 {
                    out.push(',');
                }
                out.push_str(&q(group));
                out.push_str(":[");
                let parts: Vec<String> = stats.iter().map(ConsumeStats::encode).collect();
                out.push_str(&parts.join(","));
                out.push(']');
            }
            out.push('}');
        }
        out.push_str(&format!("],\"totalDiff\":{}}}", self.total_diff));
        out
    }

    /// Reads the fastjson form.
    pub fn decode(text: &str) -> Result<Self, serde_json::Error> {
        let v: serde_json::Value =
            serde_json::from_str(&super::message_queue::quote_map_keys(text))?;
        let mut list = Vec::new();
        for m in v["consumeStatsList"].as_array().into_iter().flatten() {
            let mut groups = BTreeMap::new();
            for (group, stats) in m.as_object().into_iter().flatten() {
                let decoded = stats
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|s| ConsumeStats::decode(&s.to_string()))
                    .collect::<Result<Vec<_>, _>>()?;
                groups.insert(group.clone(), decoded);
            }
            list.push(groups);
        }
        Ok(ConsumeStatsList {
            broker_addr: v["brokerAddr"].as_str().unwrap_or_default().to_string(),
            consume_stats_list: list,
            total_diff: v["totalDiff"].as_i64().unwrap_or_default(),
        })
    }
}

/// One consume-queue unit of QUERY_CONSUME_QUEUE (Java `ConsumeQueueData`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConsumeQueueData {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bit_map: Option<String>,
    #[serde(default, deserialize_with = "lenient::bool")]
    pub eval: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extend_data_json: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub msg: Option<String>,
    #[serde(default, deserialize_with = "lenient::i64")]
    pub physic_offset: i64,
    #[serde(default, deserialize_with = "lenient::i32")]
    pub physic_size: i32,
    #[serde(default, deserialize_with = "lenient::i64")]
    pub tags_code: i64,
}

/// Body of QUERY_CONSUME_QUEUE (Java `QueryConsumeQueueResponseBody`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct QueryConsumeQueueResponseBody {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filter_data: Option<String>,
    #[serde(default, deserialize_with = "lenient::i64")]
    pub max_queue_index: i64,
    #[serde(default, deserialize_with = "lenient::i64")]
    pub min_queue_index: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub queue_data: Option<Vec<ConsumeQueueData>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subscription_data: Option<SubscriptionData>,
}

/// One online producer (Java `ProducerInfo`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProducerInfo {
    #[serde(default, deserialize_with = "lenient::string")]
    pub client_id: String,
    /// Java `LanguageCode` name, e.g. `JAVA`.
    #[serde(default, deserialize_with = "lenient::string")]
    pub language: String,
    #[serde(default, deserialize_with = "lenient::i64")]
    pub last_update_timestamp: i64,
    /// Netty's `remoteAddress().toString()`: `/ip:port`.
    #[serde(rename = "remoteIP", default, deserialize_with = "lenient::string")]
    pub remote_ip: String,
    #[serde(default, deserialize_with = "lenient::i32")]
    pub version: i32,
}

/// Body of GET_ALL_PRODUCER_INFO (Java `ProducerTableInfo`): group → its online producers.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ProducerTableInfo {
    #[serde(default)]
    pub data: BTreeMap<String, Vec<ProducerInfo>>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::admin::OffsetWrapper;
    use crate::protocol::message_queue::MessageQueue;

    #[test]
    fn consume_stats_list_round_trips_with_object_keys() {
        let mut stats = ConsumeStats::default();
        stats.offset_table.insert(
            MessageQueue::new("T", "b", 0),
            OffsetWrapper {
                broker_offset: 5,
                consumer_offset: 2,
                ..Default::default()
            },
        );
        let list = ConsumeStatsList {
            broker_addr: "127.0.0.1:10911".into(),
            consume_stats_list: vec![
                BTreeMap::from([("g1".to_string(), vec![stats])]),
                BTreeMap::from([("g2".to_string(), vec![])]),
            ],
            total_diff: 3,
        };
        let text = list.encode();
        assert!(text.starts_with("{\"brokerAddr\":\"127.0.0.1:10911\",\"consumeStatsList\":[{\"g1\":[{\"consumeTps\":0.0,\"offsetTable\":{{"), "{text}");
        assert!(text.ends_with("{\"g2\":[]}],\"totalDiff\":3}"), "{text}");
        assert_eq!(ConsumeStatsList::decode(&text).unwrap(), list);
    }

    #[test]
    fn producer_info_uses_java_names() {
        let t = ProducerTableInfo {
            data: BTreeMap::from([(
                "pg".to_string(),
                vec![ProducerInfo {
                    client_id: "c".into(),
                    language: "JAVA".into(),
                    last_update_timestamp: 7,
                    remote_ip: "/127.0.0.1:5".into(),
                    version: 413,
                }],
            )]),
        };
        let text = serde_json::to_string(&t).unwrap();
        assert_eq!(
            text,
            "{\"data\":{\"pg\":[{\"clientId\":\"c\",\"language\":\"JAVA\",\"lastUpdateTimestamp\":7,\"remoteIP\":\"/127.0.0.1:5\",\"version\":413}]}}"
        );
    }
}
