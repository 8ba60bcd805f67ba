//! The message as the store receives it ([`MessageInner`]) plus the small RocketMQ encodings
//! around it (sections of docs/protocol.md): the properties string (§4.3), Java
//! `String.hashCode` tag hashes (§4.8), offset message ids (§4.5), sysFlag bits (§4.2) and the
//! producer batch body (§2.3).

use crate::store::error::{StoreError, StoreResult};
use bytes::{Buf, Bytes};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};

/// Property name/value separator.
pub const NAME_VALUE_SEPARATOR: char = '\u{1}';
/// Property pair separator.
pub const PROPERTY_SEPARATOR: char = '\u{2}';
/// Property key of the tag.
pub const PROPERTY_TAGS: &str = "TAGS";
/// Property key of the business keys (space separated).
pub const PROPERTY_KEYS: &str = "KEYS";
/// Property key of the client (unique) message id.
pub const PROPERTY_UNIQ_KEY: &str = "UNIQ_KEY";
/// Property key of the delay level.
pub const PROPERTY_DELAY: &str = "DELAY";
/// Topic where delayed messages wait.
pub const SCHEDULE_TOPIC: &str = "SCHEDULE_TOPIC_XXXX";

/// sysFlag bits (docs/protocol.md §4.2).
pub mod sys_flag {
    pub const COMPRESSED: i32 = 0x1;
    pub const MULTI_TAGS: i32 = 0x2;
    pub const TRANSACTION_NOT_TYPE: i32 = 0;
    pub const TRANSACTION_PREPARED_TYPE: i32 = 0x4;
    pub const TRANSACTION_COMMIT_TYPE: i32 = 0x8;
    pub const TRANSACTION_ROLLBACK_TYPE: i32 = 0xC;
    pub const BORNHOST_V6: i32 = 0x10;
    pub const STOREHOST_V6: i32 = 0x20;

    /// The transaction type bits.
    pub fn transaction_type(flag: i32) -> i32 {
        flag & 0xC
    }
}

/// Longest topic the record format allows (1-byte signed length).
pub const MAX_TOPIC_LEN: usize = 127;
/// Longest properties string (i16 length).
pub const MAX_PROPERTIES_LEN: usize = 32767;

/// A message as handed to the store. For a batch, `body` is the producer's batch body and
/// `properties` the batch-level properties appended to each inner message.
#[derive(Debug, Clone)]
pub struct MessageInner {
    pub topic: String,
    pub queue_id: i32,
    pub flag: i32,
    pub body: Bytes,
    /// Already encoded properties string (docs/protocol.md §4.3).
    pub properties: String,
    pub sys_flag: i32,
    pub born_timestamp: i64,
    pub born_host: SocketAddr,
    pub store_host: SocketAddr,
    pub reconsume_times: i32,
    pub prepared_transaction_offset: i64,
}

impl MessageInner {
    /// A plain message with local-host addresses; handy for tests and tools.
    pub fn new(topic: impl Into<String>, queue_id: i32, body: impl Into<Bytes>) -> Self {
        let local = SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), 10911);
        MessageInner {
            topic: topic.into(),
            queue_id,
            flag: 0,
            body: body.into(),
            properties: String::new(),
            sys_flag: 0,
            born_timestamp: crate::store::time::now_ms(),
            born_host: local,
            store_host: local,
            reconsume_times: 0,
            prepared_transaction_offset: 0,
        }
    }

    /// Sets the properties from pairs (builder style).
    pub fn with_properties<'a>(
        mut self,
        pairs: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Self {
        self.properties = encode_properties(pairs);
        self
    }
}

/// Encodes pairs as `k 0x01 v 0x02 …` without a trailing separator.
pub fn encode_properties<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> String {
    let mut s = String::new();
    for (k, v) in pairs {
        if !s.is_empty() {
            s.push(PROPERTY_SEPARATOR);
        }
        s.push_str(k);
        s.push(NAME_VALUE_SEPARATOR);
        s.push_str(v);
    }
    s
}

/// Decodes a properties string with Java's leniency rules (malformed pairs are dropped).
pub fn decode_properties(s: &str) -> Vec<(String, String)> {
    s.split(PROPERTY_SEPARATOR)
        .filter_map(|seg| {
            let idx = seg.find(NAME_VALUE_SEPARATOR)?;
            if seg.len() < 3 || idx == 0 || idx >= seg.len() - 1 {
                return None;
            }
            Some((seg[..idx].to_string(), seg[idx + 1..].to_string()))
        })
        .collect()
}

/// Looks one property up without allocating the whole map.
pub fn property<'a>(s: &'a str, key: &str) -> Option<&'a str> {
    s.split(PROPERTY_SEPARATOR).find_map(|seg| {
        let idx = seg.find(NAME_VALUE_SEPARATOR)?;
        (seg.len() >= 3 && idx > 0 && idx < seg.len() - 1 && &seg[..idx] == key)
            .then(|| &seg[idx + 1..])
    })
}

/// Java `String.hashCode` over UTF-16 code units.
pub fn java_hash(s: &str) -> i32 {
    s.encode_utf16()
        .fold(0i32, |h, c| h.wrapping_mul(31).wrapping_add(i32::from(c)))
}

/// Consume-queue tagsCode of a tag (0 when absent).
pub fn tags_code(tags: Option<&str>) -> i64 {
    tags.filter(|t| !t.is_empty())
        .map_or(0, |t| i64::from(java_hash(t)))
}

/// offsetMsgId: store host IP + port (i32) + physical offset (i64), upper-case hex.
pub fn offset_msg_id(store_host: &SocketAddr, phys_offset: i64) -> String {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    // Called once per stored message: one allocation, no formatting machinery.
    let mut id = String::with_capacity(56);
    let mut push = |bytes: &[u8]| {
        for b in bytes {
            id.push(char::from(HEX[usize::from(b >> 4)]));
            id.push(char::from(HEX[usize::from(b & 0x0F)]));
        }
    };
    match store_host.ip() {
        IpAddr::V4(ip) => push(&ip.octets()),
        IpAddr::V6(ip) => push(&ip.octets()),
    }
    push(&i32::from(store_host.port()).to_be_bytes());
    push(&phys_offset.to_be_bytes());
    id
}

/// Decodes an offsetMsgId back to (store host, physical offset).
pub fn decode_offset_msg_id(id: &str) -> Option<(SocketAddr, i64)> {
    if !id.is_ascii() || (id.len() != 32 && id.len() != 56) {
        return None;
    }
    let raw: Option<Vec<u8>> = (0..id.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&id[i..i + 2], 16).ok())
        .collect();
    let raw = raw?;
    let ip_len = raw.len() - 12;
    let ip: IpAddr = if ip_len == 4 {
        IpAddr::from(<[u8; 4]>::try_from(&raw[..4]).ok()?)
    } else {
        IpAddr::from(<[u8; 16]>::try_from(&raw[..16]).ok()?)
    };
    let port = i32::from_be_bytes(raw[ip_len..ip_len + 4].try_into().ok()?);
    let off = i64::from_be_bytes(raw[ip_len + 4..].try_into().ok()?);
    Some((SocketAddr::new(ip, u16::try_from(port).ok()?), off))
}

/// Body CRC as RocketMQ stores it: CRC32 masked to a non-negative i32.
pub fn body_crc(body: &[u8]) -> i32 {
    (crc32fast::hash(body) & 0x7FFF_FFFF) as i32
}

/// One message of a producer batch body.
#[derive(Debug, Clone)]
pub struct BatchItem {
    pub flag: i32,
    pub body: Bytes,
    pub properties: String,
}

/// Splits a SEND_BATCH_MESSAGE body (docs/protocol.md §2.3): per message totalSize, magic,
/// crc, flag, bodyLen+body, propertiesLen(i16)+properties.
pub fn decode_batch_body(body: &Bytes) -> StoreResult<Vec<BatchItem>> {
    let mut items = Vec::new();
    let mut buf = body.clone();
    let total = body.len();
    while buf.has_remaining() {
        let at = total - buf.remaining();
        let bad = |reason: &str| StoreError::BadBatch {
            at,
            reason: reason.to_string(),
        };
        if buf.remaining() < 20 {
            return Err(bad("truncated message header"));
        }
        let _total_size = buf.get_i32();
        let _magic = buf.get_i32();
        let _crc = buf.get_i32();
        let flag = buf.get_i32();
        let body_len = usize::try_from(buf.get_i32()).map_err(|_| bad("negative body length"))?;
        if buf.remaining() < body_len + 2 {
            return Err(bad("truncated body"));
        }
        let msg_body = buf.split_to(body_len);
        let props_len =
            usize::try_from(buf.get_i16()).map_err(|_| bad("negative properties length"))?;
        if buf.remaining() < props_len {
            return Err(bad("truncated properties"));
        }
        let props = buf.split_to(props_len);
        let properties =
            String::from_utf8(props.to_vec()).map_err(|_| bad("properties not UTF-8"))?;
        items.push(BatchItem {
            flag,
            body: msg_body,
            properties,
        });
    }
    Ok(items)
}

/// Encodes messages as a producer batch body (the inverse of [`decode_batch_body`]).
pub fn encode_batch_body(items: &[BatchItem]) -> Bytes {
    let mut out = Vec::new();
    for it in items {
        let total = 4 + 4 + 4 + 4 + 4 + it.body.len() + 2 + it.properties.len();
        out.extend_from_slice(&(total as i32).to_be_bytes());
        out.extend_from_slice(&0i32.to_be_bytes());
        out.extend_from_slice(&0i32.to_be_bytes());
        out.extend_from_slice(&it.flag.to_be_bytes());
        out.extend_from_slice(&(it.body.len() as i32).to_be_bytes());
        out.extend_from_slice(&it.body);
        out.extend_from_slice(&(it.properties.len() as i16).to_be_bytes());
        out.extend_from_slice(it.properties.as_bytes());
    }
    Bytes::from(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn java_hash_matches_known_values() {
        assert_eq!(java_hash(""), 0);
        assert_eq!(java_hash("TagA"), 2_598_919);
        assert_eq!(java_hash("hello"), 99_162_322);
    }

    #[test]
    fn properties_round_trip_and_leniency() {
        let s = encode_properties([("TAGS", "a"), ("KEYS", "k1 k2")]);
        assert_eq!(s, "TAGS\u{1}a\u{2}KEYS\u{1}k1 k2");
        assert_eq!(decode_properties(&s).len(), 2);
        assert_eq!(property(&s, "KEYS"), Some("k1 k2"));
        assert!(decode_properties("\u{1}x\u{2}k\u{1}\u{2}ab").is_empty());
    }

    #[test]
    fn offset_msg_id_round_trip() {
        let host: SocketAddr = "10.1.2.3:10911".parse().unwrap();
        let id = offset_msg_id(&host, 0x1234);
        assert_eq!(id, "0A01020300002A9F0000000000001234");
        assert_eq!(decode_offset_msg_id(&id), Some((host, 0x1234)));
    }

    #[test]
    fn batch_round_trip() {
        let items = vec![
            BatchItem {
                flag: 1,
                body: Bytes::from_static(b"a"),
                properties: "K\u{1}v".into(),
            },
            BatchItem {
                flag: 2,
                body: Bytes::from_static(b"bc"),
                properties: String::new(),
            },
        ];
        let back = decode_batch_body(&encode_batch_body(&items)).unwrap();
        assert_eq!(back.len(), 2);
        assert_eq!(back[1].body.as_ref(), b"bc");
        assert_eq!(back[0].properties, "K\u{1}v");
        assert!(decode_batch_body(&Bytes::from_static(b"\0\0\0\x10")).is_err());
    }
}
