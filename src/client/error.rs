//! Errors of the project's remoting client. Every variant names the peer, because a client
//! process usually talks to several brokers and name servers at once.

use std::time::Duration;

use thiserror::Error;

use crate::codec::CodecError;

/// Why a remoting call failed.
#[derive(Debug, Error)]
pub enum ClientError {
    #[error("connecting to {peer} failed: {source}")]
    Connect {
        peer: String,
        #[source]
        source: std::io::Error,
    },
    #[error("connecting to {peer} timed out after {timeout:?}")]
    ConnectTimeout { peer: String, timeout: Duration },
    #[error("connection to {peer} is closed")]
    Closed { peer: String },
    #[error("request code {code} (opaque {opaque}) to {peer} timed out after {timeout:?}")]
    Timeout {
        peer: String,
        code: i32,
        opaque: i32,
        timeout: Duration,
    },
    #[error("cannot encode a command for {peer}: {source}")]
    Encode {
        peer: String,
        #[source]
        source: CodecError,
    },
}

impl ClientError {
    /// The address of the peer the failed call was for.
    pub fn peer(&self) -> &str {
        match self {
            ClientError::Connect { peer, .. }
            | ClientError::ConnectTimeout { peer, .. }
            | ClientError::Closed { peer }
            | ClientError::Timeout { peer, .. }
            | ClientError::Encode { peer, .. } => peer,
        }
    }
}
