//! TopicConfig, DataVersion and TopicConfigSerializeWrapper: the topic metadata a broker keeps in
//! topics.json, returns from GET_ALL_TOPIC_CONFIG and sends to name servers when it registers.
//!
//! Read leniently (missing fields take Java's defaults, unknown fields ignored, numbers may be
//! strings); written with fastjson's field names and the `stateVersion` superset field.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::lenient;

/// Permission bits (Java `PermName`).
pub mod perm {
    pub const PRIORITY: i32 = 8;
    pub const READ: i32 = 4;
    pub const WRITE: i32 = 2;
    pub const INHERIT: i32 = 1;

    pub fn is_readable(perm: i32) -> bool {
        perm & READ != 0
    }
    pub fn is_writeable(perm: i32) -> bool {
        perm & WRITE != 0
    }
    pub fn is_inherited(perm: i32) -> bool {
        perm & INHERIT != 0
    }
}

/// Tag filter type of a topic.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum TopicFilterType {
    #[default]
    #[serde(rename = "SINGLE_TAG")]
    SingleTag,
    #[serde(rename = "MULTI_TAG")]
    MultiTag,
}

/// One topic's configuration on one broker.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TopicConfig {
    #[serde(default, deserialize_with = "lenient::bool")]
    pub order: bool,
    #[serde(default = "default_perm", deserialize_with = "lenient::i32")]
    pub perm: i32,
    #[serde(default = "default_queue_nums", deserialize_with = "lenient::i32")]
    pub read_queue_nums: i32,
    #[serde(default)]
    pub topic_filter_type: TopicFilterType,
    #[serde(default)]
    pub topic_name: String,
    #[serde(default, deserialize_with = "lenient::i32")]
    pub topic_sys_flag: i32,
    #[serde(default = "default_queue_nums", deserialize_with = "lenient::i32")]
    pub write_queue_nums: i32,
}

fn default_perm() -> i32 {
    perm::READ | perm::WRITE
}

fn default_queue_nums() -> i32 {
    16
}

impl TopicConfig {
    /// A topic with Java's defaults for everything but the name and queue counts.
    pub fn new(name: impl Into<String>, read: i32, write: i32, perm: i32) -> Self {
        TopicConfig {
            order: false,
            perm,
            read_queue_nums: read,
            topic_filter_type: TopicFilterType::SingleTag,
            topic_name: name.into(),
            topic_sys_flag: 0,
            write_queue_nums: write,
        }
    }
}

/// Version stamp of a broker's metadata tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DataVersion {
    #[serde(default, deserialize_with = "lenient::i64")]
    pub counter: i64,
    /// Not in Java 4.9; rocketmq-client-rust 1.0.0 requires it.
    #[serde(default, deserialize_with = "lenient::i64")]
    pub state_version: i64,
    #[serde(default, deserialize_with = "lenient::i64")]
    pub timestamp: i64,
}

impl DataVersion {
    /// A fresh version stamped now, counter 0.
    pub fn now() -> Self {
        DataVersion {
            counter: 0,
            state_version: 0,
            timestamp: crate::store::time::now_ms(),
        }
    }

    /// Java `nextVersion()`: timestamp = now, counter += 1.
    pub fn next(&mut self) {
        self.timestamp = crate::store::time::now_ms();
        self.counter += 1;
    }
}

/// topics.json and the GET_ALL_TOPIC_CONFIG body.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TopicConfigSerializeWrapper {
    #[serde(default)]
    pub data_version: DataVersion,
    #[serde(default)]
    pub topic_config_table: BTreeMap<String, TopicConfig>,
}
