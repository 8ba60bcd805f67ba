//! The flush service: msync/fsync of the commit log and consume queues on a dedicated thread.
//!
//! Flushing blocks for milliseconds, so it never runs on an actor's event loop: callers talk to
//! a std thread through a crossbeam channel. The thread runs under the root supervisor
//! ([`SuperviseThread`], component `flush`): if it panics or stops on an error, a fresh thread
//! takes over the same channel and the same parked waiters (both live in [`Shared`], outside
//! the thread), so a group-commit send waiting across the restart is still answered.
//! - **ASYNC_FLUSH**: every `flushIntervalCommitLog` ms the commit log is flushed when at least
//!   `flushCommitLogLeastPages` pages are dirty, and fully every `flushCommitLogThoroughInterval`.
//! - **SYNC_FLUSH (group commit)**: a send parks a waiter for its record's end offset; the
//!   thread drains every waiter that arrived, flushes once, and releases all waiters whose offset
//!   the flushed offset passed. One msync serves a whole batch of sends.
//!
//! Consume queues are flushed every `flushIntervalConsumeQueue` in both modes. A failed
//! commit-log flush (msync error) is logged, counted ([`FlushHandle::failures`]) and retried on
//! the next round; the waiters it could not serve are answered at once with
//! [`FlushError::Failed`], which a send reports as FLUSH_DISK_TIMEOUT (Java's
//! `GroupCommitService` answers FLUSH_DISK_TIMEOUT when the flush did not reach the offset), so
//! nothing is acknowledged as flushed that was not. The flushed position does not move, so the
//! retry msyncs the same range again and the store serves SEND_OK once the disk recovers
//! (docs/architecture.md "Flush failures").

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use actix::prelude::*;
use crossbeam_channel::{Receiver, RecvTimeoutError, Sender};
use parking_lot::Mutex;
use slog::{error, info, Logger};
use tokio::sync::oneshot;

#[cfg(feature = "failpoints")]
use crate::actors::supervisor::InjectFailure;
use crate::actors::supervisor::{RootSupervisor, SuperviseThread, ThreadSlot};
use crate::store::StoreReader;

/// The flush thread's name in the restart book.
pub const FLUSH_COMPONENT: &str = "flush";

/// Why a sync-flush wait did not succeed.
#[derive(Debug, Clone, thiserror::Error, PartialEq)]
pub enum FlushError {
    #[error("flush did not reach offset {offset} within {timeout_ms} ms")]
    Timeout { offset: i64, timeout_ms: u64 },
    #[error("flush failed: {0}")]
    Failed(String),
    #[error("flush service stopped")]
    Stopped,
    #[error("the root supervisor is gone; cannot start the flush thread")]
    NoSupervisor,
}

/// The store's read-only flag: `Some(reason)` after a write-path failure.
#[derive(Debug, Clone, Default)]
pub struct ReadOnly(Arc<Mutex<Option<String>>>);

impl ReadOnly {
    pub fn set(&self, reason: String) {
        let mut g = self.0.lock();
        if g.is_none() {
            *g = Some(reason);
        }
    }
    pub fn reason(&self) -> Option<String> {
        self.0.lock().clone()
    }
}

/// Flush parameters (from the broker config).
#[derive(Debug, Clone)]
pub struct FlushSettings {
    pub sync: bool,
    pub interval: Duration,
    pub least_pages: usize,
    pub thorough_interval: Duration,
    pub cq_interval: Duration,
    pub cq_least_pages: usize,
}

impl Default for FlushSettings {
    fn default() -> Self {
        FlushSettings {
            sync: false,
            interval: Duration::from_millis(500),
            least_pages: 4,
            thorough_interval: Duration::from_secs(10),
            cq_interval: Duration::from_secs(1),
            cq_least_pages: 2,
        }
    }
}

enum Cmd {
    Wait {
        offset: i64,
        reply: oneshot::Sender<Result<(), FlushError>>,
    },
    Stop,
    /// New settings are in place: recompute the wait (no flush for this wake-up alone).
    Reconfigure,
    #[cfg(feature = "failpoints")]
    Inject(InjectFailure),
}

type Waiter = (i64, oneshot::Sender<Result<(), FlushError>>);

/// What every incarnation of the flush thread works on; outlives each of them.
struct Shared {
    reader: Arc<Mutex<StoreReader>>,
    /// Replaced at runtime by [`FlushHandle::update_settings`]; read once per round.
    settings: Mutex<FlushSettings>,
    rx: Receiver<Cmd>,
    /// Sync-flush waiters not yet released (kept here so a restart does not drop them).
    waiters: Mutex<Vec<Waiter>>,
    slot: ThreadSlot,
    log: Logger,
    /// Seconds each commit-log flush took (`/metrics`, docs/metrics.md); observed on this
    /// thread only.
    latency: prometheus_client::metrics::histogram::Histogram,
    /// Failed commit-log flushes (each retried on the next round).
    failures: AtomicU64,
    /// Failed consume-queue / checkpoint flushes (each retried on the next round).
    cq_failures: AtomicU64,
}

/// Handle to the flush thread; cheap to clone.
#[derive(Clone)]
pub struct FlushHandle {
    tx: Sender<Cmd>,
    shared: Arc<Shared>,
}

impl FlushHandle {
    /// The commit-log flush latency histogram (shared: a clone observes into the same one).
    pub fn latency(&self) -> prometheus_client::metrics::histogram::Histogram {
        self.shared.latency.clone()
    }

    /// Replaces the flush settings (UPDATE_BROKER_CONFIG: `flushIntervalCommitLog`,
    /// `flushConsumeQueueLeastPages`, ...); the thread uses them from its next round on. The
    /// flush mode (`sync`) is kept: it is fixed at start-up (`flushDiskType`).
    pub fn update_settings(&self, mut s: FlushSettings) {
        {
            let mut cur = self.shared.settings.lock();
            s.sync = cur.sync;
            *cur = s;
        }
        // Wake the thread so that a long wait under the old interval does not delay the new one.
        let _ = self.tx.send(Cmd::Reconfigure);
    }

    /// The settings in use.
    pub fn settings(&self) -> FlushSettings {
        self.shared.settings.lock().clone()
    }

    /// Failed commit-log flushes so far (every one was retried on the next round).
    pub fn failures(&self) -> u64 {
        self.shared.failures.load(Ordering::Relaxed)
    }

    /// Failed consume-queue (or checkpoint) flushes so far.
    pub fn consume_queue_failures(&self) -> u64 {
        self.shared.cq_failures.load(Ordering::Relaxed)
    }

    /// Starts the flush thread over a (replaceable) reader slot, supervised by `root`.
    pub async fn start(
        reader: Arc<Mutex<StoreReader>>,
        settings: FlushSettings,
        root: &Addr<RootSupervisor>,
        log: Logger,
    ) -> Result<FlushHandle, FlushError> {
        let (tx, rx) = crossbeam_channel::unbounded();
        let shared = Arc::new(Shared {
            reader,
            settings: Mutex::new(settings),
            rx,
            waiters: Mutex::new(Vec::new()),
            latency: prometheus_client::metrics::histogram::Histogram::new(
                prometheus_client::metrics::histogram::exponential_buckets(0.0001, 2.0, 16),
            ),
            failures: AtomicU64::new(0),
            cq_failures: AtomicU64::new(0),
            slot: ThreadSlot::new(),
            log: log.new(slog::o!("component" => FLUSH_COMPONENT)),
        });
        let spawn = {
            let shared = shared.clone();
            Arc::new(move || {
                let shared = shared.clone();
                std::thread::Builder::new()
                    .name("rocketactor-flush".into())
                    .spawn(move || FlushLoop::new(shared).run())
            })
        };
        root.send(SuperviseThread {
            name: FLUSH_COMPONENT.into(),
            slot: shared.slot.clone(),
            spawn,
        })
        .await
        .map_err(|_| FlushError::NoSupervisor)?;
        Ok(FlushHandle { tx, shared })
    }

    /// Waits until the commit log is flushed past `offset` (SYNC_FLUSH), or the timeout.
    pub async fn wait_flushed(&self, offset: i64, timeout: Duration) -> Result<(), FlushError> {
        let (reply, rx) = oneshot::channel();
        self.tx
            .send(Cmd::Wait { offset, reply })
            .map_err(|_| FlushError::Stopped)?;
        match tokio::time::timeout(timeout, rx).await {
            Ok(Ok(r)) => r,
            Ok(Err(_)) => Err(FlushError::Stopped),
            Err(_) => Err(FlushError::Timeout {
                offset,
                timeout_ms: timeout.as_millis() as u64,
            }),
        }
    }

    /// Flushes everything, stops the thread and waits for it. Waiters still parked (the thread
    /// was down at that moment) are failed with [`FlushError::Stopped`].
    pub fn stop(&self) {
        let thread = self.shared.slot.retire();
        let _ = self.tx.send(Cmd::Stop);
        if let Some(t) = thread {
            let _ = t.join();
        }
        for (_, reply) in self.shared.waiters.lock().drain(..) {
            let _ = reply.send(Err(FlushError::Stopped));
        }
    }

    /// Test hook: makes the flush thread stop on an error or panic; the supervisor restarts it.
    #[cfg(feature = "failpoints")]
    pub fn inject_failure(&self, f: InjectFailure) {
        let _ = self.tx.send(Cmd::Inject(f));
    }
}

/// What one command asks of the loop.
enum Flow {
    Continue,
    /// Clean stop: final flush, then end.
    Stop,
    /// End at once after an error (the supervisor restarts the thread).
    #[cfg(feature = "failpoints")]
    Fail(&'static str),
}

/// One incarnation of the flush thread.
struct FlushLoop {
    sh: Arc<Shared>,
    last_thorough: Instant,
    last_cq: Instant,
}

impl FlushLoop {
    fn new(sh: Arc<Shared>) -> Self {
        FlushLoop {
            sh,
            last_thorough: Instant::now(),
            last_cq: Instant::now(),
        }
    }

    fn run(mut self) {
        // Group commit wakes up quickly (Java's GroupCommitService waits 10 ms); async flush
        // sleeps its interval unless asked.
        let rx = self.sh.rx.clone();
        loop {
            // Read every round: a runtime update (flushIntervalCommitLog) applies to the next.
            let tick = {
                let s = self.sh.settings.lock();
                if s.sync {
                    Duration::from_millis(10)
                } else {
                    s.interval
                }
            };
            let mut flow = match rx.recv_timeout(tick) {
                Ok(Cmd::Reconfigure) => continue,
                Ok(cmd) => self.accept(cmd),
                Err(RecvTimeoutError::Timeout) => Flow::Continue,
                Err(RecvTimeoutError::Disconnected) => {
                    // Every handle is gone: nobody can stop us any more, and nobody needs us.
                    self.sh.slot.retire();
                    Flow::Stop
                }
            };
            // Drain whatever else is queued: one flush serves the whole group.
            while matches!(flow, Flow::Continue) {
                match rx.try_recv() {
                    Ok(cmd) => flow = self.accept(cmd),
                    Err(_) => break,
                }
            }
            match flow {
                Flow::Continue => self.flush_round(false),
                Flow::Stop => {
                    self.flush_round(true);
                    info!(self.sh.log, "flush service stopped");
                    return;
                }
                #[cfg(feature = "failpoints")]
                Flow::Fail(why) => {
                    slog::warn!(self.sh.log, "flush thread stopping on error"; "error" => why);
                    return;
                }
            }
        }
    }

    fn accept(&mut self, cmd: Cmd) -> Flow {
        match cmd {
            Cmd::Wait { offset, reply } => {
                self.sh.waiters.lock().push((offset, reply));
                Flow::Continue
            }
            Cmd::Stop => Flow::Stop,
            Cmd::Reconfigure => Flow::Continue,
            #[cfg(feature = "failpoints")]
            Cmd::Inject(InjectFailure::Stop) => Flow::Fail("injected failure"),
            #[cfg(feature = "failpoints")]
            Cmd::Inject(InjectFailure::Panic) => panic!("injected flush panic"),
        }
    }

    fn flush_round(&mut self, final_round: bool) {
        let reader = self.sh.reader.lock().clone();
        let s = self.sh.settings.lock().clone();
        let s = &s;
        let mut waiters = self.sh.waiters.lock();
        let thorough = final_round || self.last_thorough.elapsed() >= s.thorough_interval;
        let least = if s.sync || thorough || !waiters.is_empty() {
            0
        } else {
            s.least_pages
        };
        if thorough {
            self.last_thorough = Instant::now();
        }
        let began = Instant::now();
        let flushed = reader.flush_commit_log(least);
        self.sh.latency.observe(began.elapsed().as_secs_f64());
        match flushed {
            Ok(flushed) => {
                for (offset, reply) in std::mem::take(&mut *waiters) {
                    if offset <= flushed {
                        let _ = reply.send(Ok(()));
                    } else {
                        waiters.push((offset, reply));
                    }
                }
            }
            Err(e) => {
                // Not read-only: the bytes are still in the mapping and the flushed position
                // did not move, so the next round msyncs them again.
                let n = self.sh.failures.fetch_add(1, Ordering::Relaxed) + 1;
                let reason = format!("commit log flush failed: {e}");
                error!(self.sh.log, "commit log flush failed; retrying next round";
                    "error" => %e, "failures" => n, "waiters" => waiters.len());
                for (_, reply) in waiters.drain(..) {
                    let _ = reply.send(Err(FlushError::Failed(reason.clone())));
                }
            }
        }
        if final_round {
            for (_, reply) in waiters.drain(..) {
                let _ = reply.send(Err(FlushError::Stopped));
            }
        }
        drop(waiters);
        if final_round || self.last_cq.elapsed() >= s.cq_interval {
            self.last_cq = Instant::now();
            let least = if final_round { 0 } else { s.cq_least_pages };
            if let Err(e) = reader.flush_consume_queues(least) {
                let n = self.sh.cq_failures.fetch_add(1, Ordering::Relaxed) + 1;
                error!(self.sh.log, "consume queue flush failed; retrying next round";
                    "error" => %e, "failures" => n);
            }
        }
    }
}
