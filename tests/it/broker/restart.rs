//! A broker stopped cleanly and started again on the same store directory keeps what admins
//! and clients gave it: created topics (queue counts, perm, filter type), deleted topics stay
//! deleted, subscription groups (retryMaxTimes…), committed consumer offsets, the messages
//! themselves and their key index. Driven by the project's `Admin`, `Producer` and
//! `PullConsumer` over real TCP; the restarted broker gets new OS-chosen ports.

use std::collections::BTreeMap;

use crate::support::{eventually, Cluster};
use rocketactor::client::admin::MessageQuery;
use rocketactor::client::{Admin, Message, Producer, PullConsumer, PullStatus};
use rocketactor::codec::codes::request;
use rocketactor::codec::RemotingCommand;
use rocketactor::config::BrokerRole;
use rocketactor::protocol::message_queue::MessageQueue;
use rocketactor::protocol::subscription::SubscriptionGroupConfig;
use rocketactor::protocol::topic::{TopicConfig, TopicFilterType};

/// Waits until the name server routes `topic` to the master at `addr`.
async fn routed_to(consumer: &PullConsumer, topic: &str, addr: &str) {
    eventually(&format!("{topic} routed to {addr}"), || async {
        match consumer.fetch_queues(topic).await {
            Ok(qs) if !qs.is_empty() => consumer.master_addr(&qs[0]).await.is_ok_and(|a| a == addr),
            _ => false,
        }
    })
    .await;
}

#[actix_rt::test]
async fn restart_on_the_same_store_keeps_topics_groups_and_offsets() {
    let dir = tempfile::tempdir().unwrap();
    let cluster = Cluster::start().await;
    let ns = cluster.namesrv_addr();
    let cfg = cluster.broker_config("broker-rs", BrokerRole::AsyncMaster, dir.path());
    let broker = cluster.broker(cfg.clone()).await;
    let addr = broker.client_addr();
    let admin = Admin::new(&ns).unwrap();

    // Topics: one to keep (MULTI_TAG), one read-only, one created then deleted.
    let mut kept = TopicConfig::new("RS_TOPIC", 3, 3, 6);
    kept.topic_filter_type = TopicFilterType::MultiTag;
    let read_only = TopicConfig::new("RS_RO", 2, 5, 4);
    for tc in [&kept, &read_only, &TopicConfig::new("RS_GONE", 1, 1, 6)] {
        admin.create_topic(&addr, tc).await.unwrap();
    }
    admin
        .delete_topic_in_broker(&addr, "RS_GONE")
        .await
        .unwrap();
    // Groups: one to keep with non-default settings, one created then deleted.
    let mut group = SubscriptionGroupConfig::new("cg-rs");
    group.retry_max_times = 3;
    group.retry_queue_nums = 2;
    group.consume_broadcast_enable = false;
    admin
        .create_subscription_group(&addr, &group)
        .await
        .unwrap();
    admin
        .create_subscription_group(&addr, &SubscriptionGroupConfig::new("cg-gone"))
        .await
        .unwrap();
    admin
        .delete_subscription_group(&addr, "cg-gone", true)
        .await
        .unwrap();

    // Three keyed messages on each queue of RS_TOPIC, plus an auto-created topic.
    let producer = Producer::new(&ns, "pg-rs").unwrap();
    producer.start().unwrap();
    let consumer = PullConsumer::new(&ns, "cg-rs").unwrap();
    routed_to(&consumer, "RS_TOPIC", &addr).await;
    let mq = |qid| MessageQueue::new("RS_TOPIC", "broker-rs", qid);
    let mut sent = Vec::new();
    for i in 0..9 {
        let r = producer
            .send_to_queue(
                &mq(i % 3),
                Message::new(format!("rs-{i}")).with_keys([format!("rk-{i}")]),
            )
            .await
            .unwrap();
        sent.push(r);
    }
    producer
        .send("RS_AUTO", Message::new("auto"))
        .await
        .expect("auto-created topic");
    // Committed: 3 of 3 on queue 0, 1 on queue 1, 0 on queue 2.
    let committed: BTreeMap<i32, i64> = [(0, 3), (1, 1), (2, 0)].into();
    for (qid, off) in &committed {
        consumer.commit_offset(&mq(*qid), *off).await.unwrap();
    }

    let topics = admin.get_all_topic_config(&addr).await.unwrap();
    let groups = admin.subscription_groups(&addr).await.unwrap();
    let stats = admin.topic_stats(&addr, "RS_TOPIC").await.unwrap();
    let progress = admin
        .consume_stats(&addr, "cg-rs", Some("RS_TOPIC"))
        .await
        .unwrap();
    assert_eq!(topics.topic_config_table["RS_AUTO"].write_queue_nums, 4);
    producer.shutdown();
    consumer.close();
    broker.stop().await;

    // Same configuration, same store directory.
    let broker = cluster.broker(cfg).await;
    let addr2 = broker.client_addr();

    let topics2 = admin.get_all_topic_config(&addr2).await.unwrap();
    assert_eq!(topics2.topic_config_table["RS_TOPIC"], kept);
    assert_eq!(topics2.topic_config_table["RS_RO"], read_only);
    assert_eq!(
        topics2.topic_config_table["RS_AUTO"],
        topics.topic_config_table["RS_AUTO"]
    );
    assert!(!topics2.topic_config_table.contains_key("RS_GONE"));
    assert_eq!(topics2.topic_config_table, topics.topic_config_table);
    assert_eq!(topics2.data_version, topics.data_version);

    let groups2 = admin.subscription_groups(&addr2).await.unwrap();
    assert_eq!(groups2.subscription_group_table["cg-rs"], group);
    assert!(!groups2.subscription_group_table.contains_key("cg-gone"));
    assert_eq!(groups2, groups);

    // Offsets and queue contents: the same stats as before the stop.
    assert_eq!(admin.topic_stats(&addr2, "RS_TOPIC").await.unwrap(), stats);
    assert_eq!(
        admin
            .consume_stats(&addr2, "cg-rs", Some("RS_TOPIC"))
            .await
            .unwrap(),
        progress
    );
    let consumer = PullConsumer::new(&ns, "cg-rs").unwrap();
    routed_to(&consumer, "RS_TOPIC", &addr2).await;
    for (qid, off) in &committed {
        assert_eq!(
            consumer.query_offset(&mq(*qid)).await.unwrap(),
            Some(*off),
            "queue {qid}"
        );
        let wrapper = progress.offset_table[&mq(*qid)];
        assert_eq!((wrapper.broker_offset, wrapper.consumer_offset), (3, *off));
    }
    // Resuming from the committed offsets reads exactly what was not consumed yet.
    let mut rest = Vec::new();
    for (qid, off) in &committed {
        let r = consumer.pull(&mq(*qid), *off, 32, "*", None).await.unwrap();
        if *off == 3 {
            assert_eq!(r.status, PullStatus::NoNewMsg);
            continue;
        }
        assert_eq!(r.status, PullStatus::Found);
        rest.extend(
            r.messages
                .iter()
                .map(|m| String::from_utf8_lossy(&m.body).into_owned()),
        );
    }
    rest.sort();
    // Queue 1 holds rs-1, rs-4, rs-7 (1 committed); queue 2 holds rs-2, rs-5, rs-8 (none).
    assert_eq!(rest, ["rs-2", "rs-4", "rs-5", "rs-7", "rs-8"]);

    // The key index and the commit log survived: query by key, view by offset.
    let found = admin
        .query_message(&addr2, &MessageQuery::by_key("RS_TOPIC", "rk-4"))
        .await
        .unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].msg_id, sent[4].msg_id);
    assert_eq!(found[0].body.as_ref(), b"rs-4");
    let view = RemotingCommand::request(request::VIEW_MESSAGE_BY_ID)
        .with_ext("offset", found[0].commit_log_offset);
    let raw = admin.call(&addr2, view).await.unwrap();
    let viewed = rocketactor::client::message::decode_messages(&raw.body).unwrap();
    assert_eq!(viewed[0].msg_id, sent[4].msg_id);

    // And the broker goes on where it stopped.
    let producer = Producer::new(&ns, "pg-rs").unwrap();
    producer.start().unwrap();
    let next = producer
        .send_to_queue(&mq(0), Message::new("after-restart"))
        .await
        .unwrap();
    assert_eq!(next.queue_offset, 3);
    producer.shutdown();
    consumer.close();
    broker.stop().await;
}
