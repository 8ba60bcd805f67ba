//! The shared, read-mostly half of the store. [`StoreShared`] holds the commit log, consume
//! queues, index and checkpoint; [`StoreReader`] is a cheap clonable handle to it for pull
//! handlers, the HA master, the flush thread and the cleaner. Only
//! [`crate::store::MessageStore`] (one owner, `&mut self`) writes.

use crate::store::checkpoint::Checkpoint;
use crate::store::cleanup::{decide, CleanupReport, DiskUsage};
use crate::store::commit_log::CommitLog;
use crate::store::config::StoreConfig;
use crate::store::cq_table::ConsumeQueueTable;
use crate::store::error::{StoreError, StoreResult};
use crate::store::index_service::{IndexQueryResult, IndexService};
use crate::store::record::{peek_total_size, store_timestamp_pos};
use bytes::Bytes;
use parking_lot::{Mutex, RwLock};
use slog::{info, warn, Logger};
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU64, Ordering};
use std::sync::Arc;

/// State shared by the writer and all readers.
#[derive(Debug)]
pub struct StoreShared {
    pub(crate) cfg: StoreConfig,
    pub(crate) log: Logger,
    pub(crate) commit_log: CommitLog,
    pub(crate) cqs: ConsumeQueueTable,
    pub(crate) index: RwLock<IndexService>,
    pub(crate) checkpoint: Mutex<Checkpoint>,
    /// Store timestamp of the last appended record.
    pub(crate) last_store_ts: AtomicI64,
    /// Store timestamp of the last record dispatched to its queue and the index.
    pub(crate) last_dispatched_ts: AtomicI64,
    /// Stored records waiting for dispatch ([`crate::store::dispatch_backlog`]).
    pub(crate) dispatch_backlog: AtomicU64,
    /// Failed dispatch attempts since the store was opened.
    pub(crate) dispatch_failures: AtomicU64,
    /// Disk usage ratio ×1e6 when the disk is full, else 0.
    pub(crate) disk_full_ppm: AtomicU64,
    /// Last measured usage ratios (`f64` bits) of the commit-log, consume-queue and index
    /// paths, for Java's SERVICE_NOT_AVAILABLE remark.
    pub(crate) disk_ratios: [AtomicU64; 3],
    /// When the disk usage was last measured (ms).
    pub(crate) last_disk_check_ms: AtomicI64,
    pub(crate) usage: Arc<dyn DiskUsage>,
    pub(crate) shut_down: AtomicBool,
}

/// How often a put looks at the disk usage again (Java's `isSpaceFull` runs every 10 s; a
/// burst must not outrun the check, and every new commit-log chunk or file checks too).
pub const DISK_CHECK_INTERVAL_MS: i64 = 1000;

/// Result of [`StoreShared::query_by_key`].
#[derive(Debug, Clone, Default)]
pub struct QueryMessageResult {
    pub messages: Vec<Bytes>,
    pub index_last_update_timestamp: i64,
    pub index_last_update_phyoffset: i64,
}

/// Clonable read handle.
#[derive(Debug, Clone)]
pub struct StoreReader {
    pub(crate) shared: Arc<StoreShared>,
}

impl std::ops::Deref for StoreReader {
    type Target = StoreShared;
    fn deref(&self) -> &StoreShared {
        &self.shared
    }
}

impl StoreShared {
    /// The configuration.
    pub fn config(&self) -> &StoreConfig {
        &self.cfg
    }

    /// The commit log (raw reads for HA).
    pub fn commit_log(&self) -> &CommitLog {
        &self.commit_log
    }

    /// Logical offset after the last entry of a queue (0 if unknown).
    pub fn max_offset_in_queue(&self, topic: &str, queue_id: i32) -> i64 {
        self.cqs
            .find(topic, queue_id)
            .map_or(0, |q| q.max_offset_in_queue())
    }

    /// First valid logical offset of a queue (0 if unknown).
    pub fn min_offset_in_queue(&self, topic: &str, queue_id: i32) -> i64 {
        self.cqs
            .find(topic, queue_id)
            .map_or(0, |q| q.min_offset_in_queue())
    }

    /// Commit-log offset of the entry at a logical offset.
    pub fn commit_log_offset_in_queue(
        &self,
        topic: &str,
        queue_id: i32,
        offset: i64,
    ) -> Option<i64> {
        self.cqs
            .find(topic, queue_id)?
            .get(offset)
            .map(|e| e.phys_offset)
    }

    /// Store timestamp of the record at `phys` (reads only its header).
    pub fn store_time_at(&self, phys: i64) -> Option<i64> {
        let head = self.commit_log.read(phys, 40)?;
        let sys = i32::from_be_bytes(head.get(36..40)?.try_into().ok()?);
        let p = store_timestamp_pos(sys) as i64;
        let b = self.commit_log.read(phys + p, 8)?;
        Some(i64::from_be_bytes(b.as_ref().try_into().ok()?))
    }

    /// SEARCH_OFFSET_BY_TIMESTAMP as Java's ConsumeQueue.getOffsetInQueueByTime: the offset of a
    /// message stored at `ts`, else of the message stored closest to `ts` (the older one on a
    /// tie); the first message when all are newer, the last one when all are older. Records
    /// no longer readable count as older than anything. Java searches only the consume-queue
    /// file picked by its modification time; this searches the whole queue.
    pub fn offset_by_time(&self, topic: &str, queue_id: i32, ts: i64) -> i64 {
        let Some(cq) = self.cqs.find(topic, queue_id) else {
            return 0;
        };
        let (min, max) = (cq.min_offset_in_queue(), cq.max_offset_in_queue());
        if min >= max {
            return min;
        }
        let time = |i: i64| cq.get(i).and_then(|e| self.store_time_at(e.phys_offset));
        // First offset stored at or after `ts`.
        let (mut lo, mut hi) = (min, max);
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            match time(mid) {
                Some(t) if t >= ts => hi = mid,
                _ => lo = mid + 1,
            }
        }
        let right = lo;
        if right == max {
            return max - 1;
        }
        let (Some(rt), Some(lt)) = (
            time(right),
            (right > min).then(|| time(right - 1)).flatten(),
        ) else {
            return right;
        };
        if rt == ts || ts - lt > rt - ts {
            right
        } else {
            right - 1
        }
    }

    /// Store time of the first message of a queue, if readable.
    pub fn earliest_message_time(&self, topic: &str, queue_id: i32) -> Option<i64> {
        let cq = self.cqs.find(topic, queue_id)?;
        let e = cq.get(cq.min_offset_in_queue())?;
        self.store_time_at(e.phys_offset)
    }

    /// Store time of the first record of the commit log.
    pub fn earliest_store_time(&self) -> Option<i64> {
        self.store_time_at(self.commit_log.min_offset())
    }

    /// The raw record at a commit-log offset (VIEW_MESSAGE_BY_ID).
    pub fn look_message_by_offset(&self, phys: i64) -> Option<Bytes> {
        let head = self.commit_log.read(phys, 4)?;
        let size = usize::try_from(peek_total_size(&head)?).ok()?;
        self.commit_log.read(phys, size)
    }

    /// Index lookup of `topic#key` (KEYS token or UNIQ_KEY) stored within [begin, end] ms.
    pub fn query_by_key(
        &self,
        topic: &str,
        key: &str,
        max: usize,
        begin: i64,
        end: i64,
    ) -> QueryMessageResult {
        let IndexQueryResult {
            phys_offsets,
            index_last_update_timestamp,
            index_last_update_phyoffset,
        } = self.index.read().query(topic, key, max, begin, end);
        QueryMessageResult {
            messages: phys_offsets
                .into_iter()
                .filter_map(|p| self.look_message_by_offset(p))
                .collect(),
            index_last_update_timestamp,
            index_last_update_phyoffset,
        }
    }

    /// Offset after the last record.
    pub fn max_phys_offset(&self) -> i64 {
        self.commit_log.max_offset()
    }

    /// First commit-log offset still on disk.
    pub fn min_phys_offset(&self) -> i64 {
        self.commit_log.min_offset()
    }

    /// Offset known to be on disk. Only moves forward.
    pub fn flushed_offset(&self) -> i64 {
        self.commit_log.flushed_offset()
    }

    /// Flush thread: msyncs the commit log if `least_pages` pages are dirty (0 = all) and
    /// records the flushed store time for the checkpoint.
    pub fn flush_commit_log(&self, least_pages: usize) -> StoreResult<i64> {
        let ts = self.last_store_ts.load(Ordering::Acquire);
        let target = self.commit_log.max_offset();
        let dir = &self.cfg.commit_log_dir;
        crate::failpoint::check(crate::failpoint::names::COMMIT_LOG_FLUSH, dir)
            .map_err(|e| StoreError::io(dir, e))?;
        let flushed = self.commit_log.flush(least_pages)?;
        if flushed >= target && ts > 0 {
            let mut cp = self.checkpoint.lock();
            cp.physic_msg_timestamp = cp.physic_msg_timestamp.max(ts);
        }
        Ok(flushed)
    }

    /// Flushes consume queues (and the index), then writes the checkpoint.
    pub fn flush_consume_queues(&self, least_pages: usize) -> StoreResult<()> {
        // Only what was dispatched is in the queues (a failed dispatch waits in the backlog).
        let ts = self.last_dispatched_ts.load(Ordering::Acquire);
        for cq in self.cqs.all() {
            cq.flush(least_pages)?;
        }
        let cp = {
            let mut cp = self.checkpoint.lock();
            if least_pages == 0 && ts > 0 {
                cp.logics_msg_timestamp = cp.logics_msg_timestamp.max(ts);
            }
            cp.clone()
        };
        cp.flush()
    }

    /// Flushes everything; returns the flushed commit-log offset.
    pub fn flush(&self) -> StoreResult<i64> {
        let off = self.flush_commit_log(0)?;
        self.index.read().flush()?;
        self.flush_consume_queues(0)?;
        Ok(off)
    }

    /// Stored records waiting for dispatch (not yet visible to readers).
    pub fn dispatch_backlog(&self) -> u64 {
        self.dispatch_backlog.load(Ordering::Acquire)
    }

    /// Failed dispatch attempts (records or checkpoint) since the store was opened.
    pub fn dispatch_failures(&self) -> u64 {
        self.dispatch_failures.load(Ordering::Acquire)
    }

    /// A copy of the in-memory checkpoint.
    pub fn checkpoint(&self) -> Checkpoint {
        self.checkpoint.lock().clone()
    }

    /// `Some(DiskFull)` while writes are refused.
    pub fn disk_full_error(&self) -> Option<StoreError> {
        let ppm = self.disk_full_ppm.load(Ordering::Acquire);
        (ppm > 0).then(|| StoreError::DiskFull {
            path: self.cfg.commit_log_dir.clone(),
            ratio: ppm as f64 / 1e6,
            limit: self.cfg.disk_full_ratio,
        })
    }

    fn set_disk_ratio(&self, ratio: f64) {
        if ratio > self.cfg.disk_full_ratio {
            let was = self
                .disk_full_ppm
                .swap(((ratio * 1e6) as u64).max(1), Ordering::AcqRel);
            if was == 0 {
                warn!(self.log, "disk full: refusing writes"; "ratio" => ratio,
                      "path" => self.cfg.commit_log_dir.display().to_string());
            }
        } else if self.disk_full_ppm.swap(0, Ordering::AcqRel) > 0 {
            info!(self.log, "disk usage back under the limit: accepting writes"; "ratio" => ratio);
        }
    }

    /// Measures disk usage and updates the disk-full flag from the commit-log path's ratio
    /// (Java `CleanCommitLogService.isSpaceFull`); returns that ratio.
    pub fn check_disk_space(&self) -> StoreResult<f64> {
        self.last_disk_check_ms
            .store(crate::store::time::now_ms(), Ordering::Release);
        let ratio = self.usage.usage_ratio(&self.cfg.commit_log_dir)?;
        // Java reports -1 for a path it cannot measure.
        let other = |p: &std::path::Path| self.usage.usage_ratio(p).unwrap_or(-1.0);
        let ratios = [
            ratio,
            other(&self.cfg.consume_queue_dir),
            other(&self.cfg.index_dir),
        ];
        for (slot, r) in self.disk_ratios.iter().zip(ratios) {
            slot.store(r.to_bits(), Ordering::Release);
        }
        self.set_disk_ratio(ratio);
        Ok(ratio)
    }

    /// [`StoreShared::check_disk_space`] on the put path: a failed measurement is logged and
    /// leaves the flag as it was.
    pub(crate) fn check_disk_space_quietly(&self) {
        if let Err(e) = self.check_disk_space() {
            warn!(self.log, "measuring disk usage failed"; "error" => %e);
        }
    }

    /// Measures again when the last measurement is older than [`DISK_CHECK_INTERVAL_MS`].
    pub(crate) fn maybe_check_disk_space(&self) {
        let last = self.last_disk_check_ms.load(Ordering::Acquire);
        if crate::store::time::now_ms() - last >= DISK_CHECK_INTERVAL_MS {
            self.check_disk_space_quietly();
        }
    }

    /// Last measured usage ratios of the commit-log, consume-queue and index paths (0 before
    /// the first measurement, -1 for a path that could not be measured).
    pub fn disk_ratios(&self) -> [f64; 3] {
        let r = |i: usize| f64::from_bits(self.disk_ratios[i].load(Ordering::Acquire));
        [r(0), r(1), r(2)]
    }

    /// One cleanup pass (the cleaner calls this every `cleanResourceInterval`).
    pub fn run_cleanup(&self, now_ms: i64, manual: bool) -> StoreResult<CleanupReport> {
        let cl_ratio = self.check_disk_space()?;
        // Java's `isSpaceToDelete` also weighs the consume-queue path (its own file system when
        // `storePathConsumeQueue` points elsewhere): over 0.90 it marks the disk full too.
        let cq_ratio = self.disk_ratios()[1];
        if cq_ratio > self.cfg.disk_full_ratio && cl_ratio <= self.cfg.disk_full_ratio {
            self.set_disk_ratio(cq_ratio);
        }
        let ratio = cl_ratio.max(cq_ratio);
        // Runtime overrides (fileReservedTime, deleteWhen, diskMaxUsedSpaceRatio) apply to
        // this pass (`crate::store::live`).
        let cfg = self.cfg.effective();
        let decision = decide(&cfg, ratio, now_ms, manual);
        let mut report = CleanupReport {
            decision,
            ratio_after: ratio,
            ..CleanupReport::default()
        };
        if decision.delete {
            let reserved =
                i64::try_from(cfg.file_reserved_time_hours * 3_600_000).unwrap_or(i64::MAX);
            report.commit_log_files_deleted = self.commit_log.files().delete_expired_by_time(
                reserved,
                now_ms,
                decision.force,
                self.cfg.delete_files_batch_max,
            )?;
        }
        let min = self.commit_log.min_offset();
        for cq in self.cqs.all() {
            report.consume_queue_files_deleted += cq.delete_expired(min)?;
        }
        report.index_files_deleted = self.index.write().delete_expired(min)?;
        if report.commit_log_files_deleted > 0 {
            info!(self.log, "deleted expired files"; "commit_log" => report.commit_log_files_deleted,
                  "consume_queue" => report.consume_queue_files_deleted,
                  "index" => report.index_files_deleted, "force" => decision.force);
            report.ratio_after = self.check_disk_space()?;
        }
        Ok(report)
    }
}
