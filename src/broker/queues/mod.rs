//! Per-topic queue actors: the read side of each topic's queues (long-polling pulls parked
//! per queue, the arrival wake-ups that answer them, the sweep of their deadlines), one actor
//! per topic created on first use through [`TopicQueues`], spread over a small pool of
//! arbiters, supervised and restarted without losing its parked pulls. See
//! docs/architecture.md ("The tree", "Pull").
//!
//! Queue-offset and lag queries (GET_MAX_OFFSET, GET_MIN_OFFSET, consumer lag in the admin
//! views) stay direct reads of the store: they are atomics the store keeps per queue, so a hop
//! through an actor's mailbox would only add a thread switch per query without protecting
//! any state the actor owns.

pub mod actor;
pub mod parked;
pub mod registry;
pub mod watch;

pub use actor::{Arrived, TopicQueue};
pub use parked::{Parked, QueueReads};
pub use registry::{TopicQueueStats, TopicQueues};

use actix::{Arbiter, ArbiterHandle};

/// The component name of topic queue actors in the restart book (one count for all topics;
/// the per-topic counts are in [`TopicQueueStats`]).
pub const TOPIC_QUEUES_COMPONENT: &str = "topic-queues";

/// How many arbiters a broker's topic actors share: one per core, at most four. Their work
/// is CPU (re-executing pulls against mapped pages, tag matching); more threads than cores
/// would only add switches, and a cap keeps a process that runs many brokers (the cluster
/// demo, the tests) from starting dozens of threads per broker.
pub fn pool_size() -> usize {
    std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .clamp(1, 4)
}

/// The arbiters of one broker's topic actors.
pub struct ArbiterPool(Vec<ArbiterHandle>);

impl ArbiterPool {
    /// Starts `n` arbiters (at least one) in the current actix System.
    pub fn start(n: usize) -> Self {
        ArbiterPool((0..n.max(1)).map(|_| Arbiter::new().handle()).collect())
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Arbiter `i` (modulo the pool size).
    pub fn get(&self, i: usize) -> &ArbiterHandle {
        &self.0[i % self.0.len()]
    }

    pub fn stop(&self) {
        for a in &self.0 {
            a.stop();
        }
    }
}

#[cfg(test)]
mod tests;
