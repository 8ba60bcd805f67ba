//! Errors of the on-disk store. Every variant carries the file, offset or limit it is about,
//! so a failed put or a failed recovery can be diagnosed from the log line alone.

use std::path::PathBuf;

/// Everything the store can fail with.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// An I/O call on a store file failed.
    #[error("I/O error on {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// A mapped file on disk does not have the configured size (RocketMQ refuses to start).
    #[error("file {path} has size {actual}, expected {expected}")]
    BadFileSize {
        path: PathBuf,
        actual: u64,
        expected: u64,
    },
    /// A file name in a queue directory is not a 20-digit offset.
    #[error("unexpected file name {path} in a mapped-file directory")]
    BadFileName { path: PathBuf },
    /// The message breaks a store limit (RocketMQ MESSAGE_ILLEGAL, response code 13).
    #[error("message illegal: {0}")]
    MessageIllegal(String),
    /// The properties string is longer than 32767 bytes (PROPERTIES_SIZE_EXCEEDED, code 13).
    #[error("properties size {size} exceeds {limit}")]
    PropertiesSizeExceeded { size: usize, limit: usize },
    /// The commit-log disk is too full to accept writes (SERVICE_NOT_AVAILABLE, code 14).
    #[error("disk full: {path} is {ratio:.3} used, limit {limit:.3}")]
    DiskFull {
        path: PathBuf,
        ratio: f64,
        limit: f64,
    },
    /// A record could not be decoded.
    #[error("corrupt record at commit-log offset {offset}: {reason}")]
    Corrupt { offset: i64, reason: String },
    /// A batch body sent by a producer could not be split into messages.
    #[error("bad batch body at byte {at}: {reason}")]
    BadBatch { at: usize, reason: String },
    /// Replicated bytes do not start where the local commit log ends.
    #[error("raw append at offset {offset} but the commit log ends at {expected}")]
    RawOffsetMismatch { offset: i64, expected: i64 },
    /// Replicated bytes do not consist of whole records (or cross a file boundary).
    #[error("raw append at offset {offset}: {reason}")]
    RawNotAligned { offset: i64, reason: String },
    /// Another process (a broker of ours or Java's) holds the store's lock file (Java:
    /// "Lock failed,MQ already started").
    #[error("Lock failed,MQ already started: {path} is locked by another process")]
    Locked { path: PathBuf },
    /// The store was shut down; no more writes.
    #[error("store is shut down")]
    ShutDown,
    /// An earlier write or flush failed; the store refuses writes until restarted.
    #[error("store is read-only: {0}")]
    ReadOnly(String),
}

impl StoreError {
    /// Wraps an I/O error with the path it concerns.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        StoreError::Io {
            path: path.into(),
            source,
        }
    }

    /// True for failures of the disk itself (as opposed to a bad request).
    pub fn is_io(&self) -> bool {
        matches!(self, StoreError::Io { .. } | StoreError::BadFileSize { .. })
    }
}

/// Shorthand used all over the store.
pub type StoreResult<T> = Result<T, StoreError>;
