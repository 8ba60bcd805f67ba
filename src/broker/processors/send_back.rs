//! CONSUMER_SEND_MSG_BACK (36): a consumer hands back a message it failed to consume.
//!
//! The broker re-reads the original record from the commit log and stores a copy for the
//! group's retry topic `%RETRY%{group}` — parked in `SCHEDULE_TOPIC_XXXX` until its delay level
//! is due (the scheduler in [`crate::broker::actors::schedule`] delivers it) — or, once the retry budget is
//! spent, straight into the dead-letter topic `%DLQ%{group}`. Java's
//! `SendMessageProcessor.consumerSendMsgBack` (4.9.7) is the model, check for check.

use std::sync::atomic::Ordering;
use std::sync::Arc;

use slog::{debug, warn};

use crate::actors::remoting::{ConnHandle, Reply};
use crate::broker::meta::topic_validator::{dlq_topic, retry_topic};
use crate::broker::node::state::Broker;
use crate::broker::processors::reply::{check_broker_writeable, error, ok, resp};
use crate::broker::store_actors::Put;
use crate::codec::codes::response;
use crate::codec::headers::send_back::ConsumerSendMsgBackRequestHeader;
use crate::codec::RemotingCommand;
use crate::protocol::topic::perm;
use crate::store::message::{decode_properties, encode_properties, offset_msg_id, SCHEDULE_TOPIC};
use crate::store::record::decode_record;
use crate::store::{MessageInner, StoreError};

/// Request version from which the header's `maxReconsumeTimes` is honoured (Java V3_4_9).
const VERSION_WITH_MAX_RECONSUME: i32 = 121;
/// Queues of a DLQ topic (Java `MixAll.DLQ_NUMS_PER_GROUP`).
const DLQ_NUMS_PER_GROUP: i32 = 1;

/// Property keys this path reads or writes.
const PROPERTY_RETRY_TOPIC: &str = "RETRY_TOPIC";
const PROPERTY_ORIGIN_MESSAGE_ID: &str = "ORIGIN_MESSAGE_ID";
const PROPERTY_DELAY: &str = "DELAY";
const PROPERTY_REAL_TOPIC: &str = "REAL_TOPIC";
const PROPERTY_REAL_QID: &str = "REAL_QID";

/// Handles one send-back request (the processor's dispatch entry).
pub fn handle(b: &Arc<Broker>, _conn: &ConnHandle, req: RemotingCommand) -> Reply {
    let b = b.clone();
    Reply::later(async move { Some(process(&b, &req).await) })
}

/// The whole send-back: checks, the new message, the put. Public so that tests and tools can
/// drive it without a connection (Java does not use the channel either: the born host is the
/// original message's).
pub async fn process(b: &Arc<Broker>, req: &RemotingCommand) -> RemotingCommand {
    let h = match ConsumerSendMsgBackRequestHeader::from_command(req) {
        Ok(h) => h,
        Err(e) => return error(req, e.to_string()),
    };
    let msg = match prepare(b, &h, req) {
        Ok(Some(msg)) => msg,
        Ok(None) => return ok(req),
        Err(r) => return r,
    };
    let (topic, queue_id) = (msg.topic.clone(), msg.queue_id);
    // Java's `backTopic`: the original topic the RETRY_TOPIC property carries.
    let back_topic = crate::store::message::property(&msg.properties, PROPERTY_RETRY_TOPIC)
        .unwrap_or(&msg.topic)
        .to_string();
    match b.store.writer.get().send(Put(msg)).await {
        Ok(Ok(put)) => {
            b.stats.count_put(&put);
            if put.topic == crate::store::message::SCHEDULE_TOPIC {
                b.stats
                    .windows
                    .on_put_topic(&put.topic, 1, put.wrote_bytes as i64);
            }
            b.stats.windows.on_send_back(&h.group, &back_topic);
            debug!(b.log, "message sent back"; "component" => "send-back", "topic" => topic, "queue" => queue_id,
                   "offset" => put.queue_offset);
            ok(req)
        }
        Ok(Err(e)) => {
            warn!(b.log, "send-back put failed"; "component" => "send-back", "topic" => topic, "error" => %e);
            resp(
                req,
                response::SYSTEM_ERROR,
                Some(put_status_name(&e).to_string()),
            )
        }
        Err(e) => {
            warn!(b.log, "writer unavailable for send-back"; "component" => "send-back", "error" => %e);
            resp(
                req,
                response::SYSTEM_ERROR,
                Some("SERVICE_NOT_AVAILABLE".to_string()),
            )
        }
    }
}

/// The Java `PutMessageStatus` name a failed put reports as the remark.
pub fn put_status_name(e: &StoreError) -> &'static str {
    match e {
        StoreError::MessageIllegal(_) => "MESSAGE_ILLEGAL",
        StoreError::PropertiesSizeExceeded { .. } => "PROPERTIES_SIZE_EXCEEDED",
        StoreError::DiskFull { .. }
        | StoreError::NoSpace { .. }
        | StoreError::ShutDown
        | StoreError::ReadOnly(_) => "SERVICE_NOT_AVAILABLE",
        _ => "UNKNOWN_ERROR",
    }
}

/// Checks the request and builds the message to store; `Ok(None)` when the group keeps no
/// retry queues (the message is dropped with SUCCESS, as Java does).
fn prepare(
    b: &Arc<Broker>,
    h: &ConsumerSendMsgBackRequestHeader,
    req: &RemotingCommand,
) -> Result<Option<MessageInner>, RemotingCommand> {
    let (group_cfg, retry_cfg, mut created) = {
        let mut meta = b.meta.lock();
        // Java's findSubscriptionGroupConfig auto-creates when autoCreateSubscriptionGroup is on.
        let Some(g) = meta
            .groups
            .find_or_create(&h.group, b.live.get().auto_create_subscription_group)
        else {
            return Err(resp(
                req,
                response::SUBSCRIPTION_GROUP_NOT_EXIST,
                Some(format!("subscription group not exist, {}", h.group)),
            ));
        };
        if g.created {
            b.dirty.groups.store(true, Ordering::Release);
        }
        check_broker_writeable(b, req)?;
        if g.config.retry_queue_nums <= 0 {
            return Ok(None);
        }
        let l = meta.topics.create_topic_in_send_back(
            &retry_topic(&h.group),
            g.config.retry_queue_nums,
            perm::READ | perm::WRITE,
            0,
        );
        (g.config, l.config, l.created)
    };
    let result = build(b, req, h, &group_cfg, &retry_cfg, &mut created);
    if created {
        b.topics_changed();
    }
    result.map(Some)
}

fn build(
    b: &Arc<Broker>,
    req: &RemotingCommand,
    h: &ConsumerSendMsgBackRequestHeader,
    group_cfg: &crate::protocol::subscription::SubscriptionGroupConfig,
    retry_cfg: &crate::protocol::topic::TopicConfig,
    created: &mut bool,
) -> Result<MessageInner, RemotingCommand> {
    if !perm::is_writeable(retry_cfg.perm) {
        return Err(resp(
            req,
            response::NO_PERMISSION,
            Some(format!(
                "the topic[{}] sending message is forbidden",
                retry_cfg.topic_name
            )),
        ));
    }
    if b.is_slave() {
        // Java's store refuses the put on a slave: SYSTEM_ERROR with the put status.
        return Err(resp(
            req,
            response::SYSTEM_ERROR,
            Some("SERVICE_NOT_AVAILABLE".to_string()),
        ));
    }
    let raw = b.store.reader().look_message_by_offset(h.offset);
    let old = raw
        .as_deref()
        .and_then(|r| decode_record(r, false).ok())
        .ok_or_else(|| error(req, format!("look message by offset failed, {}", h.offset)))?;
    let mut props = decode_properties(&old.properties);
    if !props.iter().any(|(k, _)| k == PROPERTY_RETRY_TOPIC) {
        props.push((PROPERTY_RETRY_TOPIC.into(), old.topic.clone()));
    }
    let max_reconsume = if req.version >= VERSION_WITH_MAX_RECONSUME {
        h.max_reconsume_times.unwrap_or(group_cfg.retry_max_times)
    } else {
        group_cfg.retry_max_times
    };
    // The new message is never a delayed one unless this path says so.
    props
        .retain(|(k, _)| k != PROPERTY_DELAY && k != PROPERTY_REAL_TOPIC && k != PROPERTY_REAL_QID);
    let (mut topic, mut queue_id);
    let mut delay_level = h.delay_level;
    if old.reconsume_times >= max_reconsume || delay_level < 0 {
        topic = dlq_topic(&h.group);
        queue_id = 0;
        let l = b.meta.lock().topics.create_topic_in_send_back(
            &topic,
            DLQ_NUMS_PER_GROUP,
            perm::READ | perm::WRITE,
            0,
        );
        *created |= l.created;
        delay_level = 0;
    } else {
        topic = retry_cfg.topic_name.clone();
        queue_id = (rand_u32() % group_cfg.retry_queue_nums.max(1) as u32) as i32;
        if delay_level == 0 {
            delay_level = 3 + old.reconsume_times;
        }
    }
    if delay_level > 0 {
        // As the send path does for DELAY: park in SCHEDULE_TOPIC_XXXX queue level−1.
        let max_level = b
            .cfg
            .message_delay_levels()
            .map(|v| v.len() as i32)
            .unwrap_or(18)
            .max(1);
        let level = delay_level.min(max_level);
        props.push((PROPERTY_DELAY.into(), level.to_string()));
        props.push((PROPERTY_REAL_TOPIC.into(), topic.clone()));
        props.push((PROPERTY_REAL_QID.into(), queue_id.to_string()));
        topic = SCHEDULE_TOPIC.to_string();
        queue_id = level - 1;
    }
    let origin_set = props
        .iter()
        .any(|(k, v)| k == PROPERTY_ORIGIN_MESSAGE_ID && !v.trim().is_empty());
    if !origin_set {
        // Java's broker decodes the record as a plain MessageExt, whose msgId is the
        // offsetMsgId (not UNIQ_KEY, which only the client-side MessageClientExt returns).
        props.retain(|(k, _)| k != PROPERTY_ORIGIN_MESSAGE_ID);
        props.push((
            PROPERTY_ORIGIN_MESSAGE_ID.into(),
            offset_msg_id(&old.store_host, old.phys_offset),
        ));
    }
    Ok(MessageInner {
        topic,
        queue_id,
        flag: old.flag,
        body: old.body,
        properties: encode_properties(props.iter().map(|(k, v)| (k.as_str(), v.as_str()))),
        sys_flag: old.sys_flag,
        born_timestamp: old.born_timestamp,
        born_host: old.born_host,
        store_host: b.store_host(),
        reconsume_times: old.reconsume_times + 1,
        prepared_transaction_offset: 0,
    })
}

/// A cheap non-cryptographic random number for queue selection.
fn rand_u32() -> u32 {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_i64(crate::store::time::now_ms());
    h.finish() as u32
}
