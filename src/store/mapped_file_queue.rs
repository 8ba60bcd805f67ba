//! An ordered directory of equally sized [`MappedFile`]s forming one logical byte stream
//! (the commit log, or one consume queue). Files are named by their 20-digit start offset;
//! a new file is created when the last one is full.
//!
//! The file list sits behind a `RwLock` so readers can find files while the single writer
//! adds a file or cleanup removes old ones; the `Arc<MappedFile>` a reader holds stays
//! mapped even after its file is deleted.
//!
//! Disk space (issue #19): [`MappedFileQueue::ensure_writable`] backs the bytes a write is about
//! to need before anything is written, including the start of the next file, which it creates
//! ahead and keeps aside (Java's `AllocateMappedFileService` does the same) until the writer
//! rolls over to it. A put that cannot get its space is refused whole.

use crate::store::error::{StoreError, StoreResult};
use crate::store::mapped_file::{MappedFile, DEFAULT_ALLOC_CHUNK};
use parking_lot::{Mutex, RwLock};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

/// The files of one stream.
#[derive(Debug)]
pub struct MappedFileQueue {
    dir: PathBuf,
    file_size: usize,
    files: RwLock<Vec<Arc<MappedFile>>>,
    flushed_where: AtomicU64,
    /// Space allocated ahead of each write.
    chunk: usize,
    /// The next file, created and backed ahead of the roll-over (not yet in `files`).
    next: Mutex<Option<Arc<MappedFile>>>,
}

impl MappedFileQueue {
    /// Opens every segment in `dir` (creating the directory if needed). All must have
    /// `file_size` bytes; loaded files start "full" until recovery sets the real end.
    pub fn load(dir: &Path, file_size: usize) -> StoreResult<MappedFileQueue> {
        Self::load_with_chunk(dir, file_size, DEFAULT_ALLOC_CHUNK)
    }

    /// [`MappedFileQueue::load`] allocating disk space `chunk` bytes ahead of each write.
    pub fn load_with_chunk(
        dir: &Path,
        file_size: usize,
        chunk: usize,
    ) -> StoreResult<MappedFileQueue> {
        std::fs::create_dir_all(dir).map_err(|e| StoreError::io(dir, e))?;
        let mut offsets = Vec::new();
        for entry in std::fs::read_dir(dir).map_err(|e| StoreError::io(dir, e))? {
            let entry = entry.map_err(|e| StoreError::io(dir, e))?;
            let name = entry.file_name();
            let Some(name) = name.to_str() else { continue };
            if name.len() != 20 {
                continue; // ignore foreign files (e.g. editor backups)
            }
            let offset: u64 = name
                .parse()
                .map_err(|_| StoreError::BadFileName { path: entry.path() })?;
            offsets.push(offset);
        }
        offsets.sort_unstable();
        let mut files = Vec::with_capacity(offsets.len());
        for off in offsets {
            files.push(Arc::new(MappedFile::open_with_chunk(
                dir, off, file_size, chunk,
            )?));
        }
        let flushed = files
            .last()
            .map_or(0, |f| f.from_offset() + file_size as u64);
        Ok(MappedFileQueue {
            dir: dir.to_path_buf(),
            file_size,
            files: RwLock::new(files),
            flushed_where: AtomicU64::new(flushed),
            chunk,
            next: Mutex::new(None),
        })
    }

    /// The directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Size of every file.
    pub fn file_size(&self) -> usize {
        self.file_size
    }

    /// Snapshot of the file list, oldest first.
    pub fn files(&self) -> Vec<Arc<MappedFile>> {
        self.files.read().clone()
    }

    /// Number of files.
    pub fn len(&self) -> usize {
        self.files.read().len()
    }

    /// True when there is no file.
    pub fn is_empty(&self) -> bool {
        self.files.read().is_empty()
    }

    /// The newest file.
    pub fn last_file(&self) -> Option<Arc<MappedFile>> {
        self.files.read().last().cloned()
    }

    /// The oldest file.
    pub fn first_file(&self) -> Option<Arc<MappedFile>> {
        self.files.read().first().cloned()
    }

    /// Writer only: the last file if it has room, else a new file after it (or, for an empty
    /// queue, a file containing `start_offset`).
    pub(crate) fn last_or_create(&self, start_offset: u64) -> StoreResult<Arc<MappedFile>> {
        let size = self.file_size as u64;
        let next = match self.last_file() {
            Some(f) if !f.is_full() => return Ok(f),
            Some(f) => f.from_offset() + size,
            None => start_offset - start_offset % size,
        };
        let prepared = self.next.lock().take();
        let file = match prepared {
            Some(f) if f.from_offset() == next => f,
            other => {
                if let Some(stale) = other {
                    stale.destroy()?;
                }
                Arc::new(MappedFile::open_with_chunk(
                    &self.dir,
                    next,
                    self.file_size,
                    self.chunk,
                )?)
            }
        };
        let mut files = self.files.write();
        if files.is_empty() {
            self.flushed_where.store(next, Ordering::Release);
        }
        files.push(file.clone());
        Ok(file)
    }

    /// Writer only: backs the bytes `[at, at + len)` of the stream before they are written:
    /// the rest of the last file, and the start of the next one (created now and kept aside)
    /// when the range crosses into it. `at` is the stream's write position (or, for an empty
    /// queue, where its first file will start). Fails with `NoSpace` before anything is
    /// written; nothing to undo.
    pub(crate) fn ensure_writable(&self, at: u64, len: usize) -> StoreResult<()> {
        let size = self.file_size as u64;
        let end = at.saturating_add(len as u64);
        let (cur_start, cur) = match self.last_file() {
            Some(f) if !f.is_full() => (f.from_offset(), Some(f)),
            Some(f) => (f.from_offset() + size, None),
            None => (at - at % size, None),
        };
        match cur {
            Some(f) => f.ensure_backed(usize::try_from(end - cur_start).unwrap_or(usize::MAX))?,
            None => {
                // The write creates the file: create it ahead (an empty queue has no "next").
                let f = self.prepared(cur_start)?;
                f.ensure_backed(usize::try_from(end - cur_start).unwrap_or(usize::MAX))?;
            }
        }
        let next_start = cur_start + size;
        if end > next_start {
            let f = self.prepared(next_start)?;
            f.ensure_backed(usize::try_from(end - next_start).unwrap_or(usize::MAX))?;
        }
        Ok(())
    }

    /// Writer only: backs a roll-over — `blank` bytes at the write position `at` of the last
    /// file (the end-of-file blank header; the padding after it is never written) and the
    /// first `len` bytes of the next file (created now and kept aside).
    pub(crate) fn ensure_roll(&self, at: u64, blank: usize, len: usize) -> StoreResult<()> {
        let Some(f) = self.last_file() else {
            return self.ensure_writable(at, len);
        };
        if !f.is_full() {
            let pos = usize::try_from(at.saturating_sub(f.from_offset())).unwrap_or(usize::MAX);
            f.ensure_backed(pos.saturating_add(blank))?;
        }
        self.prepared(f.from_offset() + self.file_size as u64)?
            .ensure_backed(len)
    }

    /// The file kept aside for `from` (created sparse if missing).
    fn prepared(&self, from: u64) -> StoreResult<Arc<MappedFile>> {
        let mut slot = self.next.lock();
        if let Some(f) = slot.as_ref().filter(|f| f.from_offset() == from) {
            return Ok(f.clone());
        }
        if let Some(stale) = slot.take() {
            stale.destroy()?;
        }
        let f = Arc::new(MappedFile::open_with_chunk(
            &self.dir,
            from,
            self.file_size,
            self.chunk,
        )?);
        *slot = Some(f.clone());
        Ok(f)
    }

    /// The file holding global `offset`, if it still exists.
    pub fn find(&self, offset: u64) -> Option<Arc<MappedFile>> {
        let files = self.files.read();
        let first = files.first()?.from_offset();
        if offset < first {
            return None;
        }
        let idx = usize::try_from((offset - first) / self.file_size as u64).ok()?;
        let f = files.get(idx)?;
        (offset >= f.from_offset() && offset < f.from_offset() + self.file_size as u64)
            .then(|| f.clone())
    }

    /// Offset of the first byte still on disk (0 for an empty queue).
    pub fn min_offset(&self) -> u64 {
        self.first_file().map_or(0, |f| f.from_offset())
    }

    /// Offset just past the last published byte.
    pub fn max_offset(&self) -> u64 {
        self.last_file()
            .map_or(0, |f| f.from_offset() + f.wrote_position() as u64)
    }

    /// Copies up to `len` published bytes at global `offset`, never crossing a file end.
    pub fn read(&self, offset: u64, len: usize) -> Option<Vec<u8>> {
        let f = self.find(offset)?;
        f.read((offset - f.from_offset()) as usize, len)
    }

    /// Writer only: drops everything at or after `offset` (zeroing the tail of the file that
    /// contains it and deleting later files).
    pub(crate) fn truncate_dirty(&self, offset: u64) -> StoreResult<()> {
        let mut files = self.files.write();
        let mut keep = Vec::with_capacity(files.len());
        for f in files.drain(..) {
            let end = f.from_offset() + self.file_size as u64;
            if end <= offset {
                keep.push(f);
            } else if f.from_offset() <= offset {
                f.truncate_to((offset - f.from_offset()) as usize);
                keep.push(f);
            } else {
                f.destroy()?;
            }
        }
        *files = keep;
        if let Some(f) = self.next.lock().take() {
            f.destroy()?;
        }
        if self.flushed_where.load(Ordering::Acquire) > offset {
            self.flushed_where.store(offset, Ordering::Release);
        }
        Ok(())
    }

    /// Writer only: recovery helper marking every file before the one holding `offset` full
    /// and truncating that one to `offset`.
    pub(crate) fn set_end(&self, offset: u64) -> StoreResult<()> {
        self.truncate_dirty(offset)?;
        for f in self.files.read().iter() {
            if f.from_offset() + (self.file_size as u64) <= offset {
                f.mark_full();
            }
        }
        Ok(())
    }

    /// Flushes dirty files; returns the global flushed offset. Safe to call from a flush thread
    /// concurrently with the writer.
    pub fn flush(&self, least_pages: usize) -> StoreResult<u64> {
        let files = self.files();
        let mut where_ = self.flushed_where.load(Ordering::Acquire);
        for f in files {
            let end = f.from_offset() + self.file_size as u64;
            if end <= where_ {
                continue;
            }
            let pos = f.flush(least_pages)?;
            let reached = f.from_offset() + pos as u64;
            if reached > where_ {
                where_ = reached;
            }
            if pos < f.size() {
                break;
            }
        }
        self.flushed_where.fetch_max(where_, Ordering::AcqRel);
        Ok(self.flushed_where())
    }

    /// Global flushed offset.
    pub fn flushed_where(&self) -> u64 {
        self.flushed_where.load(Ordering::Acquire)
    }

    /// Removes the given leading files from the list and deletes them from disk.
    pub(crate) fn remove_files(&self, victims: &[Arc<MappedFile>]) -> StoreResult<()> {
        let mut files = self.files.write();
        files.retain(|f| !victims.iter().any(|v| Arc::ptr_eq(f, v)));
        drop(files);
        for v in victims {
            v.destroy()?;
        }
        Ok(())
    }

    /// Deletes every file (the queue is being destroyed).
    pub(crate) fn destroy_all(&self) -> StoreResult<()> {
        let victims = self.files();
        self.remove_files(&victims)
    }

    /// Deletes old files (never the last one): a file goes when its mtime + `reserved_ms` ≤
    /// `now_ms`, or unconditionally when `force`. Stops at the first file that stays, and
    /// after `max` deletions. Returns how many files went.
    pub(crate) fn delete_expired_by_time(
        &self,
        reserved_ms: i64,
        now_ms: i64,
        force: bool,
        max: usize,
    ) -> StoreResult<usize> {
        let files = self.files();
        let mut victims = Vec::new();
        for f in files.iter().take(files.len().saturating_sub(1)) {
            if victims.len() >= max {
                break;
            }
            if force || f.last_modified_ms().saturating_add(reserved_ms) <= now_ms {
                victims.push(f.clone());
            } else {
                break;
            }
        }
        self.remove_files(&victims)?;
        Ok(victims.len())
    }
}
