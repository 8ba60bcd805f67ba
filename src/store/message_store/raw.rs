//! The HA slave's append path: replicated commit-log bytes written at the master's offset and
//! dispatched like local appends (moved out of `message_store.rs` to keep it under the size
//! limit).

#[allow(unused_imports)]
use super::*;

impl MessageStore {
    /// HA slave: appends replicated bytes at the master's `offset` (whole records only) and
    /// dispatches them like local appends.
    pub fn append_raw(&mut self, offset: i64, bytes: &[u8]) -> StoreResult<RawAppendResult> {
        if self.shared.shut_down.load(Ordering::Acquire) {
            return Err(StoreError::ShutDown);
        }
        // A slave whose disk is full stops taking replicated bytes (it stops acknowledging; the
        // master's sync waits time out) until space returns (issue #19).
        self.shared.maybe_check_disk_space();
        if let Some(e) = self.shared.disk_full_error() {
            return Err(e);
        }
        self.catch_up_dispatch()?;
        self.backlog.check_room()?;
        let (records, consumed) = self.shared.commit_log.append_raw(offset, bytes)?;
        let mut reqs = Vec::with_capacity(records.len());
        for rec in &records {
            let req = DispatchRequest::from_record(rec, &self.shared.cfg);
            if let Err(e) = space::ensure_dispatch_space(&self.shared, &req) {
                // Out of space for this record's queue entry or index: take it (and what
                // follows) back out of the commit log, so it comes again once space returns.
                if e.is_no_space() {
                    if let Ok(at) = u64::try_from(rec.phys_offset) {
                        self.shared.commit_log.files().truncate_dirty(at)?;
                    }
                }
                return Err(e);
            }
            if req.goes_to_consume_queue() {
                let next = self
                    .next_queue_offset(&req.topic, req.queue_id)
                    .max(req.queue_offset + 1);
                self.set_next_queue_offset(&req.topic, req.queue_id, next);
            }
            self.shared
                .last_store_ts
                .store(rec.store_timestamp, Ordering::Release);
            reqs.push(req);
        }
        // Appended: a failed dispatch is retried like a local put's (counted and logged).
        let own = self.backlog.push(reqs);
        let mut dispatched = Vec::new();
        // A failure is counted and logged by the backlog; the records are retried.
        let _ = self.backlog.drain(&self.shared, own, Some(&mut dispatched));
        let end = offset + consumed as i64;
        let file_size = self.shared.commit_log.file_size() as i64;
        Ok(RawAppendResult {
            consumed,
            dispatched,
            closed_file: consumed > 0 && file_size > 0 && end % file_size == 0,
        })
    }
}
