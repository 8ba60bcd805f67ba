//! Messages: by topic and store-time range (`GET /api/messages?topic=&begin=&end=`, pulled
//! queue by queue from the offsets SEARCH_OFFSET_BY_TIMESTAMP gives, as rocketmq-dashboard's
//! `queryMessageByTopic`), by key (`/api/messages/key`, QUERY_MESSAGE on every master), by id
//! (`/api/messages/id`: an offsetMsgId is read with VIEW_MESSAGE_BY_ID, a client msgId with
//! the UNIQ_KEY query), sending one (`POST /api/messages`) and CONSUME_MESSAGE_DIRECTLY (309)
//! to one client of a group (`POST /api/messages/consume`).

use actix_web::web;
use serde::Deserialize;

use super::view::MessageView;
use super::{ok, ApiResult, Data};
use crate::client::admin::MessageQuery;
use crate::client::{Message, MessageExt, PullConsumer, PullStatus};
use crate::codec::codes::request::CONSUME_MESSAGE_DIRECTLY;
use crate::codec::RemotingCommand;
use crate::dashboard::ApiError;
use crate::protocol::fastjson::from_lenient_slice;

/// The most messages one by-topic query answers (rocketmq-dashboard stops at 2000 too).
pub const MAX_BY_TOPIC: usize = 2000;
/// The group name the dashboard pulls and sends with.
pub const DASHBOARD_GROUP: &str = "TOOLS_CONSUMER";

#[derive(Deserialize)]
pub struct ByTopic {
    topic: String,
    /// Epoch ms, default 0.
    begin: Option<i64>,
    /// Epoch ms, default now.
    end: Option<i64>,
    /// Default and cap: [`MAX_BY_TOPIC`].
    max: Option<usize>,
}

/// Every message of `topic` stored in `[begin, end]`, newest first, up to `max`.
pub async fn pull_range(
    st: &crate::dashboard::DashState,
    topic: &str,
    begin: i64,
    end: i64,
    max: usize,
) -> Result<Vec<MessageExt>, ApiError> {
    let pc = st.pull_consumer(DASHBOARD_GROUP)?;
    let result = pull_range_with(&pc, &st.admin, topic, begin, end, max).await;
    pc.close();
    result
}

async fn pull_range_with(
    pc: &PullConsumer,
    admin: &crate::client::Admin,
    topic: &str,
    begin: i64,
    end: i64,
    max: usize,
) -> Result<Vec<MessageExt>, ApiError> {
    let mut out = Vec::new();
    for mq in pc.fetch_queues(topic).await? {
        let addr = pc.master_addr(&mq).await?;
        let from = admin
            .search_offset(&addr, topic, mq.queue_id, begin)
            .await?;
        let to = pc.max_offset(&mq).await?;
        let mut offset = from;
        while offset < to && out.len() < max {
            let r = pc.pull(&mq, offset, 32, "*", None).await?;
            if r.next_begin_offset <= offset {
                break;
            }
            offset = r.next_begin_offset;
            match r.status {
                PullStatus::Found => {
                    let mut past_end = false;
                    for m in r.messages {
                        if m.store_timestamp > end {
                            past_end = true;
                        } else if m.store_timestamp >= begin {
                            out.push(m);
                        }
                    }
                    if past_end {
                        break;
                    }
                }
                PullStatus::NoMatchedMsg => continue,
                _ => break,
            }
        }
    }
    out.sort_by_key(|m| std::cmp::Reverse(m.store_timestamp));
    out.truncate(max);
    Ok(out)
}

fn views(msgs: &[MessageExt]) -> Vec<MessageView> {
    msgs.iter().map(MessageView::from).collect()
}

pub async fn by_topic(st: Data, q: web::Query<ByTopic>) -> ApiResult {
    let q = q.into_inner();
    let begin = q.begin.unwrap_or(0);
    let end = q.end.unwrap_or_else(crate::store::time::now_ms);
    let max = q.max.unwrap_or(MAX_BY_TOPIC).min(MAX_BY_TOPIC);
    let msgs = pull_range(&st, &q.topic, begin, end, max).await?;
    ok(&serde_json::json!({ "messages": views(&msgs) }))
}

#[derive(Deserialize)]
pub struct ByKey {
    topic: String,
    key: String,
}

/// QUERY_MESSAGE on every master of the topic's route, results merged.
async fn query_all(st: &Data, q: &MessageQuery) -> Result<Vec<MessageExt>, ApiError> {
    let route = st.admin.name_server()?.topic_route(&q.topic).await?;
    let mut out = Vec::new();
    for bd in &route.broker_datas {
        if let Some(addr) = bd.master_addr() {
            for mut m in st.admin.query_message(addr, q).await? {
                if m.broker_name.is_empty() {
                    m.broker_name = bd.broker_name.clone();
                }
                out.push(m);
            }
        }
    }
    Ok(out)
}

pub async fn by_key(st: Data, q: web::Query<ByKey>) -> ApiResult {
    let msgs = query_all(&st, &MessageQuery::by_key(&q.topic, &q.key)).await?;
    ok(&serde_json::json!({ "messages": views(&msgs) }))
}

#[derive(Deserialize)]
pub struct ById {
    topic: Option<String>,
    id: String,
}

/// The message with `id`: an offsetMsgId (32 hex digits naming the broker) first, else the
/// client's UNIQ_KEY within `topic`.
pub async fn find_by_id(st: &Data, topic: Option<&str>, id: &str) -> Result<MessageExt, ApiError> {
    let id = id.trim();
    if crate::client::msg_id::parse_offset_msg_id(id).is_some() {
        if let Ok(m) = st.admin.view_message(id).await {
            return Ok(m);
        }
    }
    let Some(topic) = topic.filter(|t| !t.is_empty()) else {
        return Err(ApiError::bad(
            "`topic` is needed to find a message by its client msgId",
        ));
    };
    query_all(st, &MessageQuery::by_unique_key(topic, id))
        .await?
        .into_iter()
        .find(|m| m.msg_id == id || m.property("UNIQ_KEY") == Some(id))
        .ok_or_else(|| ApiError::NotFound(format!("no message {id} in topic {topic}")))
}

pub async fn by_id(st: Data, q: web::Query<ById>) -> ApiResult {
    let m = find_by_id(&st, q.topic.as_deref(), &q.id).await?;
    ok(&MessageView::from(&m))
}

#[derive(Deserialize)]
pub struct Send {
    topic: String,
    body: String,
    tags: Option<String>,
    /// Space-separated keys, as mqadmin's `-k`.
    keys: Option<String>,
}

/// Sends `msg` to `topic` with a short-lived producer of the dashboard.
pub async fn send_one(
    st: &crate::dashboard::DashState,
    topic: &str,
    msg: Message,
) -> Result<crate::client::SendResult, ApiError> {
    let producer = st.producer("DASHBOARD_PRODUCER")?;
    producer.start()?;
    let r = producer.send(topic, msg).await;
    producer.shutdown();
    Ok(r?)
}

pub async fn send(st: Data, body: web::Json<Send>) -> ApiResult {
    let req = body.into_inner();
    let mut msg = Message::new(req.body.into_bytes());
    if let Some(t) = req.tags.filter(|t| !t.is_empty()) {
        msg = msg.with_tags(t);
    }
    if let Some(k) = req.keys {
        msg = msg.with_keys(k.split(' ').filter(|s| !s.is_empty()).map(str::to_owned));
    }
    let r = send_one(&st, &req.topic, msg).await?;
    ok(&serde_json::json!({
        "sendStatus": format!("{:?}", r.status),
        "msgId": r.msg_id,
        "offsetMsgId": r.offset_msg_id,
        "brokerName": r.queue.broker_name,
        "queueId": r.queue.queue_id,
        "queueOffset": r.queue_offset,
    }))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConsumeDirectly {
    group: String,
    client_id: String,
    /// The offsetMsgId (names the storing broker).
    msg_id: String,
}

pub async fn consume_directly(st: Data, body: web::Json<ConsumeDirectly>) -> ApiResult {
    let req = body.into_inner();
    let (addr, _) = crate::client::msg_id::parse_offset_msg_id(&req.msg_id)
        .ok_or_else(|| ApiError::bad(format!("`{}` is not an offsetMsgId", req.msg_id)))?;
    let cmd = RemotingCommand::request(CONSUME_MESSAGE_DIRECTLY)
        .with_ext("consumerGroup", &req.group)
        .with_ext("clientId", &req.client_id)
        .with_ext("msgId", &req.msg_id);
    let resp = st.admin.call(&addr, cmd).await?;
    let v: serde_json::Value = from_lenient_slice(&resp.body)
        .map_err(|e| ApiError::bad(format!("cannot read the consumer's answer: {e}")))?;
    ok(&v)
}
