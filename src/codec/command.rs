//! The in-memory form of one RocketMQ remoting command (request or response).
//!
//! Every frame on a remoting connection, in both directions, is a `RemotingCommand`: a small
//! header (code, language, version, opaque, flag, remark, extFields) plus an opaque body.
//! The header can travel as JSON or as the ROCKETMQ binary form; `serialize_type` remembers
//! which one the peer used so that a response can answer in the same type, as Java does.

use std::collections::HashMap;
use std::str::FromStr;

use bytes::Bytes;

/// The flag bit that marks a response.
pub const FLAG_RESPONSE: i32 = 1;
/// The flag bit that marks a oneway request (the server must not answer).
pub const FLAG_ONEWAY: i32 = 2;
/// The `version` a Java 4.9.7 server writes into every command it sends (MQVersion ordinal).
pub const CURRENT_VERSION: i32 = 407;

/// How a header is serialized on the wire (top byte of the header-length word).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SerializeType {
    /// fastjson-style JSON text.
    #[default]
    Json,
    /// RocketMQ's own binary header layout.
    RocketMq,
}

impl SerializeType {
    /// The code carried in the top byte of the header-length word.
    pub fn code(self) -> u8 {
        match self {
            SerializeType::Json => 0,
            SerializeType::RocketMq => 1,
        }
    }

    /// Maps the wire code back; `None` for codes RocketMQ does not define.
    pub fn from_code(code: u8) -> Option<Self> {
        match code {
            0 => Some(SerializeType::Json),
            1 => Some(SerializeType::RocketMq),
            _ => None,
        }
    }

    /// The name fastjson writes for `serializeTypeCurrentRPC`.
    pub fn name(self) -> &'static str {
        match self {
            SerializeType::Json => "JSON",
            SerializeType::RocketMq => "ROCKETMQ",
        }
    }
}

/// The client language of a command (Java `LanguageCode`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LanguageCode {
    #[default]
    Java,
    Cpp,
    Dotnet,
    Python,
    Delphi,
    Erlang,
    Ruby,
    Other,
    Http,
    Go,
    Php,
    Oms,
    Rust,
    NodeJs,
}

const LANGUAGES: [(LanguageCode, &str); 14] = [
    (LanguageCode::Java, "JAVA"),
    (LanguageCode::Cpp, "CPP"),
    (LanguageCode::Dotnet, "DOTNET"),
    (LanguageCode::Python, "PYTHON"),
    (LanguageCode::Delphi, "DELPHI"),
    (LanguageCode::Erlang, "ERLANG"),
    (LanguageCode::Ruby, "RUBY"),
    (LanguageCode::Other, "OTHER"),
    (LanguageCode::Http, "HTTP"),
    (LanguageCode::Go, "GO"),
    (LanguageCode::Php, "PHP"),
    (LanguageCode::Oms, "OMS"),
    (LanguageCode::Rust, "RUST"),
    (LanguageCode::NodeJs, "NODE_JS"),
];

impl LanguageCode {
    /// The numeric code used by the ROCKETMQ binary header.
    pub fn code(self) -> u8 {
        LANGUAGES.iter().position(|(l, _)| *l == self).unwrap_or(0) as u8
    }

    /// The enum name used by the JSON header.
    pub fn name(self) -> &'static str {
        LANGUAGES[self.code() as usize].1
    }

    /// Maps a binary code; unknown codes become `Other` (Java would fail; we stay lenient).
    pub fn from_code(code: u8) -> Self {
        LANGUAGES
            .get(code as usize)
            .map(|(l, _)| *l)
            .unwrap_or(LanguageCode::Other)
    }
}

impl FromStr for LanguageCode {
    type Err = ();
    fn from_str(s: &str) -> Result<Self, ()> {
        LANGUAGES
            .iter()
            .find(|(_, n)| *n == s)
            .map(|(l, _)| *l)
            .ok_or(())
    }
}

/// The flattened custom header of a command. Hashed with foldhash (randomly seeded per map)
/// rather than SipHash: about 30 keys are hashed per send (decode, typed header, response) and
/// SipHash was 14% of the broker's instructions per message (BENCHMARKS.md "Profile").
pub type ExtFields = HashMap<String, String, foldhash::fast::RandomState>;

/// One remoting command: request or response.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RemotingCommand {
    /// Request code in requests, response code in responses.
    pub code: i32,
    pub language: LanguageCode,
    /// MQVersion ordinal of the sender.
    pub version: i32,
    /// Request id; a response echoes the request's.
    pub opaque: i32,
    /// Bit 0: response; bit 1: oneway.
    pub flag: i32,
    pub remark: Option<String>,
    /// The flattened custom header.
    pub ext_fields: ExtFields,
    /// The header encoding the command arrived in or will be sent in.
    pub serialize_type: SerializeType,
    /// The body; empty means "no body".
    pub body: Bytes,
    /// More body bytes after `body`, sent as they are (a pull response's records, slices of
    /// the mapped commit log): the frame's body is `body` followed by these, and the
    /// connection writes them without concatenating them first. Empty for decoded frames.
    pub body_parts: Vec<Bytes>,
}

impl RemotingCommand {
    /// A new request with the given code, as a 4.9.7 Java server would send it.
    pub fn request(code: i32) -> Self {
        RemotingCommand {
            code,
            version: CURRENT_VERSION,
            ..Default::default()
        }
    }

    /// A response to `req`: same opaque and serialize type, the response flag set.
    pub fn response_to(req: &RemotingCommand, code: i32) -> Self {
        RemotingCommand {
            code,
            version: CURRENT_VERSION,
            opaque: req.opaque,
            flag: FLAG_RESPONSE,
            serialize_type: req.serialize_type,
            ..Default::default()
        }
    }

    /// Builder: set the remark.
    pub fn with_remark(mut self, remark: impl Into<String>) -> Self {
        self.remark = Some(remark.into());
        self
    }

    /// Builder: set the body.
    pub fn with_body(mut self, body: impl Into<Bytes>) -> Self {
        self.body = body.into();
        self
    }

    /// Builder: add one extFields entry.
    pub fn with_ext(mut self, key: impl Into<String>, value: impl ToString) -> Self {
        self.ext_fields.insert(key.into(), value.to_string());
        self
    }

    pub fn is_response(&self) -> bool {
        self.flag & FLAG_RESPONSE != 0
    }

    pub fn is_oneway(&self) -> bool {
        self.flag & FLAG_ONEWAY != 0
    }

    /// Marks the command oneway.
    pub fn set_oneway(&mut self) {
        self.flag |= FLAG_ONEWAY;
    }

    /// Length of the whole body (`body` and `body_parts`).
    pub fn body_len(&self) -> usize {
        self.body.len() + self.body_parts.iter().map(Bytes::len).sum::<usize>()
    }

    /// The whole body as one buffer (copies only when there are `body_parts`).
    pub fn whole_body(&self) -> Bytes {
        if self.body_parts.is_empty() {
            return self.body.clone();
        }
        let mut out = Vec::with_capacity(self.body_len());
        out.extend_from_slice(&self.body);
        for p in &self.body_parts {
            out.extend_from_slice(p);
        }
        Bytes::from(out)
    }

    /// An extFields value, if present.
    pub fn ext(&self, key: &str) -> Option<&str> {
        self.ext_fields.get(key).map(String::as_str)
    }
}
