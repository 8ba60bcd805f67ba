//! Why a configuration could not be loaded. Every variant names where the problem is (file and
//! line, environment variable, or code) so an operator can fix it without guessing.

use std::path::PathBuf;

use thiserror::Error;

use super::Source;

/// A configuration that cannot be used. Problems Java would silently fix up (a master's
/// brokerId, an out-of-range diskMaxUsedSpaceRatio, ...) are warnings in
/// [`Loaded::warnings`](super::Loaded), not errors.
#[derive(Debug, Error)]
pub enum ConfigError {
    /// The properties file does not exist.
    #[error("config file {} not found", path.display())]
    NotFound { path: PathBuf },
    /// The properties file exists but could not be read.
    #[error("cannot read config file {}: {source}", path.display())]
    Unreadable {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// The file is not valid properties syntax (a malformed `\uXXXX` escape).
    #[error("{}:{line}: {message}", path.display())]
    Syntax {
        path: PathBuf,
        line: usize,
        message: String,
    },
    /// A key has a value we cannot use.
    #[error("{origin}: invalid value {value:?} for `{key}`: expected {expected}")]
    InvalidValue {
        /// Where the value came from (file and line, environment variable, ...).
        origin: Source,
        /// The RocketMQ (camelCase) key.
        key: String,
        /// The value as written.
        value: String,
        /// What would have been accepted.
        expected: String,
    },
    /// The `config` crate failed in a way not covered above.
    #[error("configuration could not be assembled: {0}")]
    Backend(#[source] config::ConfigError),
}

impl ConfigError {
    /// The key concerned, if the error is about one key.
    pub fn key(&self) -> Option<&str> {
        match self {
            Self::InvalidValue { key, .. } => Some(key),
            _ => None,
        }
    }

    /// The 1-based line concerned, if the error points into a file.
    pub fn line(&self) -> Option<usize> {
        match self {
            Self::Syntax { line, .. } => Some(*line),
            Self::InvalidValue {
                origin: Source::File { line, .. },
                ..
            } => Some(*line),
            _ => None,
        }
    }

    pub(crate) fn invalid(
        origin: Source,
        key: &str,
        value: impl Into<String>,
        expected: impl Into<String>,
    ) -> Self {
        Self::InvalidValue {
            origin,
            key: key.to_owned(),
            value: value.into(),
            expected: expected.into(),
        }
    }
}
