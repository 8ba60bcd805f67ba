//! Errors raised while decoding remoting frames. Each one closes only the connection it came from.

use thiserror::Error;

/// Why a frame or header could not be decoded.
#[derive(Debug, Error)]
pub enum CodecError {
    #[error("frame length {length} is outside 4..={max} bytes")]
    FrameLength { length: i64, max: usize },
    #[error("header length {header_len} does not fit in frame of {frame_len} bytes")]
    HeaderLength { header_len: usize, frame_len: usize },
    #[error("unknown serialize type {0} in header tag")]
    SerializeType(u8),
    #[error("JSON header is invalid: {0}")]
    JsonHeader(String),
    #[error("ROCKETMQ header is truncated or invalid: {0}")]
    BinaryHeader(&'static str),
    #[error("header field `{field}` is not valid UTF-8")]
    Utf8 { field: &'static str },
    #[error("header field `{field}` is too long to encode ({len} bytes)")]
    FieldTooLong { field: &'static str, len: usize },
    #[error("I/O error: {0}")]
    Io(#[from] std::io::Error),
}
