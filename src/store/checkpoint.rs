//! The 4 KiB `checkpoint` (docs/protocol.md §5.4): physicMsgTimestamp @0, logicsMsgTimestamp @8,
//! indexMsgTimestamp @16 (big-endian i64), rest zero. Abnormal recovery derives its start
//! file from these times.

use crate::store::error::{StoreError, StoreResult};
use std::fs::OpenOptions;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

/// Size of the checkpoint file.
pub const CHECKPOINT_FILE_SIZE: usize = 4096;

/// In-memory copy of the checkpoint; [`Checkpoint::flush`] writes it out.
#[derive(Debug, Clone)]
pub struct Checkpoint {
    path: PathBuf,
    pub physic_msg_timestamp: i64,
    pub logics_msg_timestamp: i64,
    pub index_msg_timestamp: i64,
}

impl Checkpoint {
    /// Reads the file (all zeros when missing or short).
    pub fn load(path: &Path) -> StoreResult<Checkpoint> {
        let mut buf = [0u8; 24];
        match std::fs::File::open(path) {
            Ok(mut f) => {
                let mut all = Vec::new();
                f.read_to_end(&mut all)
                    .map_err(|e| StoreError::io(path, e))?;
                let n = all.len().min(24);
                buf[..n].copy_from_slice(&all[..n]);
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(StoreError::io(path, e)),
        }
        let at = |i: usize| {
            let mut b = [0u8; 8];
            b.copy_from_slice(&buf[i..i + 8]);
            i64::from_be_bytes(b)
        };
        Ok(Checkpoint {
            path: path.to_path_buf(),
            physic_msg_timestamp: at(0),
            logics_msg_timestamp: at(8),
            index_msg_timestamp: at(16),
        })
    }

    /// Writes the 4096-byte file and fsyncs it.
    pub fn flush(&self) -> StoreResult<()> {
        let mut buf = vec![0u8; CHECKPOINT_FILE_SIZE];
        buf[..8].copy_from_slice(&self.physic_msg_timestamp.to_be_bytes());
        buf[8..16].copy_from_slice(&self.logics_msg_timestamp.to_be_bytes());
        buf[16..24].copy_from_slice(&self.index_msg_timestamp.to_be_bytes());
        crate::failpoint::check(crate::failpoint::names::CHECKPOINT_FLUSH, &self.path)
            .map_err(|e| StoreError::io(&self.path, e))?;
        let mut f = OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(false)
            .open(&self.path)
            .map_err(|e| StoreError::io(&self.path, e))?;
        f.write_all(&buf)
            .map_err(|e| StoreError::io(&self.path, e))?;
        f.sync_data().map_err(|e| StoreError::io(&self.path, e))
    }

    /// Java `getMinTimestamp`: min(physic, logics) − 3 s (never negative).
    pub fn min_timestamp(&self) -> i64 {
        (self.physic_msg_timestamp.min(self.logics_msg_timestamp) - 3000).max(0)
    }

    /// Java `getMinTimestampIndex`: also ≤ the index time.
    pub fn min_timestamp_index(&self) -> i64 {
        self.min_timestamp().min(self.index_msg_timestamp)
    }
}
