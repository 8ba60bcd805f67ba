//! Old-file deletion and the disk-full guard (docs/protocol.md §5.7). Commit-log path usage comes
//! from a [`DiskUsage`] source (statvfs by default) so tests can simulate a full disk.
//! Commit-log files go when expired at `deleteWhen` hours, on a manual trigger, or — oldest
//! first even if not expired — when the disk is over the forcible-clean ratio. The last file
//! is never deleted. Consume-queue and index files below the new commit-log min follow.

use crate::store::config::StoreConfig;
use crate::store::error::{StoreError, StoreResult};
use std::path::Path;

/// Where disk usage comes from.
pub trait DiskUsage: Send + Sync + std::fmt::Debug {
    /// Used fraction (0.0–1.0) of the file system holding `path`.
    fn usage_ratio(&self, path: &Path) -> StoreResult<f64>;
}

/// Real usage via `statvfs`.
#[derive(Debug, Default, Clone, Copy)]
pub struct StatvfsUsage;

impl DiskUsage for StatvfsUsage {
    fn usage_ratio(&self, path: &Path) -> StoreResult<f64> {
        let st = nix::sys::statvfs::statvfs(path)
            .map_err(|e| StoreError::io(path, std::io::Error::from_raw_os_error(e as i32)))?;
        // Java `UtilAll.getDiskPartitionSpaceUsedPercent`: used = total - free (reserved blocks
        // count as free), over used + usable, rounded up to whole percent.
        let unit = u128::from(st.fragment_size().max(1));
        let total = u128::from(st.blocks()) * unit;
        if total == 0 {
            return Ok(-1.0);
        }
        let used = total.saturating_sub(u128::from(st.blocks_free()) * unit);
        let entire = used + u128::from(st.blocks_available()) * unit;
        if entire == 0 {
            return Ok(-1.0);
        }
        let pct = (used * 100).div_ceil(entire);
        Ok(pct as f64 / 100.0)
    }
}

/// A settable usage source for tests and tools.
#[derive(Debug, Default)]
pub struct FixedUsage(parking_lot::Mutex<f64>);

impl FixedUsage {
    /// Starts at `ratio`.
    pub fn new(ratio: f64) -> Self {
        FixedUsage(parking_lot::Mutex::new(ratio))
    }
    /// Changes the reported ratio.
    pub fn set(&self, ratio: f64) {
        *self.0.lock() = ratio;
    }
}

impl DiskUsage for FixedUsage {
    fn usage_ratio(&self, _path: &Path) -> StoreResult<f64> {
        Ok(*self.0.lock())
    }
}

/// Why and how hard to clean in one pass.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct CleanDecision {
    /// Delete expired files now.
    pub delete: bool,
    /// Delete even non-expired files (disk over the forcible ratio).
    pub force: bool,
    /// Current usage ratio.
    pub ratio: f64,
    /// Writes must be refused.
    pub disk_full: bool,
}

/// Decides what a cleanup pass at `now_ms` should do.
pub fn decide(cfg: &StoreConfig, ratio: f64, now_ms: i64, manual: bool) -> CleanDecision {
    let over_clean = ratio > cfg.disk_clean_ratio();
    let force = cfg.clean_file_forcibly_enable && ratio > cfg.disk_clean_forcibly_ratio;
    CleanDecision {
        delete: manual || over_clean || force || cfg.is_delete_hour(now_ms),
        force,
        ratio,
        disk_full: ratio > cfg.disk_full_ratio,
    }
}

/// What one cleanup pass did.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CleanupReport {
    pub decision: CleanDecision,
    pub commit_log_files_deleted: usize,
    pub consume_queue_files_deleted: usize,
    pub index_files_deleted: usize,
    /// Disk usage after the pass, re-measured.
    pub ratio_after: f64,
}
