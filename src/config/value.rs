//! Conversion of property strings into typed values, and back for `render_effective`.
//!
//! Each conversion either succeeds or says what it expected; the loader turns that into a
//! [`ConfigError::InvalidValue`](super::ConfigError) naming the file, line, key and value.
//! Values reach these functions already trimmed. Integers follow Java's ranges: a Java `int`
//! field accepts `0..=2147483647` here (negative values make no sense for any key we type as
//! unsigned), a Java `long` `0..=9223372036854775807`.

use std::fmt;
use std::net::IpAddr;
use std::path::PathBuf;
use std::str::FromStr;

/// A type a property value can be converted to.
pub(crate) trait ConfValue: Sized {
    /// Parses a trimmed value; `Err` carries what was expected ("an integer in 0..=65535").
    fn parse_conf(raw: &str) -> Result<Self, String>;
    /// The value as it would be written in a properties file.
    fn render_conf(&self) -> String;
}

impl ConfValue for String {
    fn parse_conf(raw: &str) -> Result<Self, String> {
        Ok(raw.to_owned())
    }
    fn render_conf(&self) -> String {
        self.clone()
    }
}

/// An empty value means "not set", as for Java's null-defaulted String fields.
impl ConfValue for Option<String> {
    fn parse_conf(raw: &str) -> Result<Self, String> {
        Ok((!raw.is_empty()).then(|| raw.to_owned()))
    }
    fn render_conf(&self) -> String {
        self.clone().unwrap_or_default()
    }
}

impl ConfValue for PathBuf {
    fn parse_conf(raw: &str) -> Result<Self, String> {
        if raw.is_empty() {
            return Err("a non-empty path".into());
        }
        Ok(PathBuf::from(raw))
    }
    fn render_conf(&self) -> String {
        self.display().to_string()
    }
}

impl ConfValue for Option<PathBuf> {
    fn parse_conf(raw: &str) -> Result<Self, String> {
        Ok((!raw.is_empty()).then(|| PathBuf::from(raw)))
    }
    fn render_conf(&self) -> String {
        self.as_ref()
            .map(|p| p.display().to_string())
            .unwrap_or_default()
    }
}

/// Only `true` and `false` (any case). Java treats every other text as `false`; we reject it.
impl ConfValue for bool {
    fn parse_conf(raw: &str) -> Result<Self, String> {
        if raw.eq_ignore_ascii_case("true") {
            Ok(true)
        } else if raw.eq_ignore_ascii_case("false") {
            Ok(false)
        } else {
            Err("true or false".into())
        }
    }
    fn render_conf(&self) -> String {
        self.to_string()
    }
}

fn parse_int(raw: &str, max: u64) -> Result<u64, String> {
    let expected = || format!("an integer in 0..={max}");
    let digits = raw.strip_prefix('+').unwrap_or(raw);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(expected());
    }
    match digits.parse::<u64>() {
        Ok(n) if n <= max => Ok(n),
        _ => Err(expected()),
    }
}

impl ConfValue for u16 {
    fn parse_conf(raw: &str) -> Result<Self, String> {
        parse_int(raw, u64::from(u16::MAX)).map(|n| n as u16)
    }
    fn render_conf(&self) -> String {
        self.to_string()
    }
}

impl ConfValue for Option<u16> {
    fn parse_conf(raw: &str) -> Result<Self, String> {
        if raw.is_empty() {
            return Ok(None);
        }
        u16::parse_conf(raw).map(Some)
    }
    fn render_conf(&self) -> String {
        self.map(|v| v.to_string()).unwrap_or_default()
    }
}

/// Java `int` fields.
impl ConfValue for u32 {
    fn parse_conf(raw: &str) -> Result<Self, String> {
        parse_int(raw, i32::MAX as u64).map(|n| n as u32)
    }
    fn render_conf(&self) -> String {
        self.to_string()
    }
}

/// Java `long` fields (and milliseconds).
impl ConfValue for u64 {
    fn parse_conf(raw: &str) -> Result<Self, String> {
        parse_int(raw, i64::MAX as u64)
    }
    fn render_conf(&self) -> String {
        self.to_string()
    }
}

impl ConfValue for Option<u64> {
    fn parse_conf(raw: &str) -> Result<Self, String> {
        if raw.is_empty() {
            return Ok(None);
        }
        u64::parse_conf(raw).map(Some)
    }
    fn render_conf(&self) -> String {
        self.map(|v| v.to_string()).unwrap_or_default()
    }
}

impl ConfValue for IpAddr {
    fn parse_conf(raw: &str) -> Result<Self, String> {
        raw.parse()
            .map_err(|_| "an IP address such as 0.0.0.0 or 127.0.0.1".into())
    }
    fn render_conf(&self) -> String {
        self.to_string()
    }
}

/// Why an enum value was not recognised (lists the valid spellings).
fn one_of(valid: &[&str]) -> String {
    format!("one of {}", valid.join(", "))
}

/// `brokerRole`: Java `BrokerRole`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum BrokerRole {
    /// Answers sends without waiting for slaves.
    #[default]
    AsyncMaster,
    /// Answers sends once a slave acknowledged them (or `slaveTimeout`).
    SyncMaster,
    /// Replicates a master; refuses sends.
    Slave,
}

impl BrokerRole {
    pub const ALL: [BrokerRole; 3] = [Self::AsyncMaster, Self::SyncMaster, Self::Slave];

    /// The Java spelling (`ASYNC_MASTER`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::AsyncMaster => "ASYNC_MASTER",
            Self::SyncMaster => "SYNC_MASTER",
            Self::Slave => "SLAVE",
        }
    }

    pub fn is_master(self) -> bool {
        self != Self::Slave
    }
}

impl fmt::Display for BrokerRole {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Exact Java spelling, like `BrokerRole.valueOf`.
impl FromStr for BrokerRole {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Self::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| one_of(&Self::ALL.map(Self::as_str)))
    }
}

impl ConfValue for BrokerRole {
    fn parse_conf(raw: &str) -> Result<Self, String> {
        raw.parse()
    }
    fn render_conf(&self) -> String {
        self.as_str().into()
    }
}

/// `flushDiskType`: Java `FlushDiskType`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum FlushDiskType {
    /// Flush in the background every `flushIntervalCommitLog`.
    #[default]
    AsyncFlush,
    /// Answer a send only after its bytes are on disk (group commit).
    SyncFlush,
}

impl FlushDiskType {
    pub const ALL: [FlushDiskType; 2] = [Self::AsyncFlush, Self::SyncFlush];

    /// The Java spelling (`ASYNC_FLUSH`, `SYNC_FLUSH`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::AsyncFlush => "ASYNC_FLUSH",
            Self::SyncFlush => "SYNC_FLUSH",
        }
    }
}

impl fmt::Display for FlushDiskType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Exact Java spelling, like `FlushDiskType.valueOf`.
impl FromStr for FlushDiskType {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Self::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| one_of(&Self::ALL.map(Self::as_str)))
    }
}

impl ConfValue for FlushDiskType {
    fn parse_conf(raw: &str) -> Result<Self, String> {
        raw.parse()
    }
    fn render_conf(&self) -> String {
        self.as_str().into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers_follow_java_ranges() {
        assert_eq!(u32::parse_conf("+42"), Ok(42));
        assert_eq!(u32::parse_conf("2147483647"), Ok(i32::MAX as u32));
        assert!(u32::parse_conf("2147483648").is_err());
        assert!(u32::parse_conf("-1").is_err());
        assert!(u16::parse_conf("65536").is_err());
        assert!(u64::parse_conf("1e3").is_err());
        assert!(u64::parse_conf("").is_err());
    }

    #[test]
    fn enums_list_valid_spellings() {
        let err = BrokerRole::parse_conf("MASTER").unwrap_err();
        assert_eq!(err, "one of ASYNC_MASTER, SYNC_MASTER, SLAVE");
        assert_eq!(
            FlushDiskType::parse_conf("SYNC_FLUSH"),
            Ok(FlushDiskType::SyncFlush)
        );
        assert!(FlushDiskType::parse_conf("sync_flush").is_err());
    }

    #[test]
    fn booleans_are_strict() {
        assert_eq!(bool::parse_conf("TRUE"), Ok(true));
        assert_eq!(bool::parse_conf("false"), Ok(false));
        assert_eq!(bool::parse_conf("yes"), Err("true or false".into()));
    }
}
