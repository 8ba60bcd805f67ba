//! Java `.properties` files: a parser that follows `java.util.Properties.load` and a
//! [`config::Format`] so the `config` crate can read broker.properties files.
//!
//! Syntax accepted (as in Java):
//! - natural lines end with `\n`, `\r\n` or `\r`; leading spaces, tabs and form feeds are skipped;
//! - a line whose first non-blank character is `#` or `!` is a comment (even if it ends with `\`);
//! - a line ending in an odd number of backslashes continues on the next natural line, whose
//!   leading blanks are skipped (a continuation line starting with `#` is *not* a comment);
//! - the key ends at the first unescaped `=`, `:` or blank; blanks around one `=`/`:` are skipped;
//! - escapes `\t \n \r \f \uXXXX` (surrogate pairs combine), and `\c` = `c` for any other `c`;
//!   a malformed `\uXXXX` is an error, as in Java;
//! - trailing blanks are kept in values, as Java keeps them. The typed layer
//!   ([`crate::config`]) trims them (with a warning) instead of failing on them like Java's
//!   number parsing does.
//!
//! Differences from Java: files are read as UTF-8 (Java reads ISO-8859-1, which only matters for
//! non-ASCII text, normally found in comments), and a UTF-8 byte-order mark is skipped.

use std::collections::BTreeSet;
use std::error::Error;
use std::sync::{Arc, Mutex};

use config::{FileStoredFormat, Format, Map, Value, ValueKind};
use thiserror::Error;

/// One `key=value` pair with the 1-based line on which its logical line starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PropEntry {
    pub key: String,
    pub value: String,
    pub line: usize,
}

/// A parsed properties text: every pair in file order (duplicates kept; the last one wins).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Properties {
    pub entries: Vec<PropEntry>,
}

impl Properties {
    /// The value Java would see for `key` (last occurrence wins).
    pub fn get(&self, key: &str) -> Option<&str> {
        self.entry(key).map(|e| e.value.as_str())
    }

    /// The winning entry for `key` (last occurrence), with its line.
    pub fn entry(&self, key: &str) -> Option<&PropEntry> {
        self.entries.iter().rev().find(|e| e.key == key)
    }

    /// The line of the winning entry for `key`.
    pub fn line_of(&self, key: &str) -> Option<usize> {
        self.entry(key).map(|e| e.line)
    }
}

/// A properties text Java's `Properties.load` would reject.
#[derive(Debug, Clone, Error, PartialEq, Eq)]
#[error("line {line}: {message}")]
pub struct PropertiesError {
    pub line: usize,
    pub message: String,
}

/// Parses a properties text (see the module docs for the accepted syntax).
pub fn parse_properties(text: &str) -> Result<Properties, PropertiesError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut entries = Vec::new();
    let mut lines = natural_lines(text).peekable();
    while let Some((line_no, first)) = lines.next() {
        let first = skip_blanks(first);
        if first.is_empty() || first.starts_with('#') || first.starts_with('!') {
            continue;
        }
        // Join continuation lines into one logical line.
        let mut logical = String::from(first);
        while ends_with_odd_backslashes(&logical) {
            logical.pop();
            match lines.next() {
                Some((_, next)) => logical.push_str(skip_blanks(next)),
                None => break,
            }
        }
        entries.push(split_entry(&logical, line_no)?);
    }
    Ok(Properties { entries })
}

/// Yields `(1-based line number, line without terminator)` for `\n`, `\r\n` and `\r` endings.
fn natural_lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    let mut rest = text;
    let mut line_no = 0usize;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        line_no += 1;
        let end = rest.find(['\n', '\r']).unwrap_or(rest.len());
        let line = &rest[..end];
        let after = &rest[end..];
        rest = if let Some(r) = after.strip_prefix("\r\n") {
            r
        } else if let Some(r) = after
            .strip_prefix('\n')
            .or_else(|| after.strip_prefix('\r'))
        {
            r
        } else {
            after
        };
        Some((line_no, line))
    })
}

fn is_blank(c: char) -> bool {
    c == ' ' || c == '\t' || c == '\u{000c}'
}

fn skip_blanks(s: &str) -> &str {
    s.trim_start_matches(is_blank)
}

fn ends_with_odd_backslashes(s: &str) -> bool {
    s.chars().rev().take_while(|&c| c == '\\').count() % 2 == 1
}

/// Splits a logical line (leading blanks removed, continuations joined) into key and value.
fn split_entry(logical: &str, line: usize) -> Result<PropEntry, PropertiesError> {
    let chars: Vec<char> = logical.chars().collect();
    let mut key_end = chars.len();
    let mut value_start = chars.len();
    let mut has_sep = false;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '\\' {
            i += 2; // the escaped character never ends the key
            continue;
        }
        if c == '=' || c == ':' {
            key_end = i;
            value_start = i + 1;
            has_sep = true;
            break;
        }
        if is_blank(c) {
            key_end = i;
            value_start = i + 1;
            break;
        }
        i += 1;
    }
    let mut v = value_start.min(chars.len());
    while v < chars.len() {
        let c = chars[v];
        if is_blank(c) {
            v += 1;
        } else if !has_sep && (c == '=' || c == ':') {
            has_sep = true;
            v += 1;
        } else {
            break;
        }
    }
    let key_end = key_end.min(chars.len());
    let key = unescape(&chars[..key_end], line)?;
    let value = unescape(&chars[v..], line)?;
    Ok(PropEntry { key, value, line })
}

/// Resolves backslash escapes the way `Properties.loadConvert` does.
fn unescape(chars: &[char], line: usize) -> Result<String, PropertiesError> {
    let mut out = String::with_capacity(chars.len());
    let mut pending_high: Option<u16> = None;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        i += 1;
        if c != '\\' {
            flush_surrogate(&mut out, &mut pending_high);
            out.push(c);
            continue;
        }
        let Some(&e) = chars.get(i) else {
            break; // a lone trailing backslash is dropped, as in Java
        };
        i += 1;
        if e != 'u' {
            flush_surrogate(&mut out, &mut pending_high);
            out.push(match e {
                't' => '\t',
                'n' => '\n',
                'r' => '\r',
                'f' => '\u{000c}',
                other => other,
            });
            continue;
        }
        let digits: String = chars.iter().skip(i).take(4).collect();
        let unit = if digits.len() == 4 && digits.chars().all(|d| d.is_ascii_hexdigit()) {
            u16::from_str_radix(&digits, 16).ok()
        } else {
            None
        };
        let Some(unit) = unit else {
            return Err(PropertiesError {
                line,
                message: format!("malformed \\uxxxx escape: \\u{digits}"),
            });
        };
        i += 4;
        push_utf16(&mut out, &mut pending_high, unit);
    }
    flush_surrogate(&mut out, &mut pending_high);
    Ok(out)
}

fn push_utf16(out: &mut String, pending_high: &mut Option<u16>, unit: u16) {
    if (0xD800..0xDC00).contains(&unit) {
        flush_surrogate(out, pending_high);
        *pending_high = Some(unit);
        return;
    }
    if (0xDC00..0xE000).contains(&unit) {
        if let Some(high) = pending_high.take() {
            let decoded = char::decode_utf16([high, unit]).next();
            out.push(decoded.and_then(Result::ok).unwrap_or('\u{fffd}'));
        } else {
            out.push('\u{fffd}');
        }
        return;
    }
    flush_surrogate(out, pending_high);
    out.push(char::from_u32(u32::from(unit)).unwrap_or('\u{fffd}'));
}

fn flush_surrogate(out: &mut String, pending_high: &mut Option<u16>) {
    if pending_high.take().is_some() {
        out.push('\u{fffd}');
    }
}

/// [`config::Format`] for `.properties` files.
///
/// Every value is a string. The `config` crate lower-cases keys and treats `.` and `[n]` in keys
/// as paths, so a format built with [`PropertiesFormat::only_keys`] passes on only the listed
/// (lower-cased) keys; the full parse, with original spelling and line numbers, is kept in
/// [`PropertiesFormat::parsed`] for error messages and warnings.
#[derive(Debug, Clone, Default)]
pub struct PropertiesFormat {
    origin: Option<String>,
    only: Option<Arc<BTreeSet<String>>>,
    parsed: Arc<Mutex<Option<Properties>>>,
}

impl PropertiesFormat {
    /// A format passing every key through.
    pub fn new() -> Self {
        Self::default()
    }

    /// Passes on only these keys (compared lower-cased); other keys stay visible in `parsed()`.
    pub fn only_keys(mut self, keys: BTreeSet<String>) -> Self {
        self.only = Some(Arc::new(keys));
        self
    }

    /// Sets the origin recorded in each [`Value`] (normally the file path).
    pub fn origin(mut self, origin: impl Into<String>) -> Self {
        self.origin = Some(origin.into());
        self
    }

    /// The last text parsed through this format (shared between clones).
    pub fn parsed(&self) -> Option<Properties> {
        self.parsed.lock().ok().and_then(|p| p.clone())
    }
}

impl Format for PropertiesFormat {
    fn parse(
        &self,
        uri: Option<&String>,
        text: &str,
    ) -> Result<Map<String, Value>, Box<dyn Error + Send + Sync>> {
        let props = parse_properties(text)?;
        let origin = self.origin.as_ref().or(uri);
        let mut map = Map::new();
        for entry in &props.entries {
            let key = entry.key.to_lowercase();
            if let Some(only) = &self.only {
                if !only.contains(&key) {
                    continue;
                }
            }
            map.insert(
                key,
                Value::new(origin, ValueKind::String(entry.value.clone())),
            );
        }
        if let Ok(mut slot) = self.parsed.lock() {
            *slot = Some(props);
        }
        Ok(map)
    }
}

impl FileStoredFormat for PropertiesFormat {
    fn file_extensions(&self) -> &'static [&'static str] {
        &["properties"]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crlf_and_cr_line_endings_count_lines() {
        let p = parse_properties("a=1\r\nb=2\rc=3\n").unwrap();
        let lines: Vec<_> = p.entries.iter().map(|e| (e.key.as_str(), e.line)).collect();
        assert_eq!(lines, [("a", 1), ("b", 2), ("c", 3)]);
    }

    #[test]
    fn surrogate_pair_escape_combines() {
        let p = parse_properties("k=\\uD83D\\uDE00").unwrap();
        assert_eq!(p.get("k"), Some("\u{1F600}"));
    }

    #[test]
    fn lone_trailing_backslash_at_eof_is_dropped() {
        let p = parse_properties("k=v\\").unwrap();
        assert_eq!(p.get("k"), Some("v"));
    }
}
