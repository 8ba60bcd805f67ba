//! The flush service: msync/fsync of the commit log and consume queues on a dedicated thread.
//!
//! Flushing blocks for milliseconds, so it never runs on an actor's event loop: callers talk to
//! a std thread through a crossbeam channel.
//! - **ASYNC_FLUSH**: every `flushIntervalCommitLog` ms the commit log is flushed when at least
//!   `flushCommitLogLeastPages` pages are dirty, and fully every `flushCommitLogThoroughInterval`.
//! - **SYNC_FLUSH (group commit)**: a send parks a waiter for its record's end offset; the
//!   thread drains every waiter that arrived, flushes once, and releases all waiters whose offset
//!   the flushed offset passed. One msync serves a whole batch of sends.
//!
//! Consume queues are flushed every `flushIntervalConsumeQueue` in both modes. A flush error
//! fails every waiter and marks the store read-only with the reason (shared [`ReadOnly`] flag)
//! so that no send is acknowledged for data that may not be on disk.

use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, RecvTimeoutError, Sender};
use parking_lot::Mutex;
use slog::{error, info, Logger};
use tokio::sync::oneshot;

use crate::store::StoreReader;

/// Why a sync-flush wait did not succeed.
#[derive(Debug, Clone, thiserror::Error, PartialEq)]
pub enum FlushError {
    #[error("flush did not reach offset {offset} within {timeout_ms} ms")]
    Timeout { offset: i64, timeout_ms: u64 },
    #[error("flush failed: {0}")]
    Failed(String),
    #[error("flush service stopped")]
    Stopped,
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
}

/// Handle to the flush thread; cheap to clone.
#[derive(Clone)]
pub struct FlushHandle {
    tx: Sender<Cmd>,
    thread: Arc<Mutex<Option<JoinHandle<()>>>>,
}

impl FlushHandle {
    /// Starts the flush thread over a (replaceable) reader slot.
    pub fn start(
        reader: Arc<Mutex<StoreReader>>,
        settings: FlushSettings,
        read_only: ReadOnly,
        log: Logger,
    ) -> FlushHandle {
        let (tx, rx) = crossbeam_channel::unbounded();
        let log = log.new(slog::o!("component" => "flush"));
        let thread = std::thread::Builder::new()
            .name("rocketactor-flush".into())
            .spawn(move || FlushLoop::new(reader, settings, read_only, log).run(rx))
            .ok();
        FlushHandle {
            tx,
            thread: Arc::new(Mutex::new(thread)),
        }
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

    /// Flushes everything, stops the thread and waits for it.
    pub fn stop(&self) {
        let _ = self.tx.send(Cmd::Stop);
        if let Some(t) = self.thread.lock().take() {
            let _ = t.join();
        }
    }
}

struct FlushLoop {
    reader: Arc<Mutex<StoreReader>>,
    s: FlushSettings,
    read_only: ReadOnly,
    log: Logger,
    waiters: Vec<(i64, oneshot::Sender<Result<(), FlushError>>)>,
    last_thorough: Instant,
    last_cq: Instant,
}

impl FlushLoop {
    fn new(
        reader: Arc<Mutex<StoreReader>>,
        s: FlushSettings,
        read_only: ReadOnly,
        log: Logger,
    ) -> Self {
        FlushLoop {
            reader,
            s,
            read_only,
            log,
            waiters: Vec::new(),
            last_thorough: Instant::now(),
            last_cq: Instant::now(),
        }
    }

    fn run(mut self, rx: Receiver<Cmd>) {
        // Group commit wakes up quickly (Java's GroupCommitService waits 10 ms); async flush
        // sleeps its interval unless asked.
        let tick = if self.s.sync {
            Duration::from_millis(10)
        } else {
            self.s.interval
        };
        loop {
            let first = rx.recv_timeout(tick);
            let mut stop = false;
            match first {
                Ok(cmd) => stop |= self.accept(cmd),
                Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => stop = true,
            }
            // Drain whatever else is queued: one flush serves the whole group.
            while let Ok(cmd) = rx.try_recv() {
                stop |= self.accept(cmd);
            }
            self.flush_round(stop);
            if stop {
                info!(self.log, "flush service stopped");
                return;
            }
        }
    }

    fn accept(&mut self, cmd: Cmd) -> bool {
        match cmd {
            Cmd::Wait { offset, reply } => {
                self.waiters.push((offset, reply));
                false
            }
            Cmd::Stop => true,
        }
    }

    fn flush_round(&mut self, final_round: bool) {
        let reader = self.reader.lock().clone();
        let thorough = final_round || self.last_thorough.elapsed() >= self.s.thorough_interval;
        let least = if self.s.sync || thorough || !self.waiters.is_empty() {
            0
        } else {
            self.s.least_pages
        };
        if thorough {
            self.last_thorough = Instant::now();
        }
        match reader.flush_commit_log(least) {
            Ok(flushed) => {
                let waiters = std::mem::take(&mut self.waiters);
                for (offset, reply) in waiters {
                    if offset <= flushed {
                        let _ = reply.send(Ok(()));
                    } else {
                        self.waiters.push((offset, reply));
                    }
                }
            }
            Err(e) => {
                let reason = format!("commit log flush failed: {e}");
                error!(self.log, "flush failed; store is now read-only"; "error" => %e);
                self.read_only.set(reason.clone());
                for (_, reply) in self.waiters.drain(..) {
                    let _ = reply.send(Err(FlushError::Failed(reason.clone())));
                }
            }
        }
        if final_round || self.last_cq.elapsed() >= self.s.cq_interval {
            self.last_cq = Instant::now();
            let least = if final_round {
                0
            } else {
                self.s.cq_least_pages
            };
            if let Err(e) = reader.flush_consume_queues(least) {
                error!(self.log, "consume queue flush failed"; "error" => %e);
            }
        }
        if final_round {
            for (_, reply) in self.waiters.drain(..) {
                let _ = reply.send(Err(FlushError::Stopped));
            }
        }
    }
}
