//! Errors of the high-level client (producer, consumers, admin, name-server lookups).
//!
//! Transport failures keep the [`ClientError`] of the remoting layer (which names the peer);
//! everything a server answered carries the peer address, the request code and the response
//! code/remark, because a client process talks to several brokers at once and "code 17" alone
//! does not say which one refused what.

use thiserror::Error;

use super::error::ClientError;

/// Why a high-level client call failed.
#[derive(Debug, Error)]
pub enum MqError {
    /// The connection or the call itself failed (connect, timeout, closed).
    #[error(transparent)]
    Remoting(#[from] ClientError),
    /// The server answered with a non-success code.
    #[error("{addr} answered request {request} with code {code}: {remark}")]
    Response {
        addr: String,
        request: i32,
        code: i32,
        remark: String,
    },
    /// The server answered success but the answer could not be understood.
    #[error("{addr} sent a malformed answer to request {request}: {reason}")]
    BadResponse {
        addr: String,
        request: i32,
        reason: String,
    },
    /// No usable route for a topic (no writable/readable queue, or no broker address).
    #[error("no usable route for topic {topic}: {reason}")]
    NoRoute { topic: String, reason: String },
    /// A broker name is in a route but none of its addresses is known.
    #[error("no address known for broker {broker_name}")]
    NoBrokerAddr { broker_name: String },
    /// The name-server address list is empty.
    #[error("no name server address configured")]
    NoNameServer,
    /// The message or argument was refused before anything was sent.
    #[error("invalid argument: {0}")]
    InvalidArgument(String),
    /// The producer or consumer was used before `start()` or after shutdown.
    #[error("{0} is not running")]
    NotRunning(&'static str),
}

impl MqError {
    /// The response code, when the server answered with one.
    pub fn response_code(&self) -> Option<i32> {
        match self {
            MqError::Response { code, .. } => Some(*code),
            _ => None,
        }
    }

    /// Builds a [`MqError::BadResponse`].
    pub fn bad(addr: &str, request: i32, reason: impl Into<String>) -> Self {
        MqError::BadResponse {
            addr: addr.to_owned(),
            request,
            reason: reason.into(),
        }
    }
}

/// Turns a non-success response into [`MqError::Response`].
pub fn expect_success(
    addr: &str,
    request: i32,
    resp: crate::codec::RemotingCommand,
) -> Result<crate::codec::RemotingCommand, MqError> {
    if resp.code == crate::codec::codes::response::SUCCESS {
        Ok(resp)
    } else {
        Err(response_error(addr, request, &resp))
    }
}

/// The [`MqError::Response`] describing `resp`.
pub fn response_error(addr: &str, request: i32, resp: &crate::codec::RemotingCommand) -> MqError {
    MqError::Response {
        addr: addr.to_owned(),
        request,
        code: resp.code,
        remark: resp.remark.clone().unwrap_or_default(),
    }
}
