//! The manual commit-log deletion that DELETE_EXPIRED_COMMITLOG (329) arms and the maintenance
//! thread (`maintenance.rs`) carries out; a file of its own so that the shared `Broker` holds
//! it without depending on the thread.

use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};

/// Java's `MAX_MANUAL_DELETE_FILE_TIMES`: how many cleanup passes a DELETE_EXPIRED_COMMITLOG
/// makes manual.
pub const MANUAL_DELETE_PASSES: u32 = 20;

/// DELETE_EXPIRED_COMMITLOG (329), Java's `CleanCommitLogService.executeDeleteFilesManually`:
/// the next [`MANUAL_DELETE_PASSES`] cleanup passes delete expired commit-log files whatever
/// the `deleteWhen` hour; the first of them runs at once (within one round of the thread)
/// instead of waiting for `cleanResourceInterval`.
#[derive(Debug, Default)]
pub struct ManualClean {
    passes_left: AtomicU32,
    kick: AtomicBool,
}

impl ManualClean {
    /// Arms the manual passes and wakes the cleaner.
    pub fn request(&self) {
        self.passes_left
            .store(MANUAL_DELETE_PASSES, Ordering::Release);
        self.kick.store(true, Ordering::Release);
    }

    /// Manual passes still armed.
    pub fn passes_left(&self) -> u32 {
        self.passes_left.load(Ordering::Acquire)
    }

    pub(super) fn take_kick(&self) -> bool {
        self.kick.swap(false, Ordering::AcqRel)
    }

    /// Whether this pass is manual (using one of the armed passes).
    pub(super) fn take_pass(&self) -> bool {
        self.passes_left
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| n.checked_sub(1))
            .is_ok()
    }
}
