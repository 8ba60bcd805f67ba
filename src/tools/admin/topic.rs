//! The read-only topic commands: topicList, topicRoute, topicStatus, topicClusterList (Java
//! `tools.command.topic.*SubCommand`).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use super::args::{flag, req};
use super::output::{front, human_ms, mq_order};
use super::{AdminError, Command, Ctx};
use crate::protocol::admin::{TopicOffset, TopicStatsTable};
use crate::protocol::message_queue::MessageQueue;
use crate::protocol::route::TopicRouteData;

pub static TOPIC_LIST: Command = Command {
    name: "topicList",
    desc: "Fetch all topic list from name server",
    java: "TopicListSubCommand",
    opts: &[flag('c', "clusterModel", "clusterModel")],
};

pub static TOPIC_ROUTE: Command = Command {
    name: "topicRoute",
    desc: "Examine topic route info",
    java: "TopicRouteSubCommand",
    opts: &[
        req('t', "topic", "topic name"),
        flag('l', "list", "Use list format to print data"),
    ],
};

pub static TOPIC_STATUS: Command = Command {
    name: "topicStatus",
    desc: "Examine topic Status info",
    java: "TopicStatusSubCommand",
    opts: &[req('t', "topic", "topic name")],
};

pub static TOPIC_CLUSTER_LIST: Command = Command {
    name: "topicClusterList",
    desc: "get cluster info for topic",
    java: "TopicClusterSubCommand",
    opts: &[req('t', "topic", "topic name")],
};

/// GET_ROUTEINFO_BY_TOPIC from the name server.
pub async fn route(c: &Ctx, topic: &str) -> Result<TopicRouteData, AdminError> {
    c.namesrv()?;
    Ok(c.admin.name_server()?.topic_route(topic).await?)
}

/// Java `DefaultMQAdminExt.examineTopicStats`: every master of the route, offset tables merged.
pub async fn topic_stats(
    c: &Ctx,
    topic: &str,
) -> Result<BTreeMap<MessageQueue, TopicOffset>, AdminError> {
    let r = route(c, topic).await?;
    let mut all = BTreeMap::new();
    for bd in &r.broker_datas {
        if let Some(addr) = bd.master_addr() {
            let t: TopicStatsTable = c.admin.topic_stats(addr, topic).await?;
            all.extend(t.offset_table);
        }
    }
    Ok(all)
}

/// `TopicClusterSubCommand` / `getTopicClusterList`: the clusters holding the topic's brokers.
pub async fn clusters_of_topic(c: &Ctx, topic: &str) -> Result<BTreeSet<String>, AdminError> {
    let info = c.cluster_info().await?;
    let r = route(c, topic).await?;
    let mut out = BTreeSet::new();
    for bd in &r.broker_datas {
        for (cluster, names) in &info.cluster_addr_table {
            if names.contains(&bd.broker_name) {
                out.insert(cluster.clone());
            }
        }
    }
    Ok(out)
}

pub async fn topic_list(c: &Ctx, out: &mut String) -> Result<(), AdminError> {
    c.namesrv()?;
    let topics = c.admin.name_server()?.all_topics().await?;
    if !c.p.has('c') {
        for t in topics {
            let _ = writeln!(out, "{t}");
        }
        return Ok(());
    }
    let info = c.cluster_info().await?;
    let _ = writeln!(
        out,
        "{:<20}  {:<48}  {:<48}",
        "#Cluster Name", "#Topic", "#Consumer Group"
    );
    for t in topics {
        if t.starts_with("%RETRY%") || t.starts_with("%DLQ%") {
            continue;
        }
        let mut cluster = String::new();
        let mut groups = Vec::new();
        if let Ok(r) = route(c, &t).await {
            if let Some(bd) = r.broker_datas.first() {
                cluster = info
                    .cluster_addr_table
                    .iter()
                    .find(|(_, names)| names.contains(&bd.broker_name))
                    .map(|(c, _)| c.clone())
                    .unwrap_or_default();
                if let Some(addr) = bd.master_addr() {
                    groups = c
                        .admin
                        .query_topic_consume_by_who(addr, &t)
                        .await
                        .unwrap_or_default();
                }
            }
        }
        if groups.is_empty() {
            groups.push(String::new());
        }
        for g in groups {
            let _ = writeln!(
                out,
                "{:<20}  {:<64}  {:<64}",
                front(&cluster, 20),
                front(&t, 64),
                front(&g, 64)
            );
        }
    }
    Ok(())
}

pub async fn topic_route(c: &Ctx, out: &mut String) -> Result<(), AdminError> {
    let topic = c.p.must('t')?;
    let r = route(c, topic).await?;
    if !c.p.has('l') {
        let _ = writeln!(out, "{}", pretty_json(&r)?);
        return Ok(());
    }
    let fmt = |o: &mut String, a: &str, b: &str, c: &str, d: &str, e: &str, f: &str| {
        let _ = writeln!(o, "{a:<45} {b:<32} {c:<50} {d:<10} {e:<11} {f:<5}");
    };
    fmt(
        out,
        "#ClusterName",
        "#BrokerName",
        "#BrokerAddrs",
        "#ReadQueue",
        "#WriteQueue",
        "#Perm",
    );
    let queues: BTreeMap<&str, _> = r
        .queue_datas
        .iter()
        .map(|q| (q.broker_name.as_str(), q))
        .collect();
    let mut brokers = r.broker_datas.clone();
    brokers.sort_by(|a, b| a.broker_name.cmp(&b.broker_name));
    let (mut total_r, mut total_w) = (0, 0);
    for bd in &brokers {
        let Some(q) = queues.get(bd.broker_name.as_str()) else {
            continue;
        };
        total_r += q.read_queue_nums;
        total_w += q.write_queue_nums;
        let addrs: Vec<String> = bd
            .broker_addrs
            .iter()
            .map(|(id, a)| format!("{id}={a}"))
            .collect();
        fmt(
            out,
            &bd.cluster,
            &bd.broker_name,
            &format!("{{{}}}", addrs.join(", ")),
            &q.read_queue_nums.to_string(),
            &q.write_queue_nums.to_string(),
            &q.perm.to_string(),
        );
    }
    out.push_str(&"-".repeat(158));
    out.push('\n');
    fmt(
        out,
        "Total:",
        &queues.len().to_string(),
        "",
        &total_r.to_string(),
        &total_w.to_string(),
        "",
    );
    Ok(())
}

/// `TopicRouteData.toJson(true)`: pretty JSON, tab-indented as fastjson's pretty format.
fn pretty_json(r: &TopicRouteData) -> Result<String, AdminError> {
    use serde::Serialize;
    let mut buf = Vec::new();
    let fmt = serde_json::ser::PrettyFormatter::with_indent(b"\t");
    let mut ser = serde_json::Serializer::with_formatter(&mut buf, fmt);
    r.serialize(&mut ser)
        .map_err(|e| AdminError::Failed(format!("cannot print the route: {e}")))?;
    String::from_utf8(buf).map_err(|e| AdminError::Failed(e.to_string()))
}

pub async fn topic_status(c: &Ctx, out: &mut String) -> Result<(), AdminError> {
    let topic = c.p.must('t')?;
    let table = topic_stats(c, topic).await?;
    let mut mqs: Vec<&MessageQueue> = table.keys().collect();
    mqs.sort_by(|a, b| mq_order(a, b));
    let _ = writeln!(
        out,
        "{:<32}  {:<4}  {:<20}  {:<20}    #Last Updated",
        "#Broker Name", "#QID", "#Min Offset", "#Max Offset"
    );
    for mq in mqs {
        let o = &table[mq];
        let when = if o.last_update_timestamp > 0 {
            human_ms(o.last_update_timestamp)
        } else {
            String::new()
        };
        let _ = writeln!(
            out,
            "{:<32}  {:<4}  {:<20}  {:<20}    {}",
            front(&mq.broker_name, 32),
            mq.queue_id,
            o.min_offset,
            o.max_offset,
            when
        );
    }
    Ok(())
}

pub async fn topic_cluster_list(c: &Ctx, out: &mut String) -> Result<(), AdminError> {
    let topic = c.p.must('t')?;
    for cluster in clusters_of_topic(c, topic).await? {
        let _ = writeln!(out, "{cluster}");
    }
    Ok(())
}
