//! The `abort` marker (docs/protocol.md §5.5): created when the store opens, removed on clean stop.
//! Finding it at startup means the last run crashed, so recovery must be abnormal.

use crate::store::error::{StoreError, StoreResult};
use std::path::Path;

/// True when the previous run did not shut down cleanly.
pub fn exists(path: &Path) -> bool {
    path.exists()
}

/// Creates the marker (fsynced so a crash right after start is still detected).
pub fn create(path: &Path) -> StoreResult<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| StoreError::io(dir, e))?;
    }
    let f = std::fs::File::create(path).map_err(|e| StoreError::io(path, e))?;
    f.sync_all().map_err(|e| StoreError::io(path, e))
}

/// Removes the marker (missing is fine).
pub fn remove(path: &Path) -> StoreResult<()> {
    match std::fs::remove_file(path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(StoreError::io(path, e)),
    }
}
