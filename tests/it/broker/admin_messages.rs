//! Message lookups and send limits against a real in-process broker, driven by the project's
//! `Admin` and `Producer` over TCP: QUERY_MESSAGE (12) by key and by unique key,
//! VIEW_MESSAGE_BY_ID (33) by offsetMsgId, `maxMessageSize` (MESSAGE_ILLEGAL with its remark)
//! and an unknown topic with `autoCreateTopicEnable=false`, as the Java 4.9.7 broker answers.

use std::collections::{BTreeMap, BTreeSet};

use crate::support::{admin_env, code_of, eventually, response_remark};
use rocketactor::client::admin::MessageQuery;
use rocketactor::client::{Message, Producer, PullConsumer, PullStatus, SendResult};
use rocketactor::codec::codes::{request, response};
use rocketactor::codec::RemotingCommand;
use rocketactor::protocol::topic::TopicConfig;

/// The client ids (UNIQ_KEY) of the messages a query returned.
fn ids(found: &[rocketactor::client::MessageExt]) -> BTreeSet<String> {
    found.iter().map(|m| m.msg_id.clone()).collect()
}

fn keys_of(i: usize) -> Vec<&'static str> {
    match i % 3 {
        0 => vec!["K_A"],
        1 => vec!["K_B", "K_SHARED"],
        _ => vec!["K_SHARED"],
    }
}

#[actix_rt::test]
async fn query_by_key_and_view_by_offset_msg_id() {
    let (keep, broker, addr, ns, admin) = admin_env("broker-qm", |_| {}).await;
    let producer = Producer::new(&ns, "pg-qm").unwrap();
    producer.start().unwrap();
    eventually("broker registered", || async {
        producer.publish_queues("TBW102").await.is_ok()
    })
    .await;

    let mut sent: Vec<(Message, SendResult)> = Vec::new();
    for i in 0..12 {
        let msg = Message::new(format!("qm-body-{i}"))
            .with_tags(if i % 2 == 0 { "TagA" } else { "TagB" })
            .with_keys(keys_of(i))
            .with_property("seq", i.to_string());
        let r = producer.send("QM_TOPIC", msg.clone()).await.expect("send");
        sent.push((msg, r));
    }
    // The same key on another topic is not found by a query on QM_TOPIC.
    let other = producer
        .send("QM_OTHER", Message::new("other").with_keys(["K_A"]))
        .await
        .unwrap();

    let expect = |key: &str| -> BTreeSet<String> {
        sent.iter()
            .enumerate()
            .filter(|(i, _)| keys_of(*i).contains(&key))
            .map(|(_, (_, r))| r.msg_id.clone())
            .collect()
    };
    for key in ["K_A", "K_B", "K_SHARED"] {
        let found = admin
            .query_message(&addr, &MessageQuery::by_key("QM_TOPIC", key))
            .await
            .expect("query");
        assert_eq!(found.len(), expect(key).len(), "no duplicates for {key}");
        assert_eq!(ids(&found), expect(key), "key {key}");
        for m in &found {
            assert_eq!(m.topic, "QM_TOPIC");
            assert!(m.keys.iter().any(|k| k == key), "{:?}", m.keys);
            let seq: usize = m.property("seq").unwrap().parse().unwrap();
            assert_eq!(m.body.as_ref(), format!("qm-body-{seq}").as_bytes());
        }
    }
    let found = admin
        .query_message(&addr, &MessageQuery::by_key("QM_OTHER", "K_A"))
        .await
        .unwrap();
    assert_eq!(ids(&found), BTreeSet::from([other.msg_id.clone()]));

    // maxNum caps the answer; a time window before the first store finds nothing.
    let mut capped = MessageQuery::by_key("QM_TOPIC", "K_SHARED");
    capped.max_num = 3;
    let found = admin.query_message(&addr, &capped).await.unwrap();
    assert_eq!(found.len(), 3);
    assert!(ids(&found).is_subset(&expect("K_SHARED")));
    let first = admin.view_message(&sent[0].1.offset_msg_id).await.unwrap();
    let mut early = MessageQuery::by_key("QM_TOPIC", "K_A");
    early.end_ms = first.store_timestamp - 1;
    assert!(admin.query_message(&addr, &early).await.unwrap().is_empty());
    assert!(admin
        .query_message(&addr, &MessageQuery::by_key("QM_TOPIC", "K_NONE"))
        .await
        .unwrap()
        .is_empty());
    // On the wire "nothing found" is QUERY_NOT_FOUND with Java's remark.
    let raw = RemotingCommand::request(request::QUERY_MESSAGE)
        .with_ext("topic", "QM_TOPIC")
        .with_ext("key", "K_NONE")
        .with_ext("maxNum", 32)
        .with_ext("beginTimestamp", 0)
        .with_ext("endTimestamp", i64::MAX);
    let (code, remark) = code_of(admin.call(&addr, raw).await);
    assert_eq!(code, response::QUERY_NOT_FOUND);
    assert_eq!(remark, "can not find message, maybe time range not correct");

    // By unique key (the client msg id): exactly that message.
    let (msg5, r5) = &sent[5];
    let found = admin
        .query_message(&addr, &MessageQuery::by_unique_key("QM_TOPIC", &r5.msg_id))
        .await
        .unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].msg_id, r5.msg_id);
    assert_eq!(found[0].body, msg5.body);

    // View by offsetMsgId: the very record that was stored, for every message sent.
    let consumer = PullConsumer::new(&ns, "cg-qm").unwrap();
    for (msg, r) in &sent {
        let m = admin.view_message(&r.offset_msg_id).await.expect("view");
        assert_eq!(m.topic, "QM_TOPIC");
        assert_eq!(
            (m.queue_id, m.queue_offset),
            (r.queue.queue_id, r.queue_offset)
        );
        assert_eq!(m.msg_id, r.msg_id);
        assert_eq!(m.offset_msg_id, r.offset_msg_id);
        assert_eq!(m.body, msg.body);
        assert_eq!(m.tags, msg.tags);
        assert_eq!(m.keys, msg.keys);
        assert_eq!(m.store_host, broker.listen_addr);
        assert_eq!(m.born_host.ip().to_string(), "127.0.0.1");
        assert_eq!(m.reconsume_times, 0);
        // Stored properties: what the producer set, WAIT dropped, CLUSTER added (as Java).
        let mut want: BTreeMap<String, String> = msg.properties.clone();
        want.insert("TAGS".into(), msg.tags.clone().unwrap());
        want.insert("KEYS".into(), msg.keys.join(" "));
        want.insert("UNIQ_KEY".into(), r.msg_id.clone());
        want.insert("CLUSTER".into(), keep.cluster_name.clone());
        assert_eq!(m.properties, want);
        // The same record a pull returns at that queue offset.
        let pulled = consumer
            .pull(&r.queue, r.queue_offset, 1, "*", None)
            .await
            .unwrap();
        assert_eq!(pulled.status, PullStatus::Found);
        let p = &pulled.messages[0];
        assert_eq!(
            (p.commit_log_offset, p.store_timestamp, &p.body),
            (m.commit_log_offset, m.store_timestamp, &m.body)
        );
    }
    // An offset that is not the start of a record, or past the end, is SYSTEM_ERROR.
    let view = |offset: i64| {
        RemotingCommand::request(request::VIEW_MESSAGE_BY_ID).with_ext("offset", offset)
    };
    let inside = first.commit_log_offset + 1;
    let (code, remark) = code_of(admin.call(&addr, view(inside)).await);
    assert_eq!(code, response::SYSTEM_ERROR);
    assert_eq!(
        remark,
        format!("can not find message by the offset, {inside}")
    );
    let info = admin.broker_runtime_info(&addr).await.unwrap();
    let end: i64 = info["commitLogMaxOffset"].parse().unwrap();
    let (code, _) = code_of(admin.call(&addr, view(end)).await);
    assert_eq!(code, response::SYSTEM_ERROR);
    producer.shutdown();
    broker.stop().await;
}

#[actix_rt::test]
async fn max_message_size_and_unknown_topic_through_the_producer() {
    let (_keep, broker, addr, ns, admin) = admin_env("broker-lim2", |cfg| {
        cfg.max_message_size = 1024;
        cfg.auto_create_topic_enable = false;
    })
    .await;
    admin
        .create_topic(&addr, &TopicConfig::new("LIM_TOPIC", 1, 1, 6))
        .await
        .unwrap();
    let producer = Producer::new(&ns, "pg-lim").unwrap();
    producer.start().unwrap();
    eventually("topic routed", || async {
        producer.publish_queues("LIM_TOPIC").await.is_ok()
    })
    .await;

    // A body of exactly maxMessageSize is stored; one byte more is MESSAGE_ILLEGAL.
    let ok = producer
        .send("LIM_TOPIC", Message::new(vec![b'x'; 1024]))
        .await
        .expect("a body of exactly maxMessageSize is accepted");
    assert_eq!(ok.queue_offset, 0);
    let err = producer
        .send("LIM_TOPIC", Message::new(vec![b'y'; 1025]))
        .await
        .unwrap_err();
    let remark = response_remark(&err, &addr, response::MESSAGE_ILLEGAL);
    assert!(remark.contains("1024"), "names the limit: {remark}");
    assert_eq!(admin.max_offset(&addr, "LIM_TOPIC", 0).await.unwrap(), 1);
    let info = admin.broker_runtime_info(&addr).await.unwrap();
    assert_eq!(
        info["msgPutTotalTodayNow"], "1",
        "the refused message is not counted"
    );

    // Unknown topic, no auto-creation: no route anywhere (no TBW102 either), nothing created.
    let err = producer
        .send("NO_SUCH_TOPIC", Message::new("x"))
        .await
        .unwrap_err();
    assert_eq!(
        err.response_code(),
        Some(response::TOPIC_NOT_EXIST),
        "{err}"
    );
    let table = admin.get_all_topic_config(&addr).await.unwrap();
    assert!(!table.topic_config_table.contains_key("NO_SUCH_TOPIC"));
    assert!(!table.topic_config_table.contains_key("TBW102"));
    producer.shutdown();
    broker.stop().await;
}
