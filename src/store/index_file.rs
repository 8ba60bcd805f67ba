//! One IndexFile (`index/<yyyyMMddHHmmssSSS>`, docs/protocol.md §5.3): a 40-byte header,
//! `hashSlotNum` i32 slots holding the newest entry of each hash chain, and `indexNum` 20-byte
//! entries {keyHash i32, phyOffset i64, timeDiff i32 (s), prevIndex i32}. Callers serialize access
//! (the index service holds it behind a lock), so a plain `MmapMut` is enough.
//!
//! Disk space (issue #19, [`crate::store::backing`]): the file stays as sparse as Java's — hash
//! slots are written at random pages, entries from the front — and a bitmap records which pages
//! are backed (data found at open, or allocated with `fallocate` before the first store into
//! them: one page for a slot, 64 KiB ahead for entries). Unbacked pages read as zeros without
//! being faulted in, so a full disk is an error on the put path, never a SIGBUS.

use crate::store::backing::{allocate, data_ranges, page_up};
use crate::store::error::{StoreError, StoreResult};
use crate::store::mapped_file::OS_PAGE_SIZE;
use crate::store::message::java_hash;
use memmap2::MmapMut;
use std::fs::{File, OpenOptions};
use std::path::{Path, PathBuf};

/// Header size.
pub const INDEX_HEADER_SIZE: usize = 40;
const HASH_SLOT_SIZE: usize = 4;
const INDEX_ENTRY_SIZE: usize = 20;
/// Space allocated ahead of the entry being written.
const ENTRY_ALLOC_AHEAD: usize = 64 * 1024;

/// A mapped index file.
#[derive(Debug)]
pub struct IndexFile {
    path: PathBuf,
    slots: usize,
    max_entries: usize,
    map: MmapMut,
    file: File,
    /// One bit per page: backed by disk space.
    backed: Vec<u64>,
    /// Cached "every hash-slot page is backed" (only ever turns true).
    slots_backed: bool,
}

/// Absolute Java hash of `topic#key` (Integer.MIN_VALUE → 0).
pub fn key_hash(key: &str) -> i32 {
    let h = java_hash(key);
    if h == i32::MIN {
        0
    } else {
        h.abs()
    }
}

impl IndexFile {
    /// Total file size for the given geometry.
    pub fn file_size(slots: usize, max_entries: usize) -> usize {
        INDEX_HEADER_SIZE + slots * HASH_SLOT_SIZE + max_entries * INDEX_ENTRY_SIZE
    }

    /// Creates a new file, its header starting from the previous file's end offset and time.
    pub fn create(
        path: &Path,
        slots: usize,
        max_entries: usize,
        prev_end_phy: i64,
        prev_end_ts: i64,
    ) -> StoreResult<IndexFile> {
        let mut f = Self::create_blank(path, slots, max_entries)?;
        f.init_header(prev_end_phy, prev_end_ts)?;
        Ok(f)
    }

    /// Creates a new file with its header page backed but not written (index count 0): made
    /// ahead of the roll-over, it becomes the current file with [`IndexFile::init_header`]. A
    /// blank file found at load was never used and is dropped.
    pub fn create_blank(path: &Path, slots: usize, max_entries: usize) -> StoreResult<IndexFile> {
        let mut f = Self::map(path, slots, max_entries, true)?;
        f.back(0, INDEX_HEADER_SIZE, 0)?;
        Ok(f)
    }

    /// Writes the header of a new file starting from the previous file's end offset and time.
    pub fn init_header(&mut self, prev_end_phy: i64, prev_end_ts: i64) -> StoreResult<()> {
        self.back(0, INDEX_HEADER_SIZE, 0)?;
        self.set_i64(0, prev_end_ts);
        self.set_i64(8, prev_end_ts);
        self.set_i64(16, prev_end_phy);
        self.set_i64(24, prev_end_phy);
        self.set_i32(32, 0);
        self.set_i32(36, 1);
        Ok(())
    }

    /// Opens an existing file, checking its size.
    pub fn open(path: &Path, slots: usize, max_entries: usize) -> StoreResult<IndexFile> {
        Self::map(path, slots, max_entries, false)
    }

    fn map(path: &Path, slots: usize, max_entries: usize, create: bool) -> StoreResult<IndexFile> {
        let size = Self::file_size(slots, max_entries);
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(create)
            .truncate(false)
            .open(path)
            .map_err(|e| StoreError::io(path, e))?;
        let len = file.metadata().map_err(|e| StoreError::io(path, e))?.len();
        if create && len == 0 {
            file.set_len(size as u64)
                .map_err(|e| StoreError::io(path, e))?;
        } else if len != size as u64 {
            return Err(StoreError::BadFileSize {
                path: path.to_path_buf(),
                actual: len,
                expected: size as u64,
            });
        }
        // SAFETY: the store owns its directory; no other process maps the file while it runs
        // (RocketMQ's lock file convention).
        let map = unsafe { MmapMut::map_mut(&file) }.map_err(|e| StoreError::io(path, e))?;
        let mut backed = vec![0u64; (size.div_ceil(OS_PAGE_SIZE)).div_ceil(64)];
        if !create || len != 0 {
            for (a, b) in data_ranges(&file, size) {
                for page in a / OS_PAGE_SIZE..b.div_ceil(OS_PAGE_SIZE) {
                    backed[page / 64] |= 1 << (page % 64);
                }
            }
        }
        Ok(IndexFile {
            path: path.to_path_buf(),
            slots,
            max_entries,
            map,
            file,
            backed,
            slots_backed: false,
        })
    }

    fn page_backed(&self, page: usize) -> bool {
        self.backed
            .get(page / 64)
            .is_some_and(|w| w & (1 << (page % 64)) != 0)
    }

    fn range_backed(&self, pos: usize, len: usize) -> bool {
        len == 0
            || (pos / OS_PAGE_SIZE..(pos + len).div_ceil(OS_PAGE_SIZE)).all(|p| self.page_backed(p))
    }

    /// Backs the pages of `[pos, pos + len)` (plus `ahead` bytes when some are missing; just
    /// the range if the disk has no room for more) before anything is stored there.
    fn back(&mut self, pos: usize, len: usize, ahead: usize) -> StoreResult<()> {
        if self.range_backed(pos, len) {
            return Ok(());
        }
        let size = self.map.len();
        let from = pos / OS_PAGE_SIZE * OS_PAGE_SIZE;
        let least = page_up(pos + len).min(size);
        let wide = page_up(pos + len + ahead).min(size);
        let to = match allocate(&self.file, &self.path, from, wide, size) {
            Ok(()) => wide,
            Err(e) if e.is_no_space() && least < wide => {
                allocate(&self.file, &self.path, from, least, size)?;
                least
            }
            Err(e) => return Err(e),
        };
        for page in from / OS_PAGE_SIZE..to.div_ceil(OS_PAGE_SIZE) {
            if let Some(w) = self.backed.get_mut(page / 64) {
                *w |= 1 << (page % 64);
            }
        }
        Ok(())
    }

    /// Copies `N` bytes at `pos`; unbacked pages read as zeros (never faulted in).
    fn bytes_at<const N: usize>(&self, pos: usize) -> [u8; N] {
        let mut out = [0u8; N];
        if pos + N > self.map.len() {
            return out;
        }
        for (i, b) in out.iter_mut().enumerate() {
            if self.page_backed((pos + i) / OS_PAGE_SIZE) {
                *b = self.map[pos + i];
            }
        }
        out
    }

    fn i32_at(&self, pos: usize) -> i32 {
        i32::from_be_bytes(self.bytes_at(pos))
    }
    fn i64_at(&self, pos: usize) -> i64 {
        i64::from_be_bytes(self.bytes_at(pos))
    }
    /// Callers back the range first ([`IndexFile::back`]).
    fn set_i32(&mut self, pos: usize, v: i32) {
        if self.range_backed(pos, 4) {
            self.map[pos..pos + 4].copy_from_slice(&v.to_be_bytes());
        }
    }
    /// Callers back the range first ([`IndexFile::back`]).
    fn set_i64(&mut self, pos: usize, v: i64) {
        if self.range_backed(pos, 8) {
            self.map[pos..pos + 8].copy_from_slice(&v.to_be_bytes());
        }
    }

    /// Backs what `keys` will need in this file — their hash-slot pages and `min(room, n)`
    /// entries — ahead of the put that carries them (issue #19).
    pub fn prepare(&mut self, keys: &[String]) -> StoreResult<()> {
        let count = usize::try_from(self.index_count()).unwrap_or(0).max(1);
        let n = keys.len().min(self.max_entries.saturating_sub(count));
        if n > 0 {
            let pos = self.entry_pos(count);
            self.back(pos, n * INDEX_ENTRY_SIZE, ENTRY_ALLOC_AHEAD)?;
        }
        if !self.all_slots_backed() {
            for key in keys {
                let slot_pos = self.slot_pos(key_hash(key));
                self.back(slot_pos, HASH_SLOT_SIZE, 0)?;
            }
        }
        Ok(())
    }

    /// True when no hash-slot store can need new space any more.
    pub fn all_slots_backed(&mut self) -> bool {
        if !self.slots_backed {
            self.slots_backed = self.range_backed(INDEX_HEADER_SIZE, self.slots * HASH_SLOT_SIZE);
        }
        self.slots_backed
    }

    /// True when `n` more entries fit and their pages are backed.
    pub fn entries_backed(&self, n: usize) -> bool {
        let count = usize::try_from(self.index_count()).unwrap_or(0).max(1);
        self.has_room_for(n) && self.range_backed(self.entry_pos(count), n * INDEX_ENTRY_SIZE)
    }

    fn slot_pos(&self, hash: i32) -> usize {
        INDEX_HEADER_SIZE + (hash as usize % self.slots) * HASH_SLOT_SIZE
    }

    /// File path.
    pub fn path(&self) -> &Path {
        &self.path
    }
    /// Header beginTimestamp.
    pub fn begin_timestamp(&self) -> i64 {
        self.i64_at(0)
    }
    /// Header endTimestamp.
    pub fn end_timestamp(&self) -> i64 {
        self.i64_at(8)
    }
    /// Header beginPhyOffset.
    pub fn begin_phy_offset(&self) -> i64 {
        self.i64_at(16)
    }
    /// Header endPhyOffset.
    pub fn end_phy_offset(&self) -> i64 {
        self.i64_at(24)
    }
    /// Header hashSlotCount.
    pub fn hash_slot_count(&self) -> i32 {
        self.i32_at(32)
    }
    /// Header indexCount (starts at 1).
    pub fn index_count(&self) -> i32 {
        self.i32_at(36)
    }

    /// True when no more entries fit.
    pub fn is_full(&self) -> bool {
        usize::try_from(self.index_count()).map_or(true, |c| c >= self.max_entries)
    }

    fn entry_pos(&self, n: usize) -> usize {
        INDEX_HEADER_SIZE + self.slots * HASH_SLOT_SIZE + n * INDEX_ENTRY_SIZE
    }

    /// Whether `n` more entries fit.
    pub fn has_room_for(&self, n: usize) -> bool {
        usize::try_from(self.index_count()).is_ok_and(|c| c + n <= self.max_entries)
    }

    /// Adds `key` for the record at `phy_offset` stored at `store_ts`. False when full;
    /// `NoSpace` when the disk cannot back the pages (nothing is written then).
    pub fn put_key(&mut self, key: &str, phy_offset: i64, store_ts: i64) -> StoreResult<bool> {
        if self.is_full() {
            return Ok(false);
        }
        let hash = key_hash(key);
        let slot_pos = self.slot_pos(hash);
        let count = self.index_count();
        self.back(slot_pos, HASH_SLOT_SIZE, 0)?;
        self.back(
            self.entry_pos(count as usize),
            INDEX_ENTRY_SIZE,
            ENTRY_ALLOC_AHEAD,
        )?;
        let mut slot_value = self.i32_at(slot_pos);
        if slot_value <= 0 || slot_value > count {
            slot_value = 0;
        }
        let diff =
            ((store_ts - self.begin_timestamp()) / 1000).clamp(0, i64::from(i32::MAX)) as i32;
        let pos = self.entry_pos(count as usize);
        self.set_i32(pos, hash);
        self.set_i64(pos + 4, phy_offset);
        self.set_i32(pos + 12, diff);
        self.set_i32(pos + 16, slot_value);
        self.set_i32(slot_pos, count);
        if count <= 1 {
            self.set_i64(16, phy_offset);
            self.set_i64(0, store_ts);
        }
        if slot_value == 0 {
            self.set_i32(32, self.hash_slot_count() + 1);
        }
        self.set_i32(36, count + 1);
        self.set_i64(24, phy_offset);
        self.set_i64(8, store_ts);
        Ok(true)
    }

    /// Whether the file's time range overlaps [begin, end].
    pub fn is_time_matched(&self, begin: i64, end: i64) -> bool {
        let (b, e) = (self.begin_timestamp(), self.end_timestamp());
        (begin >= b && begin <= e) || (end >= b && end <= e) || (begin <= b && end >= e)
    }

    /// Appends to `out` (up to `max` total) the physical offsets of entries for `key` stored
    /// within [begin, end] (ms), newest first.
    pub fn select(&self, key: &str, max: usize, begin: i64, end: i64, out: &mut Vec<i64>) {
        let hash = key_hash(key);
        let slot_pos = self.slot_pos(hash);
        let count = self.index_count();
        let mut next = self.i32_at(slot_pos);
        let begin_ts = self.begin_timestamp();
        // Bounded by the entry count: a corrupt chain cannot loop forever.
        for _ in 0..count.max(0) {
            if out.len() >= max || next < 1 || next > count {
                break;
            }
            let pos = self.entry_pos(next as usize);
            let h = self.i32_at(pos);
            let phy = self.i64_at(pos + 4);
            let diff = self.i32_at(pos + 12);
            let prev = self.i32_at(pos + 16);
            let t = begin_ts + i64::from(diff) * 1000;
            if h == hash && t >= begin && t <= end {
                out.push(phy);
            }
            if prev <= 0 || prev > count || prev == next || t < begin {
                break;
            }
            next = prev;
        }
    }

    /// msync the whole file.
    pub fn flush(&self) -> StoreResult<()> {
        crate::failpoint::check(crate::failpoint::names::INDEX_FLUSH, &self.path)
            .map_err(|e| StoreError::io(&self.path, e))?;
        self.map.flush().map_err(|e| StoreError::io(&self.path, e))
    }

    /// Deletes the file.
    pub fn destroy(self) -> StoreResult<()> {
        let path = self.path.clone();
        drop(self);
        match std::fs::remove_file(&path) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(StoreError::io(&path, e)),
        }
    }
}
