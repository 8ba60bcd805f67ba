//! Long polling: pulls that found nothing are parked here, keyed by `topic@queueId`, and
//! answered as soon as a matching message arrives or their suspend time ends.
//!
//! While any pull is parked, the writer's arrival hook sends [`Arrived`] for every append, so a
//! parked pull is answered within one mailbox hop of the append (with nothing parked it sends
//! nothing: no message per send); a sweep every 100 ms answers the expired ones. A
//! re-executed pull never parks again and never commits offsets (as in Java).
//!
//! The parked pulls live in [`ParkedPulls`], outside the actor: when the actor is rebuilt after
//! a panic, the new incarnation keeps answering them (a dropped responder would leave the
//! client waiting for its whole pull timeout).

use std::collections::HashMap;
use std::sync::{Arc, Weak};
use std::time::{Duration, Instant};

use actix::prelude::*;
use parking_lot::Mutex;

use crate::actors::remoting::Responder;
#[cfg(feature = "failpoints")]
pub use crate::actors::supervisor::InjectFailure;
use crate::actors::supervisor::RestartTracker;
use crate::actors::supervisor::Slot;
use crate::broker::processors::pull_job::PullJob;
use crate::codec::RemotingCommand;
use crate::store::StoreReader;

/// Where a broker's pull-hold actor is found, once started (the arrival hook and the pull
/// processor read it).
pub type HoldSlot = Arc<Mutex<Option<Slot<PullHold>>>>;

/// What the hold reads through its broker (implemented by `Broker` in `pull_read`): the
/// re-execution of a parked pull and the queues' max offsets.
pub trait QueueReads: Send + Sync {
    /// Reads the pull's messages and builds its response.
    fn execute(&self, job: &PullJob) -> RemotingCommand;
    /// A reader of the store (queue max offsets).
    fn reader(&self) -> StoreReader;
}

/// Parks one pull.
#[derive(Message)]
#[rtype(result = "()")]
pub struct Park {
    pub job: PullJob,
    pub responder: Responder,
    pub deadline: Instant,
}

/// Messages were appended to a queue.
#[derive(Message, Clone, Debug)]
#[rtype(result = "()")]
pub struct Arrived {
    pub topic: String,
    pub queue_id: i32,
    /// The queue's new max offset (next logical offset).
    pub next_queue_offset: i64,
    /// Tag codes of the new messages; empty = unknown (wake every pull).
    pub tags_codes: Vec<i64>,
}

struct Parked {
    job: PullJob,
    responder: Responder,
    deadline: Instant,
}

/// Parked pulls by `(topic, queueId)`.
type ParkedMap = HashMap<(String, i32), Vec<Parked>>;

/// The parked pulls of one broker, shared by every incarnation of its [`PullHold`].
#[derive(Clone, Default)]
pub struct ParkedPulls(Arc<Mutex<ParkedMap>>);

impl ParkedPulls {
    /// No pull is parked. The arrival hook skips the wake-up then: a pull being parked
    /// concurrently re-checks the store while holding this same lock, so an append whose hook
    /// found the map empty is seen by that re-check.
    pub fn is_empty(&self) -> bool {
        self.0.lock().is_empty()
    }
}

/// The long-polling actor of one broker.
pub struct PullHold {
    broker: Weak<dyn QueueReads>,
    parked: ParkedPulls,
    tracker: RestartTracker,
}

impl PullHold {
    pub fn new(broker: Weak<dyn QueueReads>, parked: ParkedPulls, tracker: RestartTracker) -> Self {
        PullHold {
            broker,
            parked,
            tracker,
        }
    }

    fn answer(&self, p: Parked) {
        if let Some(b) = self.broker.upgrade() {
            let mut r = b.execute(&p.job);
            // Java sends wake-up replies as JSON whatever the request used.
            r.serialize_type = crate::codec::SerializeType::Json;
            p.responder.send(r);
        }
    }

    fn sweep(&mut self) {
        let now = Instant::now();
        let Some(b) = self.broker.upgrade() else {
            return;
        };
        let reader = b.reader();
        let mut due = Vec::new();
        {
            let mut parked = self.parked.0.lock();
            for ((topic, qid), list) in parked.iter_mut() {
                let max = reader.max_offset_in_queue(topic, *qid);
                let mut i = 0;
                while i < list.len() {
                    if list[i].deadline <= now || max > list[i].job.header.queue_offset {
                        due.push(list.swap_remove(i));
                    } else {
                        i += 1;
                    }
                }
            }
            parked.retain(|_, v| !v.is_empty());
        }
        drop(b);
        for p in due {
            self.answer(p);
        }
    }
}

impl Actor for PullHold {
    type Context = Context<Self>;
    fn started(&mut self, ctx: &mut Context<Self>) {
        ctx.set_mailbox_capacity(65536);
        self.tracker.on_started(ctx);
        ctx.run_interval(Duration::from_millis(100), |act, _| act.sweep());
    }
}

impl Supervised for PullHold {
    fn restarting(&mut self, _: &mut Context<Self>) {
        // The parked pulls stay parked: the restarted actor's sweep and wake-ups answer them.
        self.tracker.on_restarting();
    }
}

impl Handler<Park> for PullHold {
    type Result = ();
    fn handle(&mut self, p: Park, _: &mut Context<Self>) {
        let key = (p.job.header.topic.clone(), p.job.header.queue_id);
        // A message may have landed between the store read and this park: check again, under
        // the map's lock (see `ParkedPulls::is_empty`).
        let mut parked = self.parked.0.lock();
        if let Some(b) = self.broker.upgrade() {
            if b.reader().max_offset_in_queue(&key.0, key.1) > p.job.header.queue_offset {
                drop(parked);
                drop(b);
                self.answer(Parked {
                    job: p.job,
                    responder: p.responder,
                    deadline: p.deadline,
                });
                return;
            }
        }
        parked.entry(key).or_default().push(Parked {
            job: p.job,
            responder: p.responder,
            deadline: p.deadline,
        });
    }
}

impl Handler<Arrived> for PullHold {
    type Result = ();
    fn handle(&mut self, a: Arrived, _: &mut Context<Self>) {
        let key = (a.topic, a.queue_id);
        let mut due = Vec::new();
        {
            let mut parked = self.parked.0.lock();
            let Some(list) = parked.get_mut(&key) else {
                return;
            };
            let mut i = 0;
            while i < list.len() {
                let p = &list[i];
                let newer = a.next_queue_offset > p.job.header.queue_offset;
                let matches = a.tags_codes.is_empty()
                    || a.tags_codes.iter().any(|c| p.job.filter.matches(*c));
                if newer && matches {
                    due.push(list.swap_remove(i));
                } else {
                    i += 1;
                }
            }
            if list.is_empty() {
                parked.remove(&key);
            }
        }
        for p in due {
            self.answer(p);
        }
    }
}

crate::handle_inject_failure!(PullHold, "pull-hold");
