//! Typed, lenient access to a command's extFields, the flattened custom header.
//!
//! Java decodes custom headers by reflection: strings as is, numbers with `parseInt`/`parseLong`,
//! booleans with `parseBoolean`, and a missing `@CFNotNull` field fails the request with
//! SYSTEM_ERROR. These helpers give header decoders the same contract with a typed error whose
//! text can go straight into the SYSTEM_ERROR remark. We are a little more lenient than Java:
//! numbers may carry surrounding whitespace (some clients pad them) and booleans are
//! case-insensitive, but a value that is neither `true` nor `false` is an error rather than
//! Java's silent `false`, so bugs in clients surface instead of flipping flags.

use std::fmt;

use thiserror::Error;

use super::command::RemotingCommand;

/// What a header field was expected to hold (for [`HeaderError`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expected {
    Str,
    I32,
    I64,
    Bool,
}

impl fmt::Display for Expected {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Expected::Str => "a string",
            Expected::I32 => "a 32-bit integer",
            Expected::I64 => "a 64-bit integer",
            Expected::Bool => "true or false",
        })
    }
}

/// A custom-header field is missing or cannot be parsed.
///
/// `value` is `None` when the field is missing; the message then matches Java's
/// `"the custom field <topic> is null"` so clients see the remark they know.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{}", describe(.field, .value.as_deref(), *.expected))]
pub struct HeaderError {
    /// The extFields key.
    pub field: String,
    /// The raw value, `None` when absent.
    pub value: Option<String>,
    /// What the field should hold.
    pub expected: Expected,
}

fn describe(field: &str, value: Option<&str>, expected: Expected) -> String {
    match value {
        None => format!("the custom field <{field}> is null"),
        Some(v) => format!("the custom field <{field}> has value `{v}`, expected {expected}"),
    }
}

impl HeaderError {
    /// The error for a required field that is absent.
    pub fn missing(field: &str, expected: Expected) -> Self {
        HeaderError {
            field: field.to_owned(),
            value: None,
            expected,
        }
    }

    /// True when the field was absent (rather than malformed).
    pub fn is_missing(&self) -> bool {
        self.value.is_none()
    }
}

fn parse_i32(field: &str, v: &str) -> Result<i32, HeaderError> {
    v.trim()
        .parse()
        .map_err(|_| invalid(field, v, Expected::I32))
}

fn parse_i64(field: &str, v: &str) -> Result<i64, HeaderError> {
    v.trim()
        .parse()
        .map_err(|_| invalid(field, v, Expected::I64))
}

fn parse_bool(field: &str, v: &str) -> Result<bool, HeaderError> {
    let t = v.trim();
    if t.eq_ignore_ascii_case("true") {
        Ok(true)
    } else if t.eq_ignore_ascii_case("false") {
        Ok(false)
    } else {
        Err(invalid(field, v, Expected::Bool))
    }
}

fn invalid(field: &str, v: &str, expected: Expected) -> HeaderError {
    HeaderError {
        field: field.to_owned(),
        value: Some(v.to_owned()),
        expected,
    }
}

/// Typed extFields accessors. `header_*` require the field; `opt_header_*` return `Ok(None)`
/// when it is absent but still fail on a present, malformed value.
impl RemotingCommand {
    /// A required string field.
    pub fn header_str(&self, field: &str) -> Result<&str, HeaderError> {
        self.ext(field)
            .ok_or_else(|| HeaderError::missing(field, Expected::Str))
    }

    /// A required i32 field.
    pub fn header_i32(&self, field: &str) -> Result<i32, HeaderError> {
        parse_i32(
            field,
            self.ext(field)
                .ok_or_else(|| HeaderError::missing(field, Expected::I32))?,
        )
    }

    /// A required i64 field.
    pub fn header_i64(&self, field: &str) -> Result<i64, HeaderError> {
        parse_i64(
            field,
            self.ext(field)
                .ok_or_else(|| HeaderError::missing(field, Expected::I64))?,
        )
    }

    /// A required boolean field.
    pub fn header_bool(&self, field: &str) -> Result<bool, HeaderError> {
        parse_bool(
            field,
            self.ext(field)
                .ok_or_else(|| HeaderError::missing(field, Expected::Bool))?,
        )
    }

    /// An optional string field.
    pub fn opt_header_str(&self, field: &str) -> Option<&str> {
        self.ext(field)
    }

    /// An optional i32 field.
    pub fn opt_header_i32(&self, field: &str) -> Result<Option<i32>, HeaderError> {
        self.ext(field).map(|v| parse_i32(field, v)).transpose()
    }

    /// An optional i64 field.
    pub fn opt_header_i64(&self, field: &str) -> Result<Option<i64>, HeaderError> {
        self.ext(field).map(|v| parse_i64(field, v)).transpose()
    }

    /// An optional boolean field.
    pub fn opt_header_bool(&self, field: &str) -> Result<Option<bool>, HeaderError> {
        self.ext(field).map(|v| parse_bool(field, v)).transpose()
    }

    /// Sets one extFields entry in its Java text form (decimal numbers, `true`/`false`).
    pub fn put_ext(&mut self, key: &str, value: impl ToString) {
        self.ext_fields.insert(key.to_owned(), value.to_string());
    }

    /// Sets an extFields entry only when `value` is present, as Java skips null fields.
    pub fn put_ext_opt<T: ToString>(&mut self, key: &str, value: Option<T>) {
        if let Some(v) = value {
            self.put_ext(key, v);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cmd() -> RemotingCommand {
        RemotingCommand::request(10)
            .with_ext("topic", "T")
            .with_ext("queueId", " 3 ")
            .with_ext("offset", "-9000000000")
            .with_ext("flagT", "TRUE")
            .with_ext("flagF", "false")
            .with_ext("bad", "x1")
    }

    #[test]
    fn required_fields_parse_leniently() {
        let c = cmd();
        assert_eq!(c.header_str("topic"), Ok("T"));
        assert_eq!(c.header_i32("queueId"), Ok(3));
        assert_eq!(c.header_i64("offset"), Ok(-9_000_000_000));
        assert_eq!(c.header_bool("flagT"), Ok(true));
        assert_eq!(c.header_bool("flagF"), Ok(false));
    }

    #[test]
    fn missing_field_has_java_like_message() {
        let e = cmd().header_str("producerGroup").unwrap_err();
        assert!(e.is_missing());
        assert_eq!(e.to_string(), "the custom field <producerGroup> is null");
    }

    #[test]
    fn malformed_values_are_errors_even_when_optional() {
        let c = cmd();
        let e = c.header_i32("bad").unwrap_err();
        assert_eq!(e.value.as_deref(), Some("x1"));
        assert_eq!(e.expected, Expected::I32);
        assert!(c.opt_header_i64("bad").is_err());
        assert!(c.opt_header_bool("bad").is_err());
        assert_eq!(c.opt_header_i32("absent"), Ok(None));
        assert!(c.header_i32("offset").is_err(), "out of i32 range");
    }
}
