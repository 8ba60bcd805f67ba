//! The JSON shapes of messages and queues the API answers with (camelCase, as
//! rocketmq-dashboard's `MessageView`).

use std::collections::BTreeMap;

use serde::Serialize;

use crate::client::MessageExt;

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MessageView {
    pub msg_id: String,
    pub offset_msg_id: String,
    pub topic: String,
    pub broker_name: String,
    pub queue_id: i32,
    pub queue_offset: i64,
    pub commit_log_offset: i64,
    pub tags: Option<String>,
    pub keys: Vec<String>,
    pub born_timestamp: i64,
    pub born_host: String,
    pub store_timestamp: i64,
    pub store_host: String,
    pub reconsume_times: i32,
    pub sys_flag: i32,
    pub body_size: usize,
    /// The body as UTF-8 (invalid bytes replaced).
    pub body: String,
    pub properties: BTreeMap<String, String>,
}

impl From<&MessageExt> for MessageView {
    fn from(m: &MessageExt) -> Self {
        MessageView {
            msg_id: m.msg_id.clone(),
            offset_msg_id: m.offset_msg_id.clone(),
            topic: m.topic.clone(),
            broker_name: m.broker_name.clone(),
            queue_id: m.queue_id,
            queue_offset: m.queue_offset,
            commit_log_offset: m.commit_log_offset,
            tags: m.tags.clone(),
            keys: m.keys.clone(),
            born_timestamp: m.born_timestamp,
            born_host: m.born_host.to_string(),
            store_timestamp: m.store_timestamp,
            store_host: m.store_host.to_string(),
            reconsume_times: m.reconsume_times,
            sys_flag: m.sys_flag,
            body_size: m.body.len(),
            body: String::from_utf8_lossy(&m.body).into_owned(),
            properties: m.properties.clone(),
        }
    }
}

/// A message queue as a JSON object.
#[derive(Debug, Serialize, Clone, PartialEq, Eq, PartialOrd, Ord)]
#[serde(rename_all = "camelCase")]
pub struct QueueView {
    pub topic: String,
    pub broker_name: String,
    pub queue_id: i32,
}

impl From<&crate::protocol::message_queue::MessageQueue> for QueueView {
    fn from(mq: &crate::protocol::message_queue::MessageQueue) -> Self {
        QueueView {
            topic: mq.topic.clone(),
            broker_name: mq.broker_name.clone(),
            queue_id: mq.queue_id,
        }
    }
}
