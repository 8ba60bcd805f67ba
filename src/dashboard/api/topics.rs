//! Topics: `GET /api/topics` (every topic the name servers know, with its kind),
//! `GET /api/topics/{topic}` (route, per-queue min/max offsets from every master, consuming
//! groups), `POST /api/topics` (UPDATE_AND_CREATE_TOPIC on every master of the chosen
//! clusters, as rocketmq-dashboard's `createOrUpdate`), `DELETE /api/topics/{topic}` (the
//! brokers first, then the name servers, as mqadmin's deleteTopic).

use std::collections::BTreeSet;

use actix_web::web;
use serde::{Deserialize, Serialize};

use super::view::QueueView;
use super::{ok, ApiResult, Data};
use crate::dashboard::ApiError;
use crate::protocol::topic::TopicConfig;

/// Topic names the broker keeps for itself (Java `TopicValidator` system topics).
const SYSTEM: &[&str] = &[
    "TBW102",
    "SCHEDULE_TOPIC_XXXX",
    "BenchmarkTest",
    "OFFSET_MOVED_EVENT",
    "SELF_TEST_TOPIC",
    "RMQ_SYS_TRANS_HALF_TOPIC",
    "RMQ_SYS_TRANS_OP_HALF_TOPIC",
    "RMQ_SYS_TRACE_TOPIC",
    "TRANS_CHECK_MAX_TIME_TOPIC",
];

/// `normal`, `retry`, `dlq` or `system` (cluster and broker names are system topics too).
pub fn kind(topic: &str, names: &BTreeSet<String>) -> &'static str {
    if topic.starts_with("%RETRY%") {
        "retry"
    } else if topic.starts_with("%DLQ%") {
        "dlq"
    } else if SYSTEM.contains(&topic) || topic.starts_with("rmq_sys_") || names.contains(topic) {
        "system"
    } else {
        "normal"
    }
}

#[derive(Serialize)]
struct TopicRow {
    topic: String,
    kind: &'static str,
}

pub async fn list(st: Data) -> ApiResult {
    let topics = st.admin.name_server()?.all_topics().await?;
    let info = st.cluster_info().await?;
    let names: BTreeSet<String> = info
        .cluster_addr_table
        .keys()
        .chain(info.broker_addr_table.keys())
        .cloned()
        .collect();
    let rows: Vec<TopicRow> = topics
        .into_iter()
        .map(|t| TopicRow {
            kind: kind(&t, &names),
            topic: t,
        })
        .collect();
    ok(&serde_json::json!({ "topics": rows }))
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct QueueStat {
    #[serde(flatten)]
    queue: QueueView,
    min_offset: i64,
    max_offset: i64,
    last_update_timestamp: i64,
}

pub async fn detail(st: Data, path: web::Path<String>) -> ApiResult {
    let topic = path.into_inner();
    let route = st.admin.name_server()?.topic_route(&topic).await?;
    let mut queues = Vec::new();
    let mut groups = BTreeSet::new();
    let mut errors = Vec::new();
    for bd in &route.broker_datas {
        let Some(addr) = bd.master_addr() else {
            continue;
        };
        match st.admin.topic_stats(addr, &topic).await {
            Ok(t) => queues.extend(t.offset_table.iter().map(|(mq, o)| QueueStat {
                queue: mq.into(),
                min_offset: o.min_offset,
                max_offset: o.max_offset,
                last_update_timestamp: o.last_update_timestamp,
            })),
            Err(e) => errors.push(e.to_string()),
        }
        if let Ok(g) = st.admin.query_topic_consume_by_who(addr, &topic).await {
            groups.extend(g);
        }
    }
    queues.sort_by(|a, b| a.queue.cmp(&b.queue));
    let total: i64 = queues.iter().map(|q| q.max_offset - q.min_offset).sum();
    ok(&serde_json::json!({
        "topic": topic,
        "route": route,
        "queues": queues,
        "messages": total,
        "consumerGroups": groups,
        "errors": errors,
    }))
}

fn default_queues() -> i32 {
    8
}
fn default_perm() -> i32 {
    6
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateTopic {
    topic: String,
    #[serde(default = "default_queues")]
    read_queue_nums: i32,
    #[serde(default = "default_queues")]
    write_queue_nums: i32,
    #[serde(default = "default_perm")]
    perm: i32,
    #[serde(default)]
    order: bool,
    /// Clusters to create it on; empty = every cluster.
    #[serde(default)]
    clusters: Vec<String>,
}

/// Java `TopicValidator.validateTopic`: 1..=127 chars of `[%|a-zA-Z0-9_-]`.
fn validate(topic: &str) -> Result<(), ApiError> {
    let ok_char = |c: char| c.is_ascii_alphanumeric() || "%|_-".contains(c);
    if topic.is_empty() || topic.len() > 127 || !topic.chars().all(ok_char) {
        return Err(ApiError::bad(format!(
            "the topic name `{topic}` is invalid: 1 to 127 characters of [%|a-zA-Z0-9_-]"
        )));
    }
    Ok(())
}

pub async fn create(st: Data, body: web::Json<CreateTopic>) -> ApiResult {
    let req = body.into_inner();
    validate(&req.topic)?;
    if req.read_queue_nums < 1 || req.write_queue_nums < 1 {
        return Err(ApiError::bad("queue counts must be at least 1"));
    }
    let brokers = st.brokers().await?;
    let mut tc = TopicConfig::new(
        &req.topic,
        req.read_queue_nums,
        req.write_queue_nums,
        req.perm,
    );
    tc.order = req.order;
    let mut done = Vec::new();
    for b in brokers.iter().filter(|b| b.broker_id == 0) {
        if !req.clusters.is_empty() && !req.clusters.contains(&b.cluster) {
            continue;
        }
        st.admin.create_topic(&b.addr, &tc).await?;
        done.push(b.broker_name.clone());
    }
    if done.is_empty() {
        return Err(ApiError::bad("no master broker in the chosen clusters"));
    }
    ok(&serde_json::json!({ "topic": req.topic, "brokers": done }))
}

pub async fn delete(st: Data, path: web::Path<String>) -> ApiResult {
    let topic = path.into_inner();
    let route = st.admin.name_server()?.topic_route(&topic).await?;
    let mut done = Vec::new();
    for bd in &route.broker_datas {
        if let Some(addr) = bd.master_addr() {
            st.admin.delete_topic_in_broker(addr, &topic).await?;
            done.push(bd.broker_name.clone());
        }
    }
    st.admin.delete_topic_in_namesrv(&topic, None).await?;
    ok(&serde_json::json!({ "topic": topic, "brokers": done }))
}
