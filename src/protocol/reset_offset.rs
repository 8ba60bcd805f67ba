//! ResetOffsetBody: the body of INVOKE_BROKER_TO_RESET_OFFSET's answer (222) and of the
//! RESET_CONSUMER_CLIENT_OFFSET request (220) the broker sends to each online consumer
//! (Java `ResetOffsetBody`): message queue → the offset to restart from. fastjson writes the
//! MessageQueue keys as JSON objects, so both sides go through the object-key helpers.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::lenient;
use super::message_queue::{quote_map_keys, write_object_key_map, MessageQueue};

/// `{"offsetTable":{{mq}:offset,...}}`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ResetOffsetBody {
    pub offset_table: BTreeMap<MessageQueue, i64>,
}

impl ResetOffsetBody {
    /// fastjson's form, MessageQueue objects as keys.
    pub fn encode(&self) -> String {
        let mut out = String::from("{\"offsetTable\":");
        write_object_key_map(&mut out, self.offset_table.iter());
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
            offset_table: Option<BTreeMap<String, Offset>>,
        }
        let raw: Raw = serde_json::from_str(&quote_map_keys(text))?;
        let mut offset_table = BTreeMap::new();
        for (k, v) in raw.offset_table.unwrap_or_default() {
            offset_table.insert(MessageQueue::from_key(&k)?, v.0);
        }
        Ok(ResetOffsetBody { offset_table })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn java_text_round_trips() {
        let java = r#"{"offsetTable":{{"brokerName":"broker-a","queueId":1,"topic":"T"}:42}}"#;
        let b = ResetOffsetBody::decode(java).unwrap();
        assert_eq!(b.offset_table[&MessageQueue::new("T", "broker-a", 1)], 42);
        assert_eq!(ResetOffsetBody::decode(&b.encode()).unwrap(), b);
        assert!(ResetOffsetBody::decode("{}")
            .unwrap()
            .offset_table
            .is_empty());
    }
}
