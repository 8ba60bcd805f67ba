//! I/O fault injection for tests (feature `failpoints`, on for this crate's own tests through
//! its dev-dependency on itself; in normal builds [`check`] is an empty inline function).
//!
//! A failpoint is a name ([`names`]) checked right before a real I/O call, with the path the
//! call is about. A test arms a name for a directory (its temp dir): only calls on paths under
//! that directory fail or stall, so tests running in parallel in one binary do not disturb each
//! other. Arming returns a guard that disarms on drop.

#[cfg(not(feature = "failpoints"))]
use std::path::Path;

/// The failpoints the crate checks.
pub mod names {
    /// Before dispatching a stored record to its consume queue and the index
    /// (`store::dispatch::dispatch`; path: the consume-queue root).
    pub const DISPATCH: &str = "store.dispatch";
    /// Before appending a consume-queue entry (path: the queue's directory).
    pub const CQ_APPEND: &str = "store.consume_queue.append";
    /// Before writing the checkpoint file (path: the checkpoint file).
    pub const CHECKPOINT_FLUSH: &str = "store.checkpoint.flush";
    /// Before msyncing the commit log (path: the commit-log directory).
    pub const COMMIT_LOG_FLUSH: &str = "store.commit_log.flush";
    /// Before an atomic metadata write (`broker::persist::write_atomic`; path: the file).
    pub const METADATA_WRITE: &str = "broker.metadata.write";
    /// Before copying bytes into a mapped store file (`MappedFile::append`: commit-log records
    /// and consume-queue entries; path: the file). A failed append writes nothing.
    pub const MAPPED_FILE_APPEND: &str = "store.mapped_file.append";
    /// Before msyncing a mapped store file (`MappedFile::flush`: commit log and consume
    /// queues; path: the file).
    pub const MAPPED_FILE_MSYNC: &str = "store.mapped_file.msync";
    /// Before msyncing an index file (path: the file).
    pub const INDEX_FLUSH: &str = "store.index.flush";
    /// Before each HA socket read, master and slave side (path: the node's store root).
    pub const HA_READ: &str = "ha.socket.read";
    /// Before each HA socket write, master and slave side (path: the node's store root).
    pub const HA_WRITE: &str = "ha.socket.write";
    /// Broker start, just before the store host, long polling, HA and registrations are set
    /// up (an async pause: `Action::Delay` only; path: the store root).
    pub const BROKER_STARTUP: &str = "broker.startup.services";
}

/// Checks the failpoint `name` for an I/O call on `path`: `Err` when armed to fail there, after
/// sleeping when armed with a delay. Always `Ok` without the `failpoints` feature.
#[cfg(not(feature = "failpoints"))]
#[inline(always)]
pub fn check(_name: &'static str, _path: &Path) -> std::io::Result<()> {
    Ok(())
}

/// The pause armed for `name` on `path` (an `Action::Delay`), for async code that must not
/// sleep its thread; counted as a hit. Always `None` without the `failpoints` feature.
#[cfg(not(feature = "failpoints"))]
#[inline(always)]
pub fn pause(_name: &'static str, _path: &Path) -> Option<std::time::Duration> {
    None
}

#[cfg(feature = "failpoints")]
pub use armed::{arm, check, hits, pause, Action, FailGuard};

#[cfg(feature = "failpoints")]
mod armed {
    use std::path::{Path, PathBuf};
    use std::sync::atomic::{AtomicU64, Ordering};
    use std::sync::{Arc, Mutex, MutexGuard};
    use std::time::Duration;

    /// What an armed failpoint does.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub enum Action {
        /// Fail the next `n` calls (`u64::MAX`: until disarmed) with an I/O error.
        Fail(u64),
        /// Sleep this long before each call, then let it proceed.
        Delay(Duration),
    }

    struct Point {
        id: u64,
        name: &'static str,
        scope: PathBuf,
        action: Action,
        hits: Arc<AtomicU64>,
    }

    static POINTS: Mutex<Vec<Point>> = Mutex::new(Vec::new());
    static NEXT_ID: AtomicU64 = AtomicU64::new(1);

    fn points() -> MutexGuard<'static, Vec<Point>> {
        // A test that panicked while holding the lock leaves a consistent list behind.
        POINTS.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Disarms its failpoint when dropped.
    #[derive(Debug)]
    pub struct FailGuard {
        id: u64,
        hits: Arc<AtomicU64>,
    }

    impl FailGuard {
        /// How many calls this arming has failed or delayed so far.
        pub fn hits(&self) -> u64 {
            self.hits.load(Ordering::Acquire)
        }

        /// Disarms now (same as dropping the guard).
        pub fn disarm(self) {}
    }

    impl Drop for FailGuard {
        fn drop(&mut self) {
            points().retain(|p| p.id != self.id);
        }
    }

    /// Arms `name` for every path under `scope`.
    pub fn arm(name: &'static str, scope: &Path, action: Action) -> FailGuard {
        let id = NEXT_ID.fetch_add(1, Ordering::Relaxed);
        let hits = Arc::new(AtomicU64::new(0));
        points().push(Point {
            id,
            name,
            scope: scope.to_path_buf(),
            action,
            hits: hits.clone(),
        });
        FailGuard { id, hits }
    }

    /// Total hits of `name` under `scope` among the armings still in place.
    pub fn hits(name: &'static str, scope: &Path) -> u64 {
        points()
            .iter()
            .filter(|p| p.name == name && p.scope.starts_with(scope))
            .map(|p| p.hits.load(Ordering::Acquire))
            .sum()
    }

    /// See the non-feature [`pause`](super::pause).
    pub fn pause(name: &'static str, path: &Path) -> Option<Duration> {
        let all = points();
        let p = all
            .iter()
            .find(|p| p.name == name && path.starts_with(&p.scope))?;
        match p.action {
            Action::Delay(d) => {
                p.hits.fetch_add(1, Ordering::AcqRel);
                Some(d)
            }
            Action::Fail(_) => None,
        }
    }

    /// See the non-feature [`check`](super::check).
    pub fn check(name: &'static str, path: &Path) -> std::io::Result<()> {
        let delay = {
            let mut all = points();
            let Some(p) = all
                .iter_mut()
                .find(|p| p.name == name && path.starts_with(&p.scope))
            else {
                return Ok(());
            };
            match &mut p.action {
                Action::Fail(0) => return Ok(()),
                Action::Fail(n) => {
                    if *n != u64::MAX {
                        *n -= 1;
                    }
                    p.hits.fetch_add(1, Ordering::AcqRel);
                    return Err(std::io::Error::other(format!(
                        "injected failure at {name} on {}",
                        path.display()
                    )));
                }
                Action::Delay(d) => {
                    p.hits.fetch_add(1, Ordering::AcqRel);
                    *d
                }
            }
        };
        std::thread::sleep(delay);
        Ok(())
    }
}

#[cfg(all(test, feature = "failpoints"))]
mod tests {
    use super::*;
    use std::path::PathBuf;
    use std::time::Duration;

    #[test]
    fn armed_per_directory_counted_and_disarmed_on_drop() {
        let (a, b) = (PathBuf::from("/fp-test/a"), PathBuf::from("/fp-test/b"));
        let g = arm(names::DISPATCH, &a, Action::Fail(2));
        assert!(check(names::DISPATCH, &a.join("x")).is_err());
        assert!(check(names::DISPATCH, &b.join("x")).is_ok(), "other dir");
        assert!(check(names::CQ_APPEND, &a.join("x")).is_ok(), "other name");
        assert!(check(names::DISPATCH, &a).is_err());
        assert!(check(names::DISPATCH, &a).is_ok(), "spent after 2");
        assert_eq!(g.hits(), 2);
        assert_eq!(hits(names::DISPATCH, &a), 2);
        drop(g);
        assert_eq!(hits(names::DISPATCH, &a), 0);
        let d = arm(
            names::BROKER_STARTUP,
            &b,
            Action::Delay(Duration::from_millis(1)),
        );
        assert_eq!(
            pause(names::BROKER_STARTUP, &b),
            Some(Duration::from_millis(1))
        );
        assert_eq!(pause(names::BROKER_STARTUP, &a), None);
        assert_eq!(d.hits(), 1);
        d.disarm();
        assert_eq!(pause(names::BROKER_STARTUP, &b), None);
    }
}
