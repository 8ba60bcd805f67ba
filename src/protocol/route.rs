//! TopicRouteData, QueueData and BrokerData: the body of GET_ROUTEINFO_BY_TOPIC (105) and, for
//! BrokerData, of the cluster info (106).
//!
//! Fields are declared in alphabetical order because fastjson writes them that way, and the
//! superset fields `enableActingMaster` and `filterServerTable` are always written because
//! rocketmq-client-rust 1.0.0 refuses route data without them. Use [`super::fastjson`] to choose
//! between the legacy (unquoted broker-id keys) and the standard form.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::lenient;

/// One broker name's queues for a topic.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct QueueData {
    #[serde(default, deserialize_with = "lenient::string")]
    pub broker_name: String,
    #[serde(default, deserialize_with = "lenient::i32")]
    pub perm: i32,
    #[serde(default, deserialize_with = "lenient::i32")]
    pub read_queue_nums: i32,
    #[serde(default, deserialize_with = "lenient::i32")]
    pub topic_sys_flag: i32,
    #[serde(default, deserialize_with = "lenient::i32")]
    pub write_queue_nums: i32,
}

/// The addresses of one broker name: brokerId (0 = master) -> "ip:port".
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BrokerData {
    #[serde(default)]
    pub broker_addrs: BTreeMap<i64, String>,
    #[serde(default, deserialize_with = "lenient::string")]
    pub broker_name: String,
    #[serde(default, deserialize_with = "lenient::string")]
    pub cluster: String,
    /// A 5.x field; always false here, written for rocketmq-client-rust.
    #[serde(default, deserialize_with = "lenient::bool")]
    pub enable_acting_master: bool,
}

impl BrokerData {
    pub fn new(cluster: impl Into<String>, broker_name: impl Into<String>) -> Self {
        BrokerData {
            broker_addrs: BTreeMap::new(),
            broker_name: broker_name.into(),
            cluster: cluster.into(),
            enable_acting_master: false,
        }
    }

    /// The master's address (brokerId 0), if registered.
    pub fn master_addr(&self) -> Option<&str> {
        self.broker_addrs.get(&0).map(String::as_str)
    }
}

/// The route of one topic.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TopicRouteData {
    #[serde(default)]
    pub broker_datas: Vec<BrokerData>,
    /// brokerAddr -> filter server addresses; normally empty but always written.
    #[serde(default)]
    pub filter_server_table: BTreeMap<String, Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order_topic_conf: Option<String>,
    #[serde(default)]
    pub queue_datas: Vec<QueueData>,
}

impl TopicRouteData {
    /// Encodes as Java does: standard JSON when `standard`, else unquoted broker-id keys.
    pub fn encode(&self, standard: bool) -> serde_json::Result<Vec<u8>> {
        super::fastjson::to_vec(self, standard)
    }

    /// Decodes either form.
    pub fn decode(data: &[u8]) -> serde_json::Result<Self> {
        super::fastjson::from_lenient_slice(data)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_java_legacy_example() {
        let text = br#"{"brokerDatas":[{"brokerAddrs":{0:"10.0.0.1:10911",1:"10.0.0.2:10911"},"brokerName":"broker-a","cluster":"DefaultCluster"}],"filterServerTable":{},"queueDatas":[{"brokerName":"broker-a","perm":6,"readQueueNums":4,"topicSysFlag":0,"writeQueueNums":4}]}"#;
        let route = TopicRouteData::decode(text).unwrap();
        assert_eq!(route.broker_datas[0].master_addr(), Some("10.0.0.1:10911"));
        assert_eq!(route.broker_datas[0].broker_addrs[&1], "10.0.0.2:10911");
        assert_eq!(route.queue_datas[0].write_queue_nums, 4);
        let standard = String::from_utf8(route.encode(true).unwrap()).unwrap();
        assert!(standard.contains(r#""brokerAddrs":{"0":"10.0.0.1:10911","1":"10.0.0.2:10911"}"#));
        assert!(standard.contains(r#""enableActingMaster":false"#));
        let legacy = String::from_utf8(route.encode(false).unwrap()).unwrap();
        assert!(legacy.contains(r#""brokerAddrs":{0:"10.0.0.1:10911",1:"10.0.0.2:10911"}"#));
    }
}
