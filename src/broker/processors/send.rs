//! SEND_MESSAGE (10), SEND_MESSAGE_V2 (310) and SEND_BATCH_MESSAGE (320).
//!
//! Checks run in Java's order (docs/protocol.md §2.3); the append goes to the
//! writer actor; then, without blocking anything, the reply waits for the flush (SYNC_FLUSH)
//! and the slave (SYNC_MASTER) at the same time, as the message's `WAIT` property allows. A send is answered
//! SEND_OK only once its record is as durable as the broker's roles promise.

use std::sync::Arc;
use std::time::Duration;

use slog::warn;

use crate::actors::remoting::{ConnHandle, Reply};
use crate::broker::meta::topic_validator::{dlq_topic, is_not_allowed_send_topic, validate_topic};
use crate::broker::node::state::Broker;
use crate::broker::processors::reply::{
    check_broker_writeable, error, resp, service_not_available_remark, store_error_code,
    store_error_remark,
};
use crate::broker::processors::send_props;
use crate::broker::store_actors::{FlushError, PutKind, PutReply};
use crate::broker::transaction;
use crate::codec::codes::{request, response};
use crate::codec::headers::send_response::{SendMessageResponseHeader, DEFAULT_REGION};
use crate::codec::headers::SendMessageRequestHeader;
use crate::codec::RemotingCommand;
use crate::config::{BrokerRole, FlushDiskType};
use crate::protocol::topic::{perm, TopicConfig, TopicFilterType};
use crate::store::message::{decode_properties, encode_properties, sys_flag, SCHEDULE_TOPIC};
use crate::store::{MessageInner, PutResult};

const RETRY_PREFIX: &str = "%RETRY%";

/// Handles one send request.
pub fn handle(b: &Arc<Broker>, conn: &ConnHandle, req: RemotingCommand) -> Reply {
    match prepare(b, conn, &req) {
        Ok(p) => {
            // Queued now, while the connection is still reading its burst of requests: the
            // whole burst goes to the writer as one batch at the end of this turn.
            let kind = if p.batch {
                PutKind::Batch
            } else {
                PutKind::Single
            };
            let put = b.store.puts.submit(kind, p.msg);
            let (reply_queue_id, wait_store) = (p.reply_queue_id, p.wait_store);
            let b = b.clone();
            Reply::later(
                async move { Some(complete(&b, &req, put, reply_queue_id, wait_store).await) },
            )
        }
        Err(r) => Reply::now(r),
    }
}

struct Prepared {
    msg: MessageInner,
    /// The queue id the response names: the requested one, also for a delayed message that
    /// is parked in a schedule queue (as Java answers).
    reply_queue_id: i32,
    batch: bool,
    wait_store: bool,
}

/// Decodes and checks a send, picks its destination and builds the message to append, in
/// Java's order (4.9.7 `SendMessageProcessor.sendMessage` and `msgCheck`).
fn prepare(
    b: &Broker,
    conn: &ConnHandle,
    req: &RemotingCommand,
) -> Result<Prepared, RemotingCommand> {
    let h = SendMessageRequestHeader::from_command(req).map_err(|e| error(req, e.to_string()))?;
    let batch = check_send(b, req, &h)?;
    let props = send_props::rewrite(
        h.properties.as_deref().unwrap_or(""),
        &b.cfg.broker_cluster_name,
    );
    let dest = resolve_destination(b, req, &h)?;
    let queue_id = if dest.topic == h.topic {
        check_queue_id(req, conn, &dest.config, h.queue_id)?
    } else {
        dest.queue_id
    };
    let mut flag = h.sys_flag;
    if dest.config.topic_filter_type == TopicFilterType::MultiTag {
        flag |= sys_flag::MULTI_TAGS;
    }
    let wait_store = props.wait_store;
    let mut properties = props.rewritten;
    let mut delay = props.delay;
    if dest.to_dlq && delay != 0 {
        // Java's handleRetryAndDLQ: msg.setDelayTimeLevel(0): straight into the DLQ, DELAY=0 kept.
        delay = 0;
        properties = reset_delay(&properties);
    }

    let reply_queue_id = queue_id;
    // Transactional half message (Java's TRAN_MSG branch of the send processor).
    let half = !batch && props.tran_msg;
    if half && b.cfg.reject_transaction_message {
        return Err(resp(
            req,
            response::NO_PERMISSION,
            Some(format!(
                "the broker[{}] sending transaction message is forbidden",
                b.cfg.broker_ip1
            )),
        ));
    }
    // Delay levels: park the message in SCHEDULE_TOPIC_XXXX until it is due.
    let tx = sys_flag::transaction_type(flag);
    let (topic, queue_id, properties) = if delay > 0
        && !half
        && tx != sys_flag::TRANSACTION_PREPARED_TYPE
        && tx != sys_flag::TRANSACTION_ROLLBACK_TYPE
    {
        park_delayed(b, req, batch, dest.topic, queue_id, &properties, delay)?
    } else {
        (dest.topic, queue_id, properties)
    };
    let mut msg = MessageInner {
        topic,
        queue_id,
        flag: h.flag,
        body: req.body.clone(),
        properties,
        sys_flag: flag,
        born_timestamp: h.born_timestamp,
        born_host: conn.peer(),
        store_host: b.store_host(),
        reconsume_times: h.reconsume_times.unwrap_or(0),
        prepared_transaction_offset: 0,
    };
    if half {
        transaction::half::to_half(&mut msg);
    }
    Ok(Prepared {
        msg,
        reply_queue_id,
        batch,
        wait_store,
    })
}

/// The broker-level checks of a send (role, permission, topic name, body size); true for a
/// batch.
pub(super) fn check_send(
    b: &Broker,
    req: &RemotingCommand,
    h: &SendMessageRequestHeader,
) -> Result<bool, RemotingCommand> {
    if b.is_slave() {
        // Java's store refuses a put on a slave with SERVICE_NOT_AVAILABLE and the processor
        // answers its generic remark (4.9.7 `handlePutMessageResult`).
        let [cl, cq, index] = b.store.reader().disk_ratios();
        return Err(resp(
            req,
            response::SERVICE_NOT_AVAILABLE,
            Some(service_not_available_remark(cl, cq, index)),
        ));
    }
    check_broker_writeable(b, req)?;
    validate_topic(&h.topic).map_err(|e| error(req, e.to_string()))?;
    if is_not_allowed_send_topic(&h.topic) {
        return Err(resp(
            req,
            response::NO_PERMISSION,
            Some(format!(
                "Sending message to topic[{}] is forbidden.",
                h.topic
            )),
        ));
    }
    let batch = h.batch || req.code == request::SEND_BATCH_MESSAGE;
    let max_size = b.live.get().max_message_size as usize;
    if req.body.len() > max_size {
        return Err(resp(
            req,
            response::MESSAGE_ILLEGAL,
            // Java 4.9.7's remark exactly (SendMessageProcessor.handlePutMessageResult,
            // MESSAGE_ILLEGAL): clients and tools match on it.
            Some(format!(
                "the message is illegal, maybe msg body or properties length not matched. msg body length limit {max_size}B, msg properties length limit 32KB."
            )),
        ));
    }
    Ok(batch)
}

/// Where a send goes before delay parking: its topic's config, and for a retry whose budget
/// is spent the group's DLQ (queue 0).
pub(super) struct Destination {
    pub(super) config: TopicConfig,
    pub(super) topic: String,
    pub(super) queue_id: i32,
    pub(super) to_dlq: bool,
}

/// Finds or auto-creates the topic (and a retry topic's group and DLQ) under one metadata
/// lock; a created topic is registered at once.
pub(super) fn resolve_destination(
    b: &Broker,
    req: &RemotingCommand,
    h: &SendMessageRequestHeader,
) -> Result<Destination, RemotingCommand> {
    let mut topic = h.topic.clone();
    let mut queue_id = h.queue_id;
    let reconsume_times = h.reconsume_times.unwrap_or(0);
    let (config, wait_register, to_dlq) = {
        let mut meta = b.meta.lock();
        let mut created = false;
        let mut to_dlq = false;
        let found = match meta.topics.select(&topic).cloned() {
            Some(c) => Some(c),
            None => {
                let r = meta.topics.create_topic_in_send(
                    &topic,
                    &h.default_topic,
                    h.default_topic_queue_nums,
                    0,
                );
                let r = r.or_else(|| {
                    topic.starts_with(RETRY_PREFIX).then(|| {
                        meta.topics.create_topic_in_send_back(
                            &topic,
                            1,
                            perm::READ | perm::WRITE,
                            0,
                        )
                    })
                });
                created = r.as_ref().is_some_and(|l| l.created);
                r.map(|l| l.config)
            }
        };
        let Some(config) = found else {
            return Err(resp(
                req,
                response::TOPIC_NOT_EXIST,
                Some(format!("topic[{}] not exist, apply first please! https://rocketmq.apache.org/docs/bestPractice/06FAQ", topic)),
            ));
        };
        // Retry topic: redirect to the DLQ once the group's retry budget is spent.
        if let Some(group) = topic.strip_prefix(RETRY_PREFIX).map(str::to_string) {
            // Java's handleRetryAndDLQ looks the group up with findSubscriptionGroupConfig,
            // which auto-creates it when autoCreateSubscriptionGroup is on.
            let Some(g) = meta
                .groups
                .find_or_create(&group, b.live.get().auto_create_subscription_group)
            else {
                return Err(resp(
                    req,
                    response::SUBSCRIPTION_GROUP_NOT_EXIST,
                    Some(format!("subscription group not exist, {group}")),
                ));
            };
            if g.created {
                b.dirty
                    .groups
                    .store(true, std::sync::atomic::Ordering::Release);
            }
            let gc = g.config;
            let max = if req.version >= 121 {
                h.max_reconsume_times.unwrap_or(gc.retry_max_times)
            } else {
                gc.retry_max_times
            };
            if reconsume_times >= max {
                let dlq = dlq_topic(&group);
                let l = meta
                    .topics
                    .create_topic_in_send_back(&dlq, 1, perm::READ | perm::WRITE, 0);
                created |= l.created;
                topic = dlq;
                queue_id = 0;
                to_dlq = true;
            }
        }
        (config, created, to_dlq)
    };
    if wait_register {
        b.topics_changed();
    }
    Ok(Destination {
        config,
        topic,
        queue_id,
        to_dlq,
    })
}

/// The queue of a send to its own topic: a random writable one for -1, else the requested one
/// if the topic has it.
pub(super) fn check_queue_id(
    req: &RemotingCommand,
    conn: &ConnHandle,
    config: &TopicConfig,
    requested: i32,
) -> Result<i32, RemotingCommand> {
    let queue_nums = config.write_queue_nums.max(config.read_queue_nums);
    let mut queue_id = requested;
    if queue_id < 0 {
        queue_id = (rand_u32() % config.write_queue_nums.max(1) as u32) as i32;
    }
    if queue_id >= queue_nums {
        return Err(error(
            req,
            format!(
                "request queueId[{queue_id}] is illegal, {config:?} Producer: {}",
                conn.peer()
            ),
        ));
    }
    Ok(queue_id)
}

/// `properties` with DELAY set to 0 (a message redirected to the DLQ is not delayed).
fn reset_delay(properties: &str) -> String {
    let mut pairs = decode_properties(properties);
    for (k, v) in pairs.iter_mut() {
        if k == "DELAY" {
            *v = "0".into();
        }
    }
    encode_properties(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())))
}

/// Parks a delayed message in SCHEDULE_TOPIC_XXXX's queue `level - 1`, its real topic and
/// queue kept in REAL_TOPIC / REAL_QID; returns the (topic, queue, properties) to append.
fn park_delayed(
    b: &Broker,
    req: &RemotingCommand,
    batch: bool,
    topic: String,
    queue_id: i32,
    properties: &str,
    delay: i32,
) -> Result<(String, i32, String), RemotingCommand> {
    if batch {
        return Err(resp(
            req,
            response::MESSAGE_ILLEGAL,
            Some("a batch message cannot carry a DELAY property".into()),
        ));
    }
    let max_level = b
        .cfg
        .message_delay_levels()
        .map(|v| v.len() as i32)
        .unwrap_or(18)
        .max(1);
    let level = delay.min(max_level);
    // Every pair of `properties` decodes back (the cluster name is never empty).
    let mut props = decode_properties(properties);
    props.retain(|(k, _)| k != "DELAY" && k != "REAL_TOPIC" && k != "REAL_QID");
    props.push(("DELAY".into(), level.to_string()));
    props.push(("REAL_TOPIC".into(), topic));
    props.push(("REAL_QID".into(), queue_id.to_string()));
    let properties = encode_properties(props.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    Ok((SCHEDULE_TOPIC.to_string(), level - 1, properties))
}

/// The MSG_REGION this broker answers with.
pub(super) fn region(b: &Broker) -> String {
    if b.cfg.region_id.is_empty() {
        DEFAULT_REGION.to_string()
    } else {
        b.cfg.region_id.clone()
    }
}

async fn complete(
    b: &Arc<Broker>,
    req: &RemotingCommand,
    put: PutReply,
    reply_queue_id: i32,
    wait_store: bool,
) -> RemotingCommand {
    let put = match put.await {
        Ok(Ok(put)) => put,
        Ok(Err(e)) => {
            if e.is_no_space() {
                warn!(b.log, "put refused: disk full"; "error" => %e);
            } else if store_error_code(&e) == response::SYSTEM_ERROR {
                // The remark may be Java's bare "UNKNOWN_ERROR": the detail goes to the log.
                warn!(b.log, "put failed"; "error" => %e);
            }
            return resp(req, store_error_code(&e), Some(store_error_remark(b, &e)));
        }
        Err(_) => {
            warn!(
                b.log,
                "writer unavailable: the send was dropped while it restarted"
            );
            return resp(
                req,
                response::SERVICE_NOT_AVAILABLE,
                Some("the store writer is restarting; retry".into()),
            );
        }
    };
    b.stats.count_put(&put);
    b.stats.windows.on_put(
        &b.cfg.broker_cluster_name,
        &put.topic,
        put.msg_num as i64,
        put.wrote_bytes as i64,
    );
    let (code, remark) = match durable(b, &put, wait_store).await {
        Ok(answer) => answer,
        Err(e) => return resp(req, response::SYSTEM_ERROR, Some(e.to_string())),
    };
    let mut r = resp(req, code, remark);
    SendMessageResponseHeader {
        msg_id: put.msg_id_header(),
        queue_id: reply_queue_id,
        queue_offset: put.queue_offset,
        transaction_id: None,
        msg_region: Some(region(b)),
        trace_on: Some(b.cfg.trace_on),
    }
    .write_to(&mut r);
    r
}

/// The SYNC_FLUSH and SYNC_MASTER waits of a stored record, registered together right after
/// the append and answered when both are done (Java 4.9.7 `CommitLog.asyncPutMessage`:
/// `submitFlushRequest` and `submitReplicaRequest` combined with `thenCombine`; a replica
/// status other than PUT_OK overrides the flush status). Returns the response code and remark,
/// or the flush service's absence (stopped: SYSTEM_ERROR).
async fn durable(
    b: &Broker,
    put: &PutResult,
    wait_store: bool,
) -> Result<(i32, Option<String>), FlushError> {
    let offset = put.next_offset();
    let flush = async {
        if wait_store && b.cfg.flush_disk_type == FlushDiskType::SyncFlush {
            let timeout = Duration::from_millis(b.cfg.sync_flush_timeout);
            b.store.flush.wait_flushed(offset, timeout).await
        } else {
            Ok(())
        }
    };
    let replica = async {
        if !(wait_store && b.cfg.broker_role == BrokerRole::SyncMaster) {
            return Ok(());
        }
        b.replication.wait(offset).await.map_err(|c| (c, None))
    };
    let (flushed, replicated) = futures::join!(flush, replica);
    let mut answer = match flushed {
        Ok(()) => (response::SUCCESS, None),
        // A failed msync is a flush that did not reach the offset: Java's GroupCommitService
        // answers FLUSH_DISK_TIMEOUT (the flush thread counts the failure and retries).
        Err(FlushError::Timeout { .. } | FlushError::Failed(_)) => {
            (response::FLUSH_DISK_TIMEOUT, None)
        }
        Err(e) => return Err(e),
    };
    if let Err(replica_answer) = replicated {
        answer = replica_answer;
    }
    Ok(answer)
}

/// A cheap non-cryptographic random number for queue selection.
fn rand_u32() -> u32 {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u64(crate::store::time::now_ms() as u64);
    h.finish() as u32
}
