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
    /// The file system could not back a region of a store file (ENOSPC / EDQUOT): the write
    /// that needed it is refused before any byte is written (SERVICE_NOT_AVAILABLE, code 14).
    /// Not a disk failure: writes resume once space returns (docs/disk-full.md).
    #[error("no space left for {path}{}: {source}", space_detail(*.offset, *.len, *.file_size))]
    NoSpace {
        path: PathBuf,
        offset: u64,
        len: u64,
        file_size: u64,
        #[source]
        source: std::io::Error,
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
    /// Stored records could not be dispatched to their consume queues for so long that the
    /// backlog is full: no more puts until dispatch succeeds again (SYSTEM_ERROR, retried).
    #[error("{pending} stored records wait for dispatch; refusing writes: {reason}")]
    DispatchStalled { pending: usize, reason: String },
    /// An append did not fit where the file list said it would, or the write into the mapped
    /// file failed; nothing was written (a put answers Java's UNKNOWN_ERROR).
    #[error("appending {len} bytes at offset {offset} of {path} failed: nothing was written")]
    AppendFailed {
        path: PathBuf,
        offset: u64,
        len: usize,
    },
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
    /// Wraps an I/O error with the path it concerns. Running out of space (ENOSPC, EDQUOT) is
    /// [`StoreError::NoSpace`], not a disk failure.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        if is_out_of_space(&source) {
            return StoreError::NoSpace {
                path: path.into(),
                offset: 0,
                len: 0,
                file_size: 0,
                source,
            };
        }
        StoreError::Io {
            path: path.into(),
            source,
        }
    }

    /// True when the file system ran out of space (the put is refused, the store stays
    /// writable for later puts).
    pub fn is_no_space(&self) -> bool {
        matches!(
            self,
            StoreError::NoSpace { .. } | StoreError::DiskFull { .. }
        )
    }

    /// True for failures of the disk itself (as opposed to a bad request).
    pub fn is_io(&self) -> bool {
        matches!(self, StoreError::Io { .. } | StoreError::BadFileSize { .. })
    }
}

/// The allocation a `NoSpace` was about, when known (`len` 0: a plain write or a new file).
fn space_detail(offset: u64, len: u64, file_size: u64) -> String {
    if len == 0 {
        String::new()
    } else {
        format!(": cannot allocate {len} bytes at {offset} (file size {file_size})")
    }
}

/// ENOSPC or EDQUOT.
pub fn is_out_of_space(e: &std::io::Error) -> bool {
    matches!(e.raw_os_error(), Some(libc::ENOSPC) | Some(libc::EDQUOT))
}

/// Shorthand used all over the store.
pub type StoreResult<T> = Result<T, StoreError>;
