//! Consumer offsets and queue offsets: QUERY_CONSUMER_OFFSET (14), UPDATE_CONSUMER_OFFSET (15),
//! SEARCH_OFFSET_BY_TIMESTAMP (29), GET_MAX_OFFSET (30), GET_MIN_OFFSET (31),
//! GET_EARLIEST_MSG_STORETIME (32).

use std::sync::atomic::Ordering;

use crate::broker::node::state::Broker;
use crate::broker::processors::command::{CommandError, Header, Outcome};
use crate::broker::processors::reply::ok;
use crate::codec::codes::response;
use crate::codec::ext::HeaderError;
use crate::codec::RemotingCommand;

/// `topic` and `queueId`: the header of GET_MAX_OFFSET, GET_MIN_OFFSET and
/// GET_EARLIEST_MSG_STORETIME, and the queue part of the others.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueueHeader {
    pub topic: String,
    pub queue_id: i32,
}

impl Header for QueueHeader {
    fn from_command(req: &RemotingCommand) -> Result<Self, HeaderError> {
        Ok(QueueHeader {
            topic: req.header_str("topic")?.to_string(),
            queue_id: req.header_i32("queueId")?,
        })
    }
}

/// QUERY_CONSUMER_OFFSET's header (Java `QueryConsumerOffsetRequestHeader`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueryConsumerOffsetHeader {
    pub consumer_group: String,
    pub queue: QueueHeader,
}

impl Header for QueryConsumerOffsetHeader {
    fn from_command(req: &RemotingCommand) -> Result<Self, HeaderError> {
        Ok(QueryConsumerOffsetHeader {
            consumer_group: req.header_str("consumerGroup")?.to_string(),
            queue: QueueHeader::from_command(req)?,
        })
    }
}

/// UPDATE_CONSUMER_OFFSET's header (Java `UpdateConsumerOffsetRequestHeader`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UpdateConsumerOffsetHeader {
    pub consumer_group: String,
    pub commit_offset: i64,
    pub queue: QueueHeader,
}

impl Header for UpdateConsumerOffsetHeader {
    fn from_command(req: &RemotingCommand) -> Result<Self, HeaderError> {
        Ok(UpdateConsumerOffsetHeader {
            consumer_group: req.header_str("consumerGroup")?.to_string(),
            commit_offset: req.header_i64("commitOffset")?,
            queue: QueueHeader::from_command(req)?,
        })
    }
}

/// SEARCH_OFFSET_BY_TIMESTAMP's header (Java `SearchOffsetRequestHeader`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchOffsetHeader {
    pub timestamp: i64,
    pub queue: QueueHeader,
}

impl Header for SearchOffsetHeader {
    fn from_command(req: &RemotingCommand) -> Result<Self, HeaderError> {
        Ok(SearchOffsetHeader {
            timestamp: req.header_i64("timestamp")?,
            queue: QueueHeader::from_command(req)?,
        })
    }
}

/// QUERY_CONSUMER_OFFSET: the stored offset; a never-committed queue whose first message is
/// still present answers 0 (docs/protocol.md §2.7, trap 7), otherwise QUERY_NOT_FOUND.
pub fn query_consumer_offset(b: &Broker, req: &RemotingCommand) -> Outcome {
    let h = QueryConsumerOffsetHeader::from_command(req)?;
    let (topic, qid) = (h.queue.topic.as_str(), h.queue.queue_id);
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
pub fn update_consumer_offset(b: &Broker, req: &RemotingCommand) -> Outcome {
    let h = UpdateConsumerOffsetHeader::from_command(req)?;
    b.meta.lock().offsets.commit(
        "client",
        &h.consumer_group,
        &h.queue.topic,
        h.queue.queue_id,
        h.commit_offset,
    );
    b.dirty.offsets.store(true, Ordering::Release);
    Ok(ok(req))
}

/// GET_MAX_OFFSET.
pub fn max_offset(b: &Broker, req: &RemotingCommand) -> Outcome {
    let q = QueueHeader::from_command(req)?;
    let offset = b.store.reader().max_offset_in_queue(&q.topic, q.queue_id);
    Ok(ok(req).with_ext("offset", offset))
}

/// GET_MIN_OFFSET.
pub fn min_offset(b: &Broker, req: &RemotingCommand) -> Outcome {
    let q = QueueHeader::from_command(req)?;
    let offset = b.store.reader().min_offset_in_queue(&q.topic, q.queue_id);
    Ok(ok(req).with_ext("offset", offset))
}

/// SEARCH_OFFSET_BY_TIMESTAMP.
pub fn search_offset(b: &Broker, req: &RemotingCommand) -> Outcome {
    let h = SearchOffsetHeader::from_command(req)?;
    let offset = b
        .store
        .reader()
        .offset_by_time(&h.queue.topic, h.queue.queue_id, h.timestamp);
    Ok(ok(req).with_ext("offset", offset))
}

/// GET_EARLIEST_MSG_STORETIME.
pub fn earliest_store_time(b: &Broker, req: &RemotingCommand) -> Outcome {
    let q = QueueHeader::from_command(req)?;
    let ts = b.store.reader().earliest_message_time(&q.topic, q.queue_id);
    Ok(ok(req).with_ext("timestamp", ts.unwrap_or(0)))
}
