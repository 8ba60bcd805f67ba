//! Topic admin commands: DELETE_TOPIC_IN_BROKER (215), GET_TOPIC_STATS_INFO (202),
//! GET_SYSTEM_TOPIC_LIST_FROM_BROKER (305), QUERY_TOPIC_CONSUME_BY_WHO (300),
//! QUERY_TOPICS_BY_CONSUMER (343) and GET_TOPIC_CONFIG (351) — what mqadmin's `topicStatus`,
//! `deleteTopic`, `topicRoute`-adjacent commands and the dashboard's topic page call.
//!
//! Deleting a topic removes its config and every consumer offset on it; its consume-queue
//! files stay on disk (the store has no per-topic removal yet) and age out with the commit
//! log. A topic re-created later under the same name therefore continues at the old logical
//! offsets, which is harmless for consumers (they start from the broker's min/max).

use std::sync::atomic::Ordering;

use crate::broker::node::state::Broker;
use crate::broker::processors::admin_meta::json_ok;
use crate::broker::processors::command::{CommandError, Outcome};
use crate::broker::processors::reply::ok;
use crate::codec::codes::response;
use crate::codec::RemotingCommand;
use crate::protocol::admin::{GroupList, TopicList, TopicOffset, TopicStatsTable};
use crate::protocol::message_queue::MessageQueue;

/// DELETE_TOPIC_IN_BROKER: refuses on a slave and for system topics; otherwise removes the
/// config (an unknown topic is still SUCCESS, as in Java) and the offsets of every group on it.
pub fn delete_topic(b: &Broker, req: &RemotingCommand) -> Outcome {
    if b.is_slave() {
        return Err(CommandError::system(
            "a slave broker cannot delete topics; delete them on its master",
        ));
    }
    let topic = req.header_str("topic")?.to_string();
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
    Ok(ok(req))
}

/// GET_TOPIC_STATS_INFO: min/max offset and the store time of the newest message of every
/// write queue; unknown topic → 17.
pub fn topic_stats(b: &Broker, req: &RemotingCommand) -> Outcome {
    let topic = req.header_str("topic")?.to_string();
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
pub fn consume_by_who(b: &Broker, req: &RemotingCommand) -> Outcome {
    let topic = req.header_str("topic")?;
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
pub fn topics_by_consumer(b: &Broker, req: &RemotingCommand) -> Outcome {
    let group = req.header_str("group")?;
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
pub fn topic_config(b: &Broker, req: &RemotingCommand) -> Outcome {
    let topic = req.header_str("topic")?;
    let config = b.meta.lock().topics.select(topic).cloned();
    match config {
        Some(c) => json_ok(req, &c),
        None => Err(CommandError::new(
            response::TOPIC_NOT_EXIST,
            format!("No topic in this broker. topic: {topic}"),
        )),
    }
}
