//! Consumer/producer group admin commands: UPDATE_AND_CREATE_SUBSCRIPTIONGROUP (200),
//! DELETE_SUBSCRIPTIONGROUP (207), GET_CONSUME_STATS (208), GET_CONSUMER_CONNECTION_LIST (203)
//! and GET_PRODUCER_CONNECTION_LIST (204) — the dashboard's consumer page and mqadmin's
//! `consumerProgress`, `consumerConnection`, `producerConnection`, `updateSubGroup`.

use std::collections::BTreeSet;
use std::sync::atomic::Ordering;

use crate::broker::node::state::Broker;
use crate::broker::processors::admin_meta::json_ok;
use crate::broker::processors::command::{CommandError, Outcome};
use crate::broker::processors::reply::ok;
use crate::codec::codes::response;
use crate::codec::headers::admin::{ConsumerGroupHeader, DeleteGroupHeader, ProducerGroupHeader};
use crate::codec::RemotingCommand;
use crate::protocol::admin::{ConsumeStats, OffsetWrapper};
use crate::protocol::message_queue::MessageQueue;
use crate::protocol::subscription::SubscriptionGroupConfig;

/// UPDATE_AND_CREATE_SUBSCRIPTIONGROUP: upserts the SubscriptionGroupConfig in the body. An
/// empty or `null` body is accepted and changes nothing (Java skips a null config).
pub fn update_group(b: &Broker, req: &RemotingCommand) -> Outcome {
    if b.is_slave() {
        return Err(CommandError::system(
            "a slave broker cannot change subscription groups; change them on its master",
        ));
    }
    let text = String::from_utf8_lossy(&req.body);
    if text.trim().is_empty() || text.trim() == "null" {
        return Ok(ok(req));
    }
    let config: SubscriptionGroupConfig =
        match crate::protocol::fastjson::from_lenient_slice(&req.body) {
            Ok(c) => c,
            Err(e) => {
                return Err(CommandError::system(format!(
                    "invalid SubscriptionGroupConfig body: {e}"
                )))
            }
        };
    if config.group_name.trim().is_empty() {
        return Err(CommandError::system(
            "SubscriptionGroupConfig without groupName",
        ));
    }
    b.meta.lock().groups.update(config);
    b.dirty.groups.store(true, Ordering::Release);
    Ok(ok(req))
}

/// DELETE_SUBSCRIPTIONGROUP: removes the group's config and, with `removeOffset=true`, all its
/// consumer offsets. Deleting an unknown group is SUCCESS, as in Java.
pub fn delete_group(b: &Broker, h: DeleteGroupHeader, req: &RemotingCommand) -> Outcome {
    if b.is_slave() {
        return Err(CommandError::system(
            "a slave broker cannot change subscription groups; change them on its master",
        ));
    }
    let (group, remove_offset) = (h.group_name, h.remove_offset);
    let removed = {
        let mut meta = b.meta.lock();
        meta.groups.delete(&group);
        if remove_offset {
            meta.offsets.remove_group(&group)
        } else {
            0
        }
    };
    b.dirty.groups.store(true, Ordering::Release);
    if removed > 0 {
        b.dirty.offsets.store(true, Ordering::Release);
    }
    Ok(ok(req))
}

/// GET_CONSUME_STATS: per readable queue, the broker's max offset and the group's committed
/// offset; a blank `topic` means every topic the group has offsets for. Topics without a
/// config, or that an online group does not subscribe to, are skipped (Java's rules).
pub fn consume_stats(b: &Broker, h: ConsumerGroupHeader, req: &RemotingCommand) -> Outcome {
    let group = h.consumer_group;
    // One lock for the metadata; offsets are copied out so store reads happen unlocked.
    let plan: Vec<(String, i32, Vec<i64>)> = {
        let meta = b.meta.lock();
        let topics: BTreeSet<String> = match h.topic.as_deref().map(str::trim) {
            Some(t) if !t.is_empty() => std::iter::once(t.to_string()).collect(),
            _ => meta.offsets.topics_by_group(&group),
        };
        let subscribed_any = meta
            .consumers
            .group(&group)
            .is_some_and(|g| !g.subscriptions.is_empty());
        topics
            .into_iter()
            .filter_map(|topic| {
                let read_queues = meta.topics.select(&topic)?.read_queue_nums;
                if subscribed_any && meta.consumers.find_subscription(&group, &topic).is_none() {
                    return None;
                }
                let committed = (0..read_queues.max(0))
                    .map(|q| meta.offsets.query(&group, &topic, q).unwrap_or(-1))
                    .collect();
                Some((topic, read_queues, committed))
            })
            .collect()
    };
    let reader = b.store.reader();
    let mut stats = ConsumeStats::default();
    for (topic, read_queues, committed) in plan {
        // Java: the group's GROUP_GET_NUMS minute TPS, summed over the topics.
        let tps = b.stats.windows.consume_tps(&topic, &group);
        if tps.is_finite() {
            stats.consume_tps += tps;
        }
        for (qid, consumer_offset) in (0..read_queues.max(0)).zip(committed) {
            let broker_offset = reader.max_offset_in_queue(&topic, qid).max(0);
            let consumer_offset = consumer_offset.max(0);
            let last_timestamp = if consumer_offset > 0 {
                reader
                    .commit_log_offset_in_queue(&topic, qid, consumer_offset - 1)
                    .and_then(|phys| reader.store_time_at(phys))
                    .filter(|t| *t > 0)
                    .unwrap_or(0)
            } else {
                0
            };
            stats.offset_table.insert(
                MessageQueue::new(topic.clone(), b.cfg.broker_name.clone(), qid),
                OffsetWrapper {
                    broker_offset,
                    consumer_offset,
                    last_timestamp,
                    // Superset field for rocketmq-client-rust; the broker has no separate pull
                    // position, so it reports the committed one.
                    pull_offset: consumer_offset,
                },
            );
        }
    }
    Ok(ok(req).with_body(stats.encode().into_bytes()))
}

/// GET_CONSUMER_CONNECTION_LIST: the online group's clients and subscriptions; offline → 206.
pub fn consumer_connections(b: &Broker, h: ConsumerGroupHeader, req: &RemotingCommand) -> Outcome {
    let group = h.consumer_group.as_str();
    let found = b.meta.lock().consumers.connections(group);
    match found {
        Some(c) => json_ok(req, &c),
        None => Err(CommandError::new(
            response::CONSUMER_NOT_ONLINE,
            format!("the consumer group[{group}] not online"),
        )),
    }
}

/// GET_PRODUCER_CONNECTION_LIST: the group's live producers; none → SYSTEM_ERROR.
pub fn producer_connections(b: &Broker, h: ProducerGroupHeader, req: &RemotingCommand) -> Outcome {
    let group = h.producer_group.as_str();
    let found = b.meta.lock().producers.connections(group);
    match found {
        Some(c) => json_ok(req, &c),
        None => Err(CommandError::system(format!(
            "the producer group[{group}] not exist"
        ))),
    }
}
