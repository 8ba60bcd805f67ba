//! The JSON form of the remoting header, read as leniently as fastjson and written as fastjson does.
//!
//! Reading: any key order, explicit `null`s, unknown keys, extFields values given as numbers or
//! booleans (taken as their string form), `language` as a name or a number, missing optional
//! fields at their Java defaults. Writing: keys in fastjson's alphabetical order, nulls omitted,
//! extFields values always strings, and `serializeTypeCurrentRPC` present (rocketmq-client-rust
//! 1.0.0 requires it).

use bytes::BufMut;
use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::Deserialize;

use super::command::{ExtFields, LanguageCode, RemotingCommand, SerializeType};
use super::error::CodecError;

#[derive(Deserialize)]
struct RawHeader {
    #[serde(default, deserialize_with = "lenient_i32")]
    code: i32,
    #[serde(default, deserialize_with = "lenient_language")]
    language: LanguageCode,
    #[serde(default, deserialize_with = "lenient_i32")]
    version: i32,
    #[serde(default, deserialize_with = "lenient_i32")]
    opaque: i32,
    #[serde(default, deserialize_with = "lenient_i32")]
    flag: i32,
    #[serde(default, deserialize_with = "lenient_opt_string")]
    remark: Option<String>,
    #[serde(default, rename = "extFields", deserialize_with = "lenient_ext")]
    ext_fields: ExtFields,
}

/// Decodes a JSON header; the body is attached by the caller. The common shapes go through
/// the scanner in [`super::json_fast`]; anything it declines is decided by serde.
pub fn decode(bytes: &[u8]) -> Result<RemotingCommand, CodecError> {
    match super::json_fast::decode(bytes) {
        Some(cmd) => Ok(cmd),
        None => decode_serde(bytes),
    }
}

/// The serde path alone: the reference the fast path is tested against.
pub fn decode_serde(bytes: &[u8]) -> Result<RemotingCommand, CodecError> {
    // serde would happily read a struct from a JSON array (`[code, language, ...]`); a header
    // is always an object, so anything else is rejected up front.
    if bytes.iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'{') {
        return Err(CodecError::JsonHeader(
            "the header is not a JSON object".to_owned(),
        ));
    }
    let raw: RawHeader =
        serde_json::from_slice(bytes).map_err(|e| CodecError::JsonHeader(e.to_string()))?;
    Ok(RemotingCommand {
        code: raw.code,
        language: raw.language,
        version: raw.version,
        opaque: raw.opaque,
        flag: raw.flag,
        remark: raw.remark,
        ext_fields: raw.ext_fields,
        serialize_type: SerializeType::Json,
        body: Default::default(),
        body_parts: Vec::new(),
    })
}

/// Appends the JSON header of `cmd` to `out`, in fastjson's key order.
pub fn encode(cmd: &RemotingCommand, out: &mut Vec<u8>) {
    encode_into(cmd, out);
}

/// [`encode`] into any byte buffer (the frame encoder writes straight into its output).
pub fn encode_into<B: BufMut>(cmd: &RemotingCommand, out: &mut B) {
    let mut num = itoa::Buffer::new();
    out.put_slice(b"{\"code\":");
    out.put_slice(num.format(cmd.code).as_bytes());
    if !cmd.ext_fields.is_empty() {
        out.put_slice(b",\"extFields\":{");
        let mut entries: Vec<(&String, &String)> = cmd.ext_fields.iter().collect();
        entries.sort_unstable_by(|a, b| a.0.cmp(b.0));
        for (i, (k, v)) in entries.into_iter().enumerate() {
            if i > 0 {
                out.put_u8(b',');
            }
            write_json_string(out, k);
            out.put_u8(b':');
            write_json_string(out, v);
        }
        out.put_u8(b'}');
    }
    out.put_slice(b",\"flag\":");
    out.put_slice(num.format(cmd.flag).as_bytes());
    out.put_slice(b",\"language\":\"");
    out.put_slice(cmd.language.name().as_bytes());
    out.put_slice(b"\",\"opaque\":");
    out.put_slice(num.format(cmd.opaque).as_bytes());
    if let Some(remark) = &cmd.remark {
        out.put_slice(b",\"remark\":");
        write_json_string(out, remark);
    }
    out.put_slice(b",\"serializeTypeCurrentRPC\":\"JSON\",\"version\":");
    out.put_slice(num.format(cmd.version).as_bytes());
    out.put_u8(b'}');
}

/// A JSON string exactly as `serde_json` writes it: `"` and `\\` escaped, control characters as
/// `\b \t \n \f \r` or `\u00xx` (lower-case hex; the 0x01/0x02 property separators become
/// `\u0001`), everything else, non-ASCII included, as is.
fn write_json_string<B: BufMut>(out: &mut B, s: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    // For each byte: 0 = as is, else the letter after the backslash (`u`: four hex digits).
    const ESCAPE: [u8; 256] = {
        let mut t = [0u8; 256];
        let mut c = 0;
        while c < 0x20 {
            t[c] = b'u';
            c += 1;
        }
        t[0x08] = b'b';
        t[0x09] = b't';
        t[0x0A] = b'n';
        t[0x0C] = b'f';
        t[0x0D] = b'r';
        t[b'"' as usize] = b'"';
        t[b'\\' as usize] = b'\\';
        t
    };
    let bytes = s.as_bytes();
    out.put_u8(b'"');
    let mut start = 0;
    for (i, &c) in bytes.iter().enumerate() {
        let short = ESCAPE[usize::from(c)];
        if short == 0 {
            continue;
        }
        out.put_slice(&bytes[start..i]);
        if short == b'u' {
            out.put_slice(b"\\u00");
            out.put_u8(HEX[usize::from(c >> 4)]);
            out.put_u8(HEX[usize::from(c & 0xF)]);
        } else {
            out.put_u8(b'\\');
            out.put_u8(short);
        }
        start = i + 1;
    }
    out.put_slice(&bytes[start..]);
    out.put_u8(b'"');
}

fn lenient_i32<'de, D: Deserializer<'de>>(d: D) -> Result<i32, D::Error> {
    let v = Option::<serde_json::Value>::deserialize(d)?;
    match v {
        None | Some(serde_json::Value::Null) => Ok(0),
        Some(serde_json::Value::Number(n)) => n
            .as_i64()
            .and_then(|x| i32::try_from(x).ok())
            .ok_or_else(|| de::Error::custom(format!("number {n} is not a 32-bit integer"))),
        Some(serde_json::Value::String(s)) => s
            .trim()
            .parse()
            .map_err(|_| de::Error::custom(format!("`{s}` is not an integer"))),
        Some(other) => Err(de::Error::custom(format!(
            "expected an integer, got {other}"
        ))),
    }
}

fn lenient_language<'de, D: Deserializer<'de>>(d: D) -> Result<LanguageCode, D::Error> {
    let v = Option::<serde_json::Value>::deserialize(d)?;
    Ok(match v {
        Some(serde_json::Value::String(s)) => s.parse().unwrap_or(LanguageCode::Other),
        Some(serde_json::Value::Number(n)) => {
            LanguageCode::from_code(n.as_u64().and_then(|x| u8::try_from(x).ok()).unwrap_or(7))
        }
        _ => LanguageCode::Java,
    })
}

fn lenient_opt_string<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    let v = Option::<serde_json::Value>::deserialize(d)?;
    Ok(v.and_then(value_to_string))
}

/// fastjson's `toString` view of a scalar: strings as is, numbers and booleans in their text form.
fn value_to_string(v: serde_json::Value) -> Option<String> {
    match v {
        serde_json::Value::Null => None,
        serde_json::Value::String(s) => Some(s),
        other => Some(other.to_string()),
    }
}

fn lenient_ext<'de, D: Deserializer<'de>>(d: D) -> Result<ExtFields, D::Error> {
    struct ExtVisitor;
    impl<'de> Visitor<'de> for ExtVisitor {
        type Value = ExtFields;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("an object of header fields, or null")
        }
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(ExtFields::default())
        }
        fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(ExtFields::default())
        }
        fn visit_some<D2: Deserializer<'de>>(self, d: D2) -> Result<Self::Value, D2::Error> {
            d.deserialize_any(self)
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            let mut out = ExtFields::with_capacity_and_hasher(
                map.size_hint().unwrap_or(8),
                Default::default(),
            );
            while let Some((k, v)) = map.next_entry::<String, serde_json::Value>()? {
                if let Some(s) = value_to_string(v) {
                    out.insert(k, s);
                }
            }
            Ok(out)
        }
    }
    d.deserialize_option(ExtVisitor)
}
