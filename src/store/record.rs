//! The CommitLog record (docs/protocol.md §4.1): encoding at append time and decoding and
//! validation for reads, recovery and replicated bytes. Byte layout is RocketMQ 4.9.7's
//! (Java `CommitLog`), big-endian.

use crate::store::message::{body_crc, sys_flag, MessageInner};
use bytes::Bytes;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

/// Magic of a 4.x record.
pub const MESSAGE_MAGIC_CODE: i32 = 0xDAA3_20A7_u32 as i32;
/// Magic of a 5.x record (2-byte topic length); decoded, never written.
pub const MESSAGE_MAGIC_CODE_V2: i32 = 0xDAA3_20AB_u32 as i32;
/// Magic of the end-of-file filler record.
pub const BLANK_MAGIC_CODE: i32 = 0xCBD4_3194_u32 as i32;
/// Size of the end-of-file filler header (`[i32 remaining][i32 BLANK_MAGIC]`).
pub const END_FILE_MIN_BLANK_LENGTH: usize = 8;

fn host_len(v6: bool) -> usize {
    if v6 {
        20
    } else {
        8
    }
}

/// sysFlag with the IPv6 bits set from the actual address families.
pub fn effective_sys_flag(msg: &MessageInner) -> i32 {
    let mut f = msg.sys_flag & !(sys_flag::BORNHOST_V6 | sys_flag::STOREHOST_V6);
    if msg.born_host.is_ipv6() {
        f |= sys_flag::BORNHOST_V6;
    }
    if msg.store_host.is_ipv6() {
        f |= sys_flag::STOREHOST_V6;
    }
    f
}

/// Total record length for the given parts.
pub fn record_len(sys_flag: i32, body_len: usize, topic_len: usize, props_len: usize) -> usize {
    4 + 4
        + 4
        + 4
        + 4
        + 8
        + 8
        + 4
        + 8
        + host_len(sys_flag & sys_flag::BORNHOST_V6 != 0)
        + 8
        + host_len(sys_flag & sys_flag::STOREHOST_V6 != 0)
        + 4
        + 8
        + 4
        + body_len
        + 1
        + topic_len
        + 2
        + props_len
}

/// The per-record values the store assigns.
#[derive(Debug, Clone, Copy)]
pub struct RecordHead {
    pub queue_offset: i64,
    pub phys_offset: i64,
    pub store_timestamp: i64,
    pub sys_flag: i32,
}

/// The per-message payload (differs per inner message of a batch).
#[derive(Debug, Clone, Copy)]
pub struct RecordPayload<'a> {
    pub flag: i32,
    pub body: &'a [u8],
    pub properties: &'a str,
}

fn put_host(out: &mut Vec<u8>, host: &SocketAddr) {
    match host.ip() {
        IpAddr::V4(ip) => out.extend_from_slice(&ip.octets()),
        IpAddr::V6(ip) => out.extend_from_slice(&ip.octets()),
    }
    out.extend_from_slice(&i32::from(host.port()).to_be_bytes());
}

/// Appends one record to `out`. Limits must have been checked by the caller.
pub fn encode_record(
    out: &mut Vec<u8>,
    msg: &MessageInner,
    head: RecordHead,
    p: RecordPayload<'_>,
) {
    let len = record_len(
        head.sys_flag,
        p.body.len(),
        msg.topic.len(),
        p.properties.len(),
    );
    out.reserve(len);
    out.extend_from_slice(&(len as i32).to_be_bytes());
    out.extend_from_slice(&MESSAGE_MAGIC_CODE.to_be_bytes());
    out.extend_from_slice(&body_crc(p.body).to_be_bytes());
    out.extend_from_slice(&msg.queue_id.to_be_bytes());
    out.extend_from_slice(&p.flag.to_be_bytes());
    out.extend_from_slice(&head.queue_offset.to_be_bytes());
    out.extend_from_slice(&head.phys_offset.to_be_bytes());
    out.extend_from_slice(&head.sys_flag.to_be_bytes());
    out.extend_from_slice(&msg.born_timestamp.to_be_bytes());
    put_host(out, &msg.born_host);
    out.extend_from_slice(&head.store_timestamp.to_be_bytes());
    put_host(out, &msg.store_host);
    out.extend_from_slice(&msg.reconsume_times.to_be_bytes());
    out.extend_from_slice(&msg.prepared_transaction_offset.to_be_bytes());
    out.extend_from_slice(&(p.body.len() as i32).to_be_bytes());
    out.extend_from_slice(p.body);
    out.push(msg.topic.len() as u8);
    out.extend_from_slice(msg.topic.as_bytes());
    out.extend_from_slice(&(p.properties.len() as i16).to_be_bytes());
    out.extend_from_slice(p.properties.as_bytes());
}

/// The end-of-file filler: `[i32 remaining][i32 BLANK_MAGIC_CODE]`.
pub fn blank_header(remaining: usize) -> [u8; 8] {
    let mut b = [0u8; 8];
    b[..4].copy_from_slice(&(remaining as i32).to_be_bytes());
    b[4..].copy_from_slice(&BLANK_MAGIC_CODE.to_be_bytes());
    b
}

/// A fully decoded record.
#[derive(Debug, Clone, PartialEq)]
pub struct DecodedRecord {
    pub total_size: i32,
    pub magic: i32,
    pub body_crc: i32,
    pub queue_id: i32,
    pub flag: i32,
    pub queue_offset: i64,
    pub phys_offset: i64,
    pub sys_flag: i32,
    pub born_timestamp: i64,
    pub born_host: SocketAddr,
    pub store_timestamp: i64,
    pub store_host: SocketAddr,
    pub reconsume_times: i32,
    pub prepared_transaction_offset: i64,
    pub body: Bytes,
    pub topic: String,
    pub properties: String,
}

/// What sits at a position of the commit log.
#[derive(Debug)]
pub enum RecordCheck {
    /// A valid record.
    Message(Box<DecodedRecord>),
    /// The end-of-file filler; the rest of the file is unused.
    Blank,
    /// Not a record (zeros, garbage, torn, bad CRC): data ends here.
    Invalid(String),
}

struct Cursor<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Cursor<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], String> {
        let end = self.pos.checked_add(n).ok_or("length overflow")?;
        let s = self
            .buf
            .get(self.pos..end)
            .ok_or_else(|| format!("record truncated at byte {}", self.pos))?;
        self.pos = end;
        Ok(s)
    }
    fn i8(&mut self) -> Result<i8, String> {
        Ok(self.take(1)?[0] as i8)
    }
    fn i16(&mut self) -> Result<i16, String> {
        Ok(i16::from_be_bytes(
            self.take(2)?.try_into().map_err(|_| "i16")?,
        ))
    }
    fn i32(&mut self) -> Result<i32, String> {
        Ok(i32::from_be_bytes(
            self.take(4)?.try_into().map_err(|_| "i32")?,
        ))
    }
    fn i64(&mut self) -> Result<i64, String> {
        Ok(i64::from_be_bytes(
            self.take(8)?.try_into().map_err(|_| "i64")?,
        ))
    }
    fn host(&mut self, v6: bool) -> Result<SocketAddr, String> {
        let ip = if v6 {
            let o: [u8; 16] = self.take(16)?.try_into().map_err(|_| "ipv6")?;
            IpAddr::V6(Ipv6Addr::from(o))
        } else {
            let o: [u8; 4] = self.take(4)?.try_into().map_err(|_| "ipv4")?;
            IpAddr::V4(Ipv4Addr::from(o))
        };
        let port = self.i32()?;
        Ok(SocketAddr::new(ip, u16::try_from(port).unwrap_or(0)))
    }
}

/// Reads the i32 total size at the start of `buf` (if 4 bytes are there).
pub fn peek_total_size(buf: &[u8]) -> Option<i32> {
    Some(i32::from_be_bytes(buf.get(..4)?.try_into().ok()?))
}

/// Validates and decodes the record at the start of `buf` (which may hold more bytes).
pub fn check_record(buf: &[u8], check_crc: bool) -> RecordCheck {
    match decode_inner(buf, check_crc) {
        Ok(Some(r)) => RecordCheck::Message(Box::new(r)),
        Ok(None) => RecordCheck::Blank,
        Err(e) => RecordCheck::Invalid(e),
    }
}

/// Decodes the record at the start of `buf`; errors on blank or invalid data.
pub fn decode_record(buf: &[u8], check_crc: bool) -> Result<DecodedRecord, String> {
    decode_inner(buf, check_crc)?.ok_or_else(|| "blank end-of-file record".to_string())
}

fn decode_inner(buf: &[u8], check_crc: bool) -> Result<Option<DecodedRecord>, String> {
    let mut c = Cursor { buf, pos: 0 };
    let total_size = c.i32()?;
    let magic = c.i32()?;
    if magic == BLANK_MAGIC_CODE {
        return Ok(None);
    }
    if magic != MESSAGE_MAGIC_CODE && magic != MESSAGE_MAGIC_CODE_V2 {
        return Err(format!("bad magic code {magic:#x}"));
    }
    let total = usize::try_from(total_size).map_err(|_| format!("negative size {total_size}"))?;
    if total > buf.len() {
        return Err(format!(
            "record of {total} bytes truncated to {}",
            buf.len()
        ));
    }
    c.buf = &buf[..total];
    let crc = c.i32()?;
    let queue_id = c.i32()?;
    let flag = c.i32()?;
    let queue_offset = c.i64()?;
    let phys_offset = c.i64()?;
    let sys = c.i32()?;
    let born_timestamp = c.i64()?;
    let born_host = c.host(sys & sys_flag::BORNHOST_V6 != 0)?;
    let store_timestamp = c.i64()?;
    let store_host = c.host(sys & sys_flag::STOREHOST_V6 != 0)?;
    let reconsume_times = c.i32()?;
    let prepared = c.i64()?;
    let body_len = usize::try_from(c.i32()?).map_err(|_| "negative body length")?;
    let body = c.take(body_len)?;
    if check_crc && body_crc(body) != crc {
        return Err(format!("body CRC mismatch (stored {crc})"));
    }
    let topic_len = if magic == MESSAGE_MAGIC_CODE_V2 {
        usize::try_from(c.i16()?).map_err(|_| "negative topic length")?
    } else {
        usize::try_from(c.i8()?).map_err(|_| "negative topic length")?
    };
    let topic = std::str::from_utf8(c.take(topic_len)?)
        .map_err(|_| "topic not UTF-8")?
        .to_string();
    let props_len = usize::try_from(c.i16()?).map_err(|_| "negative properties length")?;
    let properties = std::str::from_utf8(c.take(props_len)?)
        .map_err(|_| "properties not UTF-8")?
        .to_string();
    if c.pos != total {
        return Err(format!("total size {total} but fields end at {}", c.pos));
    }
    Ok(Some(DecodedRecord {
        total_size,
        magic,
        body_crc: crc,
        queue_id,
        flag,
        queue_offset,
        phys_offset,
        sys_flag: sys,
        born_timestamp,
        born_host,
        store_timestamp,
        store_host,
        reconsume_times,
        prepared_transaction_offset: prepared,
        body: Bytes::copy_from_slice(body),
        topic,
        properties,
    }))
}

/// Offset of STORETIMESTAMP inside a record with the given sysFlag.
pub fn store_timestamp_pos(sys: i32) -> usize {
    48 + host_len(sys & sys_flag::BORNHOST_V6 != 0)
}

/// The raw properties bytes of the record at the start of `buf`, found by walking the
/// variable-length fields without copying anything (the pull path's SQL92 filter reads them
/// for every candidate message, as Java's `MessageDecoder.decodeProperties` does).
pub fn record_properties(buf: &[u8]) -> Option<&[u8]> {
    let rd_i32 = |at: usize| -> Option<i32> {
        Some(i32::from_be_bytes(buf.get(at..at + 4)?.try_into().ok()?))
    };
    let magic = rd_i32(4)?;
    if magic != MESSAGE_MAGIC_CODE && magic != MESSAGE_MAGIC_CODE_V2 {
        return None;
    }
    let sys = rd_i32(36)?;
    // Up to BORNHOST: 4+4+4+4+4+8+8+4+8 = 48; then BORNHOST, STORETIMESTAMP, STOREHOST,
    // RECONSUMETIMES, PREPAREDTRANSACTIONOFFSET, BODY length.
    let mut pos = 48 + host_len(sys & sys_flag::BORNHOST_V6 != 0) + 8;
    pos += host_len(sys & sys_flag::STOREHOST_V6 != 0) + 4 + 8;
    let body_len = usize::try_from(rd_i32(pos)?).ok()?;
    pos += 4 + body_len;
    let topic_len = if magic == MESSAGE_MAGIC_CODE_V2 {
        let b = buf.get(pos..pos + 2)?;
        pos += 2;
        usize::from(u16::from_be_bytes([b[0], b[1]]))
    } else {
        let b = *buf.get(pos)?;
        pos += 1;
        usize::from(b)
    };
    pos += topic_len;
    let p = buf.get(pos..pos + 2)?;
    let props_len = usize::from(u16::from_be_bytes([p[0], p[1]]));
    pos += 2;
    buf.get(pos..pos + props_len)
}
