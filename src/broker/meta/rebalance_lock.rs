//! Queue locks for orderly consumption (LOCK_BATCH_MQ / UNLOCK_BATCH_MQ): per consumer group,
//! each queue is owned by at most one client id, and a lock lapses when its owner has not renewed
//! it for the lock lifetime (60 s by default; clients renew every 20 s), so a dead client never
//! blocks a queue for good.
//!
//! Times are passed in (milliseconds) so callers and tests decide what "now" is.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use slog::{info, warn, Logger};

use crate::protocol::message_queue::MessageQueue;

/// Java `rocketmq.broker.rebalance.lockMaxLiveTime` default.
pub const DEFAULT_LOCK_MAX_LIVE_MS: i64 = 60_000;

#[derive(Debug, Clone)]
struct LockEntry {
    client_id: String,
    last_update: i64,
}

/// All queue locks of the broker.
#[derive(Debug)]
pub struct RebalanceLockManager {
    max_live_ms: i64,
    groups: BTreeMap<String, HashMap<MessageQueue, LockEntry>>,
    log: Logger,
}

impl RebalanceLockManager {
    /// Locks lapse `max_live_ms` after their last renewal.
    pub fn new(max_live_ms: i64, log: &Logger) -> Self {
        RebalanceLockManager {
            max_live_ms,
            groups: BTreeMap::new(),
            log: log.new(slog::o!("component" => "rebalance-lock")),
        }
    }

    fn expired(&self, e: &LockEntry, now_ms: i64) -> bool {
        now_ms - e.last_update > self.max_live_ms
    }

    /// Whether `client_id` holds a live lock on the queue.
    pub fn is_locked(&self, group: &str, mq: &MessageQueue, client_id: &str, now_ms: i64) -> bool {
        self.groups
            .get(group)
            .and_then(|g| g.get(mq))
            .map(|e| e.client_id == client_id && !self.expired(e, now_ms))
            .unwrap_or(false)
    }

    /// The live owner of a queue, if any.
    pub fn owner(&self, group: &str, mq: &MessageQueue, now_ms: i64) -> Option<&str> {
        self.groups
            .get(group)
            .and_then(|g| g.get(mq))
            .filter(|e| !self.expired(e, now_ms))
            .map(|e| e.client_id.as_str())
    }

    /// Locks (or renews) every queue that is free, expired, or already held by `client_id`.
    /// Returns the queues `client_id` holds afterwards (the LOCK_BATCH_MQ answer).
    pub fn try_lock_batch<'a>(
        &mut self,
        group: &str,
        mqs: impl IntoIterator<Item = &'a MessageQueue>,
        client_id: &str,
        now_ms: i64,
    ) -> BTreeSet<MessageQueue> {
        let max_live = self.max_live_ms;
        let table = self.groups.entry(group.to_string()).or_default();
        let mut locked = BTreeSet::new();
        for mq in mqs {
            match table.get_mut(mq) {
                None => {
                    table.insert(
                        mq.clone(),
                        LockEntry {
                            client_id: client_id.to_string(),
                            last_update: now_ms,
                        },
                    );
                    info!(self.log, "queue locked"; "group" => group, "client" => client_id,
                        "topic" => &mq.topic, "queue" => mq.queue_id);
                    locked.insert(mq.clone());
                }
                Some(e) if e.client_id == client_id => {
                    // The owner renews, even after its own lock lapsed.
                    e.last_update = now_ms;
                    locked.insert(mq.clone());
                }
                Some(e) if now_ms - e.last_update > max_live => {
                    warn!(self.log, "expired queue lock taken over"; "group" => group,
                        "old_client" => &e.client_id, "new_client" => client_id,
                        "topic" => &mq.topic, "queue" => mq.queue_id);
                    e.client_id = client_id.to_string();
                    e.last_update = now_ms;
                    locked.insert(mq.clone());
                }
                Some(_) => {}
            }
        }
        locked
    }

    /// Releases the queues `client_id` holds; locks of other clients are left alone.
    pub fn unlock_batch<'a>(
        &mut self,
        group: &str,
        mqs: impl IntoIterator<Item = &'a MessageQueue>,
        client_id: &str,
    ) {
        let Some(table) = self.groups.get_mut(group) else {
            return;
        };
        for mq in mqs {
            match table.get(mq) {
                Some(e) if e.client_id == client_id => {
                    table.remove(mq);
                    info!(self.log, "queue unlocked"; "group" => group, "client" => client_id,
                        "topic" => &mq.topic, "queue" => mq.queue_id);
                }
                Some(e) => {
                    warn!(self.log, "unlock refused: queue held by another client";
                        "group" => group, "client" => client_id, "owner" => &e.client_id,
                        "topic" => &mq.topic, "queue" => mq.queue_id);
                }
                None => {}
            }
        }
        if table.is_empty() {
            self.groups.remove(group);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::logging::test_logger;

    #[test]
    fn ownership_and_expiry() {
        let mut m = RebalanceLockManager::new(60_000, &test_logger());
        let q0 = MessageQueue::new("T", "b", 0);
        let q1 = MessageQueue::new("T", "b", 1);
        let got = m.try_lock_batch("g", [&q0, &q1], "c1", 1_000);
        assert_eq!(got.len(), 2);
        // c2 is refused while c1's lock lives.
        assert!(m.try_lock_batch("g", [&q0], "c2", 30_000).is_empty());
        assert!(m.is_locked("g", &q0, "c1", 30_000));
        // Another group is independent.
        assert_eq!(m.try_lock_batch("g2", [&q0], "c2", 30_000).len(), 1);
        // c1 renews q0 at 50 s; q1 lapses at 61 s+ and c2 takes it over.
        assert_eq!(m.try_lock_batch("g", [&q0], "c1", 50_000).len(), 1);
        let got = m.try_lock_batch("g", [&q0, &q1], "c2", 61_001);
        assert_eq!(got.into_iter().collect::<Vec<_>>(), vec![q1.clone()]);
        assert_eq!(m.owner("g", &q1, 61_001), Some("c2"));
        assert!(!m.is_locked("g", &q1, "c1", 61_001));
        // Only the owner unlocks.
        m.unlock_batch("g", [&q0], "c2");
        assert!(m.is_locked("g", &q0, "c1", 61_001));
        m.unlock_batch("g", [&q0], "c1");
        assert_eq!(m.owner("g", &q0, 61_001), None);
        assert_eq!(m.try_lock_batch("g", [&q0], "c2", 61_002).len(), 1);
    }
}
