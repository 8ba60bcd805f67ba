//! SubscriptionGroupConfig and the subscriptionGroup.json / GET_ALL_SUBSCRIPTIONGROUP_CONFIG
//! wrapper: per consumer group, whether it may consume, how many retry queues it gets and how
//! often a message is retried before it goes to the DLQ.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::lenient;
use super::topic::DataVersion;

/// One consumer group's configuration (Java 4.9 `SubscriptionGroupConfig`, same defaults).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SubscriptionGroupConfig {
    #[serde(default, deserialize_with = "lenient::i64")]
    pub broker_id: i64,
    #[serde(default = "yes", deserialize_with = "lenient_bool_true")]
    pub consume_broadcast_enable: bool,
    #[serde(default = "yes", deserialize_with = "lenient_bool_true")]
    pub consume_enable: bool,
    #[serde(default = "yes", deserialize_with = "lenient_bool_true")]
    pub consume_from_min_enable: bool,
    #[serde(default, deserialize_with = "lenient::string")]
    pub group_name: String,
    #[serde(default = "yes", deserialize_with = "lenient_bool_true")]
    pub notify_consumer_ids_changed_enable: bool,
    #[serde(default = "default_retry_max_times", deserialize_with = "lenient::i32")]
    pub retry_max_times: i32,
    #[serde(
        default = "default_retry_queue_nums",
        deserialize_with = "lenient::i32"
    )]
    pub retry_queue_nums: i32,
    #[serde(default = "default_slowly_broker", deserialize_with = "lenient::i64")]
    pub which_broker_when_consume_slowly: i64,
}

fn yes() -> bool {
    true
}
fn default_retry_max_times() -> i32 {
    16
}
fn default_retry_queue_nums() -> i32 {
    1
}
fn default_slowly_broker() -> i64 {
    1
}

/// A boolean whose Java default is true: an explicit `null` keeps the default.
fn lenient_bool_true<'de, D: serde::Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    let v = Option::<serde_json::Value>::deserialize(d)?;
    match v {
        None | Some(serde_json::Value::Null) => Ok(true),
        Some(v) => lenient::bool(v).map_err(serde::de::Error::custom),
    }
}

impl SubscriptionGroupConfig {
    /// A group with Java's defaults.
    pub fn new(group_name: impl Into<String>) -> Self {
        SubscriptionGroupConfig {
            broker_id: 0,
            consume_broadcast_enable: true,
            consume_enable: true,
            consume_from_min_enable: true,
            group_name: group_name.into(),
            notify_consumer_ids_changed_enable: true,
            retry_max_times: default_retry_max_times(),
            retry_queue_nums: default_retry_queue_nums(),
            which_broker_when_consume_slowly: default_slowly_broker(),
        }
    }
}

/// subscriptionGroup.json and the body of GET_ALL_SUBSCRIPTIONGROUP_CONFIG (201).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SubscriptionGroupWrapper {
    #[serde(default)]
    pub data_version: DataVersion,
    #[serde(default)]
    pub subscription_group_table: BTreeMap<String, SubscriptionGroupConfig>,
}

/// The groups Java treats as system groups (`DefaultMQAdminExtImpl.SYSTEM_GROUP_SET`):
/// mqadmin leaves them out of exports, the dashboard flags them.
pub const SYSTEM_GROUP_SET: &[&str] = &[
    "DEFAULT_CONSUMER",
    "DEFAULT_PRODUCER",
    "TOOLS_CONSUMER",
    "FILTERSRV_CONSUMER",
    "__MONITOR_CONSUMER",
    "CLIENT_INNER_PRODUCER",
    "SELF_TEST_P_GROUP",
    "SELF_TEST_C_GROUP",
    "CID_ONS-HTTP-PROXY",
    "CID_ONSAPI_PERMISSION",
    "CID_ONSAPI_OWNER",
    "CID_ONSAPI_PULL",
    "CID_RMQ_SYS_TRANS",
];

/// Java `MixAll.isSysConsumerGroup` (prefix `CID_RMQ_SYS_`) or a member of [`SYSTEM_GROUP_SET`].
pub fn is_system_group(group: &str) -> bool {
    group.starts_with("CID_RMQ_SYS_") || SYSTEM_GROUP_SET.contains(&group)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn system_groups_are_javas_set_and_the_sys_prefix() {
        for g in [
            "DEFAULT_CONSUMER",
            "DEFAULT_PRODUCER",
            "TOOLS_CONSUMER",
            "CID_RMQ_SYS_X",
        ] {
            assert!(is_system_group(g), "{g}");
        }
        assert!(!is_system_group("my-group"));
        assert!(!is_system_group("CID_RMQ_SYSX"));
    }

    #[test]
    fn defaults_apply_to_missing_and_null_fields() {
        let c: SubscriptionGroupConfig = serde_json::from_str(
            r#"{"groupName":"g","consumeEnable":null,"retryMaxTimes":"3","x":1}"#,
        )
        .unwrap();
        assert_eq!(c.group_name, "g");
        assert!(c.consume_enable);
        assert!(c.notify_consumer_ids_changed_enable);
        assert_eq!(c.retry_max_times, 3);
        assert_eq!(c.retry_queue_nums, 1);
        assert_eq!(c.which_broker_when_consume_slowly, 1);
        let c: SubscriptionGroupConfig =
            serde_json::from_str(r#"{"groupName":"g","consumeEnable":"false"}"#).unwrap();
        assert!(!c.consume_enable);
    }
}
