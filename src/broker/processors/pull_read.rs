//! The read step of a pull, shared by the first pass (`pull`) and the re-execution of a parked
//! pull (`broker::queues`): the store read with tag and SQL92 filtering and the status-to-code
//! mapping of docs/protocol.md §2.6. It reads mapped pages on the caller's event loop; the
//! response body is the list of records in place ([`RemotingCommand::body_parts`]).

use std::sync::atomic::Ordering;

use crate::broker::node::state::Broker;
use crate::broker::processors::reply::resp;
use crate::broker::queues::QueueReads;
use crate::codec::codes::response;
use crate::codec::headers::pull_response::PullMessageResponseHeader;
use crate::codec::RemotingCommand;
use crate::store::GetMessageStatus;

pub use crate::broker::processors::pull_job::{PullJob, TagFilter};

/// Reads from the store and builds the response (used for the first pass and after a park).
pub fn execute(b: &Broker, job: &PullJob) -> RemotingCommand {
    let h = &job.header;
    let begin = std::time::Instant::now();
    let reader = b.store.reader();
    let max_msgs = (h.max_msg_nums.max(1) as usize)
        .min(b.cfg.max_transfer_count_on_message_in_memory.max(1) as usize);
    let max_bytes = b.cfg.max_transfer_bytes_on_message_in_memory.max(1) as usize;
    let filter = |code: i64| job.filter.matches(code);
    let sql = |record: &[u8]| job.sql.as_ref().is_none_or(|s| s.matches_record(record));
    let got = reader.get_message_filtered(
        &h.topic,
        h.queue_id,
        h.queue_offset,
        max_msgs,
        max_bytes,
        Some(&filter),
        job.sql.is_some().then_some(&sql as &dyn Fn(&[u8]) -> bool),
    );
    use GetMessageStatus::*;
    let (mut code, mut next) = match got.status {
        Found => (response::SUCCESS, got.next_begin_offset),
        NoMatchedMessage | MessageWasRemoving => {
            (response::PULL_RETRY_IMMEDIATELY, got.next_begin_offset)
        }
        NoMatchedLogicQueue | NoMessageInQueue => {
            if h.queue_offset != 0 {
                (response::PULL_OFFSET_MOVED, got.next_begin_offset)
            } else {
                (response::PULL_NOT_FOUND, got.next_begin_offset)
            }
        }
        OffsetTooSmall | OffsetOverflowBadly => {
            (response::PULL_OFFSET_MOVED, got.next_begin_offset)
        }
        OffsetOverflowOne | OffsetFoundNull => (response::PULL_NOT_FOUND, got.next_begin_offset),
    };
    if b.is_slave() && code == response::PULL_OFFSET_MOVED {
        // offsetCheckInSlave=false: a slave never moves a consumer's offset.
        code = response::PULL_RETRY_IMMEDIATELY;
        next = h.queue_offset;
    }
    let mut r = resp(&job.req, code, Some(got.status.as_str().to_string()));
    PullMessageResponseHeader {
        suggest_which_broker_id: job.suggest_broker_id,
        next_begin_offset: next,
        min_offset: got.min_offset,
        max_offset: got.max_offset,
    }
    .write_to(&mut r);
    if code == response::SUCCESS {
        b.stats.get_found.fetch_add(1, Ordering::Relaxed);
        b.stats
            .get_msgs
            .fetch_add(got.messages.len() as u64, Ordering::Relaxed);
        b.stats.windows.on_get(&crate::broker::stats::GetCount {
            cluster: &b.cfg.broker_cluster_name,
            group: &h.consumer_group,
            topic: &h.topic,
            queue_id: h.queue_id,
            msg_count: got.messages.len() as i64,
            bytes: got.total_bytes as i64,
            latency_ms: begin.elapsed().as_millis() as i64,
        });
        // The records as the store returned them (slices of the mapped commit log): the
        // connection writes them after the header without joining them (issue #17).
        r.body_parts = got.messages;
    } else {
        b.stats.get_miss.fetch_add(1, Ordering::Relaxed);
    }
    r
}

/// What the topic queue actors read through the broker.
impl QueueReads for Broker {
    fn execute(&self, job: &PullJob) -> RemotingCommand {
        execute(self, job)
    }

    fn max_offset_in_queue(&self, topic: &str, queue_id: i32) -> i64 {
        self.store.reader().max_offset_in_queue(topic, queue_id)
    }
}
