//! The registry of a broker's topic queue actors: topic -> entry (its parked pulls, its
//! actor's address, its counters), an actor started on first use on one arbiter of the pool
//! (the topic's hash picks it, so a recreated actor lands on the same thread).
//!
//! One lock per topic guards its parked pulls and its address together, which gives the
//! three guarantees the long-polling path needs:
//! - a pull parks under that lock after re-checking the queue's max offset, and the writer's
//!   arrival hook (run after the append) looks at the parked pulls under the same lock, so an
//!   append is either seen by the re-check or wakes the pull;
//! - the hook sends a wake-up only to a topic with a pull parked on the written queue (no
//!   message per send otherwise, and never to another topic);
//! - an actor retires (idle) only with nothing parked, dropping its address under the lock,
//!   and every send to an actor happens under the lock, so no wake-up reaches a retired actor.

use std::hash::{Hash, Hasher};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock, Weak};
use std::time::{Duration, Instant};

use actix::prelude::*;
use parking_lot::{Mutex, RwLock};
use slog::Logger;

use super::actor::{Arrived, Counters, EntryState, Shared, TopicEntry, TopicQueue};
use super::parked::{Parked, ParkedQueues, QueueReads};
use super::{ArbiterPool, TOPIC_QUEUES_COMPONENT};
use crate::actors::supervisor::RestartBook;

/// How long a topic actor with nothing parked and no wake-up stays up before it retires.
pub const DEFAULT_IDLE_AFTER: Duration = Duration::from_secs(60);

/// What the registry counts per topic (exposed for tests and operators).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TopicQueueStats {
    /// Actor incarnations started (first use, after an idle retirement, after a crash).
    pub starts: u64,
    /// Restarts after a failure (stop or panic), not counting idle recreations.
    pub restarts: u64,
    /// Wake-ups (`Arrived`) the actor handled.
    pub wakeups: u64,
    /// Parked pulls answered (by a wake-up or the sweep).
    pub answered: u64,
    /// Pulls parked now.
    pub parked: usize,
    /// Whether an actor runs for the topic now.
    pub running: bool,
}

/// The topic queue actors of one broker (cheap to clone).
#[derive(Clone)]
pub struct TopicQueues(pub(crate) Arc<Shared>);

impl TopicQueues {
    pub fn new(book: RestartBook, log: Logger) -> Self {
        Self::with_idle_after(book, log, DEFAULT_IDLE_AFTER)
    }

    /// As [`TopicQueues::new`] with another idle time (tests).
    pub fn with_idle_after(book: RestartBook, log: Logger, idle_after: Duration) -> Self {
        TopicQueues(Arc::new(Shared {
            topics: RwLock::default(),
            pool: OnceLock::new(),
            broker: OnceLock::new(),
            stopped: AtomicBool::new(false),
            book,
            log,
            idle_after,
        }))
    }

    /// Gives the registry its broker and its arbiters; until then nothing parks.
    pub fn bind(&self, broker: Weak<dyn QueueReads>, pool: ArbiterPool) {
        let _ = self.0.broker.set(broker);
        let _ = self.0.pool.set(pool);
    }

    /// Whether pulls can park (the registry is bound).
    pub fn is_started(&self) -> bool {
        self.0.pool.get().is_some()
            && !self.0.stopped.load(Ordering::Acquire)
            && self.0.reads().is_some()
    }

    fn entry(&self, topic: &str) -> Arc<TopicEntry> {
        if let Some(e) = self.0.topics.read().get(topic) {
            return e.clone();
        }
        let arbiters = self.0.pool.get().map_or(1, ArbiterPool::len);
        let mut h = std::collections::hash_map::DefaultHasher::new();
        topic.hash(&mut h);
        self.0
            .topics
            .write()
            .entry(topic.to_owned())
            .or_insert_with(|| {
                Arc::new(TopicEntry {
                    topic: topic.to_owned(),
                    state: Mutex::new(EntryState {
                        parked: ParkedQueues::default(),
                        addr: None,
                        last_use: Instant::now(),
                    }),
                    counters: Counters::default(),
                    arbiter: (h.finish() % arbiters as u64) as usize,
                })
            })
            .clone()
    }

    /// Parks a pull on its topic's actor. `Err` gives it back when it must be answered now:
    /// its queue grew since the read (an append landed in between) or the registry is not
    /// bound.
    pub fn park(&self, p: Parked) -> Result<(), Parked> {
        let Some(reads) = self.0.reads() else {
            return Err(p);
        };
        let entry = self.entry(&p.job.header.topic);
        let mut st = entry.state.lock();
        let h = &p.job.header;
        if reads.max_offset_in_queue(&h.topic, h.queue_id) > h.queue_offset {
            return Err(p);
        }
        if self.0.ensure_actor(&entry, &mut st).is_none() {
            return Err(p);
        }
        st.parked.push(p);
        st.last_use = Instant::now();
        Ok(())
    }

    /// The writer appended to `topic`'s queue `queue_id` (next offset `next_offset`; `tags`:
    /// the new tag codes, empty when unknown). Wakes the topic's actor only when a pull is
    /// parked on that queue.
    pub fn arrived(&self, topic: &str, queue_id: i32, next_offset: i64, tags: &[i64]) {
        let Some(entry) = self.0.topics.read().get(topic).cloned() else {
            return;
        };
        let mut st = entry.state.lock();
        if !st.parked.waits_on(queue_id) {
            return;
        }
        st.last_use = Instant::now();
        if let Some(addr) = self.0.ensure_actor(&entry, &mut st) {
            addr.do_send(Arrived {
                queue_id,
                next_queue_offset: next_offset,
                tags_codes: tags.to_vec(),
            });
        }
    }

    /// Rebuilds the actors that died (a panic) while pulls are parked on them; forgets dead
    /// ones with nothing parked (the next use starts a new one). Run by the watch.
    pub fn check_actors(&self) {
        if self.0.stopped.load(Ordering::Acquire) {
            return;
        }
        for entry in self.0.entries() {
            let mut st = entry.state.lock();
            let dead = st.addr.as_ref().is_some_and(|a| !a.connected());
            if dead && !st.parked.is_empty() {
                self.0.ensure_actor(&entry, &mut st);
            } else if dead {
                st.addr = None;
                self.0.book.record(TOPIC_QUEUES_COMPONENT);
                entry.counters.restarts.fetch_add(1, Ordering::Relaxed);
            }
        }
    }

    /// The counters of `topic`, once it was used.
    pub fn stats(&self, topic: &str) -> Option<TopicQueueStats> {
        let entry = self.0.topics.read().get(topic).cloned()?;
        let st = entry.state.lock();
        let c = &entry.counters;
        Some(TopicQueueStats {
            starts: c.starts.load(Ordering::Relaxed),
            restarts: c.restarts.load(Ordering::Relaxed),
            wakeups: c.wakeups.load(Ordering::Relaxed),
            answered: c.answered.load(Ordering::Relaxed),
            parked: st.parked.len(),
            running: st.addr.as_ref().is_some_and(|a| a.connected()),
        })
    }

    /// The address of `topic`'s actor while one runs (tests inject failures through it).
    pub fn addr(&self, topic: &str) -> Option<Addr<TopicQueue>> {
        let entry = self.0.topics.read().get(topic).cloned()?;
        let st = entry.state.lock();
        st.addr.clone()
    }

    /// How many topics have an actor running now.
    pub fn running(&self) -> usize {
        self.0
            .entries()
            .iter()
            .filter(|e| e.state.lock().addr.as_ref().is_some_and(|a| a.connected()))
            .count()
    }

    /// Stops every topic actor and their arbiters (the broker stops): parked pulls are
    /// dropped unanswered (their connections close with the listeners), nothing parks or
    /// starts any more.
    pub fn stop(&self) {
        self.0.stopped.store(true, Ordering::Release);
        for entry in self.0.entries() {
            let mut st = entry.state.lock();
            st.addr = None;
            st.parked = ParkedQueues::default();
        }
        if let Some(pool) = self.0.pool.get() {
            pool.stop();
        }
    }
}
