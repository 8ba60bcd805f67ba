//! The writer's side of CLEAN_EXPIRED_CONSUMEQUEUE (306) and CLEAN_UNUSED_TOPIC (316): whole
//! consume queues are dropped by the store's one writer, between appends, so no dispatch
//! runs against a queue being destroyed (see `store::message_store::queue_drop`).

use std::collections::HashSet;

use actix::prelude::*;

use super::StoreWriter;
use crate::store::StoreError;

/// Which queues to drop.
#[derive(Debug, Clone)]
pub enum QueueSweep {
    /// Queues whose records all left the commit log (Java `cleanExpiredConsumerQueue`).
    Expired,
    /// Queues of topics outside this set (Java `cleanUnusedTopic`).
    UnusedTopics(HashSet<String>),
}

/// Drops the selected consume queues and their files; answers the (topic, queueId) dropped.
#[derive(Message)]
#[rtype(result = "Result<Vec<(String, i32)>, StoreError>")]
pub struct DropQueues(pub QueueSweep);

impl Handler<DropQueues> for StoreWriter {
    type Result = Result<Vec<(String, i32)>, StoreError>;
    fn handle(&mut self, msg: DropQueues, _: &mut Context<Self>) -> Self::Result {
        let store = self.store.as_mut().ok_or(StoreError::ShutDown)?;
        match msg.0 {
            QueueSweep::Expired => store.clean_expired_queues(),
            QueueSweep::UnusedTopics(keep) => store.clean_unused_topics(&keep),
        }
    }
}
