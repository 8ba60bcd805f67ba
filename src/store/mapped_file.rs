//! One fixed-size memory-mapped store file (a commit-log or consume-queue segment).
//!
//! Concurrency contract: exactly one writer appends at `wrote_position` (callers guarantee this:
//! only the store's writer side calls the `append*`/`truncate` methods), any number of readers
//! copy bytes below the published `wrote_position`, and a flush thread msyncs the range between
//! `flushed_position` and `wrote_position`. The write position is published with `Release` after
//! the bytes are copied and read with `Acquire`, so a reader never observes a torn record.

use crate::store::backing::{allocate, leading_data_end, page_up};
use crate::store::error::{StoreError, StoreResult};
use memmap2::{MmapOptions, MmapRaw};
use std::fs::{File, OpenOptions};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

pub use crate::store::backing::OS_PAGE_SIZE;

/// A mapped segment file.
#[derive(Debug)]
pub struct MappedFile {
    path: PathBuf,
    from_offset: u64,
    size: usize,
    map: MmapRaw,
    wrote: AtomicUsize,
    flushed: AtomicUsize,
    /// End of the leading region that is backed by disk space (module doc).
    backed: AtomicUsize,
    /// How far ahead of a write the space is allocated.
    chunk: usize,
    file: File,
}

/// Default allocation chunk (a consume queue's 64 KiB).
pub const DEFAULT_ALLOC_CHUNK: usize = 64 * 1024;

/// 20-digit zero-padded file name of a segment starting at `offset`.
pub fn file_name_for(offset: u64) -> String {
    format!("{offset:020}")
}

impl MappedFile {
    /// Creates (or opens, if present) the file `dir/<offset>` with exactly `size` bytes.
    /// A new file starts empty (`wrote_position` 0); an existing one starts "full" and
    /// recovery sets its real position.
    pub fn open(dir: &Path, from_offset: u64, size: usize) -> StoreResult<MappedFile> {
        Self::open_with_chunk(dir, from_offset, size, DEFAULT_ALLOC_CHUNK)
    }

    /// [`MappedFile::open`] allocating space `chunk` bytes ahead of each write.
    pub fn open_with_chunk(
        dir: &Path,
        from_offset: u64,
        size: usize,
        chunk: usize,
    ) -> StoreResult<MappedFile> {
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
        let backed = if existed {
            leading_data_end(&file, size)
        } else {
            0
        };
        Ok(MappedFile {
            path,
            from_offset,
            size,
            map,
            wrote: AtomicUsize::new(start),
            flushed: AtomicUsize::new(start),
            backed: AtomicUsize::new(backed),
            chunk: chunk.max(OS_PAGE_SIZE),
            file,
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

    /// End of the backed leading region.
    pub fn backed_position(&self) -> usize {
        self.backed.load(Ordering::Acquire)
    }

    /// Writer only: makes sure `[0, end)` is backed by disk space, allocating up to `chunk`
    /// bytes beyond `end` (only `end` itself when the disk has no room for more).
    pub(crate) fn ensure_backed(&self, end: usize) -> StoreResult<()> {
        let end = end.min(self.size);
        let backed = self.backed.load(Ordering::Acquire);
        if end <= backed {
            return Ok(());
        }
        let ahead = page_up(end.saturating_add(self.chunk)).min(self.size);
        let target = match allocate(&self.file, &self.path, backed, ahead, self.size) {
            Ok(()) => ahead,
            Err(e) if e.is_no_space() => {
                let least = page_up(end).min(self.size);
                if least >= ahead {
                    return Err(e);
                }
                allocate(&self.file, &self.path, backed, least, self.size)?;
                least
            }
            Err(e) => return Err(e),
        };
        self.backed.fetch_max(target, Ordering::AcqRel);
        Ok(())
    }

    /// Writer only: copies `bytes` at the current write position and publishes them.
    /// Returns the position they were written at, or `None` if they do not fit, the disk
    /// cannot back them or the write failed (failpoint `MAPPED_FILE_APPEND`; nothing written) (callers that want the reason call [`MappedFile::ensure_backed`] first).
    pub(crate) fn append(&self, bytes: &[u8]) -> Option<usize> {
        let pos = self.wrote.load(Ordering::Acquire);
        let end = pos.checked_add(bytes.len())?;
        if end > self.size {
            return None;
        }
        if self.ensure_backed(end).is_err() {
            return None;
        }
        if crate::failpoint::check(crate::failpoint::names::MAPPED_FILE_APPEND, &self.path).is_err()
        {
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
        // Above the backed region the file is a hole (or allocated, unwritten space): zeros
        // already, and touching it could fault on a full disk.
        let zero_end = zero_end.min(self.backed_position());
        if zero_end > pos {
            // SAFETY: the range is now above the published position and backed; readers loaded
            // before the swap may be copying it only during recovery, which runs before readers
            // exist.
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
        self.copy_backed(pos, &mut out);
        Some(out)
    }

    /// The published bytes `[pos, pos + len)` in place, or `None` unless all of them are
    /// published and backed (then callers copy with [`MappedFile::read`]). Published bytes are
    /// never modified while readers exist (module doc), so the slice stays valid as long as
    /// the mapping: [`crate::store::mapped_bytes`] keeps it with an `Arc` of this file.
    pub(crate) fn published_slice(&self, pos: usize, len: usize) -> Option<&[u8]> {
        let end = pos.checked_add(len)?;
        if end > self.wrote_position() || end > self.backed_position() || end > self.size {
            return None;
        }
        // SAFETY: [pos, end) is inside the mapping, published (the Acquire load above orders
        // the writer's copy before us) and backed, so reading it cannot fault for lack of
        // space; published bytes are not written again while readers exist. The mapping
        // lives as long as `self`.
        Some(unsafe { std::slice::from_raw_parts(self.map.as_ptr().add(pos), len) })
    }

    /// Copies `len` bytes at `pos` whether or not they are published (recovery scans only,
    /// when no writer is active). Returns fewer bytes at the end of the file.
    pub(crate) fn read_raw(&self, pos: usize, len: usize) -> Vec<u8> {
        if pos >= self.size {
            return Vec::new();
        }
        let end = pos.saturating_add(len).min(self.size);
        let mut out = vec![0u8; end - pos];
        self.copy_backed(pos, &mut out);
        out
    }

    /// Copies the bytes at `pos` into `out` (zeroed by the caller): from the mapping below the
    /// backed end, none above it (a hole reads as zeros and must not be faulted in).
    fn copy_backed(&self, pos: usize, out: &mut [u8]) {
        let n = self
            .backed_position()
            .saturating_sub(pos)
            .min(out.len())
            .min(self.size.saturating_sub(pos));
        if n > 0 {
            // SAFETY: [pos, pos + n) is inside the mapping and backed; callers copy published
            // bytes (never modified again while readers exist) or scan during recovery, when no
            // writer runs.
            unsafe {
                std::ptr::copy_nonoverlapping(self.map.as_ptr().add(pos), out.as_mut_ptr(), n);
            }
        }
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
        crate::failpoint::check(crate::failpoint::names::MAPPED_FILE_MSYNC, &self.path)
            .map_err(|e| StoreError::io(&self.path, e))?;
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
