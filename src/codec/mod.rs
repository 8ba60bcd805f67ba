//! The RocketMQ remoting wire format: frames, JSON and binary headers, codes, message records.
//!
//! Everything here is pure data transformation with no I/O of its own, so it can be tested
//! with byte vectors and fuzzed.

pub mod binary_header;
pub mod codes;
pub mod command;
pub mod error;
pub mod ext;
pub mod frame;
pub mod headers;
pub mod json_fast;
pub mod json_header;

pub use command::{LanguageCode, RemotingCommand, SerializeType};
pub use error::CodecError;
pub use ext::{Expected, HeaderError};
pub use frame::{RemotingCodec, MAX_FRAME_LEN};
