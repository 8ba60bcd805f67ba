//! RegisterBrokerBody (body of REGISTER_BROKER, 103) in its two wire forms, and the
//! RegisterBrokerResult the name server answers with.
//!
//! The plain form is JSON. The `compressed` form (broker key `compressedRegister`) is a zlib
//! stream of length-prefixed parts (see [`RegisterBrokerBody::encode_compressed`]); it carries no
//! `topicSysFlag` or `order`, so those come back as their defaults.

use std::io::{Read, Write};

use flate2::read::ZlibDecoder;
use flate2::write::ZlibEncoder;
use flate2::Compression;
use serde::{Deserialize, Serialize};
use thiserror::Error;

use super::kv::KVTable;
use super::topic::{DataVersion, TopicConfig, TopicConfigSerializeWrapper, TopicFilterType};

/// Response header keys of REGISTER_BROKER.
pub mod header {
    pub const HA_SERVER_ADDR: &str = "haServerAddr";
    pub const MASTER_ADDR: &str = "masterAddr";
}

/// Largest part length accepted in a compressed body; a corrupt length must not allocate GBs.
const MAX_PART_LEN: usize = 16 * 1024 * 1024;

/// Why a registration body could not be read or written.
#[derive(Debug, Error)]
pub enum RegisterBodyError {
    #[error("register body JSON is invalid: {0}")]
    Json(#[from] serde_json::Error),
    #[error("compressed register body is truncated or corrupt while reading {part}: {source}")]
    Inflate {
        part: &'static str,
        source: std::io::Error,
    },
    #[error("compressed register body has an invalid {part} length {len}")]
    PartLength { part: &'static str, len: i64 },
    #[error("compressed register body has a topic entry that is not valid UTF-8")]
    Utf8,
    #[error("compressed register body has a malformed topic entry `{0}`")]
    TopicEntry(String),
    #[error("could not deflate register body: {0}")]
    Deflate(std::io::Error),
}

/// What a broker sends when it registers.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RegisterBrokerBody {
    #[serde(default)]
    pub filter_server_list: Vec<String>,
    #[serde(default)]
    pub topic_config_serialize_wrapper: TopicConfigSerializeWrapper,
}

impl RegisterBrokerBody {
    /// Decodes the JSON or, with `compressed`, the zlib form.
    pub fn decode(data: &[u8], compressed: bool) -> Result<Self, RegisterBodyError> {
        if compressed {
            Self::decode_compressed(data)
        } else {
            Ok(super::fastjson::from_lenient_slice(data)?)
        }
    }

    pub fn encode_json(&self) -> Result<Vec<u8>, RegisterBodyError> {
        Ok(serde_json::to_vec(self)?)
    }

    /// The compressed form: a zlib stream (best compression) holding, big-endian,
    /// `i32 len + DataVersion JSON`, `i32 topic count`, per topic `i32 len + "name read write perm
    /// filterType"`, then `i32 len + filterServerList JSON`.
    pub fn encode_compressed(&self) -> Result<Vec<u8>, RegisterBodyError> {
        let wrapper = &self.topic_config_serialize_wrapper;
        let mut z = ZlibEncoder::new(Vec::new(), Compression::best());
        write_part(&mut z, &serde_json::to_vec(&wrapper.data_version)?)?;
        let count = wrapper.topic_config_table.len() as i32;
        z.write_all(&count.to_be_bytes())
            .map_err(RegisterBodyError::Deflate)?;
        for tc in wrapper.topic_config_table.values() {
            let filter = match tc.topic_filter_type {
                TopicFilterType::SingleTag => "SINGLE_TAG",
                TopicFilterType::MultiTag => "MULTI_TAG",
            };
            let entry = format!(
                "{} {} {} {} {}",
                tc.topic_name, tc.read_queue_nums, tc.write_queue_nums, tc.perm, filter
            );
            write_part(&mut z, entry.as_bytes())?;
        }
        write_part(&mut z, &serde_json::to_vec(&self.filter_server_list)?)?;
        z.finish().map_err(RegisterBodyError::Deflate)
    }

    fn decode_compressed(data: &[u8]) -> Result<Self, RegisterBodyError> {
        let mut z = ZlibDecoder::new(data);
        let version_json = read_part(&mut z, "dataVersion")?;
        let data_version: DataVersion = serde_json::from_slice(&version_json)?;
        let count = read_i32(&mut z, "topic count")?;
        if count < 0 {
            return Err(RegisterBodyError::PartLength {
                part: "topic count",
                len: count.into(),
            });
        }
        let mut wrapper = TopicConfigSerializeWrapper {
            data_version,
            ..Default::default()
        };
        for _ in 0..count {
            let raw = read_part(&mut z, "topic config")?;
            let text = String::from_utf8(raw).map_err(|_| RegisterBodyError::Utf8)?;
            let tc = parse_topic_entry(&text)?;
            wrapper.topic_config_table.insert(tc.topic_name.clone(), tc);
        }
        let filters = read_part(&mut z, "filterServerList")?;
        let filter_server_list = if filters.is_empty() {
            Vec::new()
        } else {
            serde_json::from_slice(&filters)?
        };
        Ok(RegisterBrokerBody {
            filter_server_list,
            topic_config_serialize_wrapper: wrapper,
        })
    }
}

fn write_part(w: &mut impl Write, bytes: &[u8]) -> Result<(), RegisterBodyError> {
    w.write_all(&(bytes.len() as i32).to_be_bytes())
        .and_then(|_| w.write_all(bytes))
        .map_err(RegisterBodyError::Deflate)
}

fn read_i32(r: &mut impl Read, part: &'static str) -> Result<i32, RegisterBodyError> {
    let mut buf = [0u8; 4];
    r.read_exact(&mut buf)
        .map_err(|source| RegisterBodyError::Inflate { part, source })?;
    Ok(i32::from_be_bytes(buf))
}

fn read_part(r: &mut impl Read, part: &'static str) -> Result<Vec<u8>, RegisterBodyError> {
    let len = read_i32(r, part)?;
    let len_usize = usize::try_from(len).ok().filter(|l| *l <= MAX_PART_LEN);
    let Some(len_usize) = len_usize else {
        return Err(RegisterBodyError::PartLength {
            part,
            len: len.into(),
        });
    };
    let mut buf = vec![0u8; len_usize];
    r.read_exact(&mut buf)
        .map_err(|source| RegisterBodyError::Inflate { part, source })?;
    Ok(buf)
}

/// Parses `"name read write perm filterType"` (Java `TopicConfig.decode`).
fn parse_topic_entry(text: &str) -> Result<TopicConfig, RegisterBodyError> {
    let bad = || RegisterBodyError::TopicEntry(text.to_string());
    let parts: Vec<&str> = text.split(' ').collect();
    if parts.len() < 5 {
        return Err(bad());
    }
    let num = |s: &str| s.trim().parse::<i32>().map_err(|_| bad());
    let mut tc = TopicConfig::new(parts[0], num(parts[1])?, num(parts[2])?, num(parts[3])?);
    tc.topic_filter_type = match parts[4].trim() {
        "MULTI_TAG" => TopicFilterType::MultiTag,
        _ => TopicFilterType::SingleTag,
    };
    Ok(tc)
}

/// The name server's answer to a registration.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RegisterBrokerResult {
    /// The master's HA address, for a slave whose master is live.
    pub ha_server_addr: Option<String>,
    /// The master's address, for a slave whose master is live.
    pub master_addr: Option<String>,
    /// Order-topic config (KV namespace ORDER_TOPIC_CONFIG), sent as the body.
    pub kv_table: KVTable,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body() -> RegisterBrokerBody {
        let mut b = RegisterBrokerBody::default();
        b.topic_config_serialize_wrapper.data_version = DataVersion {
            counter: 3,
            state_version: 0,
            timestamp: 1_690_000_000_000,
        };
        let mut tc = TopicConfig::new("T1", 8, 4, 6);
        tc.topic_filter_type = TopicFilterType::MultiTag;
        b.topic_config_serialize_wrapper
            .topic_config_table
            .insert("T1".into(), tc);
        b.topic_config_serialize_wrapper
            .topic_config_table
            .insert("T2".into(), TopicConfig::new("T2", 2, 2, 4));
        b.filter_server_list.push("10.0.0.9:1234".into());
        b
    }

    #[test]
    fn compressed_form_round_trips() {
        let b = body();
        let z = b.encode_compressed().unwrap();
        assert_eq!(z[0], 0x78, "zlib header");
        assert_eq!(RegisterBrokerBody::decode(&z, true).unwrap(), b);
    }

    #[test]
    fn json_form_round_trips_and_bad_input_is_an_error() {
        let b = body();
        let j = b.encode_json().unwrap();
        assert_eq!(RegisterBrokerBody::decode(&j, false).unwrap(), b);
        assert!(RegisterBrokerBody::decode(b"\x78\x9c garbage", true).is_err());
        assert!(RegisterBrokerBody::decode(b"{not json", false).is_err());
    }
}
