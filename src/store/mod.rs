//! The synchronous on-disk message store, byte-compatible with RocketMQ 4.9.7: commit log,
//! consume queues, index files, checkpoint, abort marker, recovery, cleanup. No actors and
//! no async here: the broker's actors own a [`MessageStore`] (the single writer) and share
//! [`StoreReader`] handles for reads, flushing and cleanup.

pub mod abort;
pub mod backing;
pub mod checkpoint;
pub mod cleanup;
pub mod commit_log;
pub mod config;
pub mod consume_queue;
pub mod cq_table;
pub mod dispatch;
pub mod dispatch_backlog;
pub mod dispatch_request;
pub mod error;
pub mod get_message;
pub mod index_file;
pub mod index_service;
pub mod live;
pub mod lock_file;
pub mod mapped_bytes;
pub mod mapped_file;
pub mod mapped_file_queue;
pub mod message;
pub mod message_store;
pub mod reader;
pub mod record;
pub mod recovery;
pub mod space;
pub mod time;

pub use cleanup::{CleanupReport, DiskUsage, FixedUsage, StatvfsUsage};
pub use config::StoreConfig;
pub use error::{StoreError, StoreResult};
pub use get_message::{GetMessageResult, GetMessageStatus};
pub use message::MessageInner;
pub use message_store::{MessageStore, PutResult, RawAppendResult};
pub use reader::{QueryMessageResult, StoreReader, StoreShared};
