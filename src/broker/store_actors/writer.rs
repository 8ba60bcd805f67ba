//! The commit-log writer actor: the only writer of the store.
//!
//! It owns the `MessageStore` (`&mut` write side), assigns physical and queue offsets by
//! appending, and tells the broker about every arrival (for long polling and replication).
//! It runs on its own arbiter (a dedicated thread), so page faults and file roll-overs never
//! stall a connection's event loop.
//!
//! Failure handling: a failed append answers that one request with the error and, for I/O
//! errors, marks the store read-only with the reason (no later send can be acknowledged for data
//! that did not land). A failed dispatch after a successful append is not a failed put: the
//! store retries it (before the next put and on this actor's timer) and the writer announces
//! the records once they are in their queues (`Arrival::Dispatched`). When the actor is rebuilt after a panic, the factory reopens the store
//! from disk (recovery keeps everything that was written) and publishes the new reader.

use std::sync::Arc;
use std::time::Duration;

use actix::prelude::*;
use bytes::Bytes;
use parking_lot::Mutex;
use slog::{error, info, Logger};

use super::flush::ReadOnly;
use super::put_job::{PutKind, PutMany};
use crate::actors::supervisor::RestartTracker;
use crate::store::{
    MessageInner, MessageStore, PutResult, RawAppendResult, StoreError, StoreReader,
};

/// How often the writer retries a failed dispatch when no put comes to do it.
const DISPATCH_RETRY_INTERVAL: Duration = Duration::from_millis(200);

/// Called after every successful append (local put or replicated bytes).
pub type ArrivalHook = Arc<dyn Fn(&Arrival) + Send + Sync>;

/// Extra hooks called after every append (HA master wake-ups and a slave's metadata sync
/// are added here).
pub type ArrivalHooks = std::sync::Arc<parking_lot::Mutex<Vec<ArrivalHook>>>;

/// What was appended: enough for long-polling wake-ups and replication.
#[derive(Debug, Clone)]
pub enum Arrival {
    /// A local put (one message or a batch into one queue).
    Put {
        topic: String,
        queue_id: i32,
        next_queue_offset: i64,
        tags_codes: Vec<i64>,
        phys_end: i64,
        /// In its consume queue already (false: its dispatch is being retried).
        dispatched: bool,
    },
    /// Bytes replicated from the master, dispatched into these queues.
    Replicated {
        queues: Vec<(String, i32, i64)>,
        phys_end: i64,
    },
    /// Records stored earlier whose retried dispatch just succeeded, into these queues
    /// (topic, queueId, next logical offset).
    Dispatched { queues: Vec<(String, i32, i64)> },
}

/// Appends one message.
#[derive(Message)]
#[rtype(result = "Result<PutResult, StoreError>")]
pub struct Put(pub MessageInner);

/// Appends one batch (the body holds the batch records).
#[derive(Message)]
#[rtype(result = "Result<PutResult, StoreError>")]
pub struct PutBatch(pub MessageInner);

/// Appends replicated commit-log bytes at `offset` (HA slave).
#[derive(Message)]
#[rtype(result = "Result<RawAppendResult, StoreError>")]
pub struct AppendRaw {
    pub offset: i64,
    pub bytes: Bytes,
}

/// Flushes, writes the checkpoint and removes the abort file.
#[derive(Message)]
#[rtype(result = "Result<(), StoreError>")]
pub struct Shutdown;

/// The writer actor.
pub struct StoreWriter {
    store: Option<MessageStore>,
    read_only: ReadOnly,
    on_arrival: ArrivalHook,
    tracker: RestartTracker,
    log: Logger,
}

impl StoreWriter {
    /// Builds a writer over an opened store and publishes its reader into `reader_slot`.
    pub fn new(
        store: MessageStore,
        reader_slot: &Arc<Mutex<StoreReader>>,
        read_only: ReadOnly,
        on_arrival: ArrivalHook,
        tracker: RestartTracker,
        log: Logger,
    ) -> Self {
        *reader_slot.lock() = store.reader();
        StoreWriter {
            store: Some(store),
            read_only,
            on_arrival,
            tracker,
            log,
        }
    }

    /// A writer with no store (reopen failed): refuses every write.
    pub fn detached(
        read_only: ReadOnly,
        on_arrival: ArrivalHook,
        tracker: RestartTracker,
        log: Logger,
    ) -> Self {
        StoreWriter {
            store: None,
            read_only,
            on_arrival,
            tracker,
            log,
        }
    }

    fn store(&mut self) -> Result<&mut MessageStore, StoreError> {
        if let Some(reason) = self.read_only.reason() {
            return Err(StoreError::ReadOnly(reason));
        }
        self.store.as_mut().ok_or(StoreError::ShutDown)
    }

    fn after_put(&mut self, r: &Result<PutResult, StoreError>) {
        match r {
            Ok(p) => (self.on_arrival)(&Arrival::Put {
                topic: p.topic.clone(),
                queue_id: p.queue_id,
                next_queue_offset: p.queue_offset + p.msg_num as i64,
                tags_codes: p.tags_codes.clone(),
                phys_end: p.next_offset(),
                dispatched: p.dispatched,
            }),
            Err(e) if e.is_io() => {
                error!(self.log, "append failed; store is now read-only"; "error" => %e);
                self.read_only.set(format!("append failed: {e}"));
            }
            Err(_) => {}
        }
        self.announce_late();
    }

    /// Tells long polling about records whose retried dispatch succeeded.
    fn announce_late(&mut self) {
        let Some(store) = self.store.as_mut() else {
            return;
        };
        let queues = store.take_late_dispatched();
        if !queues.is_empty() {
            (self.on_arrival)(&Arrival::Dispatched { queues });
        }
    }

    /// Timer: retries the dispatch of stored records that failed (see
    /// `crate::store::dispatch_backlog`); the backlog logs and counts failures.
    fn retry_dispatch(&mut self) {
        let Some(store) = self.store.as_mut() else {
            return;
        };
        if store.dispatch_pending() {
            let _ = store.retry_dispatch();
            self.announce_late();
        }
    }
}

impl Actor for StoreWriter {
    type Context = Context<Self>;

    fn started(&mut self, ctx: &mut Context<Self>) {
        // The writer's mailbox is its queue of pending sends: allow a deep one.
        ctx.set_mailbox_capacity(65536);
        self.tracker.on_started(ctx);
        ctx.run_interval(DISPATCH_RETRY_INTERVAL, |act, _| act.retry_dispatch());
    }
}

impl Supervised for StoreWriter {
    fn restarting(&mut self, _ctx: &mut Context<Self>) {
        self.tracker.on_restarting();
    }
}

impl Handler<Put> for StoreWriter {
    type Result = Result<PutResult, StoreError>;
    fn handle(&mut self, msg: Put, _: &mut Context<Self>) -> Self::Result {
        let r = self.store().and_then(|s| s.put_message(&msg.0));
        self.after_put(&r);
        r
    }
}

impl Handler<PutBatch> for StoreWriter {
    type Result = Result<PutResult, StoreError>;
    fn handle(&mut self, msg: PutBatch, _: &mut Context<Self>) -> Self::Result {
        let r = self.store().and_then(|s| s.put_batch(&msg.0));
        self.after_put(&r);
        r
    }
}

impl Handler<PutMany> for StoreWriter {
    type Result = ();
    fn handle(&mut self, batch: PutMany, _: &mut Context<Self>) {
        for job in batch.0 {
            let r = self.store().and_then(|s| match job.kind {
                PutKind::Single => s.put_message(&job.msg),
                PutKind::Batch => s.put_batch(&job.msg),
            });
            self.after_put(&r);
            // The sender may have gone away (connection closed): nothing to answer then.
            let _ = job.reply.send(r);
        }
    }
}

impl Handler<AppendRaw> for StoreWriter {
    type Result = Result<RawAppendResult, StoreError>;
    fn handle(&mut self, msg: AppendRaw, _: &mut Context<Self>) -> Self::Result {
        let r = self
            .store()
            .and_then(|s| s.append_raw(msg.offset, &msg.bytes));
        if let Ok(res) = &r {
            let phys_end = msg.offset + res.consumed as i64;
            let queues = res
                .dispatched
                .iter()
                .map(|d| (d.topic.clone(), d.queue_id, d.queue_offset + 1))
                .collect();
            (self.on_arrival)(&Arrival::Replicated { queues, phys_end });
        }
        self.announce_late();
        r
    }
}

impl Handler<Shutdown> for StoreWriter {
    type Result = Result<(), StoreError>;
    fn handle(&mut self, _: Shutdown, _ctx: &mut Context<Self>) -> Self::Result {
        let r = match self.store.as_mut() {
            Some(s) => s.shutdown(),
            None => Ok(()),
        };
        info!(self.log, "store shut down cleanly"; "ok" => r.is_ok());
        // Not `ctx.stop()`: the supervisor would count that as a failure and restart it.
        self.store = None;
        r
    }
}

crate::handle_inject_failure!(StoreWriter, "writer");

mod queue_sweep;
pub use queue_sweep::{DropQueues, QueueSweep};
