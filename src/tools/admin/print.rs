//! Reading and writing message bodies from the command line: printMsg, sendMessage,
//! consumeMessage (Java `PrintMessageSubCommand`, `SendMessageCommand`,
//! `ConsumeMessageCommand`), on the project's pull consumer and producer.

use std::fmt::Write as _;

use super::args::{opt, req};
use super::output::{message_ext_string, mq_order, mq_string, parse_timestamp};
use super::{AdminError, Command, Ctx};
use crate::client::consumer::PullStatus;
use crate::client::{Message, MessageExt, Producer, PullConsumer, SendStatus};
use crate::protocol::message_queue::MessageQueue;

pub static PRINT_MSG: Command = Command {
    name: "printMsg",
    desc: "Print Message Detail",
    java: "PrintMessageSubCommand",
    opts: &[
        req('t', "topic", "topic name"),
        opt('c', "charsetName", "CharsetName(eg: UTF-8,GBK)"),
        opt(
            's',
            "subExpression",
            "Subscribe Expression(eg: TagA || TagB)",
        ),
        opt(
            'b',
            "beginTimestamp",
            "Begin timestamp[currentTimeMillis|yyyy-MM-dd#HH:mm:ss:SSS]",
        ),
        opt(
            'e',
            "endTimestamp",
            "End timestamp[currentTimeMillis|yyyy-MM-dd#HH:mm:ss:SSS]",
        ),
        opt('d', "printBody", "print body"),
    ],
};

pub static SEND_MESSAGE: Command = Command {
    name: "sendMessage",
    desc: "Send a message",
    java: "SendMessageCommand",
    opts: &[
        req('t', "topic", "Topic name"),
        req('p', "body", "UTF-8 string format of the message body"),
        opt('k', "key", "Message keys"),
        opt('c', "tags", "Message tags"),
        opt('b', "broker", "Send message to target broker"),
        opt('i', "qid", "Send message to target queue"),
        opt(
            'm',
            "msgTraceEnable",
            "Message Trace Enable, Default: false",
        ),
    ],
};

pub static CONSUME_MESSAGE: Command = Command {
    name: "consumeMessage",
    desc: "Consume message",
    java: "ConsumeMessageCommand",
    opts: &[
        req('t', "topic", "Topic name"),
        opt('b', "brokerName", "Broker name"),
        opt('i', "queueId", "Queue Id"),
        opt('o', "offset", "Queue offset"),
        opt('g', "consumerGroup", "Consumer group name"),
        opt(
            's',
            "beginTimestamp",
            "Begin timestamp formatted as yyyy-MM-dd#HH:mm:ss:SSS",
        ),
        opt(
            'e',
            "endTimestamp",
            "End timestamp formatted as yyyy-MM-dd#HH:mm:ss:SSS",
        ),
        opt('c', "MessageNumber", "Number of message to be consumed"),
    ],
};

fn timestamp(c: &Ctx, opt: char) -> Result<Option<i64>, AdminError> {
    match c.p.get(opt) {
        None => Ok(None),
        Some(v) => parse_timestamp(v)
            .map(Some)
            .ok_or_else(|| AdminError::Usage(format!("Unparseable date: \"{v}\""))),
    }
}

/// SEARCH_OFFSET_BY_TIMESTAMP on the queue's master.
async fn search(c: &Ctx, pc: &PullConsumer, mq: &MessageQueue, ts: i64) -> Result<i64, AdminError> {
    let addr = pc.master_addr(mq).await?;
    Ok(c.admin
        .search_offset(&addr, &mq.topic, mq.queue_id, ts)
        .await?)
}

fn status_name(s: PullStatus) -> &'static str {
    match s {
        PullStatus::Found => "FOUND",
        PullStatus::NoNewMsg => "NO_NEW_MSG",
        PullStatus::NoMatchedMsg => "NO_MATCHED_MSG",
        PullStatus::OffsetIllegal => "OFFSET_ILLEGAL",
    }
}

fn print_messages(out: &mut String, msgs: &[MessageExt], body: bool) {
    for m in msgs {
        let b = if body {
            String::from_utf8_lossy(&m.body).into_owned()
        } else {
            "NOT PRINT BODY".to_owned()
        };
        let _ = writeln!(
            out,
            "MSGID: {} {} BODY: {b}",
            m.msg_id,
            message_ext_string(m)
        );
    }
}

async fn sorted_queues(pc: &PullConsumer, topic: &str) -> Result<Vec<MessageQueue>, AdminError> {
    let mut mqs = pc.fetch_queues(topic).await?;
    mqs.sort_by(mq_order);
    Ok(mqs)
}

pub async fn print_msg(c: &Ctx, out: &mut String) -> Result<(), AdminError> {
    let topic = c.p.must('t')?;
    let sub = c.p.get('s').unwrap_or("*").to_owned();
    let body = c.p.bool_of('d').unwrap_or(true);
    let (begin, end) = (timestamp(c, 'b')?, timestamp(c, 'e')?);
    let pc = PullConsumer::new(c.namesrv()?, "TOOLS_CONSUMER")?;
    for mq in sorted_queues(&pc, topic).await? {
        let mut min = pc.min_offset(&mq).await?;
        let mut max = pc.max_offset(&mq).await?;
        if let Some(b) = begin {
            min = search(c, &pc, &mq, b).await?;
        }
        if let Some(e) = end {
            max = search(c, &pc, &mq, e).await?;
        }
        let _ = writeln!(out, "minOffset={min}, maxOffset={max}, {}", mq_string(&mq));
        let mut offset = min;
        while offset < max {
            let r = match pc.pull(&mq, offset, 32, &sub, None).await {
                Ok(r) => r,
                Err(e) => {
                    eprintln!("{e}");
                    break;
                }
            };
            offset = r.next_begin_offset;
            match r.status {
                PullStatus::Found => print_messages(out, &r.messages, body),
                PullStatus::NoMatchedMsg => {
                    let _ = writeln!(
                        out,
                        "{} no matched msg. status={}, offset={offset}",
                        mq_string(&mq),
                        status_name(r.status)
                    );
                }
                _ => {
                    let _ = writeln!(
                        out,
                        "{} print msg finished. status={}, offset={offset}",
                        mq_string(&mq),
                        status_name(r.status)
                    );
                    break;
                }
            }
        }
        out.push_str("--------------------------------------------------------\n");
    }
    pc.close();
    Ok(())
}

pub async fn send_message(c: &Ctx, out: &mut String) -> Result<(), AdminError> {
    let topic = c.p.must('t')?;
    let mut msg = Message::new(c.p.must('p')?.as_bytes().to_vec());
    if let Some(k) = c.p.get('k') {
        msg = msg.with_keys(k.split(' ').filter(|s| !s.is_empty()));
    }
    if let Some(t) = c.p.get('c') {
        msg = msg.with_tags(t);
    }
    let broker = c.p.get('b');
    let qid: Option<i32> = c.p.num('i')?;
    if qid.is_some() && broker.is_none() {
        out.push_str("Broker name must be set if the queue is chosen!");
        return Ok(());
    }
    let producer = Producer::new(c.namesrv()?, "PID_SMSC")?;
    producer.start()?;
    let result = match (broker, qid) {
        (Some(b), Some(q)) => {
            producer
                .send_to_queue(&MessageQueue::new(topic, b, q), msg)
                .await
        }
        _ => producer.send(topic, msg).await,
    };
    producer.shutdown();
    let r = result?;
    let row = |o: &mut String, a: &str, b: &str, c: &str, d: &str| {
        let _ = writeln!(o, "{a:<32}  {b:<4}  {c:<20}    {d}");
    };
    row(out, "#Broker Name", "#QID", "#Send Result", "#MsgId");
    let status = match r.status {
        SendStatus::SendOk => "SEND_OK",
        SendStatus::FlushDiskTimeout => "FLUSH_DISK_TIMEOUT",
        SendStatus::FlushSlaveTimeout => "FLUSH_SLAVE_TIMEOUT",
        SendStatus::SlaveNotAvailable => "SLAVE_NOT_AVAILABLE",
    };
    row(
        out,
        &r.queue.broker_name,
        &r.queue.queue_id.to_string(),
        status,
        &r.msg_id,
    );
    Ok(())
}

/// `ConsumeMessageCommand.pullMessageByQueue`: offsets `min..=max` of one queue.
async fn pull_queue(pc: &PullConsumer, mq: &MessageQueue, min: i64, max: i64, out: &mut String) {
    let mut offset = min;
    while offset <= max {
        let n = i32::try_from(max - offset + 1).unwrap_or(i32::MAX).min(32);
        let r = match pc.pull(mq, offset, n, "*", None).await {
            Ok(r) => r,
            Err(e) => {
                eprintln!("{e}");
                return;
            }
        };
        offset = r.next_begin_offset;
        match r.status {
            PullStatus::Found => {
                out.push_str("Consume ok\n");
                let keep: Vec<MessageExt> = r
                    .messages
                    .into_iter()
                    .filter(|m| m.queue_offset <= max)
                    .collect();
                print_messages(out, &keep, true);
            }
            PullStatus::NoMatchedMsg => {
                let _ = writeln!(
                    out,
                    "{} no matched msg. status={}, offset={offset}",
                    mq_string(mq),
                    status_name(r.status)
                );
            }
            _ => {
                let _ = writeln!(
                    out,
                    "{} print msg finished. status={}, offset={offset}",
                    mq_string(mq),
                    status_name(r.status)
                );
                return;
            }
        }
    }
}

/// A queue's offset range, narrowed by the begin/end timestamps when given.
async fn bounds(
    c: &Ctx,
    pc: &PullConsumer,
    mq: MessageQueue,
    begin: Option<i64>,
    end: Option<i64>,
) -> Result<(MessageQueue, i64, i64), AdminError> {
    let mut min = pc.min_offset(&mq).await?;
    let mut max = pc.max_offset(&mq).await?;
    if let Some(b) = begin {
        min = search(c, pc, &mq, b).await?;
    }
    if let Some(e) = end {
        max = search(c, pc, &mq, e).await?;
    }
    Ok((mq, min, max))
}

pub async fn consume_message(c: &Ctx, out: &mut String) -> Result<(), AdminError> {
    let topic = c.p.must('t')?;
    let count: i64 = c.p.num('c')?.unwrap_or(128);
    let group = c.p.get('g').unwrap_or("TOOLS_CONSUMER").to_owned();
    let now = crate::store::time::now_ms();
    let (begin, end) = (timestamp(c, 's')?, timestamp(c, 'e')?);
    if begin.is_some_and(|b| b > now) {
        out.push_str("Please set the beginTimestamp before now!");
        return Ok(());
    }
    if end.is_some_and(|e| e > now) {
        out.push_str("Please set the endTimestamp before now!");
        return Ok(());
    }
    let pc = PullConsumer::new(c.namesrv()?, &group)?;
    let queues = sorted_queues(&pc, topic).await?;
    if let Some(broker) = c.p.get('b') {
        let qid: i32 = c.p.num('i')?.ok_or_else(|| {
            AdminError::Usage("Please set the queueId with the brokerName".into())
        })?;
        let (mq, min, max) =
            bounds(c, &pc, MessageQueue::new(topic, broker, qid), begin, end).await?;
        let from: i64 = c.p.num('o')?.unwrap_or(min).max(min);
        let mut to = max - 1;
        if to - from + 1 > count {
            let _ = writeln!(out, "The oldler {count} message will be provided");
            to = from + count - 1;
        }
        if from > to {
            let _ = writeln!(out, "{} no matched msg, offset={from}", mq_string(&mq));
        } else {
            pull_queue(&pc, &mq, from, to, out).await;
        }
        pc.close();
        return Ok(());
    }
    let mut left = count;
    for mq in queues {
        if left <= 0 {
            break;
        }
        let (mq, min, max) = bounds(c, &pc, mq, begin, end).await?;
        let mut to = max - 1;
        if max - min > left {
            let _ = writeln!(
                out,
                "The older {left} message of the {} queue will be provided",
                mq.queue_id
            );
            to = min + left - 1;
            left = 0;
        } else {
            left -= max - min;
        }
        if min <= to {
            pull_queue(&pc, &mq, min, to, out).await;
        }
    }
    pc.close();
    Ok(())
}
