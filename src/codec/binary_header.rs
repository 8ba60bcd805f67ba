//! The ROCKETMQ binary form of the remoting header (serializeType = 1).
//!
//! Layout: code i16, language u8, version i16, opaque i32, flag i32, remark (i32 len + UTF-8),
//! extFields (i32 total len, then entries of i16 key len + key + i32 value len + value).
//! Every length is checked against the bytes actually present before anything is allocated.

use bytes::{Buf, BufMut};

use super::command::{ExtFields, LanguageCode, RemotingCommand, SerializeType};
use super::error::CodecError;

/// Fixed part: 13 bytes of scalars plus the two i32 length words.
const FIXED_LEN: usize = 21;

/// Decodes a binary header; the body is attached by the caller.
pub fn decode(mut buf: &[u8]) -> Result<RemotingCommand, CodecError> {
    if buf.len() < FIXED_LEN {
        return Err(CodecError::BinaryHeader(
            "shorter than the 21-byte fixed part",
        ));
    }
    let code = i32::from(buf.get_i16());
    let language = LanguageCode::from_code(buf.get_u8());
    let version = i32::from(buf.get_i16());
    let opaque = buf.get_i32();
    let flag = buf.get_i32();
    let remark_len = checked_len(buf.get_i32(), buf.len(), "remark length exceeds header")?;
    let remark = if remark_len == 0 {
        None
    } else {
        Some(utf8(&buf[..remark_len], "remark")?)
    };
    buf.advance(remark_len);
    if buf.len() < 4 {
        return Err(CodecError::BinaryHeader("missing extFields length"));
    }
    let ext_len = checked_len(buf.get_i32(), buf.len(), "extFields length exceeds header")?;
    let mut ext = &buf[..ext_len];
    let mut ext_fields = ExtFields::default();
    while ext.has_remaining() {
        if ext.len() < 2 {
            return Err(CodecError::BinaryHeader("truncated extFields key length"));
        }
        let klen = checked_len(
            i32::from(ext.get_i16()),
            ext.len(),
            "extFields key overruns",
        )?;
        let key = utf8(&ext[..klen], "extFields key")?;
        ext.advance(klen);
        if ext.len() < 4 {
            return Err(CodecError::BinaryHeader("truncated extFields value length"));
        }
        let vlen = checked_len(ext.get_i32(), ext.len(), "extFields value overruns")?;
        let value = utf8(&ext[..vlen], "extFields value")?;
        ext.advance(vlen);
        // Java reads a zero-length string as null and skips null entries.
        if klen > 0 && vlen > 0 {
            ext_fields.insert(key, value);
        }
    }
    Ok(RemotingCommand {
        code,
        language,
        version,
        opaque,
        flag,
        remark,
        ext_fields,
        serialize_type: SerializeType::RocketMq,
        body: Default::default(),
        body_parts: Vec::new(),
    })
}

/// Appends the binary header of `cmd` to `out`.
pub fn encode(cmd: &RemotingCommand, out: &mut Vec<u8>) -> Result<(), CodecError> {
    encode_into(cmd, out)
}

/// [`encode`] into any byte buffer (the frame encoder writes straight into its output).
pub fn encode_into<B>(cmd: &RemotingCommand, out: &mut B) -> Result<(), CodecError>
where
    B: BufMut + std::ops::DerefMut<Target = [u8]>,
{
    out.put_i16(cmd.code as i16);
    out.put_u8(cmd.language.code());
    out.put_i16(cmd.version as i16);
    out.put_i32(cmd.opaque);
    out.put_i32(cmd.flag);
    let remark = cmd.remark.as_deref().unwrap_or("");
    out.put_i32(len_i32(remark.len(), "remark")?);
    out.put_slice(remark.as_bytes());
    let len_pos = out.len();
    out.put_i32(0);
    let mut keys: Vec<&String> = cmd.ext_fields.keys().collect();
    keys.sort();
    for k in keys {
        let v = &cmd.ext_fields[k];
        if k.is_empty() || v.is_empty() {
            continue;
        }
        let klen = i16::try_from(k.len()).map_err(|_| CodecError::FieldTooLong {
            field: "extFields key",
            len: k.len(),
        })?;
        out.put_i16(klen);
        out.put_slice(k.as_bytes());
        out.put_i32(len_i32(v.len(), "extFields value")?);
        out.put_slice(v.as_bytes());
    }
    let ext_len = len_i32(out.len() - len_pos - 4, "extFields")?;
    out[len_pos..len_pos + 4].copy_from_slice(&ext_len.to_be_bytes());
    Ok(())
}

fn checked_len(len: i32, available: usize, what: &'static str) -> Result<usize, CodecError> {
    usize::try_from(len)
        .ok()
        .filter(|l| *l <= available)
        .ok_or(CodecError::BinaryHeader(what))
}

fn len_i32(len: usize, field: &'static str) -> Result<i32, CodecError> {
    i32::try_from(len).map_err(|_| CodecError::FieldTooLong { field, len })
}

fn utf8(bytes: &[u8], field: &'static str) -> Result<String, CodecError> {
    String::from_utf8(bytes.to_vec()).map_err(|_| CodecError::Utf8 { field })
}
