//! Why an admin command failed, and how it is printed: like mqadmin's
//! `SubCommandException: XxxSubCommand command failed` with the broker's code and remark as
//! Java's `MQBrokerException` renders them (`CODE: 17  DESC: ...`).

use thiserror::Error;

use crate::client::MqError;

/// A failed admin command.
#[derive(Debug, Error)]
pub enum AdminError {
    /// The command line is wrong (missing or unknown option, bad number).
    #[error("{0}")]
    Usage(String),
    /// A server refused a call or could not be reached.
    #[error(transparent)]
    Mq(#[from] MqError),
    /// A local file could not be written or read.
    #[error("{path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    /// Anything else the command found wrong, with its explanation.
    #[error("{0}")]
    Failed(String),
}

impl AdminError {
    /// The `Caused by:` line: broker answers as Java's `CODE: n  DESC: remark`.
    pub fn cause_line(&self) -> String {
        match self {
            AdminError::Mq(MqError::Response {
                addr,
                request,
                code,
                remark,
            }) => format!("CODE: {code}  DESC: {remark} (request {request} to {addr})"),
            other => other.to_string(),
        }
    }

    /// An I/O error on `path`.
    pub fn io(path: impl Into<String>, source: std::io::Error) -> Self {
        AdminError::Io {
            path: path.into(),
            source,
        }
    }
}
