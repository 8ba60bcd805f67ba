//! The parked pulls of one topic, by queue id, and the two rules that release them (Java's
//! `PullRequestHoldService.checkHoldRequest` and `notifyMessageArriving`): an arrival releases
//! the pulls of its queue whose offset it passed and whose tag filter it matches; the sweep
//! releases the pulls whose queue grew past their offset or whose suspend time ended.
//!
//! This state lives in the topic's registry entry, not in its actor, so that an actor rebuilt
//! after a failure answers the pulls its predecessor held (docs/architecture.md, "The tree").

use std::collections::HashMap;
use std::time::Instant;

use crate::actors::remoting::Responder;
use crate::broker::processors::pull_job::PullJob;
use crate::codec::RemotingCommand;

/// What a topic actor reads through its broker (implemented by `Broker` in `pull_read`).
pub trait QueueReads: Send + Sync {
    /// Reads the pull's messages and builds its response.
    fn execute(&self, job: &PullJob) -> RemotingCommand;
    /// The queue's max offset (its next logical offset).
    fn max_offset_in_queue(&self, topic: &str, queue_id: i32) -> i64;
}

/// One pull waiting for a message.
pub struct Parked {
    pub job: PullJob,
    pub responder: Responder,
    pub deadline: Instant,
}

impl Parked {
    /// Re-executes the pull and answers it. Java writes wake-up answers as JSON whatever the
    /// request used (`PullMessageProcessor.executeRequestWhenWakeup`).
    pub fn answer(self, reads: &dyn QueueReads) -> bool {
        let mut r = reads.execute(&self.job);
        r.serialize_type = crate::codec::SerializeType::Json;
        self.responder.send(r)
    }
}

/// The parked pulls of one topic, by queue id.
#[derive(Default)]
pub struct ParkedQueues(HashMap<i32, Vec<Parked>>);

impl ParkedQueues {
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Whether some pull waits on `queue_id`.
    pub fn waits_on(&self, queue_id: i32) -> bool {
        self.0.contains_key(&queue_id)
    }

    /// How many pulls are parked.
    pub fn len(&self) -> usize {
        self.0.values().map(Vec::len).sum()
    }

    pub fn push(&mut self, p: Parked) {
        self.0.entry(p.job.header.queue_id).or_default().push(p);
    }

    /// The pulls of `queue_id` that an arrival releases: the queue's next offset passed
    /// theirs and one of the new tag codes matches their filter (no codes: every pull).
    pub fn take_arrived(&mut self, queue_id: i32, next_offset: i64, tags: &[i64]) -> Vec<Parked> {
        let Some(list) = self.0.get_mut(&queue_id) else {
            return Vec::new();
        };
        let due = take_where(list, |p| {
            next_offset > p.job.header.queue_offset
                && (tags.is_empty() || tags.iter().any(|c| p.job.filter.matches(*c)))
        });
        if list.is_empty() {
            self.0.remove(&queue_id);
        }
        due
    }

    /// The pulls the periodic check releases: their suspend time ended, or their queue grew
    /// past their offset (an arrival whose wake-up was missed or filtered out).
    pub fn take_swept(
        &mut self,
        now: Instant,
        max_offset: impl Fn(&str, i32) -> i64,
    ) -> Vec<Parked> {
        let mut due = Vec::new();
        for (qid, list) in self.0.iter_mut() {
            let Some(first) = list.first() else {
                continue;
            };
            let max = max_offset(&first.job.header.topic, *qid);
            due.extend(take_where(list, |p| {
                p.deadline <= now || max > p.job.header.queue_offset
            }));
        }
        self.0.retain(|_, v| !v.is_empty());
        due
    }
}

/// Removes and returns the elements of `list` that satisfy `pred` (order not kept).
fn take_where(list: &mut Vec<Parked>, pred: impl Fn(&Parked) -> bool) -> Vec<Parked> {
    let mut due = Vec::new();
    let mut i = 0;
    while i < list.len() {
        if pred(&list[i]) {
            due.push(list.swap_remove(i));
        } else {
            i += 1;
        }
    }
    due
}
