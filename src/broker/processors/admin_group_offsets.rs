//! Group-offset admin codes of Java's `AdminBrokerProcessor` that no mqadmin sub-command of
//! ours depends on but the Java admin API exposes: CLONE_GROUP_OFFSET (314),
//! QUERY_CONSUME_TIME_SPAN (303) and QUERY_CORRECTION_OFFSET (308). docs/protocol.md §2.9.

use std::collections::BTreeMap;
use std::sync::atomic::Ordering;

use serde::Serialize;

use crate::broker::node::state::Broker;
use crate::broker::processors::admin_meta::json_ok;
use crate::broker::processors::command::{CommandError, Outcome};
use crate::broker::processors::reply::ok;
use crate::codec::codes::response;
use crate::codec::headers::group_offsets::{
    CloneGroupOffsetHeader, CorrectionOffsetHeader, TopicGroupHeader,
};
use crate::codec::RemotingCommand;
use crate::protocol::message_queue::MessageQueue;
use crate::store::time::now_ms;

/// CLONE_GROUP_OFFSET (`srcGroup`*, `destGroup`*, `topic`, `offline`*): copies the source
/// group's offsets to the destination group on `topic`, or on every topic the source group
/// has offsets for. Topics without a config are skipped; unless `offline`, so is a topic the
/// online source group does not subscribe to (Java `cloneGroupOffset`). Always SUCCESS.
pub fn clone_group_offset(b: &Broker, h: CloneGroupOffsetHeader, req: &RemotingCommand) -> Outcome {
    let (src, dest, offline) = (h.src_group, h.dest_group, h.offline);
    let topic = h.topic.as_deref().filter(|t| !t.trim().is_empty());
    let mut meta = b.meta.lock();
    let topics: Vec<String> = match topic {
        Some(t) => vec![t.to_string()],
        None => meta.offsets.topics_by_group(&src).into_iter().collect(),
    };
    let mut cloned = 0;
    for t in topics {
        if meta.topics.select(&t).is_none() {
            continue;
        }
        if !offline {
            let online = meta
                .consumers
                .group(&src)
                .is_some_and(|g| !g.client_ids().is_empty());
            if online && meta.consumers.find_subscription(&src, &t).is_none() {
                continue;
            }
        }
        if meta.offsets.clone_offset(&src, &dest, &t) {
            cloned += 1;
        }
    }
    drop(meta);
    if cloned > 0 {
        b.dirty.offsets.store(true, Ordering::Release);
    }
    Ok(ok(req))
}

/// One queue of QueryConsumeTimeSpanBody (Java `QueueTimeSpan`).
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct QueueTimeSpan {
    message_queue: MessageQueue,
    min_time_stamp: i64,
    max_time_stamp: i64,
    consume_time_stamp: i64,
    delay_time: i64,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct QueryConsumeTimeSpanBody {
    consume_time_span_set: Vec<QueueTimeSpan>,
}

/// QUERY_CONSUME_TIME_SPAN (`topic`*, `group`*): per write queue the store times of the oldest
/// and newest message, of the last consumed one and how far the next one lags behind now.
/// Unknown topic → 17 "topic[T] not exist".
pub fn consume_time_span(b: &Broker, h: TopicGroupHeader, req: &RemotingCommand) -> Outcome {
    let (topic, group) = (h.topic, h.group);
    let (write_queues, offsets) = {
        let meta = b.meta.lock();
        let Some(tc) = meta.topics.select(&topic) else {
            return Err(CommandError::new(
                response::TOPIC_NOT_EXIST,
                format!("topic[{topic}] not exist"),
            ));
        };
        let offsets = meta.offsets.query_all(&group, &topic).cloned();
        (tc.write_queue_nums.max(0), offsets.unwrap_or_default())
    };
    let reader = b.store.reader();
    // Java `getMessageStoreTimeStamp`: -1 when the entry cannot be read.
    let time_at = |qid: i32, offset: i64| {
        reader
            .commit_log_offset_in_queue(&topic, qid, offset)
            .and_then(|phys| reader.store_time_at(phys))
            .unwrap_or(-1)
    };
    let now = now_ms();
    let mut set = Vec::with_capacity(write_queues as usize);
    for qid in 0..write_queues {
        let min_time = reader.earliest_message_time(&topic, qid).unwrap_or(-1);
        let max = reader.max_offset_in_queue(&topic, qid);
        // Java queries -1 for an unknown group, which never beats the broker's max.
        let consumer_offset = offsets.get(&qid).copied().unwrap_or(-1);
        let consume_time = if consumer_offset > 0 {
            time_at(qid, consumer_offset - 1)
        } else {
            min_time
        };
        let delay_time = if consumer_offset < max {
            now - time_at(qid, consumer_offset)
        } else {
            0
        };
        set.push(QueueTimeSpan {
            message_queue: MessageQueue::new(topic.clone(), b.cfg.broker_name.clone(), qid),
            min_time_stamp: min_time,
            max_time_stamp: time_at(qid, max - 1),
            consume_time_stamp: consume_time,
            delay_time,
        });
    }
    json_ok(
        req,
        &QueryConsumeTimeSpanBody {
            consume_time_span_set: set,
        },
    )
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct QueryCorrectionOffsetBody {
    correction_offsets: BTreeMap<i32, i64>,
}

/// QUERY_CORRECTION_OFFSET (`topic`*, `compareGroup`*, `filterGroups`): per queue the smallest
/// offset any group (but the comma-separated `filterGroups`) committed at or above the queue's
/// minimum; a queue where `compareGroup` lags behind that answers Long.MAX_VALUE (Java
/// `queryCorrectionOffset`). Java's `queryMinOffsetInAllGroup` also deletes the filtered
/// groups' offsets as a side effect; ours leaves them.
pub fn correction_offset(b: &Broker, h: CorrectionOffsetHeader, req: &RemotingCommand) -> Outcome {
    let (topic, compare_group) = (h.topic, h.compare_group);
    let filtered: Vec<String> = h
        .filter_groups
        .map(|s| s.split(',').map(|g| g.to_string()).collect())
        .unwrap_or_default();
    let meta = b.meta.lock();
    let reader = b.store.reader();
    let mut correction: BTreeMap<i32, i64> = BTreeMap::new();
    for group in meta.offsets.groups_by_topic(&topic) {
        if filtered.contains(&group) {
            continue;
        }
        for (&qid, &offset) in meta.offsets.query_all(&group, &topic).into_iter().flatten() {
            if offset >= reader.min_offset_in_queue(&topic, qid) {
                let e = correction.entry(qid).or_insert(i64::MAX);
                *e = (*e).min(offset);
            }
        }
    }
    for (&qid, &offset) in meta
        .offsets
        .query_all(&compare_group, &topic)
        .into_iter()
        .flatten()
    {
        if let Some(min) = correction.get_mut(&qid) {
            if *min > offset {
                *min = i64::MAX;
            }
        }
    }
    drop(meta);
    json_ok(
        req,
        &QueryCorrectionOffsetBody {
            correction_offsets: correction,
        },
    )
}
