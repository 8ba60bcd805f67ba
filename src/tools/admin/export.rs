//! Cluster-wide summaries: statsAll (Java `StatsAllSubCommand`: per topic and group, the
//! accumulation and the broker stats windows of VIEW_BROKER_STATS_DATA) and exportMetadata
//! (Java `ExportMetadataCommand`: the user topics and groups of the masters as JSON files).

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde::Serialize;

use super::args::{flag, opt, usage};
use super::output::front;
use super::{AdminError, Command, Ctx};
use crate::client::StatsData;
use crate::protocol::subscription::SubscriptionGroupConfig;
use crate::protocol::topic::TopicConfig;

pub static STATS_ALL: Command = Command {
    name: "statsAll",
    desc: "Topic and Consumer tps stats",
    java: "StatsAllSubCommand",
    opts: &[
        flag('a', "activeTopic", "print active topic only"),
        opt('t', "topic", "print select topic only"),
    ],
};

pub static EXPORT_METADATA: Command = Command {
    name: "exportMetadata",
    desc: "export metadata",
    java: "ExportMetadataCommand",
    opts: &[
        opt('c', "clusterName", "choose a cluster to export"),
        opt('b', "brokerAddr", "choose a broker to export"),
        opt(
            'f',
            "filePath",
            "export metadata.json path | default /tmp/rocketmq/export",
        ),
        flag('t', "topic", "only export topic metadata"),
        flag(
            'g',
            "subscriptionGroup",
            "only export subscriptionGroup metadata",
        ),
        flag('s', "specialTopic", "need retryTopic and dlqTopic"),
    ],
};

/// Java `StatsAllSubCommand.compute24HourSum`.
fn day_sum(s: &StatsData) -> i64 {
    [s.stats_day.sum, s.stats_hour.sum, s.stats_minute.sum]
        .into_iter()
        .find(|v| *v != 0)
        .unwrap_or(0)
}

async fn topic_detail(c: &Ctx, topic: &str, active: bool, out: &mut String) {
    let Ok(route) = super::topic::route(c, topic).await else {
        return;
    };
    let masters: Vec<String> = route
        .broker_datas
        .iter()
        .filter_map(|bd| bd.master_addr().map(str::to_owned))
        .collect();
    let mut groups: Vec<String> = Vec::new();
    let (mut in_tps, mut in_day) = (0.0, 0i64);
    for addr in &masters {
        if let Ok(g) = c.admin.query_topic_consume_by_who(addr, topic).await {
            for x in g {
                if !groups.contains(&x) {
                    groups.push(x);
                }
            }
        }
        if let Ok(s) = c
            .admin
            .view_broker_stats(addr, "TOPIC_PUT_NUMS", topic)
            .await
        {
            in_tps += s.stats_minute.tps;
            in_day += day_sum(&s);
        }
    }
    if groups.is_empty() {
        if !active || in_day > 0 {
            let _ = writeln!(
                out,
                "{:<64}  {:<64} {:>12} {:>11.2} {:>11} {:>14} {:>14}",
                front(topic, 64),
                "",
                0,
                in_tps,
                "",
                in_day,
                "NO_CONSUMER"
            );
        }
        return;
    }
    for g in groups {
        let (mut out_tps, mut out_day, mut accumulate) = (0.0, 0i64, 0i64);
        for addr in &masters {
            let key = format!("{topic}@{g}");
            if let Ok(s) = c
                .admin
                .view_broker_stats(addr, "GROUP_GET_NUMS", &key)
                .await
            {
                out_tps += s.stats_minute.tps;
                out_day += day_sum(&s);
            }
            if let Ok(cs) = c.admin.consume_stats(addr, &g, Some(topic)).await {
                accumulate += cs
                    .offset_table
                    .values()
                    .map(|o| o.broker_offset - o.consumer_offset)
                    .sum::<i64>();
            }
        }
        if !active || in_day > 0 || out_day > 0 {
            let _ = writeln!(
                out,
                "{:<64}  {:<64} {:>12} {:>11.2} {:>11.2} {:>14} {:>14}",
                front(topic, 64),
                front(&g, 64),
                accumulate.max(0),
                in_tps,
                out_tps,
                in_day,
                out_day
            );
        }
    }
}

pub async fn stats_all(c: &Ctx, out: &mut String) -> Result<(), AdminError> {
    c.namesrv()?;
    let topics = c.admin.name_server()?.all_topics().await?;
    let _ = writeln!(
        out,
        "{:<64}  {:<64} {:>12} {:>11} {:>11} {:>14} {:>14}",
        "#Topic",
        "#Consumer Group",
        "#Accumulation",
        "#InTPS",
        "#OutTPS",
        "#InMsg24Hour",
        "#OutMsg24Hour"
    );
    let only = c.p.get('t').filter(|t| !t.is_empty());
    for t in topics {
        if t.starts_with("%RETRY%") || t.starts_with("%DLQ%") {
            continue;
        }
        if only.is_some_and(|o| o != t) {
            continue;
        }
        topic_detail(c, &t, c.p.has('a'), out).await;
    }
    Ok(())
}

/// `getUserTopicConfig`: the broker's topics minus its system topics (and minus retry/DLQ
/// topics unless `special`).
async fn user_topics(
    c: &Ctx,
    addr: &str,
    special: bool,
) -> Result<BTreeMap<String, TopicConfig>, AdminError> {
    let all = c.admin.get_all_topic_config(addr).await?;
    let system = c.admin.system_topics(addr).await?;
    Ok(all
        .topic_config_table
        .into_iter()
        .filter(|(t, _)| {
            !system.contains(t)
                && (special || !(t.starts_with("%RETRY%") || t.starts_with("%DLQ%")))
        })
        .collect())
}

/// `getUserSubscriptionGroup`: the broker's groups minus the system ones.
async fn user_groups(
    c: &Ctx,
    addr: &str,
) -> Result<BTreeMap<String, SubscriptionGroupConfig>, AdminError> {
    let all = c.admin.subscription_groups(addr).await?;
    Ok(all
        .subscription_group_table
        .into_iter()
        .filter(|(g, _)| !crate::protocol::subscription::is_system_group(g))
        .collect())
}

/// `JSON.toJSONString(value, true)`: pretty, tab-indented.
fn pretty<T: Serialize>(v: &T) -> Result<String, AdminError> {
    let mut buf = Vec::new();
    let fmt = serde_json::ser::PrettyFormatter::with_indent(b"\t");
    let mut ser = serde_json::Serializer::with_formatter(&mut buf, fmt);
    v.serialize(&mut ser)
        .map_err(|e| AdminError::Failed(format!("cannot encode the export: {e}")))?;
    String::from_utf8(buf).map_err(|e| AdminError::Failed(e.to_string()))
}

fn write_file(path: &str, text: &str) -> Result<(), AdminError> {
    if let Some(dir) = std::path::Path::new(path).parent() {
        std::fs::create_dir_all(dir).map_err(|e| AdminError::io(dir.display().to_string(), e))?;
    }
    std::fs::write(path, text).map_err(|e| AdminError::io(path, e))
}

pub async fn export_metadata(c: &Ctx, out: &mut String) -> Result<(), AdminError> {
    let dir = c.p.get('f').unwrap_or("/tmp/rocketmq/export").to_owned();
    let special = c.p.has('s');
    if let Some(addr) = c.p.get('b') {
        if c.p.has('t') {
            let path = format!("{dir}/topic.json");
            let all = c.admin.get_all_topic_config(addr).await?;
            let kept = user_topics(c, addr, special).await?;
            let body = serde_json::json!({
                "dataVersion": all.data_version,
                "topicConfigTable": kept,
            });
            write_file(&path, &pretty(&body)?)?;
            let _ = write!(out, "export {path} success");
        } else if c.p.has('g') {
            let path = format!("{dir}/subscriptionGroup.json");
            let all = c.admin.subscription_groups(addr).await?;
            let kept = user_groups(c, addr).await?;
            let body = serde_json::json!({
                "dataVersion": all.data_version,
                "subscriptionGroupTable": kept,
            });
            write_file(&path, &pretty(&body)?)?;
            let _ = write!(out, "export {path} success");
        }
        return Ok(());
    }
    let Some(cluster) = c.p.get('c') else {
        out.push_str(&usage(EXPORT_METADATA.name, EXPORT_METADATA.opts));
        return Ok(());
    };
    let mut topics: BTreeMap<String, TopicConfig> = BTreeMap::new();
    let mut groups: BTreeMap<String, SubscriptionGroupConfig> = BTreeMap::new();
    for addr in c.masters_of(cluster, out).await? {
        for (name, mut tc) in user_topics(c, &addr, special).await? {
            if let Some(prev) = topics.get(&name) {
                tc.write_queue_nums += prev.write_queue_nums;
                tc.read_queue_nums += prev.read_queue_nums;
            }
            topics.insert(name, tc);
        }
        for (name, mut g) in user_groups(c, &addr).await? {
            if let Some(prev) = groups.get(&name) {
                g.retry_queue_nums += prev.retry_queue_nums;
            }
            groups.insert(name, g);
        }
    }
    let mut result = serde_json::Map::new();
    let name = if c.p.has('t') {
        result.insert("topicConfigTable".into(), serde_json::json!(topics));
        "topic.json"
    } else if c.p.has('g') {
        result.insert("subscriptionGroupTable".into(), serde_json::json!(groups));
        "subscriptionGroup.json"
    } else {
        result.insert("topicConfigTable".into(), serde_json::json!(topics));
        result.insert("subscriptionGroupTable".into(), serde_json::json!(groups));
        "metadata.json"
    };
    let now = crate::store::time::now_ms();
    result.insert("exportTime".into(), serde_json::json!(now));
    let path = format!("{dir}/{name}");
    write_file(&path, &pretty(&result)?)?;
    let _ = writeln!(out, "export {path} success");
    Ok(())
}
