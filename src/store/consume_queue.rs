//! One consume queue (`consumequeue/<topic>/<queueId>/`): 20-byte big-endian entries
//! {commit-log offset i64, size i32, tagsCode i64}; logical offset k lives at byte k·20.
//! Written only by the store's dispatch path; read concurrently by pulls.

use crate::failpoint::names::CQ_APPEND;
use crate::store::error::{StoreError, StoreResult};
use crate::store::mapped_file_queue::MappedFileQueue;
use std::path::Path;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};

/// Bytes per entry.
pub const CQ_STORE_UNIT_SIZE: u64 = 20;
/// Size field of the filler entries placed before the first real entry of a queue whose first
/// file starts at a non-zero offset.
pub const BLANK_ENTRY_SIZE: i32 = i32::MAX;

/// One consume-queue entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CqEntry {
    pub phys_offset: i64,
    pub size: i32,
    pub tags_code: i64,
}

impl CqEntry {
    fn encode(&self) -> [u8; 20] {
        let mut b = [0u8; 20];
        b[..8].copy_from_slice(&self.phys_offset.to_be_bytes());
        b[8..12].copy_from_slice(&self.size.to_be_bytes());
        b[12..].copy_from_slice(&self.tags_code.to_be_bytes());
        b
    }

    fn decode(b: &[u8]) -> Option<CqEntry> {
        Some(CqEntry {
            phys_offset: i64::from_be_bytes(b.get(..8)?.try_into().ok()?),
            size: i32::from_be_bytes(b.get(8..12)?.try_into().ok()?),
            tags_code: i64::from_be_bytes(b.get(12..20)?.try_into().ok()?),
        })
    }

    /// Filler entries carry no message.
    pub fn is_blank(&self) -> bool {
        self.size == BLANK_ENTRY_SIZE
    }
}

const BLANK: CqEntry = CqEntry {
    phys_offset: 0,
    size: BLANK_ENTRY_SIZE,
    tags_code: 0,
};

/// A consume queue.
#[derive(Debug)]
pub struct ConsumeQueue {
    topic: String,
    queue_id: i32,
    files: MappedFileQueue,
    /// Byte offset of the first valid entry.
    min_logic: AtomicU64,
    /// Commit-log offset just past the last entry's record.
    max_phys_end: AtomicI64,
}

impl ConsumeQueue {
    /// Opens (or creates empty) the queue under `cq_root/<topic>/<queueId>`.
    pub fn load(cq_root: &Path, topic: &str, queue_id: i32, file_size: u64) -> StoreResult<Self> {
        let dir = cq_root.join(topic).join(queue_id.to_string());
        Ok(ConsumeQueue {
            topic: topic.to_string(),
            queue_id,
            files: MappedFileQueue::load(&dir, file_size as usize)?,
            min_logic: AtomicU64::new(0),
            max_phys_end: AtomicI64::new(0),
        })
    }

    /// Topic name.
    pub fn topic(&self) -> &str {
        &self.topic
    }

    /// Queue id.
    pub fn queue_id(&self) -> i32 {
        self.queue_id
    }

    /// The underlying files (cleanup, tests).
    pub fn files(&self) -> &MappedFileQueue {
        &self.files
    }

    pub(crate) fn entries_per_file(&self) -> u64 {
        self.files.file_size() as u64 / CQ_STORE_UNIT_SIZE
    }

    /// Recovery: finds the real end by scanning from the 3rd-last file while entries look valid
    /// (`offset ≥ 0 && size > 0`), and cuts the queue there.
    pub fn recover(&self) -> StoreResult<()> {
        let files = self.files.files();
        let start = files.len().saturating_sub(3);
        let mut end = files.get(start).map_or(0, |f| f.from_offset());
        'outer: for f in files.iter().skip(start) {
            let data = f.read_raw(0, f.size());
            for chunk in data.chunks_exact(CQ_STORE_UNIT_SIZE as usize) {
                match CqEntry::decode(chunk) {
                    Some(e) if e.phys_offset >= 0 && e.size > 0 => end += CQ_STORE_UNIT_SIZE,
                    _ => break 'outer,
                }
            }
        }
        self.files.set_end(end)?;
        self.refresh_max_phys();
        if self.min_logic.load(Ordering::Acquire) < self.files.min_offset() {
            self.min_logic
                .store(self.files.min_offset(), Ordering::Release);
        }
        Ok(())
    }

    fn refresh_max_phys(&self) {
        let max = self.max_offset_in_queue();
        let end = if max > self.min_offset_in_queue() {
            self.get(max - 1)
                .filter(|e| !e.is_blank())
                .map_or(0, |e| e.phys_offset + i64::from(e.size))
        } else {
            0
        };
        self.max_phys_end.store(end, Ordering::Release);
    }

    /// Logical offset after the last entry.
    pub fn max_offset_in_queue(&self) -> i64 {
        (self.files.max_offset() / CQ_STORE_UNIT_SIZE) as i64
    }

    /// First valid logical offset.
    pub fn min_offset_in_queue(&self) -> i64 {
        (self.min_logic.load(Ordering::Acquire) / CQ_STORE_UNIT_SIZE) as i64
    }

    /// Commit-log offset just past the record of the last entry (0 if empty).
    pub fn max_phys_end(&self) -> i64 {
        self.max_phys_end.load(Ordering::Acquire)
    }

    /// Writer only: stores the entry for logical offset `queue_offset`. Returns false if that
    /// offset is already present (re-dispatch during recovery is idempotent). Gaps are filled
    /// with blank entries so offsets stay at their byte positions.
    pub fn put(&self, queue_offset: i64, entry: CqEntry) -> StoreResult<bool> {
        let Ok(qo) = u64::try_from(queue_offset) else {
            return Ok(false);
        };
        let expected = qo * CQ_STORE_UNIT_SIZE;
        if self.files.is_empty() {
            let f = self.files.last_or_create(expected)?;
            self.min_logic.store(expected, Ordering::Release);
            let _ = f; // pre-blank entries are written by the gap filler below
        }
        let mut cur = self.files.max_offset();
        if expected < cur {
            return Ok(false);
        }
        while cur < expected {
            self.append_entry(cur, &BLANK)?;
            cur += CQ_STORE_UNIT_SIZE;
        }
        self.append_entry(cur, &entry)?;
        self.max_phys_end
            .fetch_max(entry.phys_offset + i64::from(entry.size), Ordering::AcqRel);
        Ok(true)
    }

    /// Writer only: backs the entries of logical offsets `[queue_offset, queue_offset + n)`
    /// (and the filler before them) ahead of the put, so the dispatch after the commit-log
    /// append cannot run out of space (issue #19).
    pub(crate) fn ensure_room(&self, queue_offset: i64, n: usize) -> StoreResult<()> {
        let Ok(qo) = u64::try_from(queue_offset) else {
            return Ok(());
        };
        let end = (qo + n as u64) * CQ_STORE_UNIT_SIZE;
        let at = if self.files.is_empty() {
            qo * CQ_STORE_UNIT_SIZE
        } else {
            self.files.max_offset()
        };
        if end <= at {
            return Ok(());
        }
        self.files
            .ensure_writable(at, usize::try_from(end - at).unwrap_or(usize::MAX))
    }

    /// Appends one entry at byte `at`. A failure is returned, never skipped: a skipped entry
    /// would be filled with a blank by the next put and its message lost to consumers. The
    /// store's dispatch backlog counts it and retries (`crate::store::dispatch_backlog`).
    fn append_entry(&self, at: u64, e: &CqEntry) -> StoreResult<()> {
        let dir = self.files.dir();
        crate::failpoint::check(CQ_APPEND, dir).map_err(|err| StoreError::io(dir, err))?;
        let f = self.files.last_or_create(at)?;
        // Space first: a failed allocation is an error, never a fault (issue #19).
        f.ensure_backed(f.wrote_position() + CQ_STORE_UNIT_SIZE as usize)?;
        // The file list guarantees `at` is this file's write position; append publishes it.
        f.append(&e.encode())
            .map(|_| ())
            .ok_or_else(|| StoreError::AppendFailed {
                path: f.path().to_path_buf(),
                offset: at,
                len: CQ_STORE_UNIT_SIZE as usize,
            })
    }

    /// The entry at logical offset `index`, if present.
    pub fn get(&self, index: i64) -> Option<CqEntry> {
        let off = u64::try_from(index).ok()? * CQ_STORE_UNIT_SIZE;
        let b = self.files.read(off, CQ_STORE_UNIT_SIZE as usize)?;
        (b.len() == CQ_STORE_UNIT_SIZE as usize)
            .then(|| CqEntry::decode(&b))
            .flatten()
    }

    /// Up to `max` entries from `index` to the end of the file holding it. `None` when that file
    /// is missing (OFFSET_FOUND_NULL).
    pub fn entries_from(&self, index: i64, max: usize) -> Option<Vec<CqEntry>> {
        let off = u64::try_from(index).ok()? * CQ_STORE_UNIT_SIZE;
        let b = self.files.read(off, max * CQ_STORE_UNIT_SIZE as usize)?;
        Some(
            b.chunks_exact(CQ_STORE_UNIT_SIZE as usize)
                .filter_map(CqEntry::decode)
                .collect(),
        )
    }

    /// First logical offset of the file after the one holding `index`.
    pub fn roll_next_file(&self, index: i64) -> i64 {
        let per = self.entries_per_file() as i64;
        index + per - index % per
    }

    /// First logical offset in [min, max) whose entry satisfies a monotone predicate.
    fn partition_point(&self, pred: impl Fn(&CqEntry) -> bool) -> i64 {
        let (mut lo, mut hi) = (self.min_offset_in_queue(), self.max_offset_in_queue());
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            match self.get(mid) {
                Some(e) if pred(&e) => hi = mid,
                _ => lo = mid + 1,
            }
        }
        lo
    }

    /// Writer only: drops entries whose record starts at or after `phys`.
    pub fn truncate_dirty(&self, phys: i64) -> StoreResult<()> {
        let cut = self.partition_point(|e| !e.is_blank() && e.phys_offset >= phys);
        if cut < self.max_offset_in_queue() {
            self.files.set_end(cut as u64 * CQ_STORE_UNIT_SIZE)?;
        }
        self.refresh_max_phys();
        Ok(())
    }

    /// Moves the min offset to the first entry whose record is still in the commit log.
    pub fn correct_min_offset(&self, commit_log_min: i64) {
        let first = self.partition_point(|e| !e.is_blank() && e.phys_offset >= commit_log_min);
        let bytes = first as u64 * CQ_STORE_UNIT_SIZE;
        let min = bytes.max(self.files.min_offset());
        self.min_logic.store(min, Ordering::Release);
    }

    /// Deletes files (never the last) whose last entry points below `commit_log_min`, then
    /// corrects the min offset. Returns how many files went.
    pub fn delete_expired(&self, commit_log_min: i64) -> StoreResult<usize> {
        let files = self.files.files();
        let mut victims = Vec::new();
        for f in files.iter().take(files.len().saturating_sub(1)) {
            let last = f.read(
                f.size() - CQ_STORE_UNIT_SIZE as usize,
                CQ_STORE_UNIT_SIZE as usize,
            );
            match last.as_deref().and_then(CqEntry::decode) {
                Some(e)
                    if e.phys_offset + i64::from(e.size.max(0)) <= commit_log_min
                        || e.is_blank() =>
                {
                    victims.push(f.clone())
                }
                _ => break,
            }
        }
        self.files.remove_files(&victims)?;
        self.correct_min_offset(commit_log_min);
        Ok(victims.len())
    }

    /// Flushes dirty pages.
    pub fn flush(&self, least_pages: usize) -> StoreResult<u64> {
        self.files.flush(least_pages)
    }
}
