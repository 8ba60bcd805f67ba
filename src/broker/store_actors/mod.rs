//! Actors around the synchronous store: the commit-log writer (the only writer) and the flush
//! service thread, both under the root supervisor. [`StoreHandle`] bundles what the broker's
//! processors need.

pub mod flush;
pub mod put_job;
pub mod put_queue;
pub mod writer;

use std::sync::Arc;

use actix::prelude::*;
use parking_lot::Mutex;
use slog::Logger;

#[cfg(feature = "failpoints")]
pub use crate::actors::supervisor::InjectFailure;
use crate::actors::supervisor::{RestartBook, RestartTracker, RootSupervisor, Slot, Supervise};
use crate::store::{MessageStore, StoreConfig, StoreError, StoreReader};
pub use flush::{FlushError, FlushHandle, FlushSettings, ReadOnly, FLUSH_COMPONENT};
pub use put_queue::{PutKind, PutMany, PutQueue, PutReply};
pub use writer::{
    AppendRaw, Arrival, ArrivalHook, ArrivalHooks, DropQueues, Put, PutBatch, QueueSweep, Shutdown,
    StoreWriter,
};

/// Everything the broker needs to write, read and flush.
#[derive(Clone)]
pub struct StoreHandle {
    pub writer: Slot<StoreWriter>,
    /// Client sends, batched per event-loop turn on their way to `writer`.
    pub puts: PutQueue,
    reader: Arc<Mutex<StoreReader>>,
    pub flush: FlushHandle,
    pub read_only: ReadOnly,
}

impl StoreHandle {
    /// The current read handle (replaced when the writer is rebuilt after a panic).
    pub fn reader(&self) -> StoreReader {
        self.reader.lock().clone()
    }

    /// Opens the store (running recovery) and starts the writer under `root` on its own
    /// arbiter, and the flush thread (also supervised, component [`FLUSH_COMPONENT`]).
    pub async fn start(
        cfg: StoreConfig,
        flush: FlushSettings,
        root: &Addr<RootSupervisor>,
        book: RestartBook,
        component: &str,
        on_arrival: ArrivalHook,
        log: Logger,
    ) -> Result<StoreHandle, StoreError> {
        // Open once here so that a broken store fails the start instead of looping restarts.
        let store = MessageStore::open(cfg.clone(), &log)?;
        let reader = Arc::new(Mutex::new(store.reader()));
        let read_only = ReadOnly::default();
        let first = Arc::new(Mutex::new(Some(store)));
        let wlog = log.new(slog::o!("component" => component.to_string()));
        let factory = {
            let (reader, read_only, wlog, name) = (
                reader.clone(),
                read_only.clone(),
                wlog.clone(),
                component.to_string(),
            );
            move || {
                let store = match first.lock().take() {
                    Some(s) => s,
                    // Rebuilt after a panic: reopen from disk; recovery keeps what was written.
                    None => match MessageStore::open(cfg.clone(), &wlog) {
                        Ok(s) => s,
                        Err(e) => {
                            slog::error!(wlog, "reopening the store failed; writer is read-only"; "error" => %e);
                            read_only.set(format!("reopen failed: {e}"));
                            return StoreWriter::detached(
                                read_only.clone(),
                                on_arrival.clone(),
                                RestartTracker::new(name.clone(), book.clone(), wlog.clone()),
                                wlog.clone(),
                            );
                        }
                    },
                };
                StoreWriter::new(
                    store,
                    &reader,
                    read_only.clone(),
                    on_arrival.clone(),
                    RestartTracker::new(name.clone(), book.clone(), wlog.clone()),
                    wlog.clone(),
                )
            }
        };
        let writer = root
            .send(Supervise {
                name: component.to_string(),
                arbiter: Arbiter::new().handle(),
                factory: Arc::new(factory),
            })
            .await
            .map_err(|_| StoreError::ShutDown)?;
        let flush = FlushHandle::start(reader.clone(), flush, root, log)
            .await
            .map_err(|_| StoreError::ShutDown)?;
        Ok(StoreHandle {
            puts: PutQueue::new(writer.clone()),
            writer,
            reader,
            flush,
            read_only,
        })
    }

    /// Clean shutdown: stop the writer (flush, checkpoint, remove the abort file), then the
    /// flush thread.
    pub async fn shutdown(&self) -> Result<(), StoreError> {
        let r = self
            .writer
            .get()
            .send(Shutdown)
            .await
            .unwrap_or(Err(StoreError::ShutDown));
        self.flush.stop();
        r
    }
}
