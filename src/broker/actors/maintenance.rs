//! The broker's maintenance thread: everything periodic that touches files, kept off the actor
//! event loops. It writes dirty metadata (topics.json, subscriptionGroup.json at once;
//! consumerOffset.json every `flushConsumerOffsetInterval`; delayOffset.json every
//! `flushDelayOffsetInterval`), runs the store cleanup every `cleanResourceInterval`, and drops
//! clients silent for 120 s. On stop it writes everything one last time.
//!
//! The thread runs under the root supervisor (component [`MAINTENANCE_COMPONENT`], like the
//! flush thread): a failed spawn is logged and retried, and a thread that panics or ends on an
//! error is counted and replaced. A failed metadata write leaves its file dirty, so the next
//! round writes it again; failures are logged and counted (`Stats::metadata_write_failures`).

use std::sync::atomic::Ordering;
use std::sync::{Arc, Weak};
use std::time::{Duration, Instant};

use actix::prelude::*;
use crossbeam_channel::{Receiver, RecvTimeoutError, Sender};
use slog::{info, warn};

#[cfg(feature = "failpoints")]
use crate::actors::supervisor::InjectFailure;
use crate::actors::supervisor::{RootSupervisor, SuperviseThread, ThreadSlot};
use crate::broker::meta::client_channel::CHANNEL_EXPIRED_TIMEOUT_MS;
use crate::broker::meta::persist::write_atomic;
use crate::broker::node::state::Broker;
use crate::broker::processors::client_manage::scan_not_active;

pub use super::manual_clean::{ManualClean, MANUAL_DELETE_PASSES};

/// The maintenance thread's name in the restart book.
pub const MAINTENANCE_COMPONENT: &str = "maintenance";

/// What the thread is told.
enum Cmd {
    /// Write everything one last time and end.
    Stop,
    /// Test hook: end on an error (`Stop`) or panic; the supervisor restarts the thread.
    #[cfg(feature = "failpoints")]
    Inject(InjectFailure),
}

/// Handle to the (supervised) maintenance thread.
pub struct Maintenance {
    tx: Sender<Cmd>,
    slot: ThreadSlot,
    broker: Weak<Broker>,
}

impl Maintenance {
    /// Starts the thread under `root`. Fails only when the supervisor is gone.
    pub async fn start(
        broker: Weak<Broker>,
        root: &Addr<RootSupervisor>,
    ) -> Result<Maintenance, MailboxError> {
        let (tx, rx) = crossbeam_channel::unbounded();
        let slot = ThreadSlot::new();
        let spawn = {
            let (broker, slot) = (broker.clone(), slot.clone());
            Arc::new(move || {
                let (broker, rx, slot) = (broker.clone(), rx.clone(), slot.clone());
                std::thread::Builder::new()
                    .name("rocketactor-maintenance".into())
                    .spawn(move || run(broker, rx, slot))
            })
        };
        root.send(SuperviseThread {
            name: MAINTENANCE_COMPONENT.into(),
            slot: slot.clone(),
            spawn,
        })
        .await?;
        Ok(Maintenance { tx, slot, broker })
    }

    /// Writes everything one last time and joins the thread. When no thread is running at
    /// that moment (it is being replaced after a crash), a one-off thread does the last write.
    pub fn stop(&mut self) {
        let thread = self.slot.retire();
        let _ = self.tx.send(Cmd::Stop);
        let thread = thread.or_else(|| {
            let broker = self.broker.clone();
            std::thread::Builder::new()
                .name("rocketactor-maintenance-final".into())
                .spawn(move || {
                    if let Some(b) = broker.upgrade() {
                        persist_dirty(&b, true, true);
                    }
                })
                .map_err(|e| {
                    if let Some(b) = self.broker.upgrade() {
                        warn!(b.log, "cannot spawn the final metadata write"; "error" => %e);
                    }
                })
                .ok()
        });
        if let Some(t) = thread {
            let _ = t.join();
        }
    }

    /// Test hook: makes the thread stop on an error or panic; the supervisor restarts it.
    #[cfg(feature = "failpoints")]
    pub fn inject_failure(&self, f: InjectFailure) {
        let _ = self.tx.send(Cmd::Inject(f));
    }
}

impl Drop for Maintenance {
    fn drop(&mut self) {
        if !self.slot.is_retired() {
            self.stop();
        }
    }
}

fn run(broker: Weak<Broker>, rx: Receiver<Cmd>, slot: ThreadSlot) {
    let mut last_offsets = Instant::now();
    let mut last_delay = Instant::now();
    let mut last_clean = Instant::now();
    let mut last_scan = Instant::now();
    loop {
        let stopping = match rx.recv_timeout(Duration::from_millis(200)) {
            Err(RecvTimeoutError::Timeout) => false,
            Ok(Cmd::Stop) | Err(RecvTimeoutError::Disconnected) => true,
            #[cfg(feature = "failpoints")]
            Ok(Cmd::Inject(InjectFailure::Stop)) => {
                if let Some(b) = broker.upgrade() {
                    warn!(b.log, "maintenance thread stopping on an injected error");
                }
                return;
            }
            #[cfg(feature = "failpoints")]
            Ok(Cmd::Inject(InjectFailure::Panic)) => panic!("injected maintenance panic"),
        };
        let Some(b) = broker.upgrade() else {
            // The broker is gone: nothing to maintain, and nothing to restart.
            slot.retire();
            return;
        };
        let offsets_due =
            last_offsets.elapsed() >= Duration::from_millis(b.cfg.flush_consumer_offset_interval);
        let delay_due =
            last_delay.elapsed() >= Duration::from_millis(b.cfg.flush_delay_offset_interval);
        persist_dirty(&b, stopping || offsets_due, stopping || delay_due);
        if offsets_due {
            last_offsets = Instant::now();
        }
        if delay_due {
            last_delay = Instant::now();
        }
        if stopping {
            info!(b.log, "maintenance stopped; metadata written");
            return;
        }
        let kicked = b.manual_clean.take_kick();
        if kicked || last_clean.elapsed() >= Duration::from_millis(b.cfg.clean_resource_interval) {
            last_clean = Instant::now();
            let manual = b.manual_clean.take_pass();
            if let Err(e) = b
                .store
                .reader()
                .run_cleanup(crate::store::time::now_ms(), manual)
            {
                warn!(b.log, "store cleanup failed"; "error" => %e);
            }
        }
        if last_scan.elapsed() >= Duration::from_secs(10) {
            last_scan = Instant::now();
            scan_not_active(&b, CHANNEL_EXPIRED_TIMEOUT_MS);
        }
    }
}

/// Writes the metadata files that changed. A flag is cleared before its file is encoded (a
/// change made meanwhile marks it again) and set again when the write fails, so the next
/// round retries it. Returns how many writes failed.
pub fn persist_dirty(b: &Arc<Broker>, offsets: bool, delay: bool) -> usize {
    let files = {
        let meta = b.meta.lock();
        let d = &b.dirty;
        let mut v = Vec::new();
        if d.topics.swap(false, Ordering::AcqRel) {
            v.push((
                &d.topics,
                meta.topics.file_path().to_path_buf(),
                meta.topics.encode(true),
            ));
        }
        if d.groups.swap(false, Ordering::AcqRel) {
            v.push((
                &d.groups,
                meta.groups.file_path().to_path_buf(),
                meta.groups.encode(true),
            ));
        }
        if offsets && d.offsets.swap(false, Ordering::AcqRel) {
            v.push((
                &d.offsets,
                meta.offsets.file_path().to_path_buf(),
                meta.offsets.encode(true),
            ));
        }
        if delay && d.delay_offsets.swap(false, Ordering::AcqRel) {
            v.push((
                &d.delay_offsets,
                meta.delay_offsets.file_path().to_path_buf(),
                meta.delay_offsets.encode(true),
            ));
        }
        v
    };
    let mut failed = 0;
    for (flag, path, text) in files {
        if let Err(e) = write_atomic(&path, &text) {
            flag.store(true, Ordering::Release);
            failed += 1;
            let n = b
                .stats
                .metadata_write_failures
                .fetch_add(1, Ordering::AcqRel)
                + 1;
            // Retried every round while it fails: log the first failures, then now and then.
            if n <= 3 || n % 100 == 0 {
                warn!(b.log, "writing metadata failed; retrying"; "file" => path.display().to_string(),
                      "error" => %e, "failures" => n);
            }
        }
    }
    failed
}
