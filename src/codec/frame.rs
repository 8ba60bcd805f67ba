//! The tokio-util codec that turns a byte stream into `RemotingCommand`s and back.
//!
//! A frame is `length:i32 | headerTag:i32 | header | body` with `length = 4 + headerLen + bodyLen`.
//! The length is checked against the 16 MiB limit before a single byte of the frame is
//! buffered, so a hostile peer cannot make us allocate more than that.

use bytes::{Buf, BufMut, BytesMut};
use tokio_util::codec::{Decoder, Encoder};

use super::command::{RemotingCommand, SerializeType};
use super::error::CodecError;
use super::{binary_header, json_header};

/// Java's default `com.rocketmq.remoting.frameMaxLength`: the whole frame, length word included.
pub const MAX_FRAME_LEN: usize = 16 * 1024 * 1024;

/// Remoting frame codec. Stateless apart from its limit.
#[derive(Debug, Clone)]
pub struct RemotingCodec {
    max_frame_len: usize,
}

impl Default for RemotingCodec {
    fn default() -> Self {
        RemotingCodec {
            max_frame_len: MAX_FRAME_LEN,
        }
    }
}

impl RemotingCodec {
    /// A codec with a custom frame limit (whole frame, including the 4-byte length word).
    pub fn with_max_frame_len(max_frame_len: usize) -> Self {
        RemotingCodec { max_frame_len }
    }
}

/// Decodes one complete frame (without its leading length word) into a command.
pub fn decode_frame(mut frame: bytes::Bytes) -> Result<RemotingCommand, CodecError> {
    let frame_len = frame.len();
    if frame_len < 4 {
        return Err(CodecError::HeaderLength {
            header_len: 0,
            frame_len,
        });
    }
    let tag = frame.get_u32();
    let ser = (tag >> 24) as u8;
    let header_len = (tag & 0x00FF_FFFF) as usize;
    if header_len > frame.len() {
        return Err(CodecError::HeaderLength {
            header_len,
            frame_len,
        });
    }
    let header = frame.split_to(header_len);
    let mut cmd = match SerializeType::from_code(ser) {
        Some(SerializeType::Json) => json_header::decode(&header)?,
        Some(SerializeType::RocketMq) => binary_header::decode(&header)?,
        None => return Err(CodecError::SerializeType(ser)),
    };
    cmd.body = frame;
    Ok(cmd)
}

/// Encodes `cmd` as a whole frame (length word included) into `dst`. The header is written in
/// place (no temporary buffer); on an error `dst` is left as it was.
pub fn encode_frame(cmd: &RemotingCommand, dst: &mut BytesMut) -> Result<(), CodecError> {
    dst.reserve(8 + 256 + cmd.body_len());
    encode_head(cmd, dst)?;
    dst.put_slice(&cmd.body);
    for part in &cmd.body_parts {
        dst.put_slice(part);
    }
    Ok(())
}

/// Encodes the frame head of `cmd` into `dst`: the length word (counting the whole body),
/// the header tag and the header, but no body bytes. The body (`body`, then each of
/// `body_parts`) must follow on the wire; the connection writes it from the buffers it is in
/// (zero-copy pull responses, issue #17). On an error `dst` is left as it was.
pub fn encode_head(cmd: &RemotingCommand, dst: &mut BytesMut) -> Result<(), CodecError> {
    let start = dst.len();
    dst.reserve(8 + 256);
    // Length word and header tag, filled in once the header length is known.
    dst.put_u64(0);
    let header_start = dst.len();
    let written = match cmd.serialize_type {
        SerializeType::Json => {
            json_header::encode_into(cmd, dst);
            Ok(())
        }
        SerializeType::RocketMq => binary_header::encode_into(cmd, dst),
    };
    let header_len = dst.len() - header_start;
    let length = 4 + header_len + cmd.body_len();
    let checked = written.and_then(|()| {
        if header_len > 0x00FF_FFFF {
            return Err(CodecError::FieldTooLong {
                field: "header",
                len: header_len,
            });
        }
        if length + 4 > MAX_FRAME_LEN {
            return Err(CodecError::FrameLength {
                length: length as i64,
                max: MAX_FRAME_LEN,
            });
        }
        Ok(())
    });
    if let Err(e) = checked {
        dst.truncate(start);
        return Err(e);
    }
    let tag = (u32::from(cmd.serialize_type.code()) << 24) | header_len as u32;
    dst[start..start + 4].copy_from_slice(&(length as u32).to_be_bytes());
    dst[start + 4..start + 8].copy_from_slice(&tag.to_be_bytes());
    Ok(())
}

impl Decoder for RemotingCodec {
    type Item = RemotingCommand;
    type Error = CodecError;

    fn decode(&mut self, src: &mut BytesMut) -> Result<Option<RemotingCommand>, CodecError> {
        if src.len() < 4 {
            return Ok(None);
        }
        let length = i32::from_be_bytes([src[0], src[1], src[2], src[3]]);
        // length counts the header-tag word, so anything below 4 is malformed.
        if length < 4 || length as usize + 4 > self.max_frame_len {
            return Err(CodecError::FrameLength {
                length: i64::from(length),
                max: self.max_frame_len,
            });
        }
        let total = length as usize + 4;
        if src.len() < total {
            src.reserve(total - src.len());
            return Ok(None);
        }
        src.advance(4);
        let frame = src.split_to(length as usize).freeze();
        decode_frame(frame).map(Some)
    }
}

impl Encoder<RemotingCommand> for RemotingCodec {
    type Error = CodecError;

    fn encode(&mut self, cmd: RemotingCommand, dst: &mut BytesMut) -> Result<(), CodecError> {
        encode_frame(&cmd, dst)
    }
}

impl Encoder<&RemotingCommand> for RemotingCodec {
    type Error = CodecError;

    fn encode(&mut self, cmd: &RemotingCommand, dst: &mut BytesMut) -> Result<(), CodecError> {
        encode_frame(cmd, dst)
    }
}
