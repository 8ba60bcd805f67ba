//! fastjson compatibility for map keys: Java's default fastjson writes integer map keys
//! unquoted (`{0:"10.0.0.1:10911"}`), which is not JSON, and Java clients older than 4.9.4 expect
//! exactly that in route data. This module writes both forms from the same serde types and reads
//! the legacy form back.
//!
//! * [`to_legacy_vec`] writes integer-typed map keys unquoted; every other key stays quoted.
//!   Which keys are "integer" is decided by the Rust type (`BTreeMap<i64, _>`), never by looking
//!   at the text, so a cluster named `"1"` is still written quoted.
//! * [`to_standard_vec`] is plain serde_json (integer keys quoted), the 4.9.4+ standard form.
//! * [`from_lenient_slice`] parses standard JSON and, failing that, re-quotes bare integer keys
//!   (outside string literals only) and parses again.

use std::borrow::Cow;
use std::io;

use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::ser::{CharEscape, CompactFormatter, Formatter};

/// A compact formatter that leaves integer map keys unquoted.
///
/// serde_json writes an integer map key as `begin_string`, `write_i64`, `end_string`; a string key
/// as `begin_string`, `write_string_fragment`…, `end_string`. The opening quote of a key is
/// therefore held back until we know which of the two follows.
#[derive(Debug, Default)]
struct LegacyFormatter {
    in_key: bool,
    quote_pending: bool,
    unquoted: bool,
}

impl LegacyFormatter {
    fn flush_quote<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        if self.quote_pending {
            self.quote_pending = false;
            w.write_all(b"\"")?;
        }
        Ok(())
    }

    fn int_key(&mut self) {
        if self.in_key && self.quote_pending {
            self.quote_pending = false;
            self.unquoted = true;
        }
    }
}

macro_rules! int_writers {
    ($($name:ident: $t:ty),*) => {$(
        fn $name<W: ?Sized + io::Write>(&mut self, w: &mut W, v: $t) -> io::Result<()> {
            self.int_key();
            CompactFormatter.$name(w, v)
        }
    )*};
}

impl Formatter for LegacyFormatter {
    int_writers!(write_i8: i8, write_i16: i16, write_i32: i32, write_i64: i64,
        write_u8: u8, write_u16: u16, write_u32: u32, write_u64: u64);

    fn begin_object_key<W: ?Sized + io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> io::Result<()> {
        self.in_key = true;
        CompactFormatter.begin_object_key(w, first)
    }

    fn end_object_key<W: ?Sized + io::Write>(&mut self, _w: &mut W) -> io::Result<()> {
        self.in_key = false;
        Ok(())
    }

    fn begin_string<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        if self.in_key {
            self.quote_pending = true;
            Ok(())
        } else {
            w.write_all(b"\"")
        }
    }

    fn end_string<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        if self.in_key && self.unquoted {
            self.unquoted = false;
            return Ok(());
        }
        // An empty string key has had no fragment yet: its opening quote is still pending.
        self.flush_quote(w)?;
        w.write_all(b"\"")
    }

    fn write_string_fragment<W: ?Sized + io::Write>(
        &mut self,
        w: &mut W,
        fragment: &str,
    ) -> io::Result<()> {
        self.flush_quote(w)?;
        w.write_all(fragment.as_bytes())
    }

    fn write_char_escape<W: ?Sized + io::Write>(
        &mut self,
        w: &mut W,
        escape: CharEscape,
    ) -> io::Result<()> {
        self.flush_quote(w)?;
        CompactFormatter.write_char_escape(w, escape)
    }
}

/// Serializes `value` the way Java's default fastjson does: integer map keys unquoted.
pub fn to_legacy_vec<T: Serialize + ?Sized>(value: &T) -> serde_json::Result<Vec<u8>> {
    let mut out = Vec::with_capacity(256);
    let mut ser = serde_json::Serializer::with_formatter(&mut out, LegacyFormatter::default());
    value.serialize(&mut ser)?;
    Ok(out)
}

/// Serializes `value` as standard JSON (integer map keys quoted).
pub fn to_standard_vec<T: Serialize + ?Sized>(value: &T) -> serde_json::Result<Vec<u8>> {
    serde_json::to_vec(value)
}

/// Serializes in the legacy or the standard form.
pub fn to_vec<T: Serialize + ?Sized>(value: &T, standard: bool) -> serde_json::Result<Vec<u8>> {
    if standard {
        to_standard_vec(value)
    } else {
        to_legacy_vec(value)
    }
}

/// Puts quotes around bare integer object keys (`{0:"a"}` -> `{"0":"a"}`), leaving string
/// literals and array elements untouched. Returns the input unchanged when nothing needed quoting.
pub fn requote_int_keys(text: &str) -> Cow<'_, str> {
    let bytes = text.as_bytes();
    let mut out: Option<String> = None;
    // Containers we are inside: true for an object, false for an array.
    let mut stack: Vec<bool> = Vec::new();
    let mut expect_key = false;
    let mut in_string = false;
    let mut escaped = false;
    let mut copied = 0;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if in_string {
            if escaped {
                escaped = false;
            } else if b == b'\\' {
                escaped = true;
            } else if b == b'"' {
                in_string = false;
            }
            i += 1;
            continue;
        }
        match b {
            b'"' => {
                in_string = true;
                expect_key = false;
            }
            b'{' => {
                stack.push(true);
                expect_key = true;
            }
            b'[' => {
                stack.push(false);
                expect_key = false;
            }
            b'}' | b']' => {
                stack.pop();
                expect_key = false;
            }
            b',' => expect_key = stack.last().copied().unwrap_or(false),
            b' ' | b'\t' | b'\r' | b'\n' => {}
            b'-' | b'0'..=b'9' if expect_key => {
                let start = i;
                let mut end = i + 1;
                while end < bytes.len() && bytes[end].is_ascii_digit() {
                    end += 1;
                }
                let mut after = end;
                while after < bytes.len() && bytes[after].is_ascii_whitespace() {
                    after += 1;
                }
                if after < bytes.len() && bytes[after] == b':' {
                    let buf = out.get_or_insert_with(|| String::with_capacity(text.len() + 16));
                    buf.push_str(&text[copied..start]);
                    buf.push('"');
                    buf.push_str(&text[start..end]);
                    buf.push('"');
                    copied = end;
                }
                expect_key = false;
                i = end;
                continue;
            }
            _ => expect_key = false,
        }
        i += 1;
    }
    match out {
        Some(mut buf) => {
            buf.push_str(&text[copied..]);
            Cow::Owned(buf)
        }
        None => Cow::Borrowed(text),
    }
}

/// Parses JSON as fastjson would accept it: standard JSON, or JSON with bare integer map keys.
pub fn from_lenient_slice<T: DeserializeOwned>(data: &[u8]) -> serde_json::Result<T> {
    match serde_json::from_slice(data) {
        Ok(v) => Ok(v),
        Err(first) => {
            let Ok(text) = std::str::from_utf8(data) else {
                return Err(first);
            };
            match requote_int_keys(text) {
                Cow::Borrowed(_) => Err(first),
                Cow::Owned(fixed) => serde_json::from_str(&fixed),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    #[derive(Serialize, serde::Deserialize, Debug, PartialEq)]
    struct Sample {
        ints: BTreeMap<i64, String>,
        names: BTreeMap<String, i32>,
    }

    fn sample() -> Sample {
        let mut ints = BTreeMap::new();
        ints.insert(0, "a:\"1\"".to_string());
        ints.insert(-3, "b".to_string());
        let mut names = BTreeMap::new();
        names.insert("7".to_string(), 1);
        names.insert(String::new(), 2);
        names.insert("x\ny".to_string(), 3);
        Sample { ints, names }
    }

    #[test]
    fn legacy_form_leaves_only_integer_keys_unquoted() {
        let text = String::from_utf8(to_legacy_vec(&sample()).unwrap()).unwrap();
        assert_eq!(
            text,
            r#"{"ints":{-3:"b",0:"a:\"1\""},"names":{"":2,"7":1,"x\ny":3}}"#
        );
        let std_text = String::from_utf8(to_standard_vec(&sample()).unwrap()).unwrap();
        assert_eq!(
            std_text,
            r#"{"ints":{"-3":"b","0":"a:\"1\""},"names":{"":2,"7":1,"x\ny":3}}"#
        );
    }

    #[test]
    fn lenient_reader_round_trips_the_legacy_form() {
        let bytes = to_legacy_vec(&sample()).unwrap();
        let back: Sample = from_lenient_slice(&bytes).unwrap();
        assert_eq!(back, sample());
    }

    #[test]
    fn requote_leaves_strings_and_arrays_alone() {
        let text = r#"{ 0 : [1, 2, {3:"{4:5}"}], "s":"a,6:b", 7:{}}"#;
        assert_eq!(
            requote_int_keys(text),
            r#"{ "0" : [1, 2, {"3":"{4:5}"}], "s":"a,6:b", "7":{}}"#
        );
        assert!(matches!(
            requote_int_keys(r#"{"a":[1,2]}"#),
            Cow::Borrowed(_)
        ));
    }
}
