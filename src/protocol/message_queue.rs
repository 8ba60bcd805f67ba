//! MessageQueue (topic, broker, queue id) and fastjson's non-string map keys, which are where
//! MessageQueue and queue ids show up in bodies.
//!
//! fastjson writes integer map keys unquoted (`{0:250}`) and object map keys as raw JSON objects
//! (`{{"brokerName":"b","queueId":0,"topic":"T"}:{…}}`). serde_json reads neither, so
//! [`quote_map_keys`] rewrites such keys as JSON strings before parsing, and
//! [`write_object_key_map`] produces the object-key form that Java tools require on output.

use std::borrow::Cow;
use std::fmt::Write as _;

use serde::{Deserialize, Serialize};

use super::lenient;

/// One queue of one topic on one broker (Java `MessageQueue`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MessageQueue {
    #[serde(default, deserialize_with = "lenient::string")]
    pub broker_name: String,
    #[serde(default, deserialize_with = "lenient::i32")]
    pub queue_id: i32,
    #[serde(default, deserialize_with = "lenient::string")]
    pub topic: String,
}

impl MessageQueue {
    pub fn new(topic: impl Into<String>, broker_name: impl Into<String>, queue_id: i32) -> Self {
        MessageQueue {
            broker_name: broker_name.into(),
            queue_id,
            topic: topic.into(),
        }
    }

    /// The JSON text fastjson writes for this queue, used as a map key.
    pub fn to_json(&self) -> String {
        // Serializing a struct of strings and an integer cannot fail.
        serde_json::to_string(self).unwrap_or_default()
    }

    /// Parses a map key that [`quote_map_keys`] turned into a string.
    pub fn from_key(key: &str) -> Result<Self, serde_json::Error> {
        serde_json::from_str(key)
    }
}

/// Rewrites every non-string object key (bare number, identifier, object or array) as a JSON
/// string holding its raw text, so the document becomes standard JSON. Keys already quoted and
/// all values are left untouched. Returns the input unchanged when nothing needed rewriting.
pub fn quote_map_keys(text: &str) -> Cow<'_, str> {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len() + 16);
    let mut changed = false;
    // Stack of open containers: true = object. `expect_key` is true right after `{` or a `,`
    // inside an object.
    let mut stack: Vec<bool> = Vec::new();
    let mut expect_key = false;
    let mut i = 0;
    let mut copied = 0;
    while i < bytes.len() {
        let c = bytes[i];
        if c.is_ascii_whitespace() {
            i += 1;
            continue;
        }
        if expect_key && c != b'"' && c != b'}' {
            let end = raw_key_end(bytes, i);
            let raw = text[i..end].trim();
            out.push_str(&text[copied..i]);
            // A JSON string encoding of a &str cannot fail.
            out.push_str(&serde_json::to_string(raw).unwrap_or_default());
            copied = end;
            changed = true;
            expect_key = false;
            i = end;
            continue;
        }
        expect_key = false;
        match c {
            b'"' => i = string_end(bytes, i),
            b'{' => {
                stack.push(true);
                expect_key = true;
                i += 1;
            }
            b'[' => {
                stack.push(false);
                i += 1;
            }
            b'}' | b']' => {
                stack.pop();
                i += 1;
            }
            b',' => {
                expect_key = stack.last().copied().unwrap_or(false);
                i += 1;
            }
            _ => i += 1,
        }
    }
    if !changed {
        return Cow::Borrowed(text);
    }
    out.push_str(&text[copied..]);
    Cow::Owned(out)
}

/// Index just past the string literal starting at `start` (which holds `"`).
fn string_end(bytes: &[u8], start: usize) -> usize {
    let mut i = start + 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b'"' => return i + 1,
            _ => i += 1,
        }
    }
    bytes.len()
}

/// Index just past a non-string key starting at `start`: a balanced `{…}`/`[…]`, or text up to
/// the `:` that separates key and value.
fn raw_key_end(bytes: &[u8], start: usize) -> usize {
    if bytes[start] == b'{' || bytes[start] == b'[' {
        let mut depth = 0usize;
        let mut i = start;
        while i < bytes.len() {
            match bytes[i] {
                b'"' => {
                    i = string_end(bytes, i);
                    continue;
                }
                b'{' | b'[' => depth += 1,
                b'}' | b']' => {
                    depth -= 1;
                    if depth == 0 {
                        return i + 1;
                    }
                }
                _ => {}
            }
            i += 1;
        }
        return bytes.len();
    }
    let mut i = start;
    while i < bytes.len() && bytes[i] != b':' {
        i += 1;
    }
    i
}

/// Parses fastjson text that may carry unquoted or object map keys.
pub fn from_fastjson<T: serde::de::DeserializeOwned>(text: &str) -> Result<T, serde_json::Error> {
    serde_json::from_str(&quote_map_keys(text))
}

/// Writes `{K1:V1,K2:V2}` with MessageQueue objects as raw keys, the form fastjson writes and
/// Java tools (and rocketmq-client-rust) read.
pub fn write_object_key_map<'a, V: Serialize + 'a>(
    out: &mut String,
    entries: impl IntoIterator<Item = (&'a MessageQueue, &'a V)>,
) {
    out.push('{');
    for (n, (mq, v)) in entries.into_iter().enumerate() {
        if n > 0 {
            out.push(',');
        }
        out.push_str(&mq.to_json());
        out.push(':');
        // Values are plain structs of numbers; serialization cannot fail.
        let _ = write!(
            out,
            "{}",
            serde_json::to_string(v).unwrap_or_else(|_| "null".into())
        );
    }
    out.push('}');
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    #[test]
    fn quotes_integer_keys_only() {
        let text = r#"{"offsetTable":{"T@g":{0:250,1:251},"x":{ 12 : 3}}}"#;
        let fixed = quote_map_keys(text);
        assert_eq!(
            fixed,
            r#"{"offsetTable":{"T@g":{"0":250,"1":251},"x":{ "12": 3}}}"#
        );
        let v: serde_json::Value = serde_json::from_str(&fixed).unwrap();
        assert_eq!(v["offsetTable"]["T@g"]["1"], 251);
    }

    #[test]
    fn standard_json_is_borrowed_unchanged() {
        let text = r#"{"a":[1,{"b":"{0:1}"}],"c":{"0":1}}"#;
        assert!(matches!(quote_map_keys(text), Cow::Borrowed(_)));
    }

    #[test]
    fn object_keys_round_trip() {
        let mq = MessageQueue::new("T", "b", 3);
        let mut table = BTreeMap::new();
        table.insert(mq.clone(), 7i64);
        let mut out = String::new();
        write_object_key_map(&mut out, table.iter());
        assert_eq!(out, r#"{{"brokerName":"b","queueId":3,"topic":"T"}:7}"#);
        let back: BTreeMap<String, i64> = from_fastjson(&out).unwrap();
        let (k, v) = back.into_iter().next().unwrap();
        assert_eq!(MessageQueue::from_key(&k).unwrap(), mq);
        assert_eq!(v, 7);
    }

    #[test]
    fn strings_with_braces_and_escapes_are_not_keys() {
        let text = r#"{"k\"{":"v:}{","n":{5:"a,b"}}"#;
        let fixed = quote_map_keys(text);
        assert_eq!(fixed, r#"{"k\"{":"v:}{","n":{"5":"a,b"}}"#);
    }

    proptest::proptest! {
        /// Any integer-keyed map written the fastjson way (unquoted keys), nested under string
        /// keys whose text may look like JSON, reads back unchanged.
        #[test]
        fn unquoted_integer_keys_read_back(
            outer in proptest::collection::btree_map(
                "[a-z{}:,\\[\\]\" ]{0,8}",
                proptest::collection::btree_map(proptest::num::i32::ANY, proptest::num::i64::ANY, 0..5),
                0..4,
            )
        ) {
            let mut text = String::from("{");
            for (n, (k, inner)) in outer.iter().enumerate() {
                if n > 0 { text.push(','); }
                text.push_str(&serde_json::to_string(k).unwrap());
                text.push_str(":{");
                for (m, (q, off)) in inner.iter().enumerate() {
                    if m > 0 { text.push(','); }
                    text.push_str(&format!("{q}:{off}"));
                }
                text.push('}');
            }
            text.push('}');
            let back: BTreeMap<String, BTreeMap<i32, i64>> = from_fastjson(&text).unwrap();
            proptest::prop_assert_eq!(back, outer);
        }
    }
}
