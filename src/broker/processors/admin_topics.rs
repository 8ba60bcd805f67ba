//! Topic admin commands: DELETE_TOPIC_IN_BROKER (215), GET_TOPIC_STATS_INFO (202),
//! GET_SYSTEM_TOPIC_LIST_FROM_BROKER (305), QUERY_TOPIC_CONSUME_BY_WHO (300),
//! QUERY_TOPICS_BY_CONSUMER (343) and GET_TOPIC_CONFIG (351) — what mqadmin's `topicStatus`,
//! `deleteTopic`, `topicRoute`-adjacent commands and the dashboard's topic page call.
//!
//! Deleting a topic removes its config, every consumer offset on it and, as Java's
//! `AdminBrokerProcessor.deleteTopic` does through `cleanUnusedTopic`, the consume queues of
//! every topic left without a config (their files included; the store writer drops them, see
//! `store_actors::writer::queue_sweep`). A topic re-created later starts at offset 0.

use std::collections::HashSet;
use std::sync::atomic::Ordering;
use std::sync::Arc;

use slog::{info, warn};

use crate::actors::remoting::Reply;
use crate::broker::node::state::Broker;
use crate::broker::processors::admin_meta::json_ok;
use crate::broker::processors::admin_store_clean::topics_in_use;
use crate::broker::processors::command::{CommandError, Outcome};
use crate::broker::processors::reply::{error, ok};
use crate::broker::store_actors::{DropQueues, QueueSweep};
use crate::codec::codes::response;
use crate::codec::headers::admin::{GroupHeader, TopicHeader};
use crate::codec::headers::Header;
use crate::codec::RemotingCommand;
use crate::protocol::admin::{GroupList, TopicList, TopicOffset, TopicStatsTable};
use crate::protocol::message_queue::MessageQueue;

/// DELETE_TOPIC_IN_BROKER: refuses on a slave and for system topics; otherwise removes the
/// config (an unknown topic is still SUCCESS, as in Java) and the offsets of every group on it,
/// then answers once the store has dropped the queues of every topic without a config.
pub fn delete_topic(b: &Arc<Broker>, req: RemotingCommand) -> Reply {
    let keep = match forget_topic(b, &req) {
        Ok(keep) => keep,
        Err(e) => return Reply::now(e.into_response(&req)),
    };
    let b = b.clone();
    Reply::later(async move {
        Some(
            match b
                .store
                .writer
                .get()
                .send(DropQueues(QueueSweep::UnusedTopics(keep)))
                .await
            {
                Ok(Ok(dropped)) => {
                    info!(b.log, "topic deleted"; "queues_dropped" => dropped.len());
                    ok(&req)
                }
                Ok(Err(e)) => {
                    warn!(b.log, "topic deleted, but dropping its queues failed"; "error" => %e);
                    error(
                        &req,
                        format!("deleteTopic: dropping the consume queues failed: {e}"),
                    )
                }
                Err(e) => error(&req, format!("deleteTopic: the store writer is gone: {e}")),
            },
        )
    })
}

/// The metadata half of DELETE_TOPIC_IN_BROKER; answers the topics whose queues stay.
fn forget_topic(b: &Broker, req: &RemotingCommand) -> Result<HashSet<String>, CommandError> {
    if b.is_slave() {
        return Err(CommandError::system(
            "a slave broker cannot delete topics; delete them on its master",
        ));
    }
    let topic = TopicHeader::from_command(req)?.topic;
    let removed_offsets = {
        let mut meta = b.meta.lock();
        if meta.topics.is_system_topic(&topic) {
            return Err(CommandError::system(format!(
                "The topic[{topic}] is conflict with system topic."
            )));
        }
        meta.topics.delete_topic(&topic);
        meta.offsets.remove_topic(&topic)
    };
    if removed_offsets > 0 {
        b.dirty.offsets.store(true, Ordering::Release);
    }
    b.topics_changed();
    Ok(topics_in_use(b))
}

/// GET_TOPIC_STATS_INFO: min/max offset and the store time of the newest message of every
/// write queue; unknown topic → 17.
pub fn topic_stats(b: &Broker, h: TopicHeader, req: &RemotingCommand) -> Outcome {
    let topic = h.topic;
    let Some(write_queues) = b
        .meta
        .lock()
        .topics
        .select(&topic)
        .map(|c| c.write_queue_nums)
    else {
        return Err(CommandError::new(
            response::TOPIC_NOT_EXIST,
            format!("topic[{topic}] not exist"),
        ));
    };
    let reader = b.store.reader();
    let mut table = TopicStatsTable::default();
    for qid in 0..write_queues.max(0) {
        let max = reader.max_offset_in_queue(&topic, qid).max(0);
        let min = reader.min_offset_in_queue(&topic, qid).max(0);
        // Java: 0 for an empty queue, -1 when the newest entry can no longer be read.
        let last_update_timestamp = if max > 0 {
            reader
                .commit_log_offset_in_queue(&topic, qid, max - 1)
                .and_then(|phys| reader.store_time_at(phys))
                .unwrap_or(-1)
        } else {
            0
        };
        table.offset_table.insert(
            MessageQueue::new(topic.clone(), b.cfg.broker_name.clone(), qid),
            TopicOffset {
                last_update_timestamp,
                max_offset: max,
                min_offset: min,
            },
        );
    }
    Ok(ok(req).with_body(table.encode().into_bytes()))
}

/// GET_SYSTEM_TOPIC_LIST_FROM_BROKER.
pub fn system_topics(b: &Broker, req: &RemotingCommand) -> Outcome {
    let topic_list = b.meta.lock().topics.system_topics();
    json_ok(
        req,
        &TopicList {
            broker_addr: None,
            topic_list,
        },
    )
}

/// QUERY_TOPIC_CONSUME_BY_WHO: online groups subscribed to the topic ∪ groups with offsets on it.
pub fn consume_by_who(b: &Broker, h: TopicHeader, req: &RemotingCommand) -> Outcome {
    let topic = h.topic.as_str();
    let groups = {
        let meta = b.meta.lock();
        let mut g = meta.consumers.groups_by_topic(topic);
        g.extend(meta.offsets.groups_by_topic(topic));
        g
    };
    json_ok(
        req,
        &GroupList {
            group_list: groups.into_iter().collect(),
        },
    )
}

/// QUERY_TOPICS_BY_CONSUMER: topics the group has offsets for, with this broker's address.
pub fn topics_by_consumer(b: &Broker, h: GroupHeader, req: &RemotingCommand) -> Outcome {
    let group = h.group.as_str();
    let topics = b.meta.lock().offsets.topics_by_group(group);
    json_ok(
        req,
        &TopicList {
            broker_addr: Some(b.store_host().to_string()),
            topic_list: topics.into_iter().collect(),
        },
    )
}

/// GET_TOPIC_CONFIG: one topic's config as JSON; unknown topic → 17.
pub fn topic_config(b: &Broker, h: TopicHeader, req: &RemotingCommand) -> Outcome {
    let topic = h.topic.as_str();
    let config = b.meta.lock().topics.select(topic).cloned();
    match config {
        Some(c) => json_ok(req, &c),
        None => Err(CommandError::new(
            response::TOPIC_NOT_EXIST,
            format!("No topic in this broker. topic: {topic}"),
        )),
    }
}
