//! ClusterInfo (body of GET_BROKER_CLUSTER_INFO, 106) and TopicList (bodies of 206, 224, 304):
//! the name server's cluster-wide listings.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use super::route::BrokerData;

/// All brokers by name and all broker names by cluster.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ClusterInfo {
    #[serde(default)]
    pub broker_addr_table: BTreeMap<String, BrokerData>,
    #[serde(default)]
    pub cluster_addr_table: BTreeMap<String, BTreeSet<String>>,
}

impl ClusterInfo {
    /// Java always writes this body with default fastjson, i.e. unquoted broker-id keys.
    pub fn encode_legacy(&self) -> serde_json::Result<Vec<u8>> {
        super::fastjson::to_legacy_vec(self)
    }

    /// Decodes either form.
    pub fn decode(data: &[u8]) -> serde_json::Result<Self> {
        super::fastjson::from_lenient_slice(data)
    }
}

/// `{"topicList":[…]}`, plus `brokerAddr` in the system-topic answer (304).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TopicList {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub broker_addr: Option<String>,
    #[serde(default)]
    pub topic_list: BTreeSet<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_java_example_and_writes_it_back_unquoted() {
        let text = r#"{"brokerAddrTable":{"broker-a":{"brokerAddrs":{0:"10.0.0.1:10911",1:"10.0.0.2:10911"},"brokerName":"broker-a","cluster":"DefaultCluster"}},"clusterAddrTable":{"DefaultCluster":["broker-a","broker-b"]}}"#;
        let info = ClusterInfo::decode(text.as_bytes()).unwrap();
        assert_eq!(info.cluster_addr_table["DefaultCluster"].len(), 2);
        let out = String::from_utf8(info.encode_legacy().unwrap()).unwrap();
        assert_eq!(
            out,
            text.replace(
                r#""cluster":"DefaultCluster"}"#,
                r#""cluster":"DefaultCluster","enableActingMaster":false}"#
            )
        );
    }
}
