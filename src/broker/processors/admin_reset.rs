//! INVOKE_BROKER_TO_RESET_OFFSET (222), what mqadmin's resetOffsetByTime and
//! skipAccumulatedMessage ask the broker (Java `Broker2Client.resetOffset`): for every write
//! queue of the topic, the offset of the timestamp (-1 = the queue's max offset), kept at the
//! group's committed offset unless forced or going back; the table goes to each online
//! consumer of the group as RESET_CONSUMER_CLIENT_OFFSET (220, oneway), and back in the answer.
//! The broker does not commit the offsets itself: the consumers do, as in Java.

use std::collections::BTreeMap;

use super::reply::{error, ok, resp};
use crate::broker::node::state::Broker;
use crate::broker::processors::command::Outcome;
use crate::codec::codes::{request, response};
use crate::codec::headers::group_offsets::ResetOffsetHeader;
use crate::codec::RemotingCommand;
use crate::protocol::message_queue::MessageQueue;
use crate::protocol::reset_offset::ResetOffsetBody;

/// Java `MQVersion.Version.V3_0_7_SNAPSHOT.ordinal()`: older clients cannot take a reset.
const MIN_RESET_VERSION: i32 = 28;

/// INVOKE_BROKER_TO_RESET_OFFSET; every refusal is a response of its own (code and remark
/// vary), so the outcome is always `Ok`.
pub fn reset_offset(b: &Broker, a: ResetOffsetHeader, req: &RemotingCommand) -> Outcome {
    Ok(reset(b, &a, req))
}

fn reset(b: &Broker, a: &ResetOffsetHeader, req: &RemotingCommand) -> RemotingCommand {
    let (queues, committed, channels) = {
        let meta = b.meta.lock();
        let Some(tc) = meta.topics.select(&a.topic) else {
            return error(
                req,
                format!(
                    "[reset-offset] reset offset failed, no topic in this broker. topic={}",
                    a.topic
                ),
            );
        };
        let queues = tc.write_queue_nums;
        let committed: Vec<Option<i64>> = (0..queues)
            .map(|q| meta.offsets.query(&a.group, &a.topic, q))
            .collect();
        let channels: Vec<(u64, i32)> = meta
            .consumers
            .group(&a.group)
            .map(|g| g.channels.values().map(|c| (c.conn.0, c.version)).collect())
            .unwrap_or_default();
        (queues, committed, channels)
    };
    let reader = b.store.reader();
    let mut table = BTreeMap::new();
    for (q, stored) in (0..queues).zip(committed) {
        let Some(consumer_offset) = stored.filter(|o| *o >= 0) else {
            return error(req, format!("THe consumer group <{}> not exist", a.group));
        };
        let target = if a.timestamp == -1 {
            reader.max_offset_in_queue(&a.topic, q)
        } else {
            reader.offset_by_time(&a.topic, q, a.timestamp)
        }
        .max(0);
        let offset = if a.is_force || target < consumer_offset {
            target
        } else {
            consumer_offset
        };
        table.insert(MessageQueue::new(&a.topic, &b.cfg.broker_name, q), offset);
    }
    if channels.is_empty() {
        return resp(
            req,
            response::CONSUMER_NOT_ONLINE,
            Some(format!(
                "Consumer not online, so can not reset offset, Group: {} Topic: {} Timestamp: {}",
                a.group, a.topic, a.timestamp
            )),
        );
    }
    if let Some((_, v)) = channels.iter().find(|(_, v)| *v < MIN_RESET_VERSION) {
        return error(
            req,
            format!(
                "the client does not support this feature. version={}",
                crate::tools::admin::versions::version_desc(*v)
            ),
        );
    }
    let body = ResetOffsetBody {
        offset_table: table,
    }
    .encode();
    let conns = b.conns.lock();
    for (id, _) in &channels {
        if let Some(c) = conns.get(id) {
            let mut cmd = RemotingCommand::request(request::RESET_CONSUMER_CLIENT_OFFSET)
                .with_ext("topic", &a.topic)
                .with_ext("group", &a.group)
                .with_ext("timestamp", a.timestamp)
                .with_body(body.clone().into_bytes());
            cmd.set_oneway();
            c.send(cmd);
        }
    }
    ok(req).with_body(body.into_bytes())
}
