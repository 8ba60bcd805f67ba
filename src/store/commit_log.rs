//! The commit log: one byte stream of records over fixed-size mapped files. This type is
//! shared (`Arc`) between the writer and readers; the `pub(crate)` append methods are only
//! called by [`crate::store::MessageStore`]'s `&mut self` write path, which makes the single
//! writer a compile-time property. Readers copy published bytes; a flush thread calls
//! [`CommitLog::flush`].

use crate::store::error::{StoreError, StoreResult};
use crate::store::mapped_file::MappedFile;
use crate::store::mapped_file_queue::MappedFileQueue;
use crate::store::record::{
    blank_header, check_record, peek_total_size, DecodedRecord, RecordCheck,
    END_FILE_MIN_BLANK_LENGTH,
};
use bytes::Bytes;
use std::path::Path;

/// Space allocated ahead of the commit-log write position: a quarter of a file, 64 KiB to 4 MiB.
pub fn alloc_chunk(file_size: usize) -> usize {
    (file_size / 4).clamp(64 * 1024, 4 * 1024 * 1024)
}

/// The commit-log files.
#[derive(Debug)]
pub struct CommitLog {
    files: MappedFileQueue,
}

impl CommitLog {
    /// Loads the files of `dir`.
    pub fn load(dir: &Path, file_size: u64) -> StoreResult<CommitLog> {
        let size = usize::try_from(file_size).unwrap_or(usize::MAX);
        Ok(CommitLog {
            files: MappedFileQueue::load_with_chunk(dir, size, alloc_chunk(size))?,
        })
    }

    /// Writer only: backs the space a `len`-byte record (or batch) is about to take — in the
    /// current file, or the end-of-file blank here and the record at the start of the next
    /// file — so that the append cannot fail for lack of space (issue #19).
    pub(crate) fn ensure_space(&self, len: usize) -> StoreResult<()> {
        let need = len + END_FILE_MIN_BLANK_LENGTH;
        let at = self.max_offset().max(0) as u64;
        let remaining = self.files.last_file().map_or(0, |f| f.remaining());
        if need <= remaining || self.files.is_empty() {
            return self.files.ensure_writable(at, need);
        }
        // The blank header closes this file; the record opens the next one.
        self.files.ensure_roll(at, END_FILE_MIN_BLANK_LENGTH, need)
    }

    /// True when the next `len` bytes need disk space not yet allocated (a new chunk or a new
    /// file): the moment to look at the disk usage again.
    pub(crate) fn needs_space(&self, len: usize) -> bool {
        match self.files.last_file() {
            Some(f) if !f.is_full() => {
                f.wrote_position() + len + END_FILE_MIN_BLANK_LENGTH > f.backed_position()
            }
            _ => true,
        }
    }

    /// The underlying files.
    pub fn files(&self) -> &MappedFileQueue {
        &self.files
    }

    /// Size of each file.
    pub fn file_size(&self) -> u64 {
        self.files.file_size() as u64
    }

    /// First offset still on disk.
    pub fn min_offset(&self) -> i64 {
        self.files.min_offset() as i64
    }

    /// Offset just past the last record (the next write position).
    pub fn max_offset(&self) -> i64 {
        self.files.max_offset() as i64
    }

    /// Offset known to be on disk.
    pub fn flushed_offset(&self) -> i64 {
        self.files.flushed_where() as i64
    }

    /// Writer only: makes room for a `len`-byte record (or batch) in the current file, writing
    /// the end-of-file blank and rolling over when `len + 8` does not fit. Returns the
    /// physical offset the bytes will get.
    pub(crate) fn reserve(&self, len: usize) -> StoreResult<i64> {
        let need = len + END_FILE_MIN_BLANK_LENGTH;
        if need > self.files.file_size() {
            return Err(StoreError::MessageIllegal(format!(
                "record of {len} bytes does not fit a commit-log file of {}",
                self.files.file_size()
            )));
        }
        let mut f = self.files.last_or_create(0)?;
        if need > f.remaining() {
            let remaining = f.remaining();
            // docs/protocol.md §4.6: at least 8 bytes remain, so the blank header always fits.
            f.append(&blank_header(remaining));
            f.mark_full();
            f = self.files.last_or_create(0)?;
        }
        Ok((f.from_offset() + f.wrote_position() as u64) as i64)
    }

    /// Writer only: appends bytes at the end (after [`CommitLog::reserve`] made room).
    pub(crate) fn append(&self, bytes: &[u8]) -> StoreResult<()> {
        let f = self.files.last_or_create(0)?;
        // `reserve` made room and `ensure_space` backed it: a refusal here is a failed write
        // (nothing was written), not a bad message.
        f.append(bytes)
            .map(|_| ())
            .ok_or_else(|| StoreError::AppendFailed {
                path: f.path().to_path_buf(),
                offset: f.from_offset() + f.wrote_position() as u64,
                len: bytes.len(),
            })
    }

    /// Writer only (HA slave): appends replicated bytes at the master's `offset`. Only whole
    /// records are taken (plus an end-of-file blank that must close the file); returns the
    /// records appended and how many bytes were consumed, so the caller keeps the rest for
    /// the next frame. An empty log accepts any start offset (the file is created at it).
    pub(crate) fn append_raw(
        &self,
        offset: i64,
        bytes: &[u8],
    ) -> StoreResult<(Vec<DecodedRecord>, usize)> {
        let expected = self.max_offset();
        let empty = self.files.is_empty();
        if !empty && offset < expected && self.is_padding_replay(offset, bytes) {
            // The rest of an end-of-file blank arriving in a later frame: already accounted.
            return Ok((Vec::new(), bytes.len()));
        }
        if !empty && offset != expected {
            return Err(StoreError::RawOffsetMismatch { offset, expected });
        }
        let start = u64::try_from(offset).map_err(|_| StoreError::RawNotAligned {
            offset,
            reason: "negative offset".into(),
        })?;
        let f = self.files.last_or_create(start)?;
        // Space first (issue #19): the bytes will not cross this file's end.
        let room = usize::try_from(f.from_offset() + f.size() as u64 - start).unwrap_or(0);
        f.ensure_backed(f.wrote_position() + bytes.len().min(room))?;
        let file_end = f.from_offset() + f.size() as u64;
        if f.from_offset() + f.wrote_position() as u64 != start {
            return Err(StoreError::RawNotAligned {
                offset,
                reason: format!("file {} does not end at this offset", f.path().display()),
            });
        }
        let mut pos = 0usize;
        let mut records = Vec::new();
        while pos < bytes.len() {
            let here = start + pos as u64;
            let rest = &bytes[pos..];
            let Some(size) = peek_total_size(rest) else {
                break;
            };
            match check_record(rest, true) {
                RecordCheck::Message(r) => {
                    let len = r.total_size as usize;
                    if here + len as u64 + END_FILE_MIN_BLANK_LENGTH as u64 > file_end {
                        return Err(StoreError::RawNotAligned {
                            offset: here as i64,
                            reason: "record crosses the end of a commit-log file".into(),
                        });
                    }
                    if r.phys_offset != here as i64 {
                        return Err(StoreError::RawNotAligned {
                            offset: here as i64,
                            reason: format!("record claims offset {}", r.phys_offset),
                        });
                    }
                    records.push(*r);
                    pos += len;
                }
                RecordCheck::Blank => {
                    if here + size.max(0) as u64 != file_end
                        || rest.len() < END_FILE_MIN_BLANK_LENGTH
                    {
                        return Err(StoreError::RawNotAligned {
                            offset: here as i64,
                            reason: "blank record does not close the file".into(),
                        });
                    }
                    // The whole records before the blank go in first, then the blank closes
                    // the file. The padding after the header is not meaningful; take what came.
                    Self::append_whole(&f, offset, &bytes[..pos])?;
                    let take = rest.len().min(size as usize);
                    f.append(&rest[..take])
                        .ok_or_else(|| StoreError::RawNotAligned {
                            offset: here as i64,
                            reason: "the blank record does not fit the file".into(),
                        })?;
                    f.mark_full();
                    return Ok((records, pos + take));
                }
                RecordCheck::Invalid(reason) => {
                    // A record cut by the frame end is normal: keep it for the next frame.
                    if usize::try_from(size).is_ok_and(|s| s > rest.len()) {
                        break;
                    }
                    return Err(StoreError::RawNotAligned {
                        offset: here as i64,
                        reason,
                    });
                }
            }
        }
        Self::append_whole(&f, offset, &bytes[..pos])?;
        Ok((records, pos))
    }

    /// Appends the checked whole records of a raw append (nothing when empty).
    fn append_whole(f: &MappedFile, offset: i64, records: &[u8]) -> StoreResult<()> {
        if records.is_empty() {
            return Ok(());
        }
        f.append(records)
            .map(|_| ())
            .ok_or_else(|| StoreError::RawNotAligned {
                offset,
                reason: "does not fit the file".into(),
            })
    }

    /// True when `bytes` at `offset` are zero padding inside the (full) last file.
    fn is_padding_replay(&self, offset: i64, bytes: &[u8]) -> bool {
        let Some(last) = self.files.last_file() else {
            return false;
        };
        last.is_full()
            && u64::try_from(offset).is_ok_and(|o| o >= last.from_offset())
            && offset + bytes.len() as i64 <= self.max_offset()
            && bytes.iter().all(|b| *b == 0)
    }

    /// Copies the `size`-byte record at `offset`; `None` if that file is gone or not written.
    pub fn read(&self, offset: i64, size: usize) -> Option<Bytes> {
        let off = u64::try_from(offset).ok()?;
        let v = self.files.read(off, size)?;
        (v.len() == size).then(|| Bytes::from(v))
    }

    /// Copies up to `max_len` published bytes from `offset` without crossing a file end
    /// (HA master streaming; includes blanks and padding).
    pub fn read_raw(&self, offset: i64, max_len: usize) -> Option<Bytes> {
        let off = u64::try_from(offset).ok()?;
        self.files.read(off, max_len).map(Bytes::from)
    }

    /// Reads the whole record at `offset` (size taken from its first 4 bytes).
    pub fn read_record_at(&self, offset: i64) -> Option<Bytes> {
        let head = self.read(offset, 4)?;
        let size = usize::try_from(peek_total_size(&head)?).ok()?;
        if size < 4 {
            return None;
        }
        self.read(offset, size)
    }

    /// Flushes dirty pages (`least_pages` 0 = everything). Returns the flushed offset.
    pub fn flush(&self, least_pages: usize) -> StoreResult<i64> {
        Ok(self.files.flush(least_pages)? as i64)
    }
}
