//! The dead-letter queue of a consumer group: `GET /api/dlq?group=G[&begin=&end=]` lists the
//! messages of `%DLQ%G` (pulled as any topic), `POST /api/dlq/resend` sends one of them again
//! to its original topic (the `RETRY_TOPIC` property, else the `REAL_TOPIC` one) with its
//! body, tags, keys and user properties, as rocketmq-dashboard's DLQ resend.

use actix_web::web;
use serde::Deserialize;

use super::messages::{find_by_id, pull_range, send_one, MAX_BY_TOPIC};
use super::view::MessageView;
use super::{ok, ApiResult, Data};
use crate::client::Message;
use crate::dashboard::ApiError;

/// Properties the broker or the client set; not copied onto a resent message.
const SYSTEM_PROPS: &[&str] = &[
    "KEYS",
    "TAGS",
    "UNIQ_KEY",
    "MSG_REGION",
    "TRACE_ON",
    "RETRY_TOPIC",
    "REAL_TOPIC",
    "REAL_QID",
    "ORIGIN_MESSAGE_ID",
    "RECONSUME_TIME",
    "MAX_RECONSUME_TIMES",
    "DELAY",
    "WAIT",
    "CLUSTER",
    "MIN_OFFSET",
    "MAX_OFFSET",
    "CONSUME_START_TIME",
];

pub fn dlq_topic(group: &str) -> String {
    format!("%DLQ%{group}")
}

#[derive(Deserialize)]
pub struct Query {
    group: String,
    begin: Option<i64>,
    end: Option<i64>,
}

pub async fn list(st: Data, q: web::Query<Query>) -> ApiResult {
    let q = q.into_inner();
    let topic = dlq_topic(&q.group);
    let end = q.end.unwrap_or_else(crate::store::time::now_ms);
    let msgs = match pull_range(&st, &topic, q.begin.unwrap_or(0), end, MAX_BY_TOPIC).await {
        Ok(m) => m,
        // No dead letter yet: the broker creates %DLQ%<group> with the first one.
        Err(e) if e.is_not_found() => Vec::new(),
        Err(e) => return Err(e),
    };
    let views: Vec<MessageView> = msgs.iter().map(MessageView::from).collect();
    ok(&serde_json::json!({ "topic": topic, "messages": views }))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Resend {
    group: String,
    /// offsetMsgId or client msgId of the dead message.
    msg_id: String,
}

pub async fn resend(st: Data, body: web::Json<Resend>) -> ApiResult {
    let req = body.into_inner();
    let dead = find_by_id(&st, Some(&dlq_topic(&req.group)), &req.msg_id).await?;
    let target = dead
        .property("RETRY_TOPIC")
        .or_else(|| dead.property("REAL_TOPIC"))
        .map(str::to_owned)
        .filter(|t| !t.starts_with("%DLQ%") && !t.starts_with("%RETRY%"))
        .ok_or_else(|| {
            ApiError::bad(format!(
                "message {} carries no original topic (RETRY_TOPIC)",
                req.msg_id
            ))
        })?;
    let mut msg = Message::new(dead.body.clone()).with_keys(dead.keys.clone());
    if let Some(t) = &dead.tags {
        msg = msg.with_tags(t.clone());
    }
    for (k, v) in dead
        .properties
        .iter()
        .filter(|(k, _)| !SYSTEM_PROPS.contains(&k.as_str()))
    {
        msg = msg.with_property(k.clone(), v.clone());
    }
    let r = send_one(&st, &target, msg).await?;
    ok(&serde_json::json!({
        "topic": target,
        "sendStatus": format!("{:?}", r.status),
        "msgId": r.msg_id,
        "offsetMsgId": r.offset_msg_id,
    }))
}
