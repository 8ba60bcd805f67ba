//! Moving a group's consume offsets: resetOffsetByTime, skipAccumulatedMessage,
//! cloneGroupOffset (Java `ResetOffsetByTimeCommand`, `SkipAccumulationSubCommand`,
//! `CloneGroupOffsetCommand`). The reset asks each broker to do it (222, which also tells the
//! online consumers, 220); when the group is offline (206) it falls back to Java's "old" way:
//! compute each queue's offset here and write it with UPDATE_CONSUMER_OFFSET.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::args::{flag, opt, req};
use super::output::{front, parse_timestamp};
use super::{AdminError, Command, Ctx};
use crate::codec::codes::response;
use crate::protocol::message_queue::MessageQueue;

pub static RESET_OFFSET_BY_TIME: Command = Command {
    name: "resetOffsetByTime",
    desc: "Reset consumer offset by timestamp(without client restart).",
    java: "ResetOffsetByTimeCommand",
    opts: &[
        req('g', "group", "set the consumer group"),
        req('t', "topic", "set the topic"),
        req(
            's',
            "timestamp",
            "set the timestamp[now|currentTimeMillis|yyyy-MM-dd#HH:mm:ss:SSS]",
        ),
        opt(
            'f',
            "force",
            "set the force rollback by timestamp switch[true|false]",
        ),
        flag('c', "cplus", "reset c++ client offset"),
    ],
};

pub static SKIP_ACCUMULATED_MESSAGE: Command = Command {
    name: "skipAccumulatedMessage",
    desc: "Skip all messages that are accumulated (not consumed) currently",
    java: "SkipAccumulationSubCommand",
    opts: &[
        req('g', "group", "set the consumer group"),
        req('t', "topic", "set the topic"),
        opt(
            'f',
            "force",
            "set the force rollback by timestamp switch[true|false]",
        ),
    ],
};

pub static CLONE_GROUP_OFFSET: Command = Command {
    name: "cloneGroupOffset",
    desc: "clone offset from other group.",
    java: "CloneGroupOffsetCommand",
    opts: &[
        req('s', "srcGroup", "set source consumer group"),
        req('d', "destGroup", "set destination consumer group"),
        req('t', "topic", "set the topic"),
        opt('o', "offline", "the group or the topic is offline"),
    ],
};

/// One row of Java's `RollbackStats`.
struct Rollback {
    mq: MessageQueue,
    broker_offset: i64,
    consumer_offset: i64,
    timestamp_offset: i64,
    rollback_offset: i64,
}

/// `resetOffsetByTimestamp`: 222 on every master of the topic, tables merged. `Ok(None)` when
/// a broker says the group is offline (206).
async fn reset_by_broker(
    c: &Ctx,
    topic: &str,
    group: &str,
    timestamp: i64,
    force: bool,
) -> Result<Option<BTreeMap<MessageQueue, i64>>, AdminError> {
    let route = super::topic::route(c, topic).await?;
    let mut all = BTreeMap::new();
    for bd in &route.broker_datas {
        let Some(addr) = bd.master_addr() else {
            continue;
        };
        match c
            .admin
            .invoke_reset_offset(addr, topic, group, timestamp, force)
            .await
        {
            Ok(t) => all.extend(t),
            Err(e) if e.response_code() == Some(response::CONSUMER_NOT_ONLINE) => return Ok(None),
            Err(e) => return Err(e.into()),
        }
    }
    Ok(Some(all))
}

/// `resetOffsetByTimestampOld`: per master, the group's offsets on `topic` moved to the
/// timestamp's offset (-1 = the max offset), or kept when not `force` and it would go forward.
async fn reset_old(
    c: &Ctx,
    topic: &str,
    group: &str,
    timestamp: i64,
    force: bool,
) -> Result<Vec<Rollback>, AdminError> {
    let route = super::topic::route(c, topic).await?;
    let mut rows = Vec::new();
    for bd in &route.broker_datas {
        let Some(addr) = bd.master_addr() else {
            continue;
        };
        let stats = c.admin.consume_stats(addr, group, Some(topic)).await?;
        let mut consumed = false;
        for (mq, o) in stats
            .offset_table
            .iter()
            .filter(|(mq, _)| mq.topic == topic)
        {
            consumed = true;
            let target = if timestamp == -1 {
                c.admin.max_offset(addr, topic, mq.queue_id).await?
            } else {
                c.admin
                    .search_offset(addr, topic, mq.queue_id, timestamp)
                    .await?
            };
            let mut rollback = o.consumer_offset;
            if force || target <= o.consumer_offset {
                rollback = target;
                c.admin
                    .update_consumer_offset(addr, group, mq, target)
                    .await?;
            }
            rows.push(Rollback {
                mq: mq.clone(),
                broker_offset: o.broker_offset,
                consumer_offset: o.consumer_offset,
                timestamp_offset: target,
                rollback_offset: rollback,
            });
        }
        if !consumed {
            return Err(AdminError::Mq(crate::client::MqError::Response {
                addr: addr.to_owned(),
                request: crate::codec::codes::request::GET_CONSUME_STATS,
                code: response::CONSUMER_NOT_ONLINE,
                remark: "Not found the consumer group consume stats, because return offset table is empty, maybe the consumer not consume any message".into(),
            }));
        }
    }
    Ok(rows)
}

fn print_rollback(out: &mut String, rows: &[Rollback]) {
    let _ = writeln!(
        out,
        "{:<20}  {:<20}  {:<20}  {:<20}  {:<20}  {:<20}",
        "#brokerName",
        "#queueId",
        "#brokerOffset",
        "#consumerOffset",
        "#timestampOffset",
        "#rollbackOffset"
    );
    for r in rows {
        let _ = writeln!(
            out,
            "{:<20}  {:<20}  {:<20}  {:<20}  {:<20}  {:<20}",
            front(&r.mq.broker_name, 32),
            r.mq.queue_id,
            r.broker_offset,
            r.consumer_offset,
            r.timestamp_offset,
            r.rollback_offset
        );
    }
}

fn print_table(out: &mut String, table: &BTreeMap<MessageQueue, i64>) {
    let _ = writeln!(
        out,
        "{:<40}  {:<40}  {:<40}",
        "#brokerName", "#queueId", "#offset"
    );
    for (mq, off) in table {
        let _ = writeln!(
            out,
            "{:<40}  {:<40}  {:<40}",
            front(&mq.broker_name, 32),
            mq.queue_id,
            off
        );
    }
}

fn force_of(c: &Ctx) -> bool {
    c.p.bool_of('f').unwrap_or(true)
}

pub async fn reset_offset_by_time(c: &Ctx, out: &mut String) -> Result<(), AdminError> {
    let group = c.p.must('g')?;
    let topic = c.p.must('t')?;
    let text = c.p.must('s')?;
    let timestamp = if text == "now" {
        -1
    } else {
        parse_timestamp(text)
            .ok_or_else(|| AdminError::Usage(format!("Unparseable date: \"{text}\"")))?
    };
    let force = force_of(c);
    match reset_by_broker(c, topic, group, timestamp, force).await? {
        Some(table) => {
            let _ = writeln!(
                out,
                "rollback consumer offset by specified group[{group}], topic[{topic}], force[{force}], timestamp(string)[{text}], timestamp(long)[{timestamp}]"
            );
            print_table(out, &table);
        }
        None => {
            let rows = reset_old(c, topic, group, timestamp, force).await?;
            let _ = writeln!(
                out,
                "rollback consumer offset by specified consumerGroup[{group}], topic[{topic}], force[{force}], timestamp(string)[{text}], timestamp(long)[{timestamp}]"
            );
            print_rollback(out, &rows);
        }
    }
    Ok(())
}

pub async fn skip_accumulated(c: &Ctx, out: &mut String) -> Result<(), AdminError> {
    let group = c.p.must('g')?;
    let topic = c.p.must('t')?;
    let force = force_of(c);
    match reset_by_broker(c, topic, group, -1, force).await? {
        Some(table) => print_table(out, &table),
        None => {
            let rows = reset_old(c, topic, group, -1, force).await?;
            print_rollback(out, &rows);
        }
    }
    Ok(())
}

pub async fn clone_group_offset(c: &Ctx, out: &mut String) -> Result<(), AdminError> {
    let src = c.p.must('s')?;
    let dest = c.p.must('d')?;
    let topic = c.p.must('t')?;
    let stats = super::group::consume_stats(c, src).await?;
    if !stats.offset_table.is_empty() {
        let route = super::topic::route(c, topic).await?;
        for (mq, o) in &stats.offset_table {
            let addr = route
                .broker_datas
                .iter()
                .find(|bd| bd.broker_name == mq.broker_name)
                .and_then(|bd| bd.master_addr().map(str::to_owned));
            let Some(addr) = addr else {
                continue;
            };
            if o.consumer_offset >= 0 {
                c.admin
                    .update_consumer_offset(&addr, dest, mq, o.consumer_offset)
                    .await?;
            }
        }
    }
    let _ = write!(
        out,
        "clone group offset success. srcGroup[{src}], destGroup=[{dest}], topic[{topic}]"
    );
    Ok(())
}
