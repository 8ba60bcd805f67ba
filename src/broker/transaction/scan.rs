//! One pass of the transaction check over the half queues (Java 4.9.7
//! `TransactionalMessageServiceImpl.check`, with `fillOpRemoveMap`, `needDiscard`, `needSkip`,
//! `checkPrepareQueueOffset`, `putBackHalfMsgQueue` and `calculateOpOffset`), and the listener
//! side (`AbstractTransactionalMessageCheckListener.sendCheckMessage`,
//! `DefaultTransactionalMessageCheckListener.resolveDiscardMsg`).
//!
//! Progress is two consumer offsets of group `CID_RMQ_SYS_TRANS`: the half queue (every half
//! message before it is finished, re-put or discarded) and its op queue (every op message
//! before it matched a half message behind the half offset). Reads are mapped-memory copies;
//! every append goes through the writer actor and is awaited without blocking.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;

use slog::{debug, info, warn, Logger};

use super::end::put;
use super::half::{check_body, discard_message, read_record, renew_half};
use super::{
    set_properties, CID_RMQ_SYS_TRANS, PROPERTY_CHECK_TIMES, PROPERTY_IMMUNITY_SECONDS,
    PROPERTY_PGROUP, PROPERTY_PREPARED_QUEUE_OFFSET, REMOVE_TAG,
};
use crate::broker::meta::topic_validator::{
    RMQ_SYS_TRANS_CHECK_MAX_TIME_TOPIC, RMQ_SYS_TRANS_HALF_TOPIC, RMQ_SYS_TRANS_OP_HALF_TOPIC,
};
use crate::broker::node::state::Broker;
use crate::codec::codes::request;
use crate::codec::RemotingCommand;
use crate::protocol::topic::perm;
use crate::store::message::{property, PROPERTY_UNIQ_KEY};
use crate::store::record::DecodedRecord;

/// Java `MAX_PROCESS_TIME_LIMIT`: one queue's pass stops after this long.
const MAX_PROCESS_TIME_MS: i64 = 60_000;
/// Op messages read per batch (Java pulls 32).
const OP_BATCH: usize = 32;
/// Java `MAX_RETRY_COUNT_WHEN_HALF_NULL`.
const MAX_RETRY_WHEN_HALF_NULL: u32 = 1;

/// What one pass needs besides the broker.
pub struct ScanParams {
    pub transaction_timeout: i64,
    pub check_max: i32,
    /// Round-robin counter over a group's producer connections.
    pub rr: Arc<AtomicUsize>,
    pub halted: Arc<AtomicBool>,
}

/// The op messages read so far for one half queue (Java's `removeMap`/`doneOpOffset`).
struct Ops {
    /// half queue offset → op queue offset.
    remove: HashMap<i64, i64>,
    done: Vec<i64>,
    /// Where the next op batch starts, and the born time of the last op read (None once the
    /// op queue had nothing more: Java's null `msgFoundList`).
    next: i64,
    last_born: Option<i64>,
}

/// One pass over every half queue.
pub async fn check(b: &Arc<Broker>, p: &ScanParams, log: &Logger) {
    let read_queues = {
        let mut meta = b.meta.lock();
        let l = meta.topics.create_topic_in_send_back(
            RMQ_SYS_TRANS_HALF_TOPIC,
            1,
            perm::READ | perm::WRITE,
            0,
        );
        if l.created {
            drop(meta);
            b.topics_changed();
        }
        l.config.read_queue_nums
    };
    for q in 0..read_queues {
        if p.halted.load(Ordering::Acquire) {
            return;
        }
        check_queue(b, p, q, log).await;
    }
}

fn fetch_offset(b: &Broker, topic: &str, q: i32) -> i64 {
    let stored = b.meta.lock().offsets.query(CID_RMQ_SYS_TRANS, topic, q);
    stored.unwrap_or_else(|| b.store.reader().min_offset_in_queue(topic, q))
}

fn update_offset(b: &Broker, topic: &str, q: i32, offset: i64) {
    let client = b.store_host().to_string();
    b.meta
        .lock()
        .offsets
        .commit(&client, CID_RMQ_SYS_TRANS, topic, q, offset);
    b.dirty.offsets.store(true, Ordering::Release);
}

/// Java `fillOpRemoveMap`: reads the next op batch.
fn fill_ops(b: &Broker, q: i32, ops: &mut Ops, min_half: i64, log: &Logger) {
    let reader = b.store.reader();
    let (min, max) = (
        reader.min_offset_in_queue(RMQ_SYS_TRANS_OP_HALF_TOPIC, q),
        reader.max_offset_in_queue(RMQ_SYS_TRANS_OP_HALF_TOPIC, q),
    );
    if ops.next < min || ops.next > max {
        // Java: OFFSET_ILLEGAL moves the op offset to where the store can read.
        warn!(log, "op offset outside its queue"; "offset" => ops.next, "min" => min, "max" => max);
        ops.next = ops.next.clamp(min, max);
        update_offset(b, RMQ_SYS_TRANS_OP_HALF_TOPIC, q, ops.next);
    }
    let entries = reader
        .cqs
        .find(RMQ_SYS_TRANS_OP_HALF_TOPIC, q)
        .and_then(|cq| cq.entries_from(ops.next, OP_BATCH))
        .unwrap_or_default();
    if entries.is_empty() {
        ops.last_born = None;
        return;
    }
    for (k, e) in entries.iter().enumerate() {
        let op_offset = ops.next + k as i64;
        let rec = match read_record(&reader, e.phys_offset) {
            Ok(r) => r,
            Err(err) => {
                warn!(log, "unreadable op message"; "offset" => op_offset, "error" => %err);
                continue;
            }
        };
        ops.last_born = Some(rec.born_timestamp);
        if property(&rec.properties, "TAGS") != Some(REMOVE_TAG) {
            warn!(log, "op message with an illegal tag"; "offset" => op_offset);
            continue;
        }
        let half_offset = std::str::from_utf8(&rec.body)
            .ok()
            .and_then(|s| s.trim().parse::<i64>().ok())
            .unwrap_or(-1);
        if half_offset < min_half {
            ops.done.push(op_offset);
        } else {
            ops.remove.insert(half_offset, op_offset);
        }
    }
    ops.next += entries.len() as i64;
}

/// Java `calculateOpOffset`.
fn calculate_op_offset(done: &mut [i64], old: i64) -> i64 {
    done.sort_unstable();
    let mut new = old;
    for d in done.iter() {
        if *d == new {
            new += 1;
        } else {
            break;
        }
    }
    new
}

/// Java `needDiscard`: bumps `TRANSACTION_CHECK_TIMES` in `props` unless the limit is reached.
fn need_discard(props: &mut String, check_max: i32) -> bool {
    let times = match property(props, PROPERTY_CHECK_TIMES) {
        None => 1,
        Some(v) => {
            let t = v.trim().parse::<i32>().unwrap_or(-1);
            if t >= check_max {
                return true;
            }
            t + 1
        }
    };
    *props = set_properties(props, &[(PROPERTY_CHECK_TIMES, times.to_string())]);
    false
}

/// What the pass does with the half message at one offset.
enum Half {
    /// Nothing at or after this offset yet.
    End,
    /// Skip to this offset (a hole or a removed file).
    Jump(i64),
    Found(Box<DecodedRecord>),
}

fn half_at(b: &Broker, q: i32, i: i64, log: &Logger) -> Half {
    let reader = b.store.reader();
    let (min, max) = (
        reader.min_offset_in_queue(RMQ_SYS_TRANS_HALF_TOPIC, q),
        reader.max_offset_in_queue(RMQ_SYS_TRANS_HALF_TOPIC, q),
    );
    if i >= max {
        return Half::End;
    }
    if i < min {
        return Half::Jump(min);
    }
    let Some(e) = reader
        .cqs
        .find(RMQ_SYS_TRANS_HALF_TOPIC, q)
        .and_then(|cq| cq.get(i))
    else {
        return Half::Jump(i + 1);
    };
    match read_record(&reader, e.phys_offset) {
        Ok(r) => Half::Found(Box::new(r)),
        Err(err) => {
            warn!(log, "unreadable half message"; "offset" => i, "error" => %err);
            Half::Jump(i + 1)
        }
    }
}

async fn check_queue(b: &Arc<Broker>, p: &ScanParams, q: i32, log: &Logger) {
    let start = crate::store::time::now_ms();
    let half_offset = fetch_offset(b, RMQ_SYS_TRANS_HALF_TOPIC, q);
    let op_offset = fetch_offset(b, RMQ_SYS_TRANS_OP_HALF_TOPIC, q);
    if half_offset < 0 || op_offset < 0 {
        warn!(log, "illegal check offsets; queue skipped"; "half" => half_offset, "op" => op_offset);
        return;
    }
    let mut ops = Ops {
        remove: HashMap::new(),
        done: Vec::new(),
        next: op_offset,
        last_born: None,
    };
    fill_ops(b, q, &mut ops, half_offset, log);
    let mut null_count = 1;
    let mut new_offset = half_offset;
    let mut i = half_offset;
    loop {
        if crate::store::time::now_ms() - start > MAX_PROCESS_TIME_MS
            || p.halted.load(Ordering::Acquire)
        {
            break;
        }
        if let Some(op) = ops.remove.remove(&i) {
            ops.done.push(op);
        } else {
            let rec = match half_at(b, q, i, log) {
                Half::Found(r) => r,
                Half::End => break,
                Half::Jump(next) => {
                    null_count += 1;
                    if null_count > MAX_RETRY_WHEN_HALF_NULL + 1 {
                        break;
                    }
                    i = next;
                    new_offset = i;
                    continue;
                }
            };
            let mut props = rec.properties.clone();
            let now = crate::store::time::now_ms();
            let skip =
                now - rec.born_timestamp > i64::from(b.live.get().file_reserved_time) * 3_600_000;
            if need_discard(&mut props, p.check_max) || skip {
                resolve_discard(b, &rec, log).await;
                new_offset = i + 1;
                i += 1;
                continue;
            }
            if rec.store_timestamp >= start {
                break;
            }
            let age = now - rec.born_timestamp;
            let mut immunity = p.transaction_timeout;
            if let Some(s) = property(&rec.properties, PROPERTY_IMMUNITY_SECONDS) {
                immunity = match s.trim().parse::<i64>() {
                    Ok(-1) | Err(_) => p.transaction_timeout,
                    Ok(secs) => secs.saturating_mul(1000),
                };
                if age < immunity && check_prepare_queue_offset(b, &rec, &props, &mut ops).await {
                    new_offset = i + 1;
                    i += 1;
                    continue;
                }
            } else if (0..immunity).contains(&age) {
                break;
            }
            let need_check = match ops.last_born {
                None => age > immunity,
                Some(born) => born - start > p.transaction_timeout,
            } || age <= -1;
            if need_check {
                match put(b, renew_half(&rec, props.clone())).await {
                    Ok(r) => send_check(b, p, &rec, &props, r.queue_offset, r.wrote_offset, log),
                    Err(e) => {
                        // Java retries the same offset; the next pass will.
                        warn!(log, "re-put of a half message failed"; "offset" => i, "error" => %e);
                        break;
                    }
                }
            } else {
                let before = ops.next;
                fill_ops(b, q, &mut ops, half_offset, log);
                if ops.next == before {
                    ops.last_born = None;
                }
                continue;
            }
        }
        new_offset = i + 1;
        i += 1;
    }
    if new_offset != half_offset {
        update_offset(b, RMQ_SYS_TRANS_HALF_TOPIC, q, new_offset);
    }
    let new_op = calculate_op_offset(&mut ops.done, op_offset);
    if new_op != op_offset {
        update_offset(b, RMQ_SYS_TRANS_OP_HALF_TOPIC, q, new_op);
    }
    debug!(log, "transaction check pass"; "queue" => q, "half" => new_offset, "op" => new_op);
}

/// Java `checkPrepareQueueOffset` (a message with a check-immunity time).
async fn check_prepare_queue_offset(
    b: &Broker,
    rec: &DecodedRecord,
    props: &str,
    ops: &mut Ops,
) -> bool {
    match property(props, PROPERTY_PREPARED_QUEUE_OFFSET) {
        Some(v) => {
            let prepared = v.trim().parse::<i64>().unwrap_or(-1);
            if prepared == -1 {
                return false;
            }
            if let Some(op) = ops.remove.remove(&prepared) {
                ops.done.push(op);
                return true;
            }
            put(b, renew_half(rec, props.to_string())).await.is_ok()
        }
        None => {
            let p = set_properties(
                props,
                &[(PROPERTY_PREPARED_QUEUE_OFFSET, rec.queue_offset.to_string())],
            );
            put(b, renew_half(rec, p)).await.is_ok()
        }
    }
}

/// `DefaultTransactionalMessageCheckListener.resolveDiscardMsg`.
async fn resolve_discard(b: &Broker, rec: &DecodedRecord, log: &Logger) {
    let created = b
        .meta
        .lock()
        .topics
        .create_topic_in_send_back(
            RMQ_SYS_TRANS_CHECK_MAX_TIME_TOPIC,
            1,
            perm::READ | perm::WRITE,
            0,
        )
        .created;
    if created {
        b.topics_changed();
    }
    match put(b, discard_message(rec)).await {
        Ok(_) => info!(log, "half message checked too many times; discarded";
                       "to" => RMQ_SYS_TRANS_CHECK_MAX_TIME_TOPIC, "offset" => rec.queue_offset,
                       "msgId" => property(&rec.properties, PROPERTY_UNIQ_KEY).unwrap_or("")),
        Err(e) => warn!(log, "discard of a half message failed"; "error" => %e),
    }
}

/// `sendCheckMessage`: CHECK_TRANSACTION_STATE (39, oneway) to a producer of the group, about
/// the re-put copy at (`queue_offset`, `phys`).
fn send_check(
    b: &Broker,
    p: &ScanParams,
    rec: &DecodedRecord,
    props: &str,
    queue_offset: i64,
    phys: i64,
    log: &Logger,
) {
    let group = property(props, PROPERTY_PGROUP).unwrap_or_default();
    let body = match check_body(rec, props, queue_offset, phys) {
        Ok(body) => body,
        Err(e) => {
            warn!(log, "check message not sent"; "error" => %e);
            return;
        }
    };
    let ids = b.meta.lock().producers.channel_ids(group);
    let conn = {
        let conns = b.conns.lock();
        let n = ids.len();
        let start = p.rr.fetch_add(1, Ordering::Relaxed);
        (0..n)
            .filter_map(|k| conns.get(&ids[(start + k) % n].0))
            .find(|c| c.is_connected())
            .cloned()
    };
    let Some(conn) = conn else {
        warn!(log, "check transaction failed: no producer online"; "group" => group);
        return;
    };
    let uniq = property(props, PROPERTY_UNIQ_KEY).map(str::to_owned);
    let mut cmd = RemotingCommand::request(request::CHECK_TRANSACTION_STATE).with_body(body);
    cmd.put_ext("tranStateTableOffset", queue_offset);
    cmd.put_ext("commitLogOffset", phys);
    cmd.put_ext_opt("msgId", uniq.as_ref());
    cmd.put_ext_opt("transactionId", uniq.as_ref());
    cmd.put_ext(
        "offsetMsgId",
        crate::store::message::offset_msg_id(&rec.store_host, phys),
    );
    cmd.set_oneway();
    debug!(log, "checking a transaction"; "group" => group, "peer" => %conn.peer(),
           "tranStateTableOffset" => queue_offset);
    conn.send(cmd);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn op_offset_moves_over_contiguous_done_offsets() {
        assert_eq!(calculate_op_offset(&mut [3, 1, 2, 5], 1), 4);
        assert_eq!(calculate_op_offset(&mut [], 7), 7);
        assert_eq!(calculate_op_offset(&mut [8], 7), 7);
    }

    #[test]
    fn discard_after_check_max() {
        let mut p = String::new();
        assert!(!need_discard(&mut p, 2));
        assert_eq!(property(&p, PROPERTY_CHECK_TIMES), Some("1"));
        assert!(!need_discard(&mut p, 2));
        assert_eq!(property(&p, PROPERTY_CHECK_TIMES), Some("2"));
        assert!(need_discard(&mut p, 2));
    }
}
