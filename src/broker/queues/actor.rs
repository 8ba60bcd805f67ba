//! One topic's queue actor: answers the topic's parked pulls when a message arrives for their
//! queue ([`Arrived`], sent by the registry from the writer's arrival hook) and, every
//! [`SWEEP_INTERVAL`], those whose queue grew or whose suspend time ended (Java's
//! `PullRequestHoldService`; the re-executed pull reads the store on this actor's arbiter).
//!
//! Supervised by actix's `Supervisor`: a stop restarts it in place (`restarting` counts it);
//! a panic drops it and the registry (or the watch) starts a new one over the same entry. The
//! parked pulls live in the entry, so neither loses them. With nothing parked for the
//! registry's idle time it retires: it clears its address under the topic's lock and stops;
//! the next park starts a new actor.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, OnceLock, Weak};
use std::time::{Duration, Instant};

use actix::prelude::*;
use parking_lot::{Mutex, RwLock};
use slog::{warn, Logger};

use super::parked::{Parked, ParkedQueues, QueueReads};
use super::{ArbiterPool, TOPIC_QUEUES_COMPONENT};
use crate::actors::supervisor::{RestartBook, RestartTracker};

/// How often an actor checks its parked pulls' deadlines and queues (Java checks every 5 s
/// with long polling; a shorter period only answers expired pulls closer to their deadline).
pub const SWEEP_INTERVAL: Duration = Duration::from_millis(100);

/// Messages were appended to one of the topic's queues.
#[derive(Message, Clone, Debug)]
#[rtype(result = "()")]
pub struct Arrived {
    pub queue_id: i32,
    /// The queue's new max offset (next logical offset).
    pub next_queue_offset: i64,
    /// Tag codes of the new messages; empty = unknown (wake every pull of the queue).
    pub tags_codes: Vec<i64>,
}

/// The queue actor of one topic.
pub struct TopicQueue {
    shared: Arc<Shared>,
    entry: Arc<TopicEntry>,
    tracker: RestartTracker,
    /// Set when it stops for idleness: a restart then is not a failure (see `restarting`).
    retiring: bool,
}

impl TopicQueue {
    pub(crate) fn new(
        shared: Arc<Shared>,
        entry: Arc<TopicEntry>,
        tracker: RestartTracker,
    ) -> Self {
        TopicQueue {
            shared,
            entry,
            tracker,
            retiring: false,
        }
    }

    fn answer(&self, due: Vec<Parked>) {
        if due.is_empty() {
            return;
        }
        let Some(reads) = self.shared.reads() else {
            return;
        };
        self.entry
            .counters
            .answered
            .fetch_add(due.len() as u64, Ordering::Relaxed);
        for p in due {
            p.answer(reads.as_ref());
        }
    }

    fn sweep(&mut self, ctx: &mut Context<Self>) {
        let Some(reads) = self.shared.reads().filter(|_| !self.shared.is_stopped()) else {
            // The broker stopped (or is gone): nothing to answer any more.
            self.retiring = true;
            ctx.stop();
            return;
        };
        let me = ctx.address();
        let (due, retire) = {
            let mut st = self.entry.state.lock();
            if !st.addr.as_ref().is_some_and(|a| a.connected()) {
                // Restarted after retiring because a sender still held our address (or the
                // owner died): adopt the entry again.
                st.addr = Some(me.clone());
            }
            let due = st
                .parked
                .take_swept(Instant::now(), |t, q| reads.max_offset_in_queue(t, q));
            let mine = st.addr.as_ref() == Some(&me);
            let idle = due.is_empty()
                && st.parked.is_empty()
                && st.last_use.elapsed() >= self.shared.idle_after;
            if mine && idle {
                st.addr = None;
            }
            // A stray incarnation (another one owns the entry) retires at once.
            (due, !mine || idle)
        };
        drop(reads);
        self.answer(due);
        if retire {
            self.retiring = true;
            ctx.stop();
        }
    }
}

impl Actor for TopicQueue {
    type Context = Context<Self>;

    fn started(&mut self, ctx: &mut Context<Self>) {
        ctx.set_mailbox_capacity(65536);
        self.tracker.on_started(ctx);
        ctx.run_interval(SWEEP_INTERVAL, |act, ctx| act.sweep(ctx));
    }
}

impl Supervised for TopicQueue {
    fn restarting(&mut self, _: &mut Context<Self>) {
        if std::mem::take(&mut self.retiring) {
            // Not a failure: it retired while a sender still held its address.
            return;
        }
        // The parked pulls stay in the entry: the restarted actor answers them.
        self.tracker.on_restarting();
        self.entry.counters.restarts.fetch_add(1, Ordering::Relaxed);
    }
}

impl Handler<Arrived> for TopicQueue {
    type Result = ();

    fn handle(&mut self, a: Arrived, _: &mut Context<Self>) {
        self.entry.counters.wakeups.fetch_add(1, Ordering::Relaxed);
        let due = self.entry.state.lock().parked.take_arrived(
            a.queue_id,
            a.next_queue_offset,
            &a.tags_codes,
        );
        self.answer(due);
    }
}

crate::handle_inject_failure!(TopicQueue, "topic-queue");

// ---- the entry an actor serves (it outlives its actors) and the registry's shared state

#[derive(Default)]
pub(crate) struct Counters {
    pub starts: AtomicU64,
    pub restarts: AtomicU64,
    pub wakeups: AtomicU64,
    pub answered: AtomicU64,
}

/// What the topic's lock guards.
pub(crate) struct EntryState {
    pub parked: ParkedQueues,
    pub addr: Option<Addr<TopicQueue>>,
    /// Last park or wake-up (the idle clock).
    pub last_use: Instant,
}

/// One topic's entry; it outlives its actors.
pub(crate) struct TopicEntry {
    pub topic: String,
    pub state: Mutex<EntryState>,
    pub counters: Counters,
    pub arbiter: usize,
}

pub(crate) struct Shared {
    pub topics: RwLock<HashMap<String, Arc<TopicEntry>>>,
    pub pool: OnceLock<ArbiterPool>,
    pub broker: OnceLock<Weak<dyn QueueReads>>,
    /// Set by [`TopicQueues::stop`]: no actor is started any more.
    pub stopped: AtomicBool,
    pub book: RestartBook,
    pub log: Logger,
    pub idle_after: Duration,
}

impl Shared {
    pub fn reads(&self) -> Option<Arc<dyn QueueReads>> {
        self.broker.get().and_then(Weak::upgrade)
    }

    pub fn is_stopped(&self) -> bool {
        self.stopped.load(Ordering::Acquire)
    }

    pub fn entries(&self) -> Vec<Arc<TopicEntry>> {
        self.topics.read().values().cloned().collect()
    }

    /// The topic's live actor, started (or rebuilt) when there is none. Called with the
    /// topic's lock held (`state`).
    pub fn ensure_actor(
        self: &Arc<Self>,
        entry: &Arc<TopicEntry>,
        state: &mut EntryState,
    ) -> Option<Addr<TopicQueue>> {
        if let Some(a) = state.addr.as_ref().filter(|a| a.connected()) {
            return Some(a.clone());
        }
        if self.stopped.load(Ordering::Acquire) {
            return None;
        }
        let pool = self.pool.get()?;
        if state.addr.take().is_some() {
            // Its mailbox closed without a retirement: the actor died (a panic).
            self.book.record(TOPIC_QUEUES_COMPONENT);
            entry.counters.restarts.fetch_add(1, Ordering::Relaxed);
            warn!(self.log, "topic queue actor died; rebuilding"; "topic" => &entry.topic);
        }
        let (shared, e) = (self.clone(), entry.clone());
        let tracker =
            RestartTracker::new(TOPIC_QUEUES_COMPONENT, self.book.clone(), self.log.clone());
        let addr = actix::Supervisor::start_in_arbiter(pool.get(entry.arbiter), move |_| {
            TopicQueue::new(shared, e, tracker)
        });
        entry.counters.starts.fetch_add(1, Ordering::Relaxed);
        state.addr = Some(addr.clone());
        Some(addr)
    }
}
