//! Why an HA connection ended. Every variant names the peer so that the log line that closes a
//! connection says who and why; none of them is fatal beyond its own connection.

use crate::store::StoreError;

/// An HA connection failure (master or slave side).
#[derive(Debug, thiserror::Error)]
pub enum HaError {
    #[error("I/O with {peer}: {source}")]
    Io {
        peer: String,
        #[source]
        source: std::io::Error,
    },
    #[error("bad hello from {peer}: {reason}")]
    BadHello { peer: String, reason: String },
    #[error("slave {peer} refused: {reason}")]
    Unauthenticated { peer: String, reason: String },
    #[error("slave {peer} belongs to {got}, this master to {expected}")]
    WrongIdentity {
        peer: String,
        expected: String,
        got: String,
    },
    #[error("slave {peer} reported offset {offset} beyond the master's max offset {max}")]
    ReportBeyondMax { peer: String, offset: i64, max: i64 },
    #[error("slave {peer} wants offset {offset}, no longer on the master (min offset {min})")]
    OffsetGone { peer: String, offset: i64, min: i64 },
    #[error("nothing read from {peer} for {secs} s")]
    Silent { peer: String, secs: u64 },
    #[error("bad frame from {peer}: {reason}")]
    BadFrame { peer: String, reason: String },
    #[error("master {peer} sent offset {got}, this slave expected {expected}")]
    OffsetMismatch {
        peer: String,
        expected: i64,
        got: i64,
    },
    #[error("appending replicated bytes from {peer} at {offset}: {source}")]
    Append {
        peer: String,
        offset: i64,
        #[source]
        source: StoreError,
    },
    #[error("the store writer is not reachable")]
    WriterGone,
    #[error("binding the HA listener on {addr}: {source}")]
    Bind {
        addr: String,
        #[source]
        source: std::io::Error,
    },
    #[error("HA service shut down")]
    ShutDown,
}

impl HaError {
    pub fn io(peer: &str, source: std::io::Error) -> Self {
        HaError::Io {
            peer: peer.to_string(),
            source,
        }
    }
}
