//! The set of index files: builds `topic#key` entries for UNIQ_KEY and each KEYS token of
//! dispatched records, rolls to a new file when one fills, answers key queries newest file
//! first, and drops files during recovery and cleanup.

use crate::store::dispatch_request::DispatchRequest;
use crate::store::error::{StoreError, StoreResult};
use crate::store::index_file::IndexFile;
use crate::store::message::sys_flag;
use std::path::{Path, PathBuf};

/// Hard cap on query results (Java: 64).
pub const MAX_QUERY_NUM: usize = 64;

/// Result of a key query.
#[derive(Debug, Clone, Default)]
pub struct IndexQueryResult {
    pub phys_offsets: Vec<i64>,
    pub index_last_update_timestamp: i64,
    pub index_last_update_phyoffset: i64,
}

/// Number of index keys of a record (UNIQ_KEY and each KEYS token), without building them.
fn key_count(req: &DispatchRequest) -> usize {
    if sys_flag::transaction_type(req.sys_flag) == sys_flag::TRANSACTION_ROLLBACK_TYPE {
        return 0;
    }
    let uniq = usize::from(req.uniq_key.as_deref().is_some_and(|u| !u.is_empty()));
    let keys = req
        .keys
        .as_deref()
        .map_or(0, |k| k.split(' ').filter(|t| !t.is_empty()).count());
    uniq + keys
}

/// The `topic#key` strings a record is indexed under.
fn record_keys(req: &DispatchRequest) -> Vec<String> {
    let mut keys: Vec<String> = Vec::new();
    if sys_flag::transaction_type(req.sys_flag) == sys_flag::TRANSACTION_ROLLBACK_TYPE {
        return keys;
    }
    if let Some(u) = req.uniq_key.as_deref().filter(|u| !u.is_empty()) {
        keys.push(format!("{}#{}", req.topic, u));
    }
    if let Some(k) = req.keys.as_deref() {
        keys.extend(
            k.split(' ')
                .filter(|t| !t.is_empty())
                .map(|t| format!("{}#{}", req.topic, t)),
        );
    }
    keys
}

/// All index files, oldest first.
#[derive(Debug)]
pub struct IndexService {
    dir: PathBuf,
    slots: usize,
    max_entries: usize,
    files: Vec<IndexFile>,
    /// Set when [`IndexService::load`] destroyed files after a crash: the records they held
    /// must be re-indexed from the commit log ([`IndexService::truncate_from`] reports where).
    dropped_at_load: bool,
    /// The next file, created and backed ahead of the roll-over by [`IndexService::prepare`].
    next: Option<IndexFile>,
}

impl IndexService {
    /// Loads the files in `dir`. After a crash (`abnormal`), files whose endTimestamp is newer
    /// than the checkpoint's index time are destroyed (their content may be partial), as is
    /// every file after them and the newest file (the one being written: only a file that
    /// filled and rolled over was flushed and recorded in the checkpoint). What stays is a
    /// prefix that indexes every record up to its [`IndexService::end_phy_offset`]; recovery
    /// re-indexes the rest from the commit log.
    pub fn load(
        dir: &Path,
        slots: u32,
        max_entries: u32,
        abnormal: bool,
        checkpoint_index_ts: i64,
    ) -> StoreResult<IndexService> {
        std::fs::create_dir_all(dir).map_err(|e| StoreError::io(dir, e))?;
        let mut names = Vec::new();
        for entry in std::fs::read_dir(dir).map_err(|e| StoreError::io(dir, e))? {
            let entry = entry.map_err(|e| StoreError::io(dir, e))?;
            if entry
                .file_name()
                .to_str()
                .is_some_and(|n| n.bytes().all(|b| b.is_ascii_digit()))
            {
                names.push(entry.path());
            }
        }
        names.sort();
        let (slots, max_entries) = (slots.max(1) as usize, max_entries.max(2) as usize);
        let mut files = Vec::new();
        let mut dropped_at_load = false;
        let last = names.len().saturating_sub(1);
        for (i, p) in names.iter().enumerate() {
            let f = IndexFile::open(p, slots, max_entries)?;
            if f.index_count() == 0 {
                // Made ahead of a roll-over that never came (issue #19): holds nothing.
                f.destroy()?;
                continue;
            }
            if abnormal && (dropped_at_load || i == last || f.end_timestamp() > checkpoint_index_ts)
            {
                dropped_at_load = true;
                f.destroy()?;
            } else {
                files.push(f);
            }
        }
        Ok(IndexService {
            dir: dir.to_path_buf(),
            slots,
            max_entries,
            files,
            dropped_at_load,
            next: None,
        })
    }

    /// Backs, before the put, what indexing `reqs` will need: entries and hash-slot pages in
    /// the current file, and the next file (made now) when they do not all fit (issue #19).
    /// A full disk fails here, before the commit-log append, instead of in the dispatch.
    pub fn prepare(&mut self, reqs: &[DispatchRequest]) -> StoreResult<()> {
        let n: usize = reqs.iter().map(key_count).sum();
        if n == 0 {
            return Ok(());
        }
        let fits = self.files.last().is_some_and(|f| f.has_room_for(n));
        if let Some(f) = self.files.last_mut().filter(|f| !f.is_full()) {
            if fits && f.entries_backed(n) && f.all_slots_backed() {
                return Ok(()); // the common case: no key needs formatting
            }
        }
        let keys: Vec<String> = reqs.iter().flat_map(record_keys).collect();
        if let Some(f) = self.files.last_mut().filter(|f| !f.is_full()) {
            f.prepare(&keys)?;
        }
        if !fits {
            if self.next.is_none() {
                let path = self.new_file_path();
                self.next = Some(IndexFile::create_blank(
                    &path,
                    self.slots,
                    self.max_entries,
                )?);
            }
            if let Some(f) = self.next.as_mut() {
                f.prepare(&keys)?;
            }
        }
        Ok(())
    }

    fn new_file_path(&self) -> PathBuf {
        let mut now = crate::store::time::now_ms();
        let mut path = self.dir.join(crate::store::time::index_file_name(now));
        // Names are millisecond timestamps; bump on collision (bounded).
        for _ in 0..1000 {
            if !path.exists() {
                break;
            }
            now += 1;
            path = self.dir.join(crate::store::time::index_file_name(now));
        }
        path
    }

    /// Files (tests, cleanup).
    pub fn files(&self) -> &[IndexFile] {
        &self.files
    }

    /// Commit-log offset of the newest indexed record (0 if none).
    pub fn end_phy_offset(&self) -> i64 {
        self.files.last().map_or(0, |f| f.end_phy_offset())
    }

    fn has_entries(&self) -> bool {
        self.files.len() > 1 || self.files.last().is_some_and(|f| f.index_count() > 1)
    }

    /// Recovery: destroys files reaching `phys` or beyond (entries for data that no longer
    /// exists; an empty file's header carries its predecessor's end, so it goes when that
    /// would). Returns the offset from which the index must be rebuilt — the end of what
    /// stays — if anything was dropped now or by [`IndexService::load`].
    pub fn truncate_from(&mut self, phys: i64) -> StoreResult<Option<i64>> {
        let mut dropped = std::mem::take(&mut self.dropped_at_load);
        while self
            .files
            .last()
            .is_some_and(|f| f.end_phy_offset() >= phys)
        {
            let f = self.files.pop().ok_or(StoreError::ShutDown)?;
            f.destroy()?;
            dropped = true;
        }
        // Every record up to the kept end is fully indexed (a record's keys share one file);
        // `build_index` skips those, so re-dispatch can start right there.
        Ok(dropped.then(|| self.end_phy_offset()))
    }

    /// Indexes one dispatched record. Returns `Some(endTimestamp)` when a file filled up (the
    /// caller records it as the checkpoint's index time).
    pub fn build_index(&mut self, req: &DispatchRequest) -> StoreResult<Option<i64>> {
        if sys_flag::transaction_type(req.sys_flag) == sys_flag::TRANSACTION_ROLLBACK_TYPE {
            return Ok(None);
        }
        let end = self.end_phy_offset();
        if req.commit_log_offset < end || (req.commit_log_offset == end && self.has_entries()) {
            return Ok(None); // already indexed (re-dispatch during recovery)
        }
        let keys = record_keys(req);
        let mut filled = None;
        if keys.is_empty() {
            return Ok(None);
        }
        // All keys of one record go into one file, so recovery can drop or keep a record's
        // index entries as a unit.
        let n = keys.len().min(self.max_entries - 1);
        if self.files.last().is_some_and(|f| !f.has_room_for(n)) {
            self.roll(&mut filled)?;
        }
        for key in keys {
            // At most two attempts: the current file, then a fresh one.
            for _ in 0..2 {
                let f = self.last_writable(&mut filled)?;
                if f.put_key(&key, req.commit_log_offset, req.store_timestamp)? {
                    break;
                }
            }
        }
        Ok(filled)
    }

    fn last_writable(&mut self, filled: &mut Option<i64>) -> StoreResult<&mut IndexFile> {
        if self.files.last().is_none_or(|f| f.is_full()) {
            self.roll(filled)?;
        }
        self.files.last_mut().ok_or(StoreError::ShutDown)
    }

    /// Starts a new file (flushing the current one and reporting its end time).
    fn roll(&mut self, filled: &mut Option<i64>) -> StoreResult<()> {
        {
            let (prev_phy, prev_ts) = match self.files.last() {
                Some(f) => {
                    f.flush()?;
                    *filled = Some(f.end_timestamp());
                    (f.end_phy_offset(), f.end_timestamp())
                }
                None => (0, 0),
            };
            let f = match self.next.take() {
                Some(mut f) => {
                    f.init_header(prev_phy, prev_ts)?;
                    f
                }
                None => {
                    let path = self.new_file_path();
                    IndexFile::create(&path, self.slots, self.max_entries, prev_phy, prev_ts)?
                }
            };
            self.files.push(f);
        }
        Ok(())
    }

    /// Looks `topic#key` up in files overlapping [begin, end], newest first.
    pub fn query(
        &self,
        topic: &str,
        key: &str,
        max: usize,
        begin: i64,
        end: i64,
    ) -> IndexQueryResult {
        let max = max.clamp(1, MAX_QUERY_NUM);
        let full = format!("{topic}#{key}");
        let mut out = Vec::new();
        let mut res = IndexQueryResult::default();
        if let Some(last) = self.files.last() {
            res.index_last_update_timestamp = last.end_timestamp();
            res.index_last_update_phyoffset = last.end_phy_offset();
        }
        for f in self.files.iter().rev() {
            if out.len() >= max {
                break;
            }
            if f.is_time_matched(begin, end) {
                f.select(&full, max, begin, end, &mut out);
            }
        }
        res.phys_offsets = out;
        res
    }

    /// Deletes files (never the last) whose entries all point below `commit_log_min`.
    pub fn delete_expired(&mut self, commit_log_min: i64) -> StoreResult<usize> {
        let mut n = 0;
        while self.files.len() > 1 && self.files[0].end_phy_offset() < commit_log_min {
            self.files.remove(0).destroy()?;
            n += 1;
        }
        Ok(n)
    }

    /// msync every file.
    pub fn flush(&self) -> StoreResult<()> {
        self.files.iter().try_for_each(IndexFile::flush)
    }
}
