//! The group views: consumerProgress, consumerConnection, producerConnection, consumerStatus
//! (Java `ConsumerProgressSubCommand`, `ConsumerConnectionSubCommand`,
//! `ProducerConnectionSubCommand`, `ConsumerStatusSubCommand`), and the group lookups of Java's
//! `DefaultMQAdminExtImpl` they share (examineConsumeStats / examineConsumerConnectionInfo).

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::args::{flag, opt, req};
use super::output::{front, human_secs, mq_order};
use super::versions::version_desc;
use super::{AdminError, Command, Ctx};
use crate::client::MqError;
use crate::codec::codes::{request, response};
use crate::codec::RemotingCommand;
use crate::protocol::admin::{ConsumeStats, ConsumerConnection, OffsetWrapper};
use crate::protocol::heartbeat::ConsumeType;
use crate::protocol::message_queue::MessageQueue;
use crate::store::time::now_ms;

pub static CONSUMER_PROGRESS: Command = Command {
    name: "consumerProgress",
    desc: "Query consumers's progress, speed",
    java: "ConsumerProgressSubCommand",
    opts: &[
        opt('g', "groupName", "consumer group name"),
        opt('s', "showClientIP", "Show Client IP per Queue"),
    ],
};

pub static CONSUMER_CONNECTION: Command = Command {
    name: "consumerConnection",
    desc: "Query consumer's socket connection, client version and subscription",
    java: "ConsumerConnectionSubCommand",
    opts: &[
        req('g', "consumerGroup", "consumer group name"),
        opt('b', "brokerAddr", "broker address"),
    ],
};

pub static PRODUCER_CONNECTION: Command = Command {
    name: "producerConnection",
    desc: "Query producer's socket connection and client version",
    java: "ProducerConnectionSubCommand",
    opts: &[
        req('g', "producerGroup", "producer group name"),
        req('t', "topic", "topic name"),
    ],
};

pub static CONSUMER_STATUS: Command = Command {
    name: "consumerStatus",
    desc: "Query consumer's internal data structure",
    java: "ConsumerStatusSubCommand",
    opts: &[
        req('g', "consumerGroup", "consumer group name"),
        opt('i', "clientId", "The consumer's client id"),
        opt('b', "brokerAddr", "broker address"),
        flag('s', "jstack", "Run jstack command in the consumer progress"),
    ],
};

fn not_online(remark: &str) -> AdminError {
    AdminError::Mq(MqError::Response {
        addr: String::new(),
        request: 0,
        code: response::CONSUMER_NOT_ONLINE,
        remark: remark.into(),
    })
}

/// The master addresses serving `%RETRY%group` (where Java looks a group up).
async fn group_masters(c: &Ctx, group: &str) -> Result<Vec<String>, AdminError> {
    let r = super::topic::route(c, &format!("%RETRY%{group}")).await?;
    Ok(r.broker_datas
        .iter()
        .filter_map(|bd| bd.master_addr().map(str::to_owned))
        .collect())
}

/// `examineConsumeStats(group)`: merged over the retry topic's masters; an empty table is
/// Java's CONSUMER_NOT_ONLINE failure.
pub async fn consume_stats(c: &Ctx, group: &str) -> Result<ConsumeStats, AdminError> {
    let mut all = ConsumeStats::default();
    for addr in group_masters(c, group).await? {
        let s = c.admin.consume_stats(&addr, group, None).await?;
        all.consume_tps += s.consume_tps;
        all.offset_table.extend(s.offset_table);
    }
    if all.offset_table.is_empty() {
        return Err(not_online("Not found the consumer group consume stats, because return offset table is empty, maybe the consumer not consume any message"));
    }
    Ok(all)
}

/// `examineConsumerConnectionInfo(group[, addr])`: the first master that knows the group.
pub async fn connections(
    c: &Ctx,
    group: &str,
    addr: Option<&str>,
) -> Result<ConsumerConnection, AdminError> {
    let addrs = match addr {
        Some(a) => vec![a.to_owned()],
        None => group_masters(c, group).await?,
    };
    let mut last = None;
    for a in addrs {
        match c.admin.consumer_connections(&a, group).await {
            Ok(cc) if !cc.connection_set.is_empty() => return Ok(cc),
            Ok(_) => {}
            Err(e) => last = Some(e),
        }
    }
    match last {
        Some(e) => Err(e.into()),
        None => Err(not_online("Not found the consumer group connection")),
    }
}

pub async fn consumer_progress(c: &Ctx, out: &mut String) -> Result<(), AdminError> {
    let show_ip = c.p.bool_of('s').unwrap_or(false);
    let Some(group) = c.p.get('g') else {
        return all_groups(c, out).await;
    };
    let stats = consume_stats(c, group).await?;
    // Java fills #Client IP from each client's running info (307), which our broker does not
    // relay; every queue shows N/A, as Java does when that call fails.
    let owners: BTreeMap<MessageQueue, String> = BTreeMap::new();
    let mut mqs: Vec<(&MessageQueue, &OffsetWrapper)> = stats.offset_table.iter().collect();
    mqs.sort_by(|a, b| mq_order(a.0, b.0));
    if show_ip {
        let _ = writeln!(
            out,
            "{:<64}  {:<32}  {:<4}  {:<20}  {:<20}  {:<20} {:<20}  #LastTime",
            "#Topic",
            "#Broker Name",
            "#QID",
            "#Broker Offset",
            "#Consumer Offset",
            "#Client IP",
            "#Diff"
        );
    } else {
        let _ = writeln!(
            out,
            "{:<64}  {:<32}  {:<4}  {:<20}  {:<20}  {:<20}  #LastTime",
            "#Topic", "#Broker Name", "#QID", "#Broker Offset", "#Consumer Offset", "#Diff"
        );
    }
    let mut diff_total = 0i64;
    for (mq, o) in mqs {
        let diff = o.broker_offset - o.consumer_offset;
        diff_total += diff;
        let last = if o.last_timestamp == 0 {
            "N/A".to_owned()
        } else {
            human_secs(o.last_timestamp)
        };
        let (topic, broker) = (front(&mq.topic, 64), front(&mq.broker_name, 32));
        if show_ip {
            let ip = owners.get(mq).map(String::as_str).unwrap_or("N/A");
            let _ = writeln!(
                out,
                "{topic:<64}  {broker:<32}  {:<4}  {:<20}  {:<20}  {ip:<20} {diff:<20}  {last}",
                mq.queue_id, o.broker_offset, o.consumer_offset
            );
        } else {
            let _ = writeln!(
                out,
                "{topic:<64}  {broker:<32}  {:<4}  {:<20}  {:<20}  {diff:<20}  {last}",
                mq.queue_id, o.broker_offset, o.consumer_offset
            );
        }
    }
    out.push('\n');
    let _ = writeln!(out, "Consume TPS: {:.2}", stats.consume_tps);
    let _ = writeln!(out, "Diff Total: {diff_total}");
    Ok(())
}

/// consumerProgress without `-g`: one row per group that has a `%RETRY%` topic.
async fn all_groups(c: &Ctx, out: &mut String) -> Result<(), AdminError> {
    let _ = writeln!(
        out,
        "{:<64}  {:<6}  {:<24} {:<5}  {:<14}  {:<7}  #Diff Total",
        "#Group", "#Count", "#Version", "#Type", "#Model", "#TPS"
    );
    c.namesrv()?;
    let topics = c.admin.name_server()?.all_topics().await?;
    for t in topics {
        let Some(group) = t.strip_prefix("%RETRY%") else {
            continue;
        };
        let stats = consume_stats(c, group).await.ok();
        let cc = connections(c, group, None).await.ok();
        let tps = stats.as_ref().map(|s| s.consume_tps as i64).unwrap_or(0);
        let diff: i64 = stats
            .as_ref()
            .map(|s| {
                s.offset_table
                    .values()
                    .map(|o| o.broker_offset - o.consumer_offset)
                    .sum()
            })
            .unwrap_or(0);
        let count = cc.as_ref().map(|c| c.connection_set.len()).unwrap_or(0);
        let (version, kind, model) = match cc.as_ref().filter(|_| count > 0) {
            Some(cc) => {
                let min = cc
                    .connection_set
                    .iter()
                    .map(|x| x.version)
                    .min()
                    .unwrap_or(0);
                let push = cc.consume_type == ConsumeType::Passively;
                (
                    version_desc(min).to_owned(),
                    if push { "PUSH" } else { "PULL" },
                    if push { cc.message_model.name() } else { "" },
                )
            }
            None => ("OFFLINE".to_owned(), "", ""),
        };
        let _ = writeln!(
            out,
            "{:<64}  {count:<6}  {version:<24} {kind:<5}  {model:<14}  {tps:<7}  {diff}",
            front(group, 64)
        );
    }
    Ok(())
}

pub async fn consumer_connection(c: &Ctx, out: &mut String) -> Result<(), AdminError> {
    let group = c.p.must('g')?;
    let cc = connections(c, group, c.p.get('b')).await?;
    let _ = writeln!(
        out,
        "{:<36} {:<22} {:<10} #Version",
        "#ClientId", "#ClientAddr", "#Language"
    );
    for conn in &cc.connection_set {
        let _ = writeln!(
            out,
            "{:<36} {:<22} {:<10} {}",
            conn.client_id,
            conn.client_addr,
            conn.language,
            version_desc(conn.version)
        );
    }
    out.push_str("\nBelow is subscription:\n");
    let _ = writeln!(out, "{:<20} #SubExpression", "#Topic");
    for sd in cc.subscription_table.values() {
        let _ = writeln!(out, "{:<20} {}", sd.topic, sd.sub_string);
    }
    out.push('\n');
    let _ = writeln!(out, "ConsumeType: {}", cc.consume_type.name());
    let _ = writeln!(out, "MessageModel: {}", cc.message_model.name());
    let _ = writeln!(out, "ConsumeFromWhere: {}", cc.consume_from_where.name());
    Ok(())
}

pub async fn producer_connection(c: &Ctx, out: &mut String) -> Result<(), AdminError> {
    let group = c.p.must('g')?;
    let topic = c.p.must('t')?;
    let route = super::topic::route(c, topic).await?;
    let mut conns = Vec::new();
    for bd in &route.broker_datas {
        if let Some(addr) = bd.master_addr() {
            let pc = c.admin.producer_connections(addr, group).await?;
            for conn in pc.connection_set {
                if !conns.contains(&conn) {
                    conns.push(conn);
                }
            }
        }
    }
    if conns.is_empty() {
        return Err(not_online("Not found the producer group connection"));
    }
    for (i, conn) in conns.iter().enumerate() {
        let _ = writeln!(
            out,
            "{:04}  {:<32} {:<22} {:<8} {}",
            i + 1,
            conn.client_id,
            conn.client_addr,
            conn.language,
            version_desc(conn.version)
        );
    }
    Ok(())
}

pub async fn consumer_status(c: &Ctx, out: &mut String) -> Result<(), AdminError> {
    let group = c.p.must('g')?;
    let cc = connections(c, group, c.p.get('b')).await?;
    let masters = group_masters(c, group).await?;
    let Some(addr) = masters.first() else {
        return Err(not_online("Not found the consumer group connection"));
    };
    let running_info = |client: &str| {
        let mut cmd = RemotingCommand::request(request::GET_CONSUMER_RUNNING_INFO)
            .with_ext("consumerGroup", group)
            .with_ext("clientId", client);
        cmd.put_ext("jstackEnable", c.p.has('s'));
        cmd
    };
    if let Some(client) = c.p.get('i') {
        let resp = c.admin.call(addr, running_info(client)).await?;
        out.push_str(&String::from_utf8_lossy(&resp.body));
        return Ok(());
    }
    let _ = writeln!(
        out,
        "{:<10} {:<40} {:<20} #ConsumerRunningInfoFile",
        "#Index", "#ClientId", "#Version"
    );
    for (i, conn) in cc.connection_set.iter().enumerate() {
        match c.admin.call(addr, running_info(&conn.client_id)).await {
            Ok(resp) => {
                let dir = format!("{}", now_ms());
                let path = format!("{dir}/{}", conn.client_id);
                std::fs::create_dir_all(&dir).map_err(|e| AdminError::io(&dir, e))?;
                std::fs::write(&path, &resp.body).map_err(|e| AdminError::io(&path, e))?;
                let _ = writeln!(
                    out,
                    "{:<10} {:<40} {:<20} {path}",
                    i + 1,
                    conn.client_id,
                    version_desc(conn.version)
                );
            }
            Err(e) => {
                eprintln!("{}", AdminError::from(e).cause_line());
            }
        }
    }
    Ok(())
}
