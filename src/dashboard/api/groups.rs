//! Consumer groups: `GET /api/groups` (every subscription group of every master with its
//! total lag, consume TPS and online client count, as rocketmq-dashboard's group list),
//! `GET /api/groups/{group}` (lag per queue, clients, subscriptions), `POST /api/groups`
//! (UPDATE_AND_CREATE_SUBSCRIPTIONGROUP on every master), and
//! `POST /api/groups/{group}/reset` (reset offset by time: INVOKE_BROKER_TO_RESET_OFFSET on
//! every master of the topic; for an offline group the offsets are written with
//! UPDATE_CONSUMER_OFFSET, as mqadmin's `resetOffsetByTimestampOld`, also for a group that
//! has no offset on the topic yet).

use std::collections::{BTreeMap, BTreeSet};

use actix_web::web;
use serde::{Deserialize, Serialize};

use super::view::QueueView;
use super::{ok, ApiResult, Data};
use crate::codec::codes::response::CONSUMER_NOT_ONLINE;
use crate::dashboard::ApiError;
use crate::protocol::admin::ConsumerConnection;
use crate::protocol::message_queue::MessageQueue;
use crate::protocol::subscription::SubscriptionGroupConfig;

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct GroupRow {
    group: String,
    system: bool,
    lag: i64,
    consume_tps: f64,
    clients: usize,
    consume_type: Option<String>,
    message_model: Option<String>,
}

/// The group's connection from the first master that knows it online; `None` when offline.
async fn connection(
    st: &Data,
    masters: &BTreeMap<String, String>,
    group: &str,
) -> Option<ConsumerConnection> {
    for addr in masters.values() {
        if let Ok(c) = st.admin.consumer_connections(addr, group).await {
            return Some(c);
        }
    }
    None
}

fn enum_name<T: Serialize>(v: &T) -> Option<String> {
    serde_json::to_value(v)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
}

pub async fn list(st: Data) -> ApiResult {
    let masters = st.masters().await?;
    let mut names = BTreeSet::new();
    for addr in masters.values() {
        names.extend(
            st.admin
                .subscription_groups(addr)
                .await?
                .subscription_group_table
                .into_keys(),
        );
    }
    let mut rows = Vec::new();
    for group in names {
        let (mut lag, mut tps) = (0, 0.0);
        for addr in masters.values() {
            if let Ok(s) = st.admin.consume_stats(addr, &group, None).await {
                tps += s.consume_tps;
                lag += s
                    .offset_table
                    .values()
                    .map(|o| (o.broker_offset - o.consumer_offset).max(0))
                    .sum::<i64>();
            }
        }
        let conn = connection(&st, &masters, &group).await;
        rows.push(GroupRow {
            system: crate::protocol::subscription::is_system_group(&group),
            lag,
            consume_tps: tps,
            clients: conn.as_ref().map_or(0, |c| c.connection_set.len()),
            consume_type: conn.as_ref().and_then(|c| enum_name(&c.consume_type)),
            message_model: conn.as_ref().and_then(|c| enum_name(&c.message_model)),
            group,
        });
    }
    ok(&serde_json::json!({ "groups": rows }))
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct QueueLag {
    #[serde(flatten)]
    queue: QueueView,
    broker_offset: i64,
    consumer_offset: i64,
    lag: i64,
    last_timestamp: i64,
}

pub async fn detail(st: Data, path: web::Path<String>) -> ApiResult {
    let group = path.into_inner();
    let masters = st.masters().await?;
    let mut queues = Vec::new();
    let mut tps = 0.0;
    for addr in masters.values() {
        match st.admin.consume_stats(addr, &group, None).await {
            Ok(s) => {
                tps += s.consume_tps;
                queues.extend(s.offset_table.iter().map(|(mq, o)| QueueLag {
                    queue: mq.into(),
                    broker_offset: o.broker_offset,
                    consumer_offset: o.consumer_offset,
                    lag: (o.broker_offset - o.consumer_offset).max(0),
                    last_timestamp: o.last_timestamp,
                }))
            }
            // A broker that never saw the group answers an error: nothing to show there.
            Err(_) => continue,
        }
    }
    queues.sort_by(|a, b| a.queue.cmp(&b.queue));
    let conn = connection(&st, &masters, &group).await;
    let lag: i64 = queues.iter().map(|q| q.lag).sum();
    let (clients, subscriptions) = match &conn {
        Some(c) => (
            serde_json::to_value(&c.connection_set).unwrap_or_default(),
            serde_json::to_value(&c.subscription_table).unwrap_or_default(),
        ),
        None => (serde_json::json!([]), serde_json::json!({})),
    };
    ok(&serde_json::json!({
        "group": group,
        "online": conn.is_some(),
        "consumeType": conn.as_ref().and_then(|c| enum_name(&c.consume_type)),
        "messageModel": conn.as_ref().and_then(|c| enum_name(&c.message_model)),
        "consumeFromWhere": conn.as_ref().and_then(|c| enum_name(&c.consume_from_where)),
        "consumeTps": tps,
        "lag": lag,
        "queues": queues,
        "clients": clients,
        "subscriptions": subscriptions,
    }))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateGroup {
    group: String,
    #[serde(default)]
    clusters: Vec<String>,
}

pub async fn create(st: Data, body: web::Json<CreateGroup>) -> ApiResult {
    let req = body.into_inner();
    if req.group.trim().is_empty() {
        return Err(ApiError::bad("the group name is empty"));
    }
    let cfg = SubscriptionGroupConfig::new(&req.group);
    let mut done = Vec::new();
    for b in st.brokers().await?.iter().filter(|b| b.broker_id == 0) {
        if req.clusters.is_empty() || req.clusters.contains(&b.cluster) {
            st.admin.create_subscription_group(&b.addr, &cfg).await?;
            done.push(b.broker_name.clone());
        }
    }
    ok(&serde_json::json!({ "group": req.group, "brokers": done }))
}

fn yes() -> bool {
    true
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ResetOffset {
    topic: String,
    /// Epoch milliseconds; -1 = the max offset.
    timestamp: i64,
    #[serde(default = "yes")]
    force: bool,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ResetRow {
    #[serde(flatten)]
    queue: QueueView,
    offset: i64,
}

pub async fn reset(st: Data, path: web::Path<String>, body: web::Json<ResetOffset>) -> ApiResult {
    let group = path.into_inner();
    let req = body.into_inner();
    let route = st.admin.name_server()?.topic_route(&req.topic).await?;
    let mut rows = Vec::new();
    let mut offline = false;
    for bd in &route.broker_datas {
        let Some(addr) = bd.master_addr() else {
            continue;
        };
        let pushed = st
            .admin
            .invoke_reset_offset(addr, &req.topic, &group, req.timestamp, req.force)
            .await;
        let table = match pushed {
            Ok(t) => t,
            Err(e) if e.response_code() == Some(CONSUMER_NOT_ONLINE) || no_offset_yet(&e) => {
                offline = true;
                let read_queues = route
                    .queue_datas
                    .iter()
                    .find(|q| q.broker_name == bd.broker_name)
                    .map_or(0, |q| q.read_queue_nums);
                reset_offline(&st, addr, &bd.broker_name, read_queues, &group, &req).await?
            }
            Err(e) => return Err(e.into()),
        };
        rows.extend(table.iter().map(|(mq, o)| ResetRow {
            queue: mq.into(),
            offset: *o,
        }));
    }
    rows.sort_by(|a, b| a.queue.cmp(&b.queue));
    ok(
        &serde_json::json!({ "group": group, "topic": req.topic, "offline": offline, "queues": rows }),
    )
}

/// Java `Broker2Client.resetOffset`'s answer for a group with no offset on a queue of the
/// topic (SYSTEM_ERROR, "THe consumer group <G> not exist").
fn no_offset_yet(e: &crate::client::MqError) -> bool {
    matches!(e, crate::client::MqError::Response { remark, .. } if remark.contains("consumer group <") && remark.ends_with("not exist"))
}

/// The group is offline: each queue it has an offset on is moved to the timestamp's offset.
/// A group with no offset on the topic yet gets one on every readable queue of `broker`
/// (our extension: Java's `resetOffsetByTimestampOld` refuses that case; docs/dashboard.md).
async fn reset_offline(
    st: &Data,
    addr: &str,
    broker: &str,
    read_queues: i32,
    group: &str,
    req: &ResetOffset,
) -> Result<BTreeMap<MessageQueue, i64>, ApiError> {
    let stats = st.admin.consume_stats(addr, group, Some(&req.topic)).await;
    let mut current: BTreeMap<MessageQueue, i64> = match stats {
        Ok(s) => s
            .offset_table
            .iter()
            .filter(|(mq, _)| mq.topic == req.topic)
            .map(|(mq, o)| (mq.clone(), o.consumer_offset))
            .collect(),
        Err(_) => BTreeMap::new(),
    };
    if current.is_empty() {
        current = (0..read_queues)
            .map(|q| (MessageQueue::new(&req.topic, broker, q), i64::MAX))
            .collect();
    }
    let mut out = BTreeMap::new();
    for (mq, consumer_offset) in current {
        let target = if req.timestamp == -1 {
            st.admin.max_offset(addr, &mq.topic, mq.queue_id).await?
        } else {
            st.admin
                .search_offset(addr, &mq.topic, mq.queue_id, req.timestamp)
                .await?
        };
        let offset = if req.force || target <= consumer_offset {
            st.admin
                .update_consumer_offset(addr, group, &mq, target)
                .await?;
            target
        } else {
            consumer_offset
        };
        out.insert(mq, offset);
    }
    Ok(out)
}
