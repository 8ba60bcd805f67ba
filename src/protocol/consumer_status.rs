//! GetConsumerStatusBody (Java): a client's answer to GET_CONSUMER_STATUS_FROM_CLIENT (221)
//! carries `messageQueueTable` (queue → its consume offset); the broker's answer to
//! INVOKE_BROKER_TO_GET_CONSUMER_STATUS (223) carries `consumerTable` (client id → that table).
//! fastjson writes MessageQueue keys as JSON objects, so both go through the object-key helpers.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::lenient;
use super::message_queue::{quote_map_keys, write_object_key_map, MessageQueue};

/// Queue → offset, as one client reports it.
pub type QueueOffsets = BTreeMap<MessageQueue, i64>;

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct GetConsumerStatusBody {
    pub message_queue_table: QueueOffsets,
    pub consumer_table: BTreeMap<String, QueueOffsets>,
}

impl GetConsumerStatusBody {
    /// fastjson's form: `{"consumerTable":{"cid":{{mq}:1}},"messageQueueTable":{{mq}:1}}`.
    pub fn encode(&self) -> String {
        let mut out = String::from("{\"consumerTable\":{");
        for (i, (client, table)) in self.consumer_table.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            out.push_str(&serde_json::Value::String(client.clone()).to_string());
            out.push(':');
            write_object_key_map(&mut out, table.iter());
        }
        out.push_str("},\"messageQueueTable\":");
        write_object_key_map(&mut out, self.message_queue_table.iter());
        out.push('}');
        out
    }

    /// Reads fastjson's form (object keys) or one with the keys quoted.
    pub fn decode(text: &str) -> Result<Self, serde_json::Error> {
        #[derive(Deserialize)]
        struct Offset(#[serde(deserialize_with = "lenient::i64")] i64);
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct Raw {
            #[serde(default)]
            message_queue_table: Option<BTreeMap<String, Offset>>,
            #[serde(default)]
            consumer_table: Option<BTreeMap<String, BTreeMap<String, Offset>>>,
        }
        let to_table = |m: BTreeMap<String, Offset>| -> Result<QueueOffsets, serde_json::Error> {
            m.into_iter()
                .map(|(k, v)| MessageQueue::from_key(&k).map(|mq| (mq, v.0)))
                .collect()
        };
        let raw: Raw = serde_json::from_str(&quote_map_keys(text))?;
        let mut consumer_table = BTreeMap::new();
        for (client, m) in raw.consumer_table.unwrap_or_default() {
            consumer_table.insert(client, to_table(m)?);
        }
        Ok(GetConsumerStatusBody {
            message_queue_table: to_table(raw.message_queue_table.unwrap_or_default())?,
            consumer_table,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn java_client_text_and_broker_answer_round_trip() {
        let java = r#"{"messageQueueTable":{{"brokerName":"b","queueId":1,"topic":"T"}:7}}"#;
        let b = GetConsumerStatusBody::decode(java).unwrap();
        let mq = MessageQueue::new("T", "b", 1);
        assert_eq!(b.message_queue_table[&mq], 7);
        let mut answer = GetConsumerStatusBody::default();
        answer
            .consumer_table
            .insert("10.0.0.1@x".into(), b.message_queue_table);
        let text = answer.encode();
        assert_eq!(
            text,
            r#"{"consumerTable":{"10.0.0.1@x":{{"brokerName":"b","queueId":1,"topic":"T"}:7}},"messageQueueTable":{}}"#
        );
        assert_eq!(GetConsumerStatusBody::decode(&text).unwrap(), answer);
    }
}
