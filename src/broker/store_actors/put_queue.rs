//! Batches client sends on their way to the [`StoreWriter`]: the first send queued in an
//! event-loop turn schedules one flush at the end of that turn, and the flush hands every send
//! queued meanwhile to the writer as one [`PutMany`]. A burst of pipelined sends read from a
//! socket thus costs one actor message and one cross-thread wake-up of the writer instead of one
//! per send (the wake-up, an eventfd write, was a tenth of the connection thread's time).
//!
//! Each send still gets its own result through its own channel, in queue order. If the writer is
//! gone when the batch is flushed (it is being rebuilt after a panic), or panics in the middle of
//! a batch, the affected sends see their channel closed and are answered "retry", exactly like
//! sends that were waiting in the writer's mailbox.

use std::sync::Arc;

use parking_lot::Mutex;
use tokio::sync::oneshot;

pub use super::put_job::{PutJob, PutKind, PutMany, PutReply};
use super::writer::StoreWriter;
use crate::actors::supervisor::Slot;
use crate::store::MessageInner;

/// The send queue in front of the writer; cheap to clone.
#[derive(Clone)]
pub struct PutQueue {
    pending: Arc<Mutex<Vec<PutJob>>>,
    writer: Slot<StoreWriter>,
}

impl PutQueue {
    pub fn new(writer: Slot<StoreWriter>) -> Self {
        PutQueue {
            pending: Arc::default(),
            writer,
        }
    }

    /// Queues one send. On an actix arbiter (a connection's loop) the flush runs once the
    /// current turn is done; anywhere else it happens at once.
    pub fn submit(&self, kind: PutKind, msg: MessageInner) -> PutReply {
        let (reply, rx) = oneshot::channel();
        let first = {
            let mut pending = self.pending.lock();
            pending.push(PutJob { kind, msg, reply });
            pending.len() == 1
        };
        if first {
            if actix_rt::Arbiter::try_current().is_some() {
                let q = self.clone();
                actix_rt::spawn(async move { q.flush() });
            } else {
                self.flush();
            }
        }
        rx
    }

    /// Hands everything queued to the writer as one message.
    fn flush(&self) {
        let jobs = std::mem::take(&mut *self.pending.lock());
        if !jobs.is_empty() {
            // A closed mailbox drops the jobs: their senders then fail with "retry".
            self.writer.get().do_send(PutMany(jobs));
        }
    }
}
