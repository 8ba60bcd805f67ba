//! Records that are in the commit log but not yet in their consume queue and the index.
//!
//! What a failed dispatch means (docs/: the store's write path): the record is *stored* once its
//! bytes are in the commit log, so a put never fails after the append. Its dispatch (consume
//! queue entry, index keys, and the checkpoint write an index roll-over asks for) waits here and
//! is retried, strictly in commit-log order, before each later put and on the writer's timer,
//! until it succeeds. Readers do not see a record until it is dispatched, as Java's
//! `ReputMessageService` lags behind the commit log; a crash meanwhile loses nothing, because
//! recovery re-dispatches everything the queues do not hold. Every failure is counted
//! ([`crate::store::StoreShared::dispatch_failures`]) and logged (at most once a second).
//! The backlog is bounded: past [`MAX_BACKLOG`] records new puts are refused.

use std::collections::VecDeque;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use slog::warn;

use crate::store::dispatch::{dispatch, DispatchRequest};
use crate::store::error::{StoreError, StoreResult};
use crate::store::reader::StoreShared;

/// Records waiting for dispatch beyond which puts are refused (nothing is stored then).
pub const MAX_BACKLOG: usize = 65_536;

/// A queue dispatched late: (topic, queueId, next logical offset).
pub type LateQueue = (String, i32, i64);

#[derive(Debug)]
struct Pending {
    seq: u64,
    req: DispatchRequest,
}

/// The writer's dispatch backlog (owned by [`crate::store::MessageStore`]).
#[derive(Debug, Default)]
pub(crate) struct DispatchBacklog {
    queue: VecDeque<Pending>,
    next_seq: u64,
    /// An index file filled and the checkpoint holding its time is not written yet.
    checkpoint_dirty: bool,
    /// Queues that got entries of records appended by an earlier call (wake-ups owed).
    late: Vec<LateQueue>,
    last_warn: Option<Instant>,
}

impl DispatchBacklog {
    /// Records waiting.
    pub fn len(&self) -> usize {
        self.queue.len()
    }

    /// Refuses a put while the backlog is full.
    pub fn check_room(&self) -> StoreResult<()> {
        if self.queue.len() >= MAX_BACKLOG {
            let reason = "dispatch to the consume queues keeps failing".to_string();
            return Err(StoreError::DispatchStalled {
                pending: self.queue.len(),
                reason,
            });
        }
        Ok(())
    }

    /// Queues the requests of one append; returns the sequence number of the first.
    pub fn push(&mut self, reqs: impl IntoIterator<Item = DispatchRequest>) -> u64 {
        let first = self.next_seq;
        for req in reqs {
            self.queue.push_back(Pending {
                seq: self.next_seq,
                req,
            });
            self.next_seq += 1;
        }
        first
    }

    /// True when no request numbered below `end` is waiting.
    pub fn done_before(&self, end: u64) -> bool {
        self.queue.front().is_none_or(|p| p.seq >= end)
    }

    /// Sequence number the next pushed request gets.
    pub fn next_seq(&self) -> u64 {
        self.next_seq
    }

    /// Dispatches in order until the backlog is empty or a dispatch fails; requests numbered
    /// below `own_from` were appended by earlier calls and are reported as late. Returns how
    /// many were dispatched (kept in `done` when given), or the first error (the rest stays
    /// queued).
    pub fn drain(
        &mut self,
        sh: &StoreShared,
        own_from: u64,
        mut done: Option<&mut Vec<DispatchRequest>>,
    ) -> StoreResult<usize> {
        let mut n = 0;
        let result = self.drain_into(sh, own_from, &mut n, &mut done);
        sh.dispatch_backlog
            .store(self.queue.len() as u64, Ordering::Release);
        if let Err(e) = &result {
            self.failed(sh, e);
        }
        result.map(|()| n)
    }

    fn drain_into(
        &mut self,
        sh: &StoreShared,
        own_from: u64,
        n: &mut usize,
        done: &mut Option<&mut Vec<DispatchRequest>>,
    ) -> StoreResult<()> {
        while let Some(p) = self.queue.front() {
            let out = dispatch(&sh.cfg, &sh.cqs, &sh.index, &p.req)?;
            if let Some(ts) = out.index_filled_ts {
                sh.checkpoint.lock().index_msg_timestamp = ts;
                self.checkpoint_dirty = true;
            }
            let Some(p) = self.queue.pop_front() else {
                break;
            };
            sh.last_dispatched_ts
                .fetch_max(p.req.store_timestamp, Ordering::AcqRel);
            if p.seq < own_from && p.req.goes_to_consume_queue() {
                let next = p.req.queue_offset + 1;
                self.late.push((p.req.topic.clone(), p.req.queue_id, next));
            }
            *n += 1;
            if let Some(d) = done.as_mut() {
                d.push(p.req);
            }
        }
        if self.checkpoint_dirty {
            let cp = sh.checkpoint.lock().clone();
            cp.flush()?;
            self.checkpoint_dirty = false;
        }
        Ok(())
    }

    fn failed(&mut self, sh: &StoreShared, e: &StoreError) {
        let n = sh.dispatch_failures.fetch_add(1, Ordering::AcqRel) + 1;
        let quiet = self
            .last_warn
            .is_some_and(|t| t.elapsed() < Duration::from_secs(1));
        if !quiet {
            self.last_warn = Some(Instant::now());
            let first = self.queue.front().map(|p| p.req.commit_log_offset);
            warn!(sh.log, "dispatch failed; the stored records stay queued and are retried";
                  "error" => %e, "failures" => n, "backlog" => self.queue.len(),
                  "first_offset" => first, "checkpoint_pending" => self.checkpoint_dirty);
        }
    }

    /// Takes the late wake-ups owed since the last call.
    pub fn take_late(&mut self) -> Vec<LateQueue> {
        std::mem::take(&mut self.late)
    }

    /// Anything to retry (records or the checkpoint write).
    pub fn has_work(&self) -> bool {
        !self.queue.is_empty() || self.checkpoint_dirty
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(offset: i64) -> DispatchRequest {
        DispatchRequest {
            topic: "T".into(),
            queue_id: 0,
            commit_log_offset: offset,
            msg_size: 100,
            tags_code: 0,
            store_timestamp: 1,
            queue_offset: offset / 100,
            keys: None,
            uniq_key: None,
            sys_flag: 0,
            prepared_transaction_offset: 0,
        }
    }

    #[test]
    fn a_full_backlog_refuses_puts_and_sequence_numbers_track_each_append() {
        let mut b = DispatchBacklog::default();
        assert!(b.check_room().is_ok());
        let first = b.push((0..3).map(|i| req(i * 100)));
        assert_eq!((first, b.next_seq(), b.len()), (0, 3, 3));
        assert!(!b.done_before(1) && b.done_before(0));
        b.push((3..MAX_BACKLOG as i64).map(|i| req(i * 100)));
        match b.check_room() {
            Err(StoreError::DispatchStalled { pending, .. }) => assert_eq!(pending, MAX_BACKLOG),
            other => panic!("expected DispatchStalled, got {other:?}"),
        }
        assert!(b.has_work());
    }
}
