//! The broker's maintenance thread: everything periodic that touches files, kept off the actor
//! event loops. It writes dirty metadata (topics.json, subscriptionGroup.json at once;
//! consumerOffset.json every `flushConsumerOffsetInterval`; delayOffset.json every
//! `flushDelayOffsetInterval`), runs the store cleanup every `cleanResourceInterval`, and drops
//! clients silent for 120 s. On stop it writes everything one last time.

use std::sync::atomic::Ordering;
use std::sync::{Arc, Weak};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, RecvTimeoutError, Sender};
use slog::{info, warn};

use super::client_manage::scan_not_active;
use super::state::Broker;
use crate::broker::client_channel::CHANNEL_EXPIRED_TIMEOUT_MS;
use crate::broker::persist::write_atomic;

/// Handle to the maintenance thread.
pub struct Maintenance {
    stop: Sender<()>,
    thread: Option<JoinHandle<()>>,
}

impl Maintenance {
    pub fn start(broker: Weak<Broker>) -> Maintenance {
        let (stop, rx) = crossbeam_channel::bounded(1);
        let thread = std::thread::Builder::new()
            .name("rocketactor-maintenance".into())
            .spawn(move || run(broker, rx))
            .ok();
        Maintenance { stop, thread }
    }

    /// Writes everything one last time and joins the thread.
    pub fn stop(&mut self) {
        let _ = self.stop.try_send(());
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Drop for Maintenance {
    fn drop(&mut self) {
        self.stop();
    }
}

fn run(broker: Weak<Broker>, stop: Receiver<()>) {
    let mut last_offsets = Instant::now();
    let mut last_delay = Instant::now();
    let mut last_clean = Instant::now();
    let mut last_scan = Instant::now();
    loop {
        let stopping = !matches!(
            stop.recv_timeout(Duration::from_millis(200)),
            Err(RecvTimeoutError::Timeout)
        );
        let Some(b) = broker.upgrade() else { return };
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
        if last_clean.elapsed() >= Duration::from_millis(b.cfg.clean_resource_interval) {
            last_clean = Instant::now();
            if let Err(e) = b.store.reader().run_cleanup(Broker::now_ms(), false) {
                warn!(b.log, "store cleanup failed"; "error" => %e);
            }
        }
        if last_scan.elapsed() >= Duration::from_secs(10) {
            last_scan = Instant::now();
            scan_not_active(&b, CHANNEL_EXPIRED_TIMEOUT_MS);
        }
    }
}

/// Writes the metadata files that changed. A failed write (a full disk) is logged and its
/// file marked dirty again, so the next pass retries it; the previous file stays intact.
pub fn persist_dirty(b: &Arc<Broker>, offsets: bool, delay: bool) {
    let files = {
        let meta = b.meta.lock();
        let mut v = Vec::new();
        if b.dirty.topics.swap(false, Ordering::AcqRel) {
            v.push((
                meta.topics.file_path().to_path_buf(),
                meta.topics.encode(true),
                &b.dirty.topics,
            ));
        }
        if b.dirty.groups.swap(false, Ordering::AcqRel) {
            v.push((
                meta.groups.file_path().to_path_buf(),
                meta.groups.encode(true),
                &b.dirty.groups,
            ));
        }
        if offsets && b.dirty.offsets.swap(false, Ordering::AcqRel) {
            v.push((
                meta.offsets.file_path().to_path_buf(),
                meta.offsets.encode(true),
                &b.dirty.offsets,
            ));
        }
        if delay && b.dirty.delay_offsets.swap(false, Ordering::AcqRel) {
            v.push((
                meta.delay_offsets.file_path().to_path_buf(),
                meta.delay_offsets.encode(true),
                &b.dirty.delay_offsets,
            ));
        }
        v
    };
    for (path, text, dirty) in files {
        if let Err(e) = write_atomic(&path, &text) {
            dirty.store(true, Ordering::Release);
            warn!(b.log, "writing metadata failed; retried on the next pass"; "file" => path.display().to_string(), "error" => %e);
        }
    }
}
