//! The message lookups: queryMsgById, queryMsgByKey, queryMsgByUniqueKey, queryMsgByOffset
//! (Java `QueryMsgByIdSubCommand` and siblings), with the consumer track lines of
//! `DefaultMQAdminExtImpl.messageTrackDetail` after each message.

use std::fmt::Write as _;

use super::args::{flag, opt, req};
use super::output::{message_detail, write_body_file};
use super::{AdminError, Command, Ctx};
use crate::client::admin::MessageQuery;
use crate::client::consumer::PullStatus;
use crate::client::{MessageExt, MqError, PullConsumer};
use crate::codec::codes::response;
use crate::protocol::heartbeat::ConsumeType;
use crate::protocol::message_queue::MessageQueue;

pub static QUERY_MSG_BY_ID: Command = Command {
    name: "queryMsgById",
    desc: "Query Message by Id",
    java: "QueryMsgByIdSubCommand",
    opts: &[
        req('i', "msgId", "Message Id"),
        opt('g', "consumerGroup", "consumer group name"),
        opt('d', "clientId", "The consumer's client id"),
        opt('s', "sendMessage", "resend message"),
        opt('u', "unitName", "unit name"),
    ],
};

pub static QUERY_MSG_BY_KEY: Command = Command {
    name: "queryMsgByKey",
    desc: "Query Message by Key",
    java: "QueryMsgByKeySubCommand",
    opts: &[
        req('t', "topic", "topic name"),
        req('k', "msgKey", "Message Key"),
    ],
};

pub static QUERY_MSG_BY_UNIQUE_KEY: Command = Command {
    name: "queryMsgByUniqueKey",
    desc: "Query Message by Unique key",
    java: "QueryMsgByUniqueKeySubCommand",
    opts: &[
        req('i', "msgId", "Message Id"),
        opt('g', "consumerGroup", "consumer group name"),
        opt('d', "clientId", "The consumer's client id"),
        req('t', "topic", "The topic of msg"),
        flag('a', "showAll", "Print all message, the limit is 32"),
    ],
};

pub static QUERY_MSG_BY_OFFSET: Command = Command {
    name: "queryMsgByOffset",
    desc: "Query Message by offset",
    java: "QueryMsgByOffsetSubCommand",
    opts: &[
        req('t', "topic", "topic name"),
        req('b', "brokerName", "Broker Name"),
        req('i', "queueId", "Queue Id"),
        req('o', "offset", "Queue Offset"),
    ],
};

/// What `messageTrackDetail` says about one consumer group of the message's topic.
async fn track_lines(c: &Ctx, msg: &MessageExt) -> String {
    let mut out = String::new();
    let mut groups = Vec::new();
    if let Ok(route) = super::topic::route(c, &msg.topic).await {
        for bd in &route.broker_datas {
            if let Some(addr) = bd.master_addr() {
                if let Ok(g) = c.admin.query_topic_consume_by_who(addr, &msg.topic).await {
                    for x in g {
                        if !groups.contains(&x) {
                            groups.push(x);
                        }
                    }
                }
            }
        }
    }
    if groups.is_empty() {
        out.push_str("\n\nWARN: No Consumer");
        return out;
    }
    out.push_str("\n\n");
    for g in groups {
        let (kind, desc) = match super::group::connections(c, &g, None).await {
            Err(e) => {
                let kind = if code_of(&e) == Some(response::CONSUMER_NOT_ONLINE) {
                    "NOT_ONLINE"
                } else {
                    "UNKNOWN"
                };
                (kind, java_desc(&e))
            }
            Ok(cc) if cc.consume_type == ConsumeType::Actively => ("PULL", "null".to_owned()),
            Ok(cc) => match super::group::consume_stats(c, &g).await {
                Err(e) => ("NOT_ONLINE", java_desc(&e)),
                Ok(stats) => {
                    let consumed = stats.offset_table.iter().any(|(mq, o)| {
                        mq.topic == msg.topic
                            && mq.queue_id == msg.queue_id
                            && (msg.broker_name.is_empty() || mq.broker_name == msg.broker_name)
                            && o.consumer_offset > msg.queue_offset
                    });
                    let filtered = cc.subscription_table.get(&msg.topic).is_some_and(|sd| {
                        let tag = msg.tags.clone().unwrap_or_default();
                        !(sd.tags_set.is_empty()
                            || sd.tags_set.contains("*")
                            || sd.tags_set.contains(&tag))
                    });
                    match (consumed, filtered) {
                        (true, true) => ("CONSUMED_BUT_FILTERED", "null".to_owned()),
                        (true, false) => ("CONSUMED", "null".to_owned()),
                        _ => ("NOT_CONSUME_YET", "null".to_owned()),
                    }
                }
            },
        };
        let _ = write!(
            out,
            "MessageTrack [consumerGroup={g}, trackType={kind}, exceptionDesc={desc}]"
        );
    }
    out
}

fn code_of(e: &AdminError) -> Option<i32> {
    match e {
        AdminError::Mq(m) => m.response_code(),
        _ => None,
    }
}

fn java_desc(e: &AdminError) -> String {
    match e {
        AdminError::Mq(MqError::Response { code, remark, .. }) => {
            format!("CODE:{code} DESC:{remark}")
        }
        other => other.to_string(),
    }
}

/// `QueryMsgByIdSubCommand.printMsg`.
async fn print_msg(c: &Ctx, msg: &MessageExt, out: &mut String) -> Result<(), AdminError> {
    let path = write_body_file(msg, 0).map_err(|e| AdminError::io("/tmp/rocketmq/msgbodys", e))?;
    out.push_str(&message_detail(msg, &path, true));
    out.push_str(&track_lines(c, msg).await);
    Ok(())
}

/// `-g -d`: CONSUME_MESSAGE_DIRECTLY (309) through the storing broker to one consumer, which
/// runs its listener on the message; prints Java's `ConsumeMessageDirectlyResult [...]`.
async fn consume_directly(
    c: &Ctx,
    group: &str,
    client: &str,
    id: &str,
    out: &mut String,
) -> Result<(), AdminError> {
    let (addr, _) = crate::client::msg_id::parse_offset_msg_id(id)
        .ok_or_else(|| AdminError::Usage(format!("`{id}` is not an offsetMsgId")))?;
    let cmd = crate::codec::RemotingCommand::request(
        crate::codec::codes::request::CONSUME_MESSAGE_DIRECTLY,
    )
    .with_ext("consumerGroup", group)
    .with_ext("clientId", client)
    .with_ext("msgId", id);
    let resp = c.admin.call(&addr, cmd).await?;
    let v: serde_json::Value = crate::protocol::fastjson::from_lenient_slice(&resp.body)
        .map_err(|e| AdminError::Failed(format!("cannot read the consumer's answer: {e}")))?;
    let f = |k: &str| match &v[k] {
        serde_json::Value::Null => "null".to_owned(),
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    let _ = write!(
        out,
        "ConsumeMessageDirectlyResult [order={}, autoCommit={}, consumeResult={}, remark={}, spentTimeMills={}]",
        f("order"),
        f("autoCommit"),
        f("consumeResult"),
        f("remark"),
        f("spentTimeMills")
    );
    Ok(())
}

pub async fn query_by_id(c: &Ctx, out: &mut String) -> Result<(), AdminError> {
    let ids = c.p.must('i')?.to_owned();
    let direct = c.p.get('g').zip(c.p.get('d'));
    for id in ids.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        if let Some((group, client)) = direct {
            if let Err(e) = consume_directly(c, group, client, id, out).await {
                // Java's pushMsg prints the failure and goes on with the next id.
                eprintln!("{}", e.cause_line());
            }
            continue;
        }
        let mut msg = c.admin.view_message(id).await?;
        if msg.broker_name.is_empty() {
            msg.broker_name = broker_name_of(c, &msg).await.unwrap_or_default();
        }
        print_msg(c, &msg, out).await?;
    }
    Ok(())
}

/// The broker name whose address stored `msg` (from the cluster info).
async fn broker_name_of(c: &Ctx, msg: &MessageExt) -> Option<String> {
    let info = c.cluster_info().await.ok()?;
    let host = msg.store_host.to_string();
    info.broker_addr_table
        .values()
        .find(|bd| bd.broker_addrs.values().any(|a| *a == host))
        .map(|bd| bd.broker_name.clone())
}

/// `queryMessage` over every broker of the topic (master address), results merged.
async fn query_all(c: &Ctx, q: &MessageQuery) -> Result<Vec<MessageExt>, AdminError> {
    let route = super::topic::route(c, &q.topic).await?;
    let mut all = Vec::new();
    for bd in &route.broker_datas {
        let Some(addr) = bd.master_addr() else {
            continue;
        };
        let mut found = c.admin.query_message(addr, q).await?;
        for m in &mut found {
            m.broker_name = bd.broker_name.clone();
        }
        all.extend(found);
    }
    Ok(all)
}

pub async fn query_by_key(c: &Ctx, out: &mut String) -> Result<(), AdminError> {
    let topic = c.p.must('t')?;
    let key = c.p.must('k')?;
    let found = query_all(c, &MessageQuery::by_key(topic, key)).await?;
    let _ = writeln!(out, "{:<50} {:>4} {:>40}", "#Message ID", "#QID", "#Offset");
    for m in found {
        let _ = writeln!(
            out,
            "{:<50} {:>4} {:>40}",
            m.msg_id, m.queue_id, m.queue_offset
        );
    }
    Ok(())
}

pub async fn query_by_unique_key(c: &Ctx, out: &mut String) -> Result<(), AdminError> {
    let topic = c.p.must('t')?;
    let id = c.p.must('i')?;
    let mut q = MessageQuery::by_unique_key(topic, id);
    q.max_num = 32;
    let mut found = query_all(c, &q).await?;
    found.retain(|m| m.msg_id == id);
    found.sort_by_key(|m| m.store_timestamp);
    let n = if c.p.has('a') {
        found.len()
    } else {
        found.len().min(1)
    };
    for (i, msg) in found.iter().take(n).enumerate() {
        let path =
            write_body_file(msg, i).map_err(|e| AdminError::io("/tmp/rocketmq/msgbodys", e))?;
        out.push_str(&message_detail(msg, &path, false));
        out.push_str(&track_lines(c, msg).await);
    }
    Ok(())
}

pub async fn query_by_offset(c: &Ctx, out: &mut String) -> Result<(), AdminError> {
    let topic = c.p.must('t')?;
    let broker = c.p.must('b')?;
    let queue_id: i32 = c.p.num('i')?.unwrap_or(0);
    let offset: i64 = c.p.num('o')?.unwrap_or(0);
    let consumer = PullConsumer::new(c.namesrv()?, "TOOLS_CONSUMER")?;
    let mq = MessageQueue::new(topic, broker, queue_id);
    consumer.routes().get(topic).await?;
    let r = consumer.pull(&mq, offset, 1, "*", None).await;
    consumer.close();
    let r = r?;
    if r.status == PullStatus::Found {
        if let Some(mut msg) = r.messages.into_iter().next() {
            msg.broker_name = broker.to_owned();
            print_msg(c, &msg, out).await?;
        }
    }
    Ok(())
}
