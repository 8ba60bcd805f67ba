//! Hot reload of the ACL files: a plain thread that polls the files' modification times and
//! lengths (and the set of files under `conf/acl/`) and reloads when anything changed, as
//! Java's `AclFileWatchService` does. A bad edit is logged with its file, line and key and the
//! previous ACL stays in force. The thread ends when the returned guard is dropped.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use slog::{error, info, Logger};

use super::PlainAcl;

/// How often the files are looked at (Java's watch service polls every 5 s; ours is faster so
/// an edit is in force within a second).
pub const POLL: Duration = Duration::from_millis(500);

/// Stops the watcher thread when dropped.
#[derive(Debug)]
pub struct WatcherGuard {
    stop: Arc<AtomicBool>,
}

impl Drop for WatcherGuard {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Release);
    }
}

/// Starts the watcher thread for `acl`.
pub fn spawn(acl: Arc<PlainAcl>, poll: Duration, log: Logger) -> std::io::Result<WatcherGuard> {
    let stop = Arc::new(AtomicBool::new(false));
    let flag = stop.clone();
    std::thread::Builder::new()
        .name("acl-watcher".into())
        .spawn(move || {
            let mut last_error: Option<String> = None;
            while !flag.load(Ordering::Acquire) {
                std::thread::sleep(poll);
                match acl.reload_if_changed() {
                    Ok(true) => {
                        last_error = None;
                        info!(log, "ACL files reloaded"; "files" => acl.snapshot().files.len());
                    }
                    Ok(false) => {}
                    Err(e) => {
                        let text = e.to_string();
                        // Logged once per distinct error, not every poll.
                        if last_error.as_deref() != Some(text.as_str()) {
                            error!(log, "ACL reload failed; the previous ACL stays in force"; "error" => &text);
                            last_error = Some(text);
                        }
                    }
                }
            }
        })?;
    Ok(WatcherGuard { stop })
}
