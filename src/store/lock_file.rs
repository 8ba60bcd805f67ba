//! The store's `lock` file: one broker process per store directory, the Java broker included.
//! Java's `DefaultMessageStore.start` takes `FileChannel.tryLock(0, 1, false)` on
//! `<storePathRootDir>/lock` (an exclusive POSIX record lock, `fcntl(F_SETLK)`, on byte 0),
//! writes `lock` into it and refuses to start ("Lock failed,MQ already started") when another
//! process holds it. We take the same kind of lock on the same byte, so a rocketactor broker and a
//! Java 4.9.7 broker exclude each other on one store (checked by interop/java StoreSwapTest;
//! scripts/java-reference.md). The lock lives as long as the [`StoreLock`]s of the path: POSIX
//! record locks belong to the process and go away with it, also on kill -9.

use crate::store::error::{StoreError, StoreResult};
use nix::fcntl::{fcntl, FcntlArg};
use std::collections::HashMap;
use std::fs::{File, OpenOptions};
use std::io::{Seek, SeekFrom, Write};
use std::os::fd::AsRawFd;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock, Weak};

/// The locked file of one store directory.
#[derive(Debug)]
struct Held {
    _file: File,
}

/// Locks held by this process, by canonical path. A POSIX record lock belongs to the process
/// and is released when the process closes *any* descriptor of the file, so a store reopened
/// in this process (the writer rebuilt after a panic, tests) shares the one descriptor instead
/// of opening a second one whose close would drop the lock.
fn held() -> &'static Mutex<HashMap<PathBuf, Weak<Held>>> {
    static HELD: OnceLock<Mutex<HashMap<PathBuf, Weak<Held>>>> = OnceLock::new();
    HELD.get_or_init(|| Mutex::new(HashMap::new()))
}

/// The held lock; the file is closed (and the lock released) when the last [`StoreLock`] of
/// this path in the process is dropped.
#[derive(Debug, Clone)]
pub struct StoreLock {
    _held: Arc<Held>,
    path: PathBuf,
}

impl StoreLock {
    /// The lock file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

/// Locks `path` (created if missing) the way Java does, or fails with [`StoreError::Locked`]
/// when another process holds it.
pub fn acquire(path: &Path) -> StoreResult<StoreLock> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| StoreError::io(dir, e))?;
    }
    let mut table = held()
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let key = match std::fs::canonicalize(path) {
        Ok(p) => p,
        Err(_) => path.to_path_buf(), // not created yet: no one here holds it
    };
    if let Some(h) = table.get(&key).and_then(Weak::upgrade) {
        return Ok(StoreLock {
            _held: h,
            path: path.to_path_buf(),
        });
    }
    let mut file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(path)
        .map_err(|e| StoreError::io(path, e))?;
    // Byte 0, length 1, exclusive: what FileChannel.tryLock(0, 1, false) asks of fcntl.
    let mut req = zeroed_flock();
    req.l_type = libc::F_WRLCK as libc::c_short;
    req.l_whence = libc::SEEK_SET as libc::c_short;
    req.l_start = 0;
    req.l_len = 1;
    match fcntl(file.as_raw_fd(), FcntlArg::F_SETLK(&req)) {
        Ok(_) => {}
        Err(nix::errno::Errno::EAGAIN) | Err(nix::errno::Errno::EACCES) => {
            return Err(StoreError::Locked {
                path: path.to_path_buf(),
            })
        }
        Err(e) => return Err(StoreError::io(path, std::io::Error::from(e))),
    }
    // Java writes "lock" at the channel's position (0 on a fresh open) and forces it.
    file.seek(SeekFrom::Start(0))
        .and_then(|_| file.write_all(b"lock"))
        .and_then(|_| file.sync_all())
        .map_err(|e| StoreError::io(path, e))?;
    let key = std::fs::canonicalize(path).unwrap_or(key);
    let h = Arc::new(Held { _file: file });
    table.retain(|_, w| w.strong_count() > 0);
    table.insert(key, Arc::downgrade(&h));
    Ok(StoreLock {
        _held: h,
        path: path.to_path_buf(),
    })
}

/// A `libc::flock` with every field zero (its fields differ between libcs, so no literal).
fn zeroed_flock() -> libc::flock {
    // SAFETY: libc::flock is a plain-old-data C struct; all-zero is a valid value.
    unsafe { std::mem::zeroed() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relocking_in_the_same_process_shares_the_descriptor() {
        let dir = tempfile::tempdir().expect("tempdir");
        let p = dir.path().join("lock");
        let a = acquire(&p).expect("first lock");
        let b = acquire(&p).expect("second lock in the same process");
        assert!(Arc::ptr_eq(&a._held, &b._held), "one descriptor per path");
        assert_eq!(a.path(), p.as_path());
        drop(a);
        drop(b);
        let c = acquire(&p).expect("lock again after both dropped");
        drop(c);
        assert_eq!(std::fs::read(&p).expect("read"), b"lock");
    }
}
