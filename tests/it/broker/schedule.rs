//! Delay levels end to end: messages sent with a DELAY level (and messages a consumer sends back)
//! wait in SCHEDULE_TOPIC_XXXX and reach their real topic once their delay is over, exactly
//! once, intact, and still exactly once across a broker restart on the same store.
//!
//! Timing is only ever checked as a correctness lower bound: a message visible in its real topic
//! must have been stored at least its level's delay after it was born.

use std::collections::{BTreeMap, BTreeSet};

use crate::support::{eventually, Cluster};
use rocketactor::broker::processors::admin_runtime::runtime_table;
use rocketactor::broker::BrokerHandle;
use rocketactor::client::consumer::{PullConsumer, PullStatus};
use rocketactor::client::message::{Message, MessageExt, SendResult, SendStatus};
use rocketactor::client::producer::Producer;
use rocketactor::client::remoting::RemotingClient;
use rocketactor::codec::codes::{request, response};
use rocketactor::codec::RemotingCommand;
use rocketactor::config::BrokerRole;
use rocketactor::protocol::offset::DelayOffsetWrapper;
use rocketactor::store::time::now_ms;

use std::time::Duration;

const LEVEL1_MS: i64 = 1_000;
const LEVEL2_MS: i64 = 5_000;
const SCHEDULE_TOPIC: &str = "SCHEDULE_TOPIC_XXXX";

async fn registered_producer(ns: &str, group: &str) -> Producer {
    let producer = Producer::new(ns, group).unwrap();
    producer.start().unwrap();
    eventually("broker registered", || async {
        producer.publish_queues("TBW102").await.is_ok()
    })
    .await;
    producer
}

async fn routable_consumer(ns: &str, group: &str, topic: &str) -> PullConsumer {
    let consumer = PullConsumer::new(ns, group).unwrap();
    eventually("topic routable", || async {
        consumer
            .fetch_queues(topic)
            .await
            .is_ok_and(|q| !q.is_empty())
    })
    .await;
    consumer
}

/// Every message of `topic` from offset 0 of each queue (bounded).
async fn drain(consumer: &PullConsumer, topic: &str) -> Vec<MessageExt> {
    let mut out = Vec::new();
    for mq in consumer.fetch_queues(topic).await.expect("queues") {
        let mut offset = 0;
        for _ in 0..1_000 {
            let r = consumer
                .pull(&mq, offset, 32, "*", None)
                .await
                .expect("pull");
            if r.status != PullStatus::Found {
                break;
            }
            out.extend(r.messages);
            offset = r.next_begin_offset;
        }
    }
    out
}

fn delay_offset(broker: &BrokerHandle, level: i32) -> i64 {
    broker.broker.meta.lock().delay_offsets.get(level)
}

fn schedule_max(broker: &BrokerHandle, level: i32) -> i64 {
    broker
        .broker
        .store
        .reader()
        .max_offset_in_queue(SCHEDULE_TOPIC, level - 1)
}

fn delayed(i: usize, level: i32) -> Message {
    Message::new(format!("delayed-{level}-{i}"))
        .with_tags(format!("Tag{level}"))
        .with_keys([format!("key-{level}-{i}"), "shared".to_string()])
        .with_property("biz", format!("value-{i}"))
        .with_delay_level(level)
}

/// Checks one delivered message against what was sent; returns its level.
fn check_delivered(m: &MessageExt, topic: &str, sent: &BTreeMap<String, (i32, usize)>) -> i32 {
    let (level, i) = *sent
        .get(&m.msg_id)
        .unwrap_or_else(|| panic!("unexpected message {m:?}"));
    assert_eq!(m.topic, topic);
    assert_eq!(m.body.as_ref(), format!("delayed-{level}-{i}").as_bytes());
    assert_eq!(m.tags.as_deref(), Some(format!("Tag{level}").as_str()));
    assert_eq!(
        m.keys,
        vec![format!("key-{level}-{i}"), "shared".to_string()]
    );
    assert_eq!(m.property("biz"), Some(format!("value-{i}").as_str()));
    assert_eq!(m.reconsume_times, 0);
    // What Java's messageTimeup leaves in the stored properties.
    assert_eq!(m.property("DELAY"), Some(level.to_string().as_str()));
    assert_eq!(m.property("REAL_TOPIC"), Some(topic));
    assert_eq!(
        m.property("REAL_QID"),
        Some(m.queue_id.to_string().as_str())
    );
    let delay = if level == 1 { LEVEL1_MS } else { LEVEL2_MS };
    assert!(
        m.store_timestamp >= m.born_timestamp + delay,
        "level {level} delivered too early: born {} stored {}",
        m.born_timestamp,
        m.store_timestamp
    );
    level
}

async fn send_delayed(
    producer: &Producer,
    topic: &str,
    per_level: &[(i32, usize)],
) -> BTreeMap<String, (i32, usize)> {
    let mut sent = BTreeMap::new();
    for &(level, n) in per_level {
        for i in 0..n {
            let r: SendResult = producer
                .send(topic, delayed(i, level))
                .await
                .expect("send ok");
            assert_eq!(r.status, SendStatus::SendOk);
            sent.insert(r.msg_id.clone(), (level, i));
        }
    }
    sent
}

#[actix_rt::test]
async fn delayed_messages_arrive_after_their_delay_exactly_once() {
    let dir = tempfile::tempdir().unwrap();
    let cluster = Cluster::start().await;
    let broker = cluster
        .broker(cluster.broker_config("broker-sched", BrokerRole::AsyncMaster, dir.path()))
        .await;
    let ns = cluster.namesrv_addr();
    let producer = registered_producer(&ns, "pg-sched").await;
    let topic = "SCHED_TOPIC";

    let first_born = now_ms();
    let sent = send_delayed(&producer, topic, &[(1, 3), (2, 2)]).await;
    assert_eq!(sent.len(), 5);
    assert_eq!(
        schedule_max(&broker, 1),
        3,
        "parked in SCHEDULE_TOPIC_XXXX queue 0"
    );
    assert_eq!(
        schedule_max(&broker, 2),
        2,
        "parked in SCHEDULE_TOPIC_XXXX queue 1"
    );

    // Not visible before its delay: whatever is visible was stored at least `delay` after birth.
    let consumer = routable_consumer(&ns, "cg-sched", topic).await;
    let early = drain(&consumer, topic).await;
    if now_ms() < first_born + LEVEL1_MS {
        assert!(
            early.is_empty(),
            "delivered before the first delay: {early:?}"
        );
    }
    for m in &early {
        check_delivered(m, topic, &sent);
    }

    eventually("every delayed message delivered", || async {
        drain(&consumer, topic).await.len() >= sent.len()
    })
    .await;
    eventually("delay offsets caught up", || async {
        delay_offset(&broker, 1) == 3 && delay_offset(&broker, 2) == 2
    })
    .await;

    let got = drain(&consumer, topic).await;
    assert_eq!(got.len(), sent.len(), "each message exactly once: {got:?}");
    let ids: BTreeSet<&str> = got.iter().map(|m| m.msg_id.as_str()).collect();
    assert_eq!(ids.len(), sent.len(), "no duplicates");
    let mut per_level = BTreeMap::new();
    for m in &got {
        *per_level
            .entry(check_delivered(m, topic, &sent))
            .or_insert(0) += 1;
    }
    assert_eq!(per_level, BTreeMap::from([(1, 3), (2, 2)]));

    // Tag filtering works on the real topic (the tagsCode is the tag hash again).
    let mut tag2 = 0;
    for mq in consumer.fetch_queues(topic).await.unwrap() {
        let r = consumer.pull(&mq, 0, 32, "Tag2", None).await.unwrap();
        if r.status == PullStatus::Found {
            assert!(r.messages.iter().all(|m| m.tags.as_deref() == Some("Tag2")));
            tag2 += r.messages.len();
        }
    }
    assert_eq!(tag2, 2);

    // Progress is reported as Java reports it.
    let table = runtime_table(&broker.broker).table;
    assert_eq!(
        table.get("scheduleMessageOffset_1").map(String::as_str),
        Some("3,3")
    );
    assert_eq!(
        table.get("scheduleMessageOffset_2").map(String::as_str),
        Some("2,2")
    );
    assert_eq!(cluster.book.count("schedule"), 0);
    broker.stop().await;
}

#[actix_rt::test]
async fn pending_delayed_messages_survive_a_restart_exactly_once() {
    let dir = tempfile::tempdir().unwrap();
    let cluster = Cluster::start().await;
    let cfg = cluster.broker_config("broker-sched-rs", BrokerRole::AsyncMaster, dir.path());
    let broker = cluster.broker(cfg.clone()).await;
    let ns = cluster.namesrv_addr();
    let producer = registered_producer(&ns, "pg-sched-rs").await;
    let topic = "SCHED_RESTART";

    let sent = send_delayed(&producer, topic, &[(1, 2), (2, 3)]).await;
    let consumer = routable_consumer(&ns, "cg-sched-rs", topic).await;
    eventually("level 1 delivered before the stop", || async {
        delay_offset(&broker, 1) == 2
    })
    .await;
    let before = drain(&consumer, topic).await;
    for m in &before {
        check_delivered(m, topic, &sent);
    }
    assert!(before.len() >= 2, "level 1 is visible: {before:?}");
    producer.shutdown();
    consumer.close();
    broker.stop().await;

    // The clean stop wrote the delivered offsets.
    let file = broker
        .broker
        .meta
        .lock()
        .delay_offsets
        .file_path()
        .to_path_buf();
    let text = std::fs::read_to_string(&file).expect("delayOffset.json written");
    let saved = DelayOffsetWrapper::decode(&text).expect("delayOffset.json parses");
    assert_eq!(saved.offset_table.get(&1), Some(&2));
    let level2_saved = saved.offset_table.get(&2).copied().unwrap_or(0);
    assert_eq!(level2_saved as usize, before.len() - 2);
    drop(broker);

    let broker = cluster.broker(cfg).await;
    assert_eq!(delay_offset(&broker, 1), 2, "offset reloaded");
    let consumer = routable_consumer(&ns, "cg-sched-rs2", topic).await;
    eventually("pending level 2 delivered after the restart", || async {
        delay_offset(&broker, 2) == 3
    })
    .await;
    let got = drain(&consumer, topic).await;
    assert_eq!(got.len(), sent.len(), "each message exactly once: {got:?}");
    let ids: BTreeSet<&str> = got.iter().map(|m| m.msg_id.as_str()).collect();
    assert_eq!(ids.len(), sent.len(), "no redelivery after the restart");
    for m in &got {
        check_delivered(m, topic, &sent);
    }
    broker.stop().await;
}

#[actix_rt::test]
async fn send_back_with_a_delay_reaches_the_retry_topic_after_it() {
    let dir = tempfile::tempdir().unwrap();
    let cluster = Cluster::start().await;
    let broker = cluster
        .broker(cluster.broker_config("broker-sb", BrokerRole::AsyncMaster, dir.path()))
        .await;
    let ns = cluster.namesrv_addr();
    let producer = registered_producer(&ns, "pg-sb").await;
    let topic = "SB_TOPIC";
    let group = "cg-sb";
    let r = producer
        .send(
            topic,
            Message::new("to retry")
                .with_tags("TagR")
                .with_keys(["rk"])
                .with_property("biz", "kept"),
        )
        .await
        .expect("send");
    let consumer = routable_consumer(&ns, group, topic).await;
    let original = drain(&consumer, topic).await;
    assert_eq!(original.len(), 1);
    let original = &original[0];
    assert_eq!(original.msg_id, r.msg_id);

    let backed_at = now_ms();
    consumer.send_back(original, 1).await.expect("send back");
    assert_eq!(schedule_max(&broker, 1), 1, "parked at level 1");

    let retry_topic = format!("%RETRY%{group}");
    eventually("retry topic routable", || async {
        consumer
            .fetch_queues(&retry_topic)
            .await
            .is_ok_and(|q| !q.is_empty())
    })
    .await;
    let early = drain(&consumer, &retry_topic).await;
    if now_ms() < backed_at + LEVEL1_MS {
        assert!(
            early.is_empty(),
            "retry visible before its delay: {early:?}"
        );
    }
    eventually("retry delivered", || async {
        !drain(&consumer, &retry_topic).await.is_empty()
    })
    .await;
    eventually("delay offset caught up", || async {
        delay_offset(&broker, 1) == 1
    })
    .await;
    let got = drain(&consumer, &retry_topic).await;
    assert_eq!(got.len(), 1, "exactly once: {got:?}");
    let m = &got[0];
    assert_eq!(m.topic, retry_topic);
    assert_eq!(m.body.as_ref(), b"to retry");
    assert_eq!(m.tags.as_deref(), Some("TagR"));
    assert_eq!(m.keys, vec!["rk".to_string()]);
    assert_eq!(m.property("biz"), Some("kept"));
    assert_eq!(m.msg_id, original.msg_id, "UNIQ_KEY kept");
    assert_eq!(m.reconsume_times, 1);
    assert_eq!(m.property("RETRY_TOPIC"), Some(topic));
    assert_eq!(
        m.property("ORIGIN_MESSAGE_ID"),
        Some(original.offset_msg_id.as_str())
    );
    assert_eq!(m.property("DELAY"), Some("1"));
    assert_eq!(m.property("REAL_TOPIC"), Some(retry_topic.as_str()));
    assert!(
        m.store_timestamp >= backed_at + LEVEL1_MS,
        "retry delivered too early: sent back at {backed_at}, stored {}",
        m.store_timestamp
    );
    broker.stop().await;
}

/// Java SendMessageProcessor.handleRetryAndDLQ: a SEND to `%RETRY%{group}` whose reconsumeTimes
/// reached maxReconsumeTimes (what an orderly consumer sends once it gives up on a message, with
/// DELAY = 3 + reconsumeTimes) goes to `%DLQ%{group}` at once: `setDelayTimeLevel(0)`, so it is
/// not parked in SCHEDULE_TOPIC_XXXX, and its stored DELAY property reads "0".
#[actix_rt::test]
async fn retry_send_over_max_reconsume_times_goes_to_the_dlq_without_its_delay() {
    let dir = tempfile::tempdir().unwrap();
    let cluster = Cluster::start().await;
    let broker = cluster
        .broker(cluster.broker_config("broker-odlq", BrokerRole::AsyncMaster, dir.path()))
        .await;
    let ns = cluster.namesrv_addr();
    let group = "cg-odlq";
    assert!(broker
        .broker
        .meta
        .lock()
        .groups
        .find_or_create(group, true)
        .is_some());
    let retry_topic = format!("%RETRY%{group}");
    let dlq = format!("%DLQ%{group}");
    let client = RemotingClient::connect(&broker.listen_addr.to_string(), Duration::from_secs(5))
        .await
        .unwrap();
    let props = "RETRY_TOPIC\u{1}ODLQ_TOPIC\u{2}DELAY\u{1}4\u{2}MAX_RECONSUME_TIMES\u{1}1\u{2}RECONSUME_TIME\u{1}1\u{2}biz\u{1}kept";
    let send = RemotingCommand::request(request::SEND_MESSAGE)
        .with_ext("producerGroup", "CLIENT_INNER_PRODUCER")
        .with_ext("topic", retry_topic.as_str())
        .with_ext("defaultTopic", "TBW102")
        .with_ext("defaultTopicQueueNums", 4)
        .with_ext("queueId", 0)
        .with_ext("sysFlag", 0)
        .with_ext("bornTimestamp", now_ms())
        .with_ext("flag", 0)
        .with_ext("properties", props)
        .with_ext("reconsumeTimes", 1)
        .with_ext("maxReconsumeTimes", 1)
        .with_body(b"given up".to_vec());
    let r = client.invoke(send, Duration::from_secs(5)).await.unwrap();
    assert_eq!(r.code, response::SUCCESS, "remark: {:?}", r.remark);
    assert_eq!(schedule_max(&broker, 4), 0, "not parked at level 4");

    let consumer = routable_consumer(&ns, "cg-odlq-reader", &dlq).await;
    eventually("message in the DLQ", || async {
        !drain(&consumer, &dlq).await.is_empty()
    })
    .await;
    let got = drain(&consumer, &dlq).await;
    assert_eq!(got.len(), 1, "exactly once: {got:?}");
    let m = &got[0];
    assert_eq!(m.topic, dlq);
    assert_eq!(m.body.as_ref(), b"given up");
    assert_eq!(m.property("biz"), Some("kept"));
    assert_eq!(m.property("DELAY"), Some("0"));
    assert_eq!(
        m.property("REAL_TOPIC"),
        None,
        "never went through the schedule topic"
    );
    assert_eq!(
        schedule_max(&broker, 4),
        0,
        "still nothing parked at level 4"
    );
    broker.stop().await;
}
