//! Zero-copy reads of commit-log records (issue #17): a record leaves its mapped file as a
//! [`Bytes`] that points into the mapping and owns an `Arc` of the [`MappedFile`], so the
//! mapping stays valid however long the bytes live — after cleanup deleted the file from disk
//! ([`MappedFile::destroy`] only unlinks it) and after the store shut down. The pull path
//! (`get_message`) hands such slices to the connection, which writes them after the frame
//! header without concatenating them (docs/protocol.md §2.6).
//!
//! Only records a consume queue points at are read this way: they are published and never
//! truncated while readers exist (recovery truncates before any reader runs; the HA slave's
//! no-space truncation only takes back records not yet dispatched to a queue).

use crate::store::mapped_file::MappedFile;
use crate::store::mapped_file_queue::MappedFileQueue;
use bytes::Bytes;
use std::sync::Arc;

/// The owner behind a zero-copy [`Bytes`]: the file and the range of its mapping.
struct MappedRange {
    file: Arc<MappedFile>,
    pos: usize,
    len: usize,
}

impl AsRef<[u8]> for MappedRange {
    fn as_ref(&self) -> &[u8] {
        // Checked in `slice_of` before the owner was built; published bytes never shrink
        // while readers exist, so this does not fail (empty rather than panic if it did).
        self.file.published_slice(self.pos, self.len).unwrap_or(&[])
    }
}

/// `len` published bytes at `pos` of `file` without copying, or `None` when they are not all
/// published and backed (the caller copies instead).
pub fn slice_of(file: &Arc<MappedFile>, pos: usize, len: usize) -> Option<Bytes> {
    file.published_slice(pos, len)?;
    Some(Bytes::from_owner(MappedRange {
        file: Arc::clone(file),
        pos,
        len,
    }))
}

/// Exactly `len` bytes at global `offset` of `files`: in place when possible, else copied;
/// `None` when they are not (all) published in one file.
pub fn read(files: &MappedFileQueue, offset: u64, len: usize) -> Option<Bytes> {
    let f = files.find(offset)?;
    let pos = usize::try_from(offset - f.from_offset()).ok()?;
    if let Some(b) = slice_of(&f, pos, len) {
        return Some(b);
    }
    let v = f.read(pos, len)?;
    (v.len() == len).then(|| Bytes::from(v))
}
