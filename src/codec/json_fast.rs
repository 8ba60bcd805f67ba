//! The fast path of the JSON header decoder: a hand-written scanner for the headers that clients
//! actually send (a flat object of scalars plus a flat `extFields` object), with no intermediate
//! `serde_json::Value`s and strings borrowed from the frame until they are stored.
//!
//! It is strictly narrower than the serde path in [`super::json_header`]: whenever it meets
//! anything it does not handle exactly like serde does (nested values, floats, `-0`, integers of
//! more than 18 digits, duplicate known keys, invalid UTF-8 or escapes, trailing bytes...) it
//! gives up with `None` and the caller runs the serde path, which decides (and words any error).
//! So the fast path can only be faster, never different; `tests/codec_json_fast.rs` checks that
//! both paths agree on generated and mutated headers.

use std::borrow::Cow;

use super::command::{ExtFields, LanguageCode, RemotingCommand, SerializeType};

/// Decodes a JSON header, or `None` when the serde path must decide.
pub fn decode(bytes: &[u8]) -> Option<RemotingCommand> {
    let mut s = Scanner { b: bytes, i: 0 };
    let mut cmd = RemotingCommand {
        serialize_type: SerializeType::Json,
        ..Default::default()
    };
    let mut seen = 0u8;
    s.ws();
    s.eat(b'{')?;
    s.ws();
    if s.peek()? == b'}' {
        s.i += 1;
    } else {
        loop {
            let key = s.string()?;
            s.ws();
            s.eat(b':')?;
            s.ws();
            let bit = match key.as_ref() {
                "code" => 1,
                "language" => 2,
                "version" => 4,
                "opaque" => 8,
                "flag" => 16,
                "remark" => 32,
                "extFields" => 64,
                _ => 0,
            };
            // serde rejects a repeated known field: let it say so.
            if seen & bit != 0 {
                return None;
            }
            seen |= bit;
            match bit {
                1 => cmd.code = int_field(s.scalar()?)?,
                2 => cmd.language = language(s.scalar()?),
                4 => cmd.version = int_field(s.scalar()?)?,
                8 => cmd.opaque = int_field(s.scalar()?)?,
                16 => cmd.flag = int_field(s.scalar()?)?,
                32 => cmd.remark = s.scalar()?.into_string(),
                64 => cmd.ext_fields = s.ext_fields()?,
                _ => {
                    s.scalar()?;
                }
            }
            s.ws();
            match s.peek()? {
                b',' => {
                    s.i += 1;
                    s.ws();
                }
                b'}' => {
                    s.i += 1;
                    break;
                }
                _ => return None,
            }
        }
    }
    s.ws();
    (s.i == s.b.len()).then_some(cmd)
}

/// One scalar JSON value. Integers keep their text, which is canonical (see [`Scanner::int`]).
enum Scalar<'a> {
    Null,
    Bool(bool),
    Int(i64, &'a str),
    Str(Cow<'a, str>),
}

impl Scalar<'_> {
    /// fastjson's `toString` view, as `json_header::value_to_string` gives it.
    fn into_string(self) -> Option<String> {
        match self {
            Scalar::Null => None,
            Scalar::Bool(b) => Some(if b { "true" } else { "false" }.to_owned()),
            Scalar::Int(_, text) => Some(text.to_owned()),
            Scalar::Str(s) => Some(s.into_owned()),
        }
    }
}

/// `json_header::lenient_i32` for the values the fast path takes.
fn int_field(v: Scalar<'_>) -> Option<i32> {
    match v {
        Scalar::Null => Some(0),
        Scalar::Int(n, _) => i32::try_from(n).ok(),
        Scalar::Str(s) => s.trim().parse().ok(),
        Scalar::Bool(_) => None,
    }
}

/// `json_header::lenient_language`.
fn language(v: Scalar<'_>) -> LanguageCode {
    match v {
        Scalar::Str(s) => s.parse().unwrap_or(LanguageCode::Other),
        Scalar::Int(n, _) => LanguageCode::from_code(u8::try_from(n).unwrap_or(7)),
        Scalar::Null | Scalar::Bool(_) => LanguageCode::Java,
    }
}

struct Scanner<'a> {
    b: &'a [u8],
    i: usize,
}

impl<'a> Scanner<'a> {
    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    fn ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.i += 1;
        }
    }

    fn eat(&mut self, c: u8) -> Option<()> {
        (self.peek()? == c).then(|| self.i += 1)
    }

    fn literal(&mut self, word: &[u8]) -> Option<()> {
        let end = self.i + word.len();
        (self.b.get(self.i..end)? == word).then(|| self.i = end)
    }

    fn scalar(&mut self) -> Option<Scalar<'a>> {
        Some(match self.peek()? {
            b'"' => Scalar::Str(self.string()?),
            b'n' => {
                self.literal(b"null")?;
                Scalar::Null
            }
            b't' => {
                self.literal(b"true")?;
                Scalar::Bool(true)
            }
            b'f' => {
                self.literal(b"false")?;
                Scalar::Bool(false)
            }
            b'-' | b'0'..=b'9' => {
                let (n, text) = self.int()?;
                Scalar::Int(n, text)
            }
            _ => return None,
        })
    }

    /// `-?(0|[1-9][0-9]{0,17})` not followed by a fraction, exponent or digit; `-0` is left to
    /// serde (it reads it as a float). Such a literal's text is exactly `i64`'s `Display`.
    fn int(&mut self) -> Option<(i64, &'a str)> {
        let start = self.i;
        let neg = self.peek() == Some(b'-');
        if neg {
            self.i += 1;
        }
        let digits = self.i;
        while let Some(b'0'..=b'9') = self.peek() {
            self.i += 1;
        }
        let n = self.i - digits;
        if n == 0 || n > 18 || (self.b[digits] == b'0' && (n > 1 || neg)) {
            return None;
        }
        if let Some(b'.' | b'e' | b'E') = self.peek() {
            return None;
        }
        let text = std::str::from_utf8(&self.b[start..self.i]).ok()?;
        Some((text.parse().ok()?, text))
    }

    /// A JSON string, borrowed when it has no escapes.
    fn string(&mut self) -> Option<Cow<'a, str>> {
        self.eat(b'"')?;
        let start = self.i;
        self.plain_run();
        if self.peek()? == b'"' {
            let s = std::str::from_utf8(&self.b[start..self.i]).ok()?;
            self.i += 1;
            return Some(Cow::Borrowed(s));
        }
        // Escapes (e.g. the \u0001 property separators): copy plain runs whole in between.
        // The escaped text is at least as long as what it decodes to.
        let mut end = self.i;
        while let Some(&c) = self.b.get(end) {
            match c {
                b'"' => break,
                b'\\' => end += 2,
                _ => end += 1,
            }
        }
        let mut out = Vec::with_capacity(end.min(self.b.len()) - start);
        out.extend_from_slice(&self.b[start..self.i]);
        loop {
            match self.peek()? {
                b'"' => {
                    self.i += 1;
                    return String::from_utf8(out).ok().map(Cow::Owned);
                }
                b'\\' => self.escape(&mut out)?,
                _ => return None,
            }
            let run = self.i;
            self.plain_run();
            out.extend_from_slice(&self.b[run..self.i]);
        }
    }

    /// Skips bytes that stand for themselves in a string (all but `"`, `\\` and controls).
    fn plain_run(&mut self) {
        while let Some(&c) = self.b.get(self.i) {
            if c == b'"' || c == b'\\' || c < 0x20 {
                return;
            }
            self.i += 1;
        }
    }

    /// One backslash escape, appended to `out` as UTF-8.
    fn escape(&mut self, out: &mut Vec<u8>) -> Option<()> {
        self.i += 1;
        let c = match *self.b.get(self.i)? {
            b'"' => b'"',
            b'\\' => b'\\',
            b'/' => b'/',
            b'b' => 0x08,
            b'f' => 0x0C,
            b'n' => b'\n',
            b'r' => b'\r',
            b't' => b'\t',
            b'u' => {
                self.i += 1;
                let hi = self.hex4()?;
                let code = match hi {
                    0xD800..=0xDBFF => {
                        self.literal(b"\\u")?;
                        let lo = self.hex4()?;
                        if !(0xDC00..=0xDFFF).contains(&lo) {
                            return None;
                        }
                        0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00)
                    }
                    0xDC00..=0xDFFF => return None,
                    _ => hi,
                };
                let mut buf = [0u8; 4];
                out.extend_from_slice(char::from_u32(code)?.encode_utf8(&mut buf).as_bytes());
                return Some(());
            }
            _ => return None,
        };
        self.i += 1;
        out.push(c);
        Some(())
    }

    fn hex4(&mut self) -> Option<u32> {
        let digits = self.b.get(self.i..self.i + 4)?;
        let mut v = 0u32;
        for &d in digits {
            v = v * 16 + char::from(d).to_digit(16)?;
        }
        self.i += 4;
        Some(v)
    }

    /// `json_header::lenient_ext`: null or a flat object; null entries are skipped, the last
    /// of repeated keys wins.
    fn ext_fields(&mut self) -> Option<ExtFields> {
        // Room for the 14 fields of a send without a rehash.
        let mut out = ExtFields::with_capacity_and_hasher(16, Default::default());
        if self.peek()? == b'n' {
            self.literal(b"null")?;
            return Some(out);
        }
        self.eat(b'{')?;
        self.ws();
        if self.peek()? == b'}' {
            self.i += 1;
            return Some(out);
        }
        out.reserve(16);
        loop {
            let key = self.string()?;
            self.ws();
            self.eat(b':')?;
            self.ws();
            if let Some(v) = self.scalar()?.into_string() {
                out.insert(key.into_owned(), v);
            }
            self.ws();
            match self.peek()? {
                b',' => {
                    self.i += 1;
                    self.ws();
                }
                b'}' => {
                    self.i += 1;
                    return Some(out);
                }
                _ => return None,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn common_headers_take_the_fast_path() {
        let h = br#"{"code":310,"extFields":{"a":"PG","i":"UNIQ_KEY\u0001AB\u0002WAIT\u0001true","d":4,"k":false,"x":null},"flag":0,"language":"JAVA","opaque":-7,"serializeTypeCurrentRPC":"JSON","version":407}"#;
        let c = decode(h).expect("fast path");
        assert_eq!((c.code, c.flag, c.opaque, c.version), (310, 0, -7, 407));
        assert_eq!(c.language, LanguageCode::Java);
        assert_eq!(c.ext("i"), Some("UNIQ_KEY\u{1}AB\u{2}WAIT\u{1}true"));
        assert_eq!(c.ext("d"), Some("4"));
        assert_eq!(c.ext("k"), Some("false"));
        assert_eq!(c.ext("x"), None);
        let e = decode(br#" { } "#).expect("empty object");
        assert_eq!(e, RemotingCommand::default());
    }

    #[test]
    fn unusual_input_is_left_to_serde() {
        for h in [
            &br#"{"code":1,"code":2}"#[..],
            br#"{"code":1.0}"#,
            br#"{"code":-0}"#,
            br#"{"code":01}"#,
            br#"{"extFields":{"a":{"b":1}}}"#,
            br#"{"code":1,}"#,
            br#"{"code":1} x"#,
            br#"{"remark":"\ud800"}"#,
            br#"{"remark":"a\x"}"#,
            br#"[1]"#,
            br#"{"x":[1]}"#,
            br#"{"extFields":{"a":12345678901234567890}}"#,
        ] {
            assert!(decode(h).is_none(), "{}", String::from_utf8_lossy(h));
        }
    }

    #[test]
    fn escapes_and_surrogates_decode() {
        let c = decode(br#"{"remark":"a\"\\\/\b\f\n\r\t\u00e9\ud83d\ude00z"}"#).unwrap();
        assert_eq!(c.remark.as_deref(), Some("a\"\\/\u{8}\u{c}\n\r\té😀z"));
    }
}
