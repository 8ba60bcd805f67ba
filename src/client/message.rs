//! What applications send ([`Message`]) and receive ([`MessageExt`]), plus the send outcome
//! types. Received messages are decoded from the raw commit-log records that pull, query and
//! view answers carry (docs/protocol.md §4.1) by the store's decoder, so both sides agree on the
//! layout byte for byte.

use std::collections::BTreeMap;
use std::io::Read;
use std::net::SocketAddr;

use bytes::Bytes;

use crate::protocol::message_queue::MessageQueue;
use crate::store::message::{
    decode_properties, encode_properties, offset_msg_id, sys_flag, PROPERTY_DELAY, PROPERTY_KEYS,
    PROPERTY_TAGS, PROPERTY_UNIQ_KEY,
};
use crate::store::record::{check_record, DecodedRecord, RecordCheck};

/// Property: wait for flush/replication before answering (Java sets it on every message).
pub const PROPERTY_WAIT: &str = "WAIT";
/// Property: original topic of a retried message.
pub const PROPERTY_RETRY_TOPIC: &str = "RETRY_TOPIC";
/// Property: the queue's min offset at pull time (set client-side, as Java does).
pub const PROPERTY_MIN_OFFSET: &str = "MIN_OFFSET";
/// Property: the queue's max offset at pull time (set client-side, as Java does).
pub const PROPERTY_MAX_OFFSET: &str = "MAX_OFFSET";

/// A message to send.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Message {
    pub body: Bytes,
    pub tags: Option<String>,
    /// Business keys (indexed by the broker; joined with spaces on the wire).
    pub keys: Vec<String>,
    /// User properties. The reserved keys (TAGS, KEYS, UNIQ_KEY, DELAY, WAIT) are set from the
    /// typed fields and override entries here.
    pub properties: BTreeMap<String, String>,
    /// 0 = no delay; 1..=18 the broker's delay levels.
    pub delay_level: i32,
    /// The user flag, stored as is.
    pub flag: i32,
}

impl Message {
    pub fn new(body: impl Into<Bytes>) -> Self {
        Message {
            body: body.into(),
            ..Default::default()
        }
    }

    pub fn with_tags(mut self, tags: impl Into<String>) -> Self {
        self.tags = Some(tags.into());
        self
    }

    pub fn with_keys<S: Into<String>>(mut self, keys: impl IntoIterator<Item = S>) -> Self {
        self.keys = keys.into_iter().map(Into::into).collect();
        self
    }

    pub fn with_property(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.properties.insert(key.into(), value.into());
        self
    }

    pub fn with_delay_level(mut self, level: i32) -> Self {
        self.delay_level = level;
        self
    }

    /// The wire properties string with `uniq_key` as UNIQ_KEY (and WAIT=true, as Java sends).
    pub fn encode_properties(&self, uniq_key: &str) -> String {
        let mut props: BTreeMap<&str, String> = self
            .properties
            .iter()
            .filter(|(_, v)| !v.is_empty())
            .map(|(k, v)| (k.as_str(), v.clone()))
            .collect();
        if let Some(t) = self.tags.as_deref().filter(|t| !t.is_empty()) {
            props.insert(PROPERTY_TAGS, t.to_owned());
        }
        if !self.keys.is_empty() {
            props.insert(PROPERTY_KEYS, self.keys.join(" "));
        }
        if self.delay_level > 0 {
            props.insert(PROPERTY_DELAY, self.delay_level.to_string());
        }
        props.insert(PROPERTY_UNIQ_KEY, uniq_key.to_owned());
        props
            .entry(PROPERTY_WAIT)
            .or_insert_with(|| "true".to_owned());
        encode_properties(props.iter().map(|(k, v)| (*k, v.as_str())))
    }
}

/// How the broker stored a sent message (all of these mean "stored").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SendStatus {
    SendOk,
    FlushDiskTimeout,
    FlushSlaveTimeout,
    SlaveNotAvailable,
}

impl SendStatus {
    /// The status for a send response code, `None` when the code is a failure.
    pub fn from_code(code: i32) -> Option<Self> {
        use crate::codec::codes::response as r;
        match code {
            r::SUCCESS => Some(SendStatus::SendOk),
            r::FLUSH_DISK_TIMEOUT => Some(SendStatus::FlushDiskTimeout),
            r::FLUSH_SLAVE_TIMEOUT => Some(SendStatus::FlushSlaveTimeout),
            r::SLAVE_NOT_AVAILABLE => Some(SendStatus::SlaveNotAvailable),
            _ => None,
        }
    }
}

/// The outcome of a successful send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SendResult {
    pub status: SendStatus,
    /// The UNIQ_KEY(s) the producer generated; comma-joined for a batch.
    pub msg_id: String,
    /// The broker's offsetMsgId(s); comma-joined for a batch.
    pub offset_msg_id: String,
    pub queue: MessageQueue,
    /// Consume-queue offset of the (first) message.
    pub queue_offset: i64,
    /// The broker address that stored it.
    pub broker_addr: String,
    pub region_id: Option<String>,
}

/// A received message: one decoded commit-log record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageExt {
    pub topic: String,
    /// The broker the message was read from (empty when decoded outside a pull).
    pub broker_name: String,
    pub queue_id: i32,
    pub queue_offset: i64,
    pub commit_log_offset: i64,
    /// The body, decompressed when the record was compressed with zlib.
    pub body: Bytes,
    pub properties: BTreeMap<String, String>,
    pub tags: Option<String>,
    pub keys: Vec<String>,
    /// UNIQ_KEY when present, else the offsetMsgId (as Java's `MessageExt.getMsgId`).
    pub msg_id: String,
    pub offset_msg_id: String,
    pub flag: i32,
    pub sys_flag: i32,
    pub born_timestamp: i64,
    pub born_host: SocketAddr,
    pub store_timestamp: i64,
    pub store_host: SocketAddr,
    pub reconsume_times: i32,
}

impl MessageExt {
    /// Builds the client view of a decoded record. Fails only on a compressed body that does
    /// not inflate.
    pub fn from_record(rec: DecodedRecord) -> Result<Self, String> {
        let body = if rec.sys_flag & sys_flag::COMPRESSED != 0 {
            inflate(&rec.body, rec.sys_flag)?
        } else {
            rec.body
        };
        let properties: BTreeMap<String, String> =
            decode_properties(&rec.properties).into_iter().collect();
        let tags = properties.get(PROPERTY_TAGS).cloned();
        let keys = properties
            .get(PROPERTY_KEYS)
            .map(|k| {
                k.split(' ')
                    .filter(|s| !s.is_empty())
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default();
        let offset_msg_id = offset_msg_id(&rec.store_host, rec.phys_offset);
        let msg_id = properties
            .get(PROPERTY_UNIQ_KEY)
            .cloned()
            .unwrap_or_else(|| offset_msg_id.clone());
        Ok(MessageExt {
            topic: rec.topic,
            broker_name: String::new(),
            queue_id: rec.queue_id,
            queue_offset: rec.queue_offset,
            commit_log_offset: rec.phys_offset,
            body,
            properties,
            tags,
            keys,
            msg_id,
            offset_msg_id,
            flag: rec.flag,
            sys_flag: rec.sys_flag,
            born_timestamp: rec.born_timestamp,
            born_host: rec.born_host,
            store_timestamp: rec.store_timestamp,
            store_host: rec.store_host,
            reconsume_times: rec.reconsume_times,
        })
    }

    /// One property.
    pub fn property(&self, key: &str) -> Option<&str> {
        self.properties.get(key).map(String::as_str)
    }

    /// The topic the message was first sent to (differs for retried messages).
    pub fn origin_topic(&self) -> &str {
        self.property(PROPERTY_RETRY_TOPIC).unwrap_or(&self.topic)
    }
}

/// Inflates a compressed body. Compression type bits 8–10: 0 (legacy) and 3 are zlib; LZ4 and
/// ZSTD are not supported (no Java 4.9 producer emits them by default).
fn inflate(body: &[u8], sys: i32) -> Result<Bytes, String> {
    let kind = (sys & 0x700) >> 8;
    if kind != 0 && kind != 3 {
        return Err(format!("unsupported compression type {kind}"));
    }
    let mut out = Vec::new();
    flate2::read::ZlibDecoder::new(body)
        .read_to_end(&mut out)
        .map_err(|e| format!("cannot inflate body: {e}"))?;
    Ok(Bytes::from(out))
}

/// Decodes the concatenated records of a pull/query answer. CRCs are not checked (the broker
/// already did); any malformed record fails the whole answer, as in Java.
pub fn decode_messages(mut data: &[u8]) -> Result<Vec<MessageExt>, String> {
    let mut out = Vec::new();
    while !data.is_empty() {
        match check_record(data, false) {
            RecordCheck::Message(rec) => {
                let len = usize::try_from(rec.total_size).unwrap_or(usize::MAX);
                out.push(MessageExt::from_record(*rec)?);
                data = data.get(len..).unwrap_or_default();
            }
            RecordCheck::Blank => return Err("unexpected end-of-file record".into()),
            RecordCheck::Invalid(why) => return Err(why),
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::message::{property, MessageInner};
    use crate::store::record::{encode_record, RecordHead, RecordPayload};

    fn record(out: &mut Vec<u8>, msg: &MessageInner, queue_offset: i64, sys: i32) {
        let head = RecordHead {
            queue_offset,
            phys_offset: out.len() as i64 + 1000,
            store_timestamp: 1_700_000_000_123,
            sys_flag: sys,
        };
        let p = RecordPayload {
            flag: 7,
            body: &msg.body,
            properties: &msg.properties,
        };
        encode_record(out, msg, head, p);
    }

    #[test]
    fn properties_carry_reserved_keys() {
        let m = Message::new("x")
            .with_tags("TagA")
            .with_keys(["k1", "k2"])
            .with_property("a", "1")
            .with_delay_level(3);
        let s = m.encode_properties("ID1");
        assert_eq!(property(&s, "TAGS"), Some("TagA"));
        assert_eq!(property(&s, "KEYS"), Some("k1 k2"));
        assert_eq!(property(&s, "DELAY"), Some("3"));
        assert_eq!(property(&s, "UNIQ_KEY"), Some("ID1"));
        assert_eq!(property(&s, "WAIT"), Some("true"));
        assert_eq!(property(&s, "a"), Some("1"));
        assert_eq!(
            property(&Message::new("y").encode_properties("I"), "TAGS"),
            None
        );
    }

    #[test]
    fn decodes_records_written_by_the_store_encoder() {
        let props = Message::new("")
            .with_tags("TagA")
            .with_keys(["order-1"])
            .encode_properties("UNIQ1");
        let mut a = MessageInner::new("TopicT", 2, Bytes::from_static(b"hello"));
        a.properties = props;
        a.reconsume_times = 2;
        let b = MessageInner::new("TopicT", 2, Bytes::from_static(b"world"));
        let mut buf = Vec::new();
        record(&mut buf, &a, 10, 0);
        let second_at = buf.len() as i64 + 1000;
        record(&mut buf, &b, 11, 0);

        let msgs = decode_messages(&buf).unwrap();
        assert_eq!(msgs.len(), 2);
        let m = &msgs[0];
        assert_eq!(m.topic, "TopicT");
        assert_eq!(m.queue_id, 2);
        assert_eq!(m.queue_offset, 10);
        assert_eq!(m.commit_log_offset, 1000);
        assert_eq!(m.body.as_ref(), b"hello");
        assert_eq!(m.tags.as_deref(), Some("TagA"));
        assert_eq!(m.keys, vec!["order-1".to_owned()]);
        assert_eq!(m.msg_id, "UNIQ1");
        assert_eq!(m.flag, 7);
        assert_eq!(m.reconsume_times, 2);
        assert_eq!(m.store_timestamp, 1_700_000_000_123);
        assert_eq!(
            crate::client::msg_id::parse_offset_msg_id(&m.offset_msg_id),
            Some((a.store_host.to_string(), 1000))
        );
        // No UNIQ_KEY: the offsetMsgId stands in, as in Java.
        assert_eq!(msgs[1].msg_id, msgs[1].offset_msg_id);
        assert_eq!(msgs[1].commit_log_offset, second_at);
        assert!(msgs[1].tags.is_none());
    }

    #[test]
    fn compressed_bodies_are_inflated() {
        use std::io::Write;
        let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::new(5));
        z.write_all(&[b'a'; 5000]).unwrap();
        let msg = MessageInner::new("T", 0, Bytes::from(z.finish().unwrap()));
        let mut buf = Vec::new();
        record(&mut buf, &msg, 0, sys_flag::COMPRESSED | 0x300);
        let m = decode_messages(&buf).unwrap().remove(0);
        assert_eq!(m.body.len(), 5000);
    }

    #[test]
    fn garbage_is_an_error_and_empty_is_empty() {
        assert!(decode_messages(&[]).unwrap().is_empty());
        assert!(decode_messages(&[0, 0, 0, 40, 1, 2, 3, 4]).is_err());
        let mut buf = Vec::new();
        record(
            &mut buf,
            &MessageInner::new("T", 0, Bytes::from_static(b"x")),
            0,
            0,
        );
        buf.truncate(buf.len() - 1);
        assert!(decode_messages(&buf).is_err());
    }
}
