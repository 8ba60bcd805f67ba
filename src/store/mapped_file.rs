//! One fixed-size memory-mapped store file (a commit-log or consume-queue segment).
//!
//! Concurrency contract: exactly one writer appends at `wrote_position` (callers guarantee this:
//! only the store's writer side calls the `append*`/`truncate` methods), any number of readers
//! copy bytes below the published `wrote_position`, and a flush thread msyncs the range between
//! `flushed_position` and `wrote_position`. The write position is published with `Release` after
//! the bytes are copied and read with `Acquire`, so a reader never observes a torn record.

use crate::store::error::{StoreError, StoreResult};
use memmap2::{MmapOptions, MmapRaw};
use std::fs::{File, OpenOptions};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

/// Size of an OS page, used for "flush least pages".
pub const OS_PAGE_SIZE: usize = 4096;

/// A mapped segment file.
#[derive(Debug)]
pub struct MappedFile {
    path: PathBuf,
    from_offset: u64,
    size: usize,
    map: MmapRaw,
    wrote: AtomicUsize,
    flushed: AtomicUsize,
    _file: File,
}

/// 20-digit zero-padded file name of a segment starting at `offset`.
pub fn file_name_for(offset: u64) -> String {
    format!("{offset:020}")
}

impl MappedFile {
    /// Creates (or opens, if present) the file `dir/<offset>` with exactly `size` bytes.
    /// A new file starts empty (`wrote_position` 0); an existing one starts "full" and
    /// recovery sets its real position.
    pub fn open(dir: &Path, from_offset: u64, size: usize) -> StoreResult<MappedFile> {
        let path = dir.join(file_name_for(from_offset));
        let existed = path.exists();
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .map_err(|e| StoreError::io(&path, e))?;
        let len = file.metadata().map_err(|e| StoreError::io(&path, e))?.len();
        if existed && len != size as u64 {
            return Err(StoreError::BadFileSize {
                path,
                actual: len,
                expected: size as u64,
            });
        }
        if !existed {
            // Sparse zero-filled file: RocketMQ's recovery relies on the zero tail.
            file.set_len(size as u64)
                .map_err(|e| StoreError::io(&path, e))?;
        }
        let map = MmapOptions::new()
            .len(size)
            .map_raw(&file)
            .map_err(|e| StoreError::io(&path, e))?;
        let start = if existed { size } else { 0 };
        Ok(MappedFile {
            path,
            from_offset,
            size,
            map,
            wrote: AtomicUsize::new(start),
            flushed: AtomicUsize::new(start),
            _file: file,
        })
    }

    /// The file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Global offset of the file's first byte (its name).
    pub fn from_offset(&self) -> u64 {
        self.from_offset
    }

    /// Configured file size.
    pub fn size(&self) -> usize {
        self.size
    }

    /// Bytes published to readers.
    pub fn wrote_position(&self) -> usize {
        self.wrote.load(Ordering::Acquire)
    }

    /// Bytes known to be on disk.
    pub fn flushed_position(&self) -> usize {
        self.flushed.load(Ordering::Acquire)
    }

    /// Free bytes after the write position.
    pub fn remaining(&self) -> usize {
        self.size - self.wrote_position()
    }

    /// True when nothing more can be appended.
    pub fn is_full(&self) -> bool {
        self.wrote_position() >= self.size
    }

    /// Writer only: copies `bytes` at the current write position and publishes them.
    /// Returns the position they were written at, or `None` if they do not fit.
    pub(crate) fn append(&self, bytes: &[u8]) -> Option<usize> {
        let pos = self.wrote.load(Ordering::Acquire);
        let end = pos.checked_add(bytes.len())?;
        if end > self.size {
            return None;
        }
        // SAFETY: [pos, end) lies inside the mapping, and it is above the published write
        // position, so no reader looks at it; the single-writer contract (module doc) means
        // nobody else writes it.
        unsafe {
            std::ptr::copy_nonoverlapping(
                bytes.as_ptr(),
                self.map.as_mut_ptr().add(pos),
                bytes.len(),
            );
        }
        self.wrote.store(end, Ordering::Release);
        Some(pos)
    }

    /// Writer only: sets the write position (recovery / truncation). Bytes past the new
    /// position are zeroed so a later scan can never resurrect stale records.
    pub(crate) fn truncate_to(&self, pos: usize) {
        let pos = pos.min(self.size);
        let old = self.wrote.swap(pos, Ordering::AcqRel);
        if self.flushed.load(Ordering::Acquire) > pos {
            self.flushed.store(pos, Ordering::Release);
        }
        let zero_end = old.max(pos).min(self.size);
        // Zero the whole tail when the previous position was "assumed full" after load.
        let zero_end = if old >= self.size {
            self.size
        } else {
            zero_end
        };
        if zero_end > pos {
            // SAFETY: the range is now above the published position; readers loaded before
            // the swap may be copying it only during recovery, which runs before readers exist.
            unsafe {
                std::ptr::write_bytes(self.map.as_mut_ptr().add(pos), 0, zero_end - pos);
            }
        }
    }

    /// Writer only: marks the file completely used (after the end-of-file blank record).
    pub(crate) fn mark_full(&self) {
        self.wrote.store(self.size, Ordering::Release);
    }

    /// Copies up to `len` published bytes starting at `pos` (file-relative).
    pub fn read(&self, pos: usize, len: usize) -> Option<Vec<u8>> {
        let wrote = self.wrote_position();
        if pos >= wrote {
            return None;
        }
        let end = pos.saturating_add(len).min(wrote);
        let mut out = vec![0u8; end - pos];
        // SAFETY: [pos, end) is below the published write position: fully written and never
        // modified again while readers exist.
        unsafe {
            std::ptr::copy_nonoverlapping(self.map.as_ptr().add(pos), out.as_mut_ptr(), end - pos);
        }
        Some(out)
    }

    /// Copies `len` bytes at `pos` whether or not they are published (recovery scans only,
    /// when no writer is active). Returns fewer bytes at the end of the file.
    pub(crate) fn read_raw(&self, pos: usize, len: usize) -> Vec<u8> {
        if pos >= self.size {
            return Vec::new();
        }
        let end = pos.saturating_add(len).min(self.size);
        let mut out = vec![0u8; end - pos];
        // SAFETY: in-bounds; called only while no writer is running.
        unsafe {
            std::ptr::copy_nonoverlapping(self.map.as_ptr().add(pos), out.as_mut_ptr(), end - pos);
        }
        out
    }

    /// msyncs `[flushed, wrote)` if at least `least_pages` pages are dirty (0 = always) or the
    /// file is full. Returns the new flushed position.
    pub fn flush(&self, least_pages: usize) -> StoreResult<usize> {
        let wrote = self.wrote_position();
        let flushed = self.flushed_position();
        if wrote <= flushed {
            return Ok(flushed);
        }
        let dirty_pages = wrote / OS_PAGE_SIZE - flushed / OS_PAGE_SIZE;
        if least_pages > 0 && dirty_pages < least_pages && wrote < self.size {
            return Ok(flushed);
        }
        self.map
            .flush_range(flushed, wrote - flushed)
            .map_err(|e| StoreError::io(&self.path, e))?;
        // Only move forward: a concurrent flush may have gone further.
        self.flushed.fetch_max(wrote, Ordering::AcqRel);
        Ok(self.flushed_position())
    }

    /// Last modification time of the file in ms (0 if unknown).
    pub fn last_modified_ms(&self) -> i64 {
        std::fs::metadata(&self.path)
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
            .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
            .unwrap_or(0)
    }

    /// Deletes the file from disk. The mapping stays valid for readers still holding it.
    pub fn destroy(&self) -> StoreResult<()> {
        match std::fs::remove_file(&self.path) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(StoreError::io(&self.path, e)),
        }
    }
}
