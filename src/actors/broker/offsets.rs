//! Consumer offsets and queue offsets: QUERY_CONSUMER_OFFSET (14), UPDATE_CONSUMER_OFFSET (15),
//! SEARCH_OFFSET_BY_TIMESTAMP (29), GET_MAX_OFFSET (30), GET_MIN_OFFSET (31),
//! GET_EARLIEST_MSG_STORETIME (32).

use std::sync::atomic::Ordering;

use super::reply::{error, ok, resp};
use super::state::Broker;
use crate::codec::codes::response;
use crate::codec::ext::HeaderError;
use crate::codec::RemotingCommand;

fn topic_queue(req: &RemotingCommand) -> Result<(String, i32), HeaderError> {
    Ok((
        req.header_str("topic")?.to_string(),
        req.header_i32("queueId")?,
    ))
}

/// Runs `f` with the topic and queue of the request; header errors become SYSTEM_ERROR.
fn with_queue(
    req: &RemotingCommand,
    f: impl FnOnce(&str, i32) -> RemotingCommand,
) -> RemotingCommand {
    match topic_queue(req) {
        Ok((t, q)) => f(&t, q),
        Err(e) => error(req, e.to_string()),
    }
}

/// QUERY_CONSUMER_OFFSET: the stored offset; a never-committed queue whose first message is
/// still present answers 0 (docs/protocol.md §2.7, trap 7), otherwise QUERY_NOT_FOUND.
pub fn query_consumer_offset(b: &Broker, req: &RemotingCommand) -> RemotingCommand {
    let group = match req.header_str("consumerGroup") {
        Ok(g) => g.to_string(),
        Err(e) => return error(req, e.to_string()),
    };
    with_queue(req, |topic, qid| {
        let stored = b.meta.lock().offsets.query(&group, topic, qid);
        match stored {
            Some(off) if off >= 0 => ok(req).with_ext("offset", off),
            _ => {
                let min = b.store.reader().min_offset_in_queue(topic, qid);
                if min <= 0 {
                    ok(req).with_ext("offset", 0)
                } else {
                    resp(
                        req,
                        response::QUERY_NOT_FOUND,
                        Some(
                            "Not found, V3_0_6_SNAPSHOT maybe this group consumer boot first"
                                .into(),
                        ),
                    )
                }
            }
        }
    })
}

/// UPDATE_CONSUMER_OFFSET (usually oneway).
pub fn update_consumer_offset(b: &Broker, req: &RemotingCommand) -> RemotingCommand {
    let parsed = (|| -> Result<(String, i64), HeaderError> {
        Ok((
            req.header_str("consumerGroup")?.to_string(),
            req.header_i64("commitOffset")?,
        ))
    })();
    let (group, offset) = match parsed {
        Ok(v) => v,
        Err(e) => return error(req, e.to_string()),
    };
    with_queue(req, |topic, qid| {
        b.meta
            .lock()
            .offsets
            .commit("client", &group, topic, qid, offset);
        b.dirty.offsets.store(true, Ordering::Release);
        ok(req)
    })
}

/// GET_MAX_OFFSET.
pub fn max_offset(b: &Broker, req: &RemotingCommand) -> RemotingCommand {
    with_queue(req, |t, q| {
        ok(req).with_ext("offset", b.store.reader().max_offset_in_queue(t, q))
    })
}

/// GET_MIN_OFFSET.
pub fn min_offset(b: &Broker, req: &RemotingCommand) -> RemotingCommand {
    with_queue(req, |t, q| {
        ok(req).with_ext("offset", b.store.reader().min_offset_in_queue(t, q))
    })
}

/// SEARCH_OFFSET_BY_TIMESTAMP.
pub fn search_offset(b: &Broker, req: &RemotingCommand) -> RemotingCommand {
    let ts = match req.header_i64("timestamp") {
        Ok(t) => t,
        Err(e) => return error(req, e.to_string()),
    };
    with_queue(req, |t, q| {
        ok(req).with_ext("offset", b.store.reader().offset_by_time(t, q, ts))
    })
}

/// GET_EARLIEST_MSG_STORETIME.
pub fn earliest_store_time(b: &Broker, req: &RemotingCommand) -> RemotingCommand {
    with_queue(req, |t, q| {
        ok(req).with_ext(
            "timestamp",
            b.store.reader().earliest_message_time(t, q).unwrap_or(0),
        )
    })
}
