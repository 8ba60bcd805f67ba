//! What the SYNC_MASTER send path needs from replication: the highest commit-log offset acked by
//! any slave, the attached slaves, and a pipelined wait.
//!
//! Waiters are kept in a map ordered by offset; an ack releases every waiter at or below it in
//! one sweep. Nothing blocks per pending send: a waiter is a oneshot plus a timer in the caller's
//! own task. The acked offset only moves forward (Java's `push2SlaveMaxOffset`): an offset acked
//! once stays replicated even when that slave disconnects later.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use parking_lot::Mutex;
use tokio::sync::oneshot;

use crate::codec::codes::response;

/// Why a replication wait failed (the message is stored either way).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReplicaError {
    #[error("no slave acked offset {offset} within {timeout_ms} ms (acked: {acked})")]
    Timeout {
        offset: i64,
        acked: i64,
        timeout_ms: u64,
    },
    #[error("no slave in sync (attached slaves: {slaves}, acked {acked}, master at {master})")]
    NoSlave {
        slaves: usize,
        acked: i64,
        master: i64,
    },
}

impl ReplicaError {
    /// The send response code: FLUSH_SLAVE_TIMEOUT (12) or SLAVE_NOT_AVAILABLE (11).
    pub fn response_code(&self) -> i32 {
        match self {
            ReplicaError::Timeout { .. } => response::FLUSH_SLAVE_TIMEOUT,
            ReplicaError::NoSlave { .. } => response::SLAVE_NOT_AVAILABLE,
        }
    }
}

/// One attached slave as shown in runtime info and the demo table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SlaveStats {
    pub addr: String,
    pub broker_id: i64,
    /// Last reported offset (-1 before the first report).
    pub acked_offset: i64,
    /// Master max offset minus the acked offset (0 when ahead or unknown master offset).
    pub lag: i64,
}

struct SlaveEntry {
    addr: String,
    broker_id: i64,
    acked: i64,
}

#[derive(Default)]
struct State {
    max_acked: i64,
    slaves: BTreeMap<u64, SlaveEntry>,
    next_id: u64,
    waiters: BTreeMap<(i64, u64), oneshot::Sender<()>>,
    next_seq: u64,
}

/// Shared replication state of one master; cheap to clone.
#[derive(Clone, Default)]
pub struct ReplicationTracker {
    inner: Arc<Mutex<State>>,
}

/// An attached slave; unregisters itself when dropped (the connection ended).
pub struct SlaveRegistration {
    tracker: ReplicationTracker,
    id: u64,
}

impl SlaveRegistration {
    /// Records a report of the slave's max offset and releases the waiters it covers.
    pub fn ack(&self, offset: i64) {
        let released = {
            let mut s = self.tracker.inner.lock();
            if let Some(e) = s.slaves.get_mut(&self.id) {
                e.acked = offset;
            }
            if offset <= s.max_acked {
                return;
            }
            s.max_acked = offset;
            // Everything at or below `offset` is done: split off the rest and keep it.
            let rest = s.waiters.split_off(&(offset + 1, 0));
            std::mem::replace(&mut s.waiters, rest)
        };
        for (_, tx) in released {
            let _ = tx.send(());
        }
    }
}

impl Drop for SlaveRegistration {
    fn drop(&mut self) {
        self.tracker.inner.lock().slaves.remove(&self.id);
    }
}

impl ReplicationTracker {
    pub fn new() -> Self {
        Self::default()
    }

    /// Attaches a slave (called by the master's connection after a valid hello).
    pub fn register(&self, addr: impl Into<String>, broker_id: i64) -> SlaveRegistration {
        let mut s = self.inner.lock();
        let id = s.next_id;
        s.next_id += 1;
        s.slaves.insert(
            id,
            SlaveEntry {
                addr: addr.into(),
                broker_id,
                acked: -1,
            },
        );
        SlaveRegistration {
            tracker: self.clone(),
            id,
        }
    }

    /// Highest offset acked by any slave so far (never decreases).
    pub fn acked_offset(&self) -> i64 {
        self.inner.lock().max_acked
    }

    /// Number of attached slaves.
    pub fn connected(&self) -> usize {
        self.inner.lock().slaves.len()
    }

    /// Pending replication waiters (for stats and tests).
    pub fn pending_waiters(&self) -> usize {
        self.inner.lock().waiters.len()
    }

    /// Java's `isSlaveOK`: at least one attached slave, and the best attached slave's ack is
    /// less than `max_gap` (`haSlaveFallbehindMax`) behind `master_offset`. Unlike Java, only
    /// slaves attached now count (not an ack from one that has gone).
    pub fn slave_ok(&self, master_offset: i64, max_gap: i64) -> bool {
        let s = self.inner.lock();
        s.slaves
            .values()
            .map(|e| e.acked)
            .filter(|a| *a >= 0)
            .max()
            .is_some_and(|best| master_offset - best < max_gap)
    }

    /// Waits until a slave acked `offset` (the end of the put), or `timeout`. Never succeeds
    /// without an ack covering `offset`.
    pub async fn wait_replicated(
        &self,
        offset: i64,
        timeout: Duration,
    ) -> Result<(), ReplicaError> {
        let (key, rx) = {
            let mut s = self.inner.lock();
            if offset <= s.max_acked {
                return Ok(());
            }
            let key = (offset, s.next_seq);
            s.next_seq += 1;
            let (tx, rx) = oneshot::channel();
            s.waiters.insert(key, tx);
            (key, rx)
        };
        match tokio::time::timeout(timeout, rx).await {
            Ok(Ok(())) => Ok(()),
            // The sender is only dropped by `ack` after sending, or by the timeout path below.
            Ok(Err(_)) | Err(_) => {
                let mut s = self.inner.lock();
                s.waiters.remove(&key);
                if offset <= s.max_acked {
                    return Ok(()); // acked between the timer firing and taking the lock
                }
                Err(ReplicaError::Timeout {
                    offset,
                    acked: s.max_acked,
                    timeout_ms: timeout.as_millis() as u64,
                })
            }
        }
    }

    /// The whole SYNC_MASTER step of a send whose record ends at `next_offset`: refuses at once
    /// (NoSlave → SLAVE_NOT_AVAILABLE) when no slave is in sync, else waits for the ack
    /// (Timeout → FLUSH_SLAVE_TIMEOUT).
    pub async fn await_sync_master(
        &self,
        next_offset: i64,
        max_gap: i64,
        timeout: Duration,
    ) -> Result<(), ReplicaError> {
        if !self.slave_ok(next_offset, max_gap) {
            let s = self.inner.lock();
            return Err(ReplicaError::NoSlave {
                slaves: s.slaves.len(),
                acked: s.max_acked,
                master: next_offset,
            });
        }
        self.wait_replicated(next_offset, timeout).await
    }

    /// Attached slaves with their lag behind `master_offset`.
    pub fn slaves(&self, master_offset: i64) -> Vec<SlaveStats> {
        let s = self.inner.lock();
        s.slaves
            .values()
            .map(|e| SlaveStats {
                addr: e.addr.clone(),
                broker_id: e.broker_id,
                acked_offset: e.acked,
                lag: (master_offset - e.acked.max(0)).max(0),
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn waiters_are_released_in_bulk_and_time_out_otherwise() {
        let t = ReplicationTracker::new();
        assert!(!t.slave_ok(0, 100), "no slave");
        let reg = t.register("127.0.0.1:1", 1);
        assert!(!t.slave_ok(0, 100), "attached but never reported");
        let waits: Vec<_> = [10, 20, 30]
            .into_iter()
            .map(|o| {
                let t = t.clone();
                tokio::spawn(async move { t.wait_replicated(o, Duration::from_secs(30)).await })
            })
            .collect();
        for _ in 0..100 {
            if t.pending_waiters() == 3 {
                break;
            }
            tokio::task::yield_now().await;
        }
        assert_eq!(t.pending_waiters(), 3);
        reg.ack(25);
        assert!(t.slave_ok(100, 100) && !t.slave_ok(125, 100));
        let mut waits = waits.into_iter();
        assert_eq!(waits.next().unwrap().await.unwrap(), Ok(()));
        assert_eq!(waits.next().unwrap().await.unwrap(), Ok(()));
        assert_eq!(t.pending_waiters(), 1);
        reg.ack(30);
        assert_eq!(waits.next().unwrap().await.unwrap(), Ok(()));
        assert_eq!(
            t.slaves(40)[0],
            SlaveStats {
                addr: "127.0.0.1:1".into(),
                broker_id: 1,
                acked_offset: 30,
                lag: 10
            }
        );
        // A lower report does not move the acked offset back.
        reg.ack(5);
        assert_eq!(t.acked_offset(), 30);
        let e = t
            .wait_replicated(31, Duration::from_millis(10))
            .await
            .unwrap_err();
        assert_eq!(e.response_code(), 12);
        assert_eq!(t.pending_waiters(), 0, "a timed-out waiter is removed");
        drop(reg);
        assert_eq!(t.connected(), 0);
        let e = t
            .await_sync_master(31, 1 << 28, Duration::from_secs(1))
            .await
            .unwrap_err();
        assert_eq!(e.response_code(), 11);
    }
}
