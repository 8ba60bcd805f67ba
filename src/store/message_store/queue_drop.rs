//! Dropping whole consume queues: Java's `DefaultMessageStore.cleanExpiredConsumerQueue`
//! (queues whose every record left the commit log) and `cleanUnusedTopic` (queues of topics
//! without a topic config). Runs on the writer (the one owner of the next-offset table), so a
//! dispatch never races a queue being destroyed; a message stored later into a dropped queue
//! starts it again at logical offset 0, as in Java (`removeQueueFromTopicQueueTable`).

#[allow(unused_imports)]
use super::*;
use crate::store::message::SCHEDULE_TOPIC;
use std::collections::HashSet;

/// Light message queues (`%LMQ%…`) are never dropped as unused (Java `MixAll.isLmq`).
const LMQ_PREFIX: &str = "%LMQ%";

impl MessageStore {
    /// CLEAN_EXPIRED_CONSUMEQUEUE: destroys every queue (but the schedule topic's) whose last
    /// entry's record ends below the commit log's min offset. An empty queue stays (Java
    /// reads its last offset as -1: "maybe created just now"). Returns the dropped queues.
    pub fn clean_expired_queues(&mut self) -> StoreResult<Vec<(String, i32)>> {
        let min = self.shared.commit_log.min_offset();
        let victims: Vec<(String, i32)> = self
            .shared
            .cqs
            .all()
            .into_iter()
            .filter(|cq| cq.topic() != SCHEDULE_TOPIC)
            .filter(|cq| {
                let last = cq.max_phys_end();
                last > 0 && last < min
            })
            .map(|cq| (cq.topic().to_string(), cq.queue_id()))
            .collect();
        self.drop_queues(victims)
    }

    /// CLEAN_UNUSED_TOPIC: destroys every queue of a topic not in `topics` (the broker's topic
    /// configs), sparing the schedule topic and light message queues. Returns the dropped
    /// queues.
    pub fn clean_unused_topics(
        &mut self,
        topics: &HashSet<String>,
    ) -> StoreResult<Vec<(String, i32)>> {
        let victims: Vec<(String, i32)> = self
            .shared
            .cqs
            .keys()
            .into_iter()
            .filter(|(t, _)| {
                !topics.contains(t) && t != SCHEDULE_TOPIC && !t.starts_with(LMQ_PREFIX)
            })
            .collect();
        self.drop_queues(victims)
    }

    fn drop_queues(&mut self, victims: Vec<(String, i32)>) -> StoreResult<Vec<(String, i32)>> {
        let mut dropped = Vec::with_capacity(victims.len());
        for (topic, qid) in victims {
            if let Some(t) = self.topic_queue_table.get_mut(&topic) {
                t.remove(&qid);
                if t.is_empty() {
                    self.topic_queue_table.remove(&topic);
                }
            }
            if self.shared.cqs.remove(&topic, qid)? {
                info!(self.shared.log, "consume queue destroyed"; "topic" => &topic, "queue" => qid);
                dropped.push((topic, qid));
            }
        }
        Ok(dropped)
    }
}
