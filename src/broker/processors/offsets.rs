//! Consumer offsets and queue offsets: QUERY_CONSUMER_OFFSET (14), UPDATE_CONSUMER_OFFSET (15),
//! SEARCH_OFFSET_BY_TIMESTAMP (29), GET_MAX_OFFSET (30), GET_MIN_OFFSET (31),
//! GET_EARLIEST_MSG_STORETIME (32).

use std::sync::atomic::Ordering;

use crate::broker::node::state::Broker;
use crate::broker::processors::command::{CommandError, Outcome};
use crate::broker::processors::reply::ok;
use crate::codec::codes::response;
use crate::codec::headers::offsets::{
    QueryConsumerOffsetHeader, QueueHeader, SearchOffsetHeader, UpdateConsumerOffsetHeader,
};
use crate::codec::RemotingCommand;

/// QUERY_CONSUMER_OFFSET: the stored offset; a never-committed queue whose first message is
/// still present answers 0 (docs/protocol.md §2.7, trap 7), otherwise QUERY_NOT_FOUND.
pub fn query_consumer_offset(
    b: &Broker,
    h: QueryConsumerOffsetHeader,
    req: &RemotingCommand,
) -> Outcome {
    let (topic, qid) = (h.topic.as_str(), h.queue_id);
    let stored = b.meta.lock().offsets.query(&h.consumer_group, topic, qid);
    match stored {
        Some(off) if off >= 0 => Ok(ok(req).with_ext("offset", off)),
        _ => {
            let min = b.store.reader().min_offset_in_queue(topic, qid);
            if min <= 0 {
                Ok(ok(req).with_ext("offset", 0))
            } else {
                Err(CommandError::new(
                    response::QUERY_NOT_FOUND,
                    "Not found, V3_0_6_SNAPSHOT maybe this group consumer boot first",
                ))
            }
        }
    }
}

/// UPDATE_CONSUMER_OFFSET (usually oneway).
pub fn update_consumer_offset(
    b: &Broker,
    h: UpdateConsumerOffsetHeader,
    req: &RemotingCommand,
) -> Outcome {
    b.meta.lock().offsets.commit(
        "client",
        &h.consumer_group,
        &h.topic,
        h.queue_id,
        h.commit_offset,
    );
    b.dirty.offsets.store(true, Ordering::Release);
    Ok(ok(req))
}

/// GET_MAX_OFFSET.
pub fn max_offset(b: &Broker, q: QueueHeader, req: &RemotingCommand) -> Outcome {
    let offset = b.store.reader().max_offset_in_queue(&q.topic, q.queue_id);
    Ok(ok(req).with_ext("offset", offset))
}

/// GET_MIN_OFFSET.
pub fn min_offset(b: &Broker, q: QueueHeader, req: &RemotingCommand) -> Outcome {
    let offset = b.store.reader().min_offset_in_queue(&q.topic, q.queue_id);
    Ok(ok(req).with_ext("offset", offset))
}

/// SEARCH_OFFSET_BY_TIMESTAMP.
pub fn search_offset(b: &Broker, h: SearchOffsetHeader, req: &RemotingCommand) -> Outcome {
    let offset = b
        .store
        .reader()
        .offset_by_time(&h.topic, h.queue_id, h.timestamp);
    Ok(ok(req).with_ext("offset", offset))
}

/// GET_EARLIEST_MSG_STORETIME.
pub fn earliest_store_time(b: &Broker, q: QueueHeader, req: &RemotingCommand) -> Outcome {
    let ts = b.store.reader().earliest_message_time(&q.topic, q.queue_id);
    Ok(ok(req).with_ext("timestamp", ts.unwrap_or(0)))
}
