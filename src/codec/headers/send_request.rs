//! The SEND_MESSAGE (10) / SEND_MESSAGE_V2 (310) / SEND_BATCH_MESSAGE (320) request header.
//!
//! Java clients send V2 (single-letter keys `a`..`n`, cheaper to parse), rocketmq-client-rust
//! 1.0 sends v1 field names with code 10, and batches always use V2 keys. The broker must read
//! both, so one struct decodes either form; the form is chosen by the request code, with a
//! fallback on the keys actually present for clients that mix code and key style.

use crate::codec::codes::request;
use crate::codec::ext::HeaderError;
use crate::codec::RemotingCommand;

/// The send request header (Java `SendMessageRequestHeader`, V2 = `SendMessageRequestHeaderV2`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SendMessageRequestHeader {
    pub producer_group: String,
    pub topic: String,
    /// The template topic for auto-creation, normally `TBW102`.
    pub default_topic: String,
    pub default_topic_queue_nums: i32,
    /// Negative: the broker picks a queue.
    pub queue_id: i32,
    /// Message sysFlag (compression, transaction bits).
    pub sys_flag: i32,
    pub born_timestamp: i64,
    /// The user flag, stored as is.
    pub flag: i32,
    /// Properties string (name 0x01 value 0x02 ...).
    pub properties: Option<String>,
    pub reconsume_times: Option<i32>,
    pub unit_mode: bool,
    pub max_reconsume_times: Option<i32>,
    pub batch: bool,
    /// Broker name (4.9.5+ RPC header field).
    pub bname: Option<String>,
}

/// (v1 name, V2 key) for every field, in the order of the struct.
const KEYS: [(&str, &str); 14] = [
    ("producerGroup", "a"),
    ("topic", "b"),
    ("defaultTopic", "c"),
    ("defaultTopicQueueNums", "d"),
    ("queueId", "e"),
    ("sysFlag", "f"),
    ("bornTimestamp", "g"),
    ("flag", "h"),
    ("properties", "i"),
    ("reconsumeTimes", "j"),
    ("unitMode", "k"),
    ("maxReconsumeTimes", "l"),
    ("batch", "m"),
    ("bname", "n"),
];

/// Whether requests with this code carry the V2 single-letter keys.
pub fn is_v2_code(code: i32) -> bool {
    matches!(
        code,
        request::SEND_MESSAGE_V2 | request::SEND_BATCH_MESSAGE | request::SEND_REPLY_MESSAGE_V2
    )
}

impl SendMessageRequestHeader {
    /// Decodes from whichever form the command carries (see the module doc).
    pub fn from_command(cmd: &RemotingCommand) -> Result<Self, HeaderError> {
        let v2 = if is_v2_code(cmd.code) {
            // A V2 code with v1 names is not something Java sends, but costs nothing to accept.
            !(cmd.ext("b").is_none() && cmd.ext("topic").is_some())
        } else {
            cmd.ext("topic").is_none() && cmd.ext("b").is_some()
        };
        Self::decode_with(cmd, v2)
    }

    /// Decodes the v1 (field name) form only.
    pub fn from_v1(cmd: &RemotingCommand) -> Result<Self, HeaderError> {
        Self::decode_with(cmd, false)
    }

    /// Decodes the V2 (single-letter) form only.
    pub fn from_v2(cmd: &RemotingCommand) -> Result<Self, HeaderError> {
        Self::decode_with(cmd, true)
    }

    fn decode_with(cmd: &RemotingCommand, v2: bool) -> Result<Self, HeaderError> {
        let k = |i: usize| if v2 { KEYS[i].1 } else { KEYS[i].0 };
        Ok(SendMessageRequestHeader {
            producer_group: cmd.header_str(k(0))?.to_owned(),
            topic: cmd.header_str(k(1))?.to_owned(),
            default_topic: cmd.header_str(k(2))?.to_owned(),
            default_topic_queue_nums: cmd.header_i32(k(3))?,
            queue_id: cmd.header_i32(k(4))?,
            sys_flag: cmd.header_i32(k(5))?,
            born_timestamp: cmd.header_i64(k(6))?,
            flag: cmd.header_i32(k(7))?,
            properties: cmd.opt_header_str(k(8)).map(str::to_owned),
            reconsume_times: cmd.opt_header_i32(k(9))?,
            unit_mode: cmd.opt_header_bool(k(10))?.unwrap_or(false),
            max_reconsume_times: cmd.opt_header_i32(k(11))?,
            batch: cmd.opt_header_bool(k(12))?.unwrap_or(false),
            bname: cmd.opt_header_str(k(13)).map(str::to_owned),
        })
    }

    /// Writes the form that matches `cmd.code` (V2 keys for 310/320/325, names otherwise).
    pub fn write_to(&self, cmd: &mut RemotingCommand) {
        self.encode_with(cmd, is_v2_code(cmd.code));
    }

    /// [`SendMessageRequestHeader::write_to`], moving the strings in instead of copying them
    /// (the producer builds one header per send).
    pub fn move_into(self, cmd: &mut RemotingCommand) {
        let v2 = is_v2_code(cmd.code);
        let k = |i: usize| (if v2 { KEYS[i].1 } else { KEYS[i].0 }).to_owned();
        let e = &mut cmd.ext_fields;
        e.reserve(KEYS.len());
        e.insert(k(0), self.producer_group);
        e.insert(k(1), self.topic);
        e.insert(k(2), self.default_topic);
        e.insert(k(3), self.default_topic_queue_nums.to_string());
        e.insert(k(4), self.queue_id.to_string());
        e.insert(k(5), self.sys_flag.to_string());
        e.insert(k(6), self.born_timestamp.to_string());
        e.insert(k(7), self.flag.to_string());
        if let Some(p) = self.properties {
            e.insert(k(8), p);
        }
        if let Some(r) = self.reconsume_times {
            e.insert(k(9), r.to_string());
        }
        e.insert(k(10), self.unit_mode.to_string());
        if let Some(m) = self.max_reconsume_times {
            e.insert(k(11), m.to_string());
        }
        e.insert(k(12), self.batch.to_string());
        if let Some(b) = self.bname {
            e.insert(k(13), b);
        }
    }

    /// Writes v1 field names.
    pub fn write_v1(&self, cmd: &mut RemotingCommand) {
        self.encode_with(cmd, false);
    }

    /// Writes V2 single-letter keys.
    pub fn write_v2(&self, cmd: &mut RemotingCommand) {
        self.encode_with(cmd, true);
    }

    fn encode_with(&self, cmd: &mut RemotingCommand, v2: bool) {
        let k = |i: usize| if v2 { KEYS[i].1 } else { KEYS[i].0 };
        cmd.put_ext(k(0), &self.producer_group);
        cmd.put_ext(k(1), &self.topic);
        cmd.put_ext(k(2), &self.default_topic);
        cmd.put_ext(k(3), self.default_topic_queue_nums);
        cmd.put_ext(k(4), self.queue_id);
        cmd.put_ext(k(5), self.sys_flag);
        cmd.put_ext(k(6), self.born_timestamp);
        cmd.put_ext(k(7), self.flag);
        cmd.put_ext_opt(k(8), self.properties.as_ref());
        cmd.put_ext_opt(k(9), self.reconsume_times);
        // Primitive booleans: Java always sends them.
        cmd.put_ext(k(10), self.unit_mode);
        cmd.put_ext_opt(k(11), self.max_reconsume_times);
        cmd.put_ext(k(12), self.batch);
        cmd.put_ext_opt(k(13), self.bname.as_ref());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn move_into_writes_what_write_to_writes() {
        let full = SendMessageRequestHeader {
            producer_group: "PG".into(),
            topic: "T".into(),
            default_topic: "TBW102".into(),
            default_topic_queue_nums: 4,
            queue_id: -1,
            sys_flag: 8,
            born_timestamp: 1_700_000_000_000,
            flag: 3,
            properties: Some("K\u{1}V".into()),
            reconsume_times: Some(2),
            unit_mode: true,
            max_reconsume_times: Some(16),
            batch: true,
            bname: Some("broker-a".into()),
        };
        let bare = SendMessageRequestHeader::default();
        for code in [request::SEND_MESSAGE, request::SEND_MESSAGE_V2] {
            for h in [&full, &bare] {
                let (mut a, mut b) = (
                    RemotingCommand::request(code),
                    RemotingCommand::request(code),
                );
                h.write_to(&mut a);
                h.clone().move_into(&mut b);
                assert_eq!(a, b);
                assert_eq!(SendMessageRequestHeader::from_command(&b).as_ref(), Ok(h));
            }
        }
    }
}
