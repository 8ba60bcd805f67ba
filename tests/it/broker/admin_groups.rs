//! Consumer- and producer-group admin commands against a real in-process broker, driven by the
//! project's `Admin`, `Producer`, `PullConsumer` and `PushConsumer` over TCP:
//! UPDATE_AND_CREATE_SUBSCRIPTIONGROUP (200), GET_ALL_SUBSCRIPTIONGROUP_CONFIG (201),
//! DELETE_SUBSCRIPTIONGROUP (207), GET_CONSUMER_CONNECTION_LIST (203),
//! GET_PRODUCER_CONNECTION_LIST (204), GET_CONSUME_STATS (208) and
//! QUERY_TOPIC_CONSUME_BY_WHO (300), checked against the Java 4.9.7 broker's rules.

use std::collections::BTreeMap;

use crate::support::{eventually, Cluster};
use rocketactor::client::{
    Admin, ConsumeResult, Message, MqError, Producer, PullConsumer, PushConfig, PushConsumer,
    SendResult,
};
use rocketactor::codec::codes::{request, response};
use rocketactor::codec::RemotingCommand;
use rocketactor::config::BrokerRole;
use rocketactor::protocol::heartbeat::{
    ConsumeFromWhere, ConsumeType, MessageModel, SubscriptionData,
};
use rocketactor::protocol::message_queue::MessageQueue;
use rocketactor::protocol::subscription::SubscriptionGroupConfig;
use rocketactor::protocol::topic::TopicConfig;

/// The response code and remark of a failed admin call.
fn code_of<T: std::fmt::Debug>(r: Result<T, MqError>) -> (i32, String) {
    match r {
        Err(MqError::Response { code, remark, .. }) => (code, remark),
        other => panic!("expected a broker error response, got {other:?}"),
    }
}

/// Waits until the name server routes `topic` with `queues` readable queues.
async fn routed(consumer: &PullConsumer, topic: &str, queues: usize) {
    eventually(&format!("{topic} routed"), || async {
        consumer
            .fetch_queues(topic)
            .await
            .is_ok_and(|q| q.len() == queues)
    })
    .await;
}

#[actix_rt::test]
async fn subscription_groups_create_update_list_and_delete() {
    let dir = tempfile::tempdir().unwrap();
    let cluster = Cluster::start().await;
    let broker = cluster
        .broker(cluster.broker_config("broker-grp", BrokerRole::AsyncMaster, dir.path()))
        .await;
    let addr = broker.client_addr();
    let ns = cluster.namesrv_addr();
    let admin = Admin::new(&ns).unwrap();

    let before = admin.subscription_groups(&addr).await.unwrap();
    for builtin in ["TOOLS_CONSUMER", "FILTERSRV_CONSUMER", "SELF_TEST_C_GROUP"] {
        assert!(
            before.subscription_group_table.contains_key(builtin),
            "{builtin}"
        );
    }
    assert!(!before.subscription_group_table.contains_key("cg-custom"));

    let mut g = SubscriptionGroupConfig::new("cg-custom");
    g.retry_max_times = 5;
    g.retry_queue_nums = 2;
    g.consume_broadcast_enable = false;
    g.which_broker_when_consume_slowly = 0;
    admin.create_subscription_group(&addr, &g).await.unwrap();
    let after = admin.subscription_groups(&addr).await.unwrap();
    assert_eq!(after.subscription_group_table["cg-custom"], g);
    assert_eq!(after.data_version.counter, before.data_version.counter + 1);
    assert_eq!(
        after.subscription_group_table.len(),
        before.subscription_group_table.len() + 1
    );

    // Upsert replaces the whole config.
    g.consume_enable = false;
    g.retry_max_times = 2;
    admin.create_subscription_group(&addr, &g).await.unwrap();
    let updated = admin.subscription_groups(&addr).await.unwrap();
    assert_eq!(updated.subscription_group_table["cg-custom"], g);
    assert_eq!(updated.data_version.counter, after.data_version.counter + 1);

    // The group commits an offset; deleting without removeOffset keeps it, with it drops it.
    let producer = Producer::new(&ns, "pg-grp").unwrap();
    producer.start().unwrap();
    eventually("broker registered", || async {
        producer.publish_queues("TBW102").await.is_ok()
    })
    .await;
    let sent = producer.send("GRP_TOPIC", Message::new("x")).await.unwrap();
    let consumer = PullConsumer::new(&ns, "cg-custom").unwrap();
    routed(&consumer, "GRP_TOPIC", 4).await;
    consumer.commit_offset(&sent.queue, 1).await.unwrap();
    assert_eq!(consumer.query_offset(&sent.queue).await.unwrap(), Some(1));

    admin
        .delete_subscription_group(&addr, "cg-custom", false)
        .await
        .unwrap();
    let gone = admin.subscription_groups(&addr).await.unwrap();
    assert!(!gone.subscription_group_table.contains_key("cg-custom"));
    assert_eq!(gone.data_version.counter, updated.data_version.counter + 1);
    assert_eq!(consumer.query_offset(&sent.queue).await.unwrap(), Some(1));
    assert_eq!(
        admin
            .query_topic_consume_by_who(&addr, "GRP_TOPIC")
            .await
            .unwrap(),
        ["cg-custom"]
    );

    // Deleting an unknown group is SUCCESS; removeOffset drops the group's offsets.
    admin
        .delete_subscription_group(&addr, "cg-custom", true)
        .await
        .unwrap();
    // No offset left: as in Java, a queue whose first message is still in memory answers 0.
    assert_eq!(consumer.query_offset(&sent.queue).await.unwrap(), Some(0));
    assert!(admin
        .query_topic_consume_by_who(&addr, "GRP_TOPIC")
        .await
        .unwrap()
        .is_empty());
    let stats = admin.consume_stats(&addr, "cg-custom", None).await.unwrap();
    assert!(stats.offset_table.is_empty());
    producer.shutdown();
    broker.stop().await;
}

#[actix_rt::test]
async fn connections_consume_stats_and_consume_by_who() {
    let dir = tempfile::tempdir().unwrap();
    let cluster = Cluster::start().await;
    let broker = cluster
        .broker(cluster.broker_config("broker-cs", BrokerRole::AsyncMaster, dir.path()))
        .await;
    let addr = broker.client_addr();
    let ns = cluster.namesrv_addr();
    let admin = Admin::new(&ns).unwrap();
    admin
        .create_topic(&addr, &TopicConfig::new("CS_TOPIC", 4, 4, 6))
        .await
        .unwrap();
    admin
        .create_topic(&addr, &TopicConfig::new("CS_OTHER", 2, 2, 6))
        .await
        .unwrap();

    // 4, 3, 2 and 1 messages on queues 0..4.
    let producer = Producer::new(&ns, "pg-cs").unwrap();
    producer.start().unwrap();
    let consumer = PullConsumer::new(&ns, "cg-cs").unwrap();
    routed(&consumer, "CS_TOPIC", 4).await;
    routed(&consumer, "CS_OTHER", 2).await;
    let mq = |qid| MessageQueue::new("CS_TOPIC", "broker-cs", qid);
    let mut sent: BTreeMap<i32, Vec<SendResult>> = BTreeMap::new();
    for qid in 0..4 {
        for i in 0..(4 - qid) {
            let r = producer
                .send_to_queue(
                    &mq(qid),
                    Message::new(format!("{qid}-{i}")).with_tags("TagA"),
                )
                .await
                .unwrap();
            sent.entry(qid).or_default().push(r);
        }
    }

    // Producer connections name the running producer.
    let pc = admin.producer_connections(&addr, "pg-cs").await.unwrap();
    assert_eq!(pc.connection_set.len(), 1);
    let c = &pc.connection_set[0];
    assert_eq!(c.client_id, producer.client_id());
    assert_eq!((c.language.as_str(), c.version), ("JAVA", 407));
    assert!(c.client_addr.starts_with("127.0.0.1:"), "{}", c.client_addr);
    let (code, remark) = code_of(admin.producer_connections(&addr, "pg-none").await);
    assert_eq!(code, response::SYSTEM_ERROR);
    assert_eq!(remark, "the producer group[pg-none] not exist");

    // Consumer connections: offline → 206; after a pull-consumer heartbeat, its id and
    // subscription.
    let (code, remark) = code_of(admin.consumer_connections(&addr, "cg-cs").await);
    assert_eq!(code, response::CONSUMER_NOT_ONLINE);
    assert_eq!(remark, "the consumer group[cg-cs] not online");
    let sub = SubscriptionData::build_tag("CS_TOPIC", "TagA || TagB", 1_700_000_000_000);
    assert_eq!(
        consumer
            .heartbeat(std::slice::from_ref(&sub))
            .await
            .unwrap(),
        1
    );
    let cc = admin.consumer_connections(&addr, "cg-cs").await.unwrap();
    assert_eq!(cc.connection_set.len(), 1);
    assert_eq!(cc.connection_set[0].client_id, consumer.client_id());
    assert_eq!(cc.consume_type, ConsumeType::Actively);
    assert_eq!(cc.message_model, MessageModel::Clustering);
    assert_eq!(cc.consume_from_where, ConsumeFromWhere::LastOffset);
    assert_eq!(
        cc.subscription_table.into_iter().collect::<Vec<_>>(),
        vec![("CS_TOPIC".to_string(), sub.clone())]
    );

    // Committed: queue 0 → 2 of 4, queue 1 → 3 of 3, queue 2 nothing, queue 3 → 1 of 1.
    let committed: BTreeMap<i32, i64> = [(0, 2), (1, 3), (3, 1)].into();
    for (qid, off) in &committed {
        consumer.commit_offset(&mq(*qid), *off).await.unwrap();
    }
    // Offsets on a topic the online group does not subscribe to.
    let other = MessageQueue::new("CS_OTHER", "broker-cs", 1);
    consumer.commit_offset(&other, 0).await.unwrap();

    let check = |stats: &rocketactor::protocol::admin::ConsumeStats| {
        assert_eq!(
            stats.offset_table.keys().cloned().collect::<Vec<_>>(),
            (0..4).map(mq).collect::<Vec<_>>(),
            "one entry per read queue of the subscribed topic only"
        );
        let mut diff_total = 0;
        for qid in 0..4 {
            let o = stats.offset_table[&mq(qid)];
            let max = sent[&qid].len() as i64;
            let done = committed.get(&qid).copied().unwrap_or(0);
            assert_eq!(o.broker_offset, max, "queue {qid}");
            assert_eq!(o.consumer_offset, done, "queue {qid}");
            assert_eq!(o.pull_offset, done, "queue {qid}");
            diff_total += o.broker_offset - o.consumer_offset;
        }
        assert_eq!(diff_total, 2 + 2, "backlog: 2 on queue 0, 2 on queue 2");
        assert_eq!(stats.consume_tps, 0.0);
    };
    let by_topic = admin
        .consume_stats(&addr, "cg-cs", Some("CS_TOPIC"))
        .await
        .unwrap();
    check(&by_topic);
    // On the wire: fastjson's object-keyed map with the superset `pullOffset`.
    let raw = admin
        .call(
            &addr,
            RemotingCommand::request(request::GET_CONSUME_STATS)
                .with_ext("consumerGroup", "cg-cs")
                .with_ext("topic", "CS_TOPIC"),
        )
        .await
        .unwrap();
    let text = String::from_utf8(raw.body.to_vec()).unwrap();
    assert!(
        text.starts_with(
            r#"{"consumeTps":0.0,"offsetTable":{{"brokerName":"broker-cs","queueId":0,"topic":"CS_TOPIC"}:{"brokerOffset":4,"consumerOffset":2,"lastTimestamp":"#
        ),
        "{text}"
    );
    // lastTimestamp: store time of the message before the committed offset, 0 when none.
    for qid in 0..4 {
        let expected = match committed.get(&qid) {
            Some(off) => {
                let r = &sent[&qid][(*off - 1) as usize];
                admin
                    .view_message(&r.offset_msg_id)
                    .await
                    .unwrap()
                    .store_timestamp
            }
            None => 0,
        };
        assert_eq!(
            by_topic.offset_table[&mq(qid)].last_timestamp,
            expected,
            "queue {qid}"
        );
    }
    // Blank topic = every topic with offsets, minus those the online group does not subscribe.
    let all = admin.consume_stats(&addr, "cg-cs", None).await.unwrap();
    check(&all);
    assert_eq!(all, by_topic);
    let unsubscribed = admin
        .consume_stats(&addr, "cg-cs", Some("CS_OTHER"))
        .await
        .unwrap();
    assert!(unsubscribed.offset_table.is_empty());

    // A push consumer shows as CONSUME_PASSIVELY with its retry-topic subscription.
    let mut cfg = PushConfig::new(&ns, "cg-push");
    cfg.consume_from = ConsumeFromWhere::FirstOffset;
    let mut push = PushConsumer::with_config(cfg, rocketactor::logging::discard()).unwrap();
    push.subscribe("CS_TOPIC", "*").unwrap();
    push.start(|_| ConsumeResult::Success).unwrap();
    eventually("push consumer online", || async {
        admin.consumer_connections(&addr, "cg-push").await.is_ok()
    })
    .await;
    let pc = admin.consumer_connections(&addr, "cg-push").await.unwrap();
    assert_eq!(pc.connection_set.len(), 1);
    assert_eq!(
        pc.connection_set[0].client_id,
        push.pull_consumer().client_id()
    );
    assert_eq!(pc.consume_type, ConsumeType::Passively);
    assert_eq!(pc.consume_from_where, ConsumeFromWhere::FirstOffset);
    assert_eq!(
        pc.subscription_table.keys().cloned().collect::<Vec<_>>(),
        ["%RETRY%cg-push", "CS_TOPIC"]
    );
    assert_eq!(pc.subscription_table["CS_TOPIC"].sub_string, "*");

    // Consume-by-who: online subscribers ∪ groups with offsets.
    let mut who = admin
        .query_topic_consume_by_who(&addr, "CS_TOPIC")
        .await
        .unwrap();
    who.sort();
    assert_eq!(who, ["cg-cs", "cg-push"]);
    assert_eq!(
        admin
            .query_topic_consume_by_who(&addr, "CS_OTHER")
            .await
            .unwrap(),
        ["cg-cs"],
        "offsets only"
    );
    assert!(admin
        .query_topic_consume_by_who(&addr, "NOBODY_READS")
        .await
        .unwrap()
        .is_empty());

    // Offline group: consume stats cover every topic it has offsets for.
    consumer.unregister().await.unwrap();
    let (code, _) = code_of(admin.consumer_connections(&addr, "cg-cs").await);
    assert_eq!(code, response::CONSUMER_NOT_ONLINE);
    let offline = admin.consume_stats(&addr, "cg-cs", None).await.unwrap();
    assert_eq!(offline.offset_table.len(), 4 + 2);
    assert_eq!(offline.offset_table[&other].consumer_offset, 0);
    assert_eq!(offline.offset_table[&other].broker_offset, 0);

    push.shutdown().await;
    eventually("push consumer gone", || async {
        admin.consumer_connections(&addr, "cg-push").await.is_err()
    })
    .await;
    // Closing the producer's connection removes it from the group, as a channel close does in
    // Java.
    producer.shutdown();
    eventually("producer gone", || async {
        admin.producer_connections(&addr, "pg-cs").await.is_err()
    })
    .await;
    broker.stop().await;
}
