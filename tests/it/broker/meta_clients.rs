//! Client bookkeeping: parsing heartbeats as Java and rocketmq-client-rust send them,
//! consumer registration change detection (what triggers NOTIFY_CONSUMER_IDS_CHANGED),
//! connection close, heartbeat expiry, producers, and queue locks.

use rocketactor::broker::meta::client_channel::{ClientChannelInfo, ConnId};
use rocketactor::broker::meta::consumer_manager::ConsumerManager;
use rocketactor::broker::meta::producer_manager::ProducerManager;
use rocketactor::broker::meta::rebalance_lock::RebalanceLockManager;
use rocketactor::logging::test_logger;
use rocketactor::protocol::admin::ConsumerConnection;
use rocketactor::protocol::heartbeat::{
    java_string_hash, ConsumeFromWhere, ConsumeType, HeartbeatData, MessageModel, SubscriptionData,
};
use rocketactor::protocol::lock::{LockBatchRequestBody, LockBatchResponseBody};
use rocketactor::protocol::message_queue::MessageQueue;

/// A Java 4.9.x client's heartbeat body (docs/protocol.md §3.5).
const JAVA_HEARTBEAT: &str = r#"{"clientID":"10.0.0.9@12345#987654321","consumerDataSet":[{"consumeFromWhere":"CONSUME_FROM_LAST_OFFSET","consumeType":"CONSUME_PASSIVELY","groupName":"cg1","messageModel":"CLUSTERING","subscriptionDataSet":[{"classFilterMode":false,"codeSet":[],"expressionType":"TAG","subString":"*","subVersion":1690000000000,"tagsSet":[],"topic":"T"},{"classFilterMode":false,"codeSet":[],"expressionType":"TAG","subString":"*","subVersion":1690000000001,"tagsSet":[],"topic":"%RETRY%cg1"}],"unitMode":false}],"producerDataSet":[{"groupName":"CLIENT_INNER_PRODUCER"},{"groupName":"pg1"}]}"#;

/// Shaped like rocketmq-client-rust 1.0.0: extra fields, numbers as strings, no expressionType,
/// null sets.
const RUST_HEARTBEAT: &str = r#"{"clientID":"10.0.0.7@rust#1","heartbeatFingerprint":123456,"withoutSub":false,"producerDataSet":[],"consumerDataSet":[{"groupName":"cg-rust","consumeType":"CONSUME_ACTIVELY","messageModel":"BROADCASTING","consumeFromWhere":"CONSUME_FROM_FIRST_OFFSET","unitMode":"false","subscriptionDataSet":[{"classFilterMode":false,"topic":"T","subString":"TagA || TagB","tagsSet":["TagA","TagB"],"codeSet":[2598919,"2598920"],"subVersion":"1690000000000"},{"topic":"U","subString":"*","tagsSet":null,"codeSet":null,"subVersion":1}]}]}"#;

fn client(conn: u64, id: &str, now: i64) -> ClientChannelInfo {
    ClientChannelInfo::new(
        ConnId(conn),
        id,
        format!("10.0.0.{conn}:5000"),
        "JAVA",
        407,
        now,
    )
}

fn sub(topic: &str, version: i64) -> SubscriptionData {
    SubscriptionData::build_tag(topic, "*", version)
}

#[test]
fn parses_java_heartbeat() {
    let hb = HeartbeatData::decode(JAVA_HEARTBEAT.as_bytes()).unwrap();
    assert_eq!(hb.client_id, "10.0.0.9@12345#987654321");
    assert_eq!(hb.producer_data_set.len(), 2);
    let c = &hb.consumer_data_set[0];
    assert_eq!(c.group_name, "cg1");
    assert_eq!(c.consume_type, ConsumeType::Passively);
    assert_eq!(c.message_model, MessageModel::Clustering);
    assert_eq!(c.consume_from_where, ConsumeFromWhere::LastOffset);
    assert_eq!(c.subscription_data_set[1].sub_version, 1690000000001);
    // Re-encoding and decoding is stable.
    let again = HeartbeatData::decode(&hb.encode()).unwrap();
    assert_eq!(again, hb);
}

#[test]
fn parses_rust_client_heartbeat() {
    let hb = HeartbeatData::decode(RUST_HEARTBEAT.as_bytes()).unwrap();
    let c = &hb.consumer_data_set[0];
    assert_eq!(c.consume_type, ConsumeType::Actively);
    assert_eq!(c.message_model, MessageModel::Broadcasting);
    assert_eq!(c.consume_from_where, ConsumeFromWhere::FirstOffset);
    assert!(!c.unit_mode);
    let t = &c.subscription_data_set[0];
    assert_eq!(t.expression_type, "TAG");
    assert_eq!(t.sub_version, 1690000000000);
    assert!(t.code_set.contains(&java_string_hash("TagA")));
    assert!(t.code_set.contains(&2598920));
    assert_eq!(java_string_hash("TagB"), 2598920);
    let u = &c.subscription_data_set[1];
    assert!(u.tags_set.is_empty() && u.code_set.is_empty());
}

#[test]
fn consumer_registration_change_detection() {
    let mut m = ConsumerManager::new(&test_logger());
    let (ct, mm, cfw) = (
        ConsumeType::Passively,
        MessageModel::Clustering,
        ConsumeFromWhere::LastOffset,
    );
    let subs = vec![sub("T", 1), sub("%RETRY%g", 1)];
    assert!(
        m.register_consumer("g", client(1, "c1", 0), ct, mm, cfw, &subs),
        "first client"
    );
    assert!(
        !m.register_consumer("g", client(1, "c1", 10), ct, mm, cfw, &subs),
        "same heartbeat"
    );
    // Higher subVersion replaces the subscription but is not a change.
    let newer = vec![
        SubscriptionData::build_tag("T", "TagA", 2),
        sub("%RETRY%g", 1),
    ];
    assert!(!m.register_consumer("g", client(1, "c1", 20), ct, mm, cfw, &newer));
    assert_eq!(m.find_subscription("g", "T").unwrap().sub_string, "TagA");
    // A lower subVersion is ignored.
    assert!(!m.register_consumer("g", client(1, "c1", 25), ct, mm, cfw, &subs));
    assert_eq!(m.find_subscription("g", "T").unwrap().sub_string, "TagA");
    // A new connection joins.
    assert!(m.register_consumer("g", client(2, "c2", 30), ct, mm, cfw, &newer));
    // A topic added, then removed.
    let more = vec![sub("T", 2), sub("%RETRY%g", 1), sub("U", 1)];
    assert!(m.register_consumer("g", client(2, "c2", 40), ct, mm, cfw, &more));
    assert!(m.register_consumer("g", client(2, "c2", 50), ct, mm, cfw, &newer));
    assert!(m.find_subscription("g", "U").is_none());

    let mut ids = m.consumer_ids("g");
    ids.sort();
    assert_eq!(ids, ["c1", "c2"]);
    assert_eq!(m.channels("g"), vec![ConnId(1), ConnId(2)]);
    assert_eq!(m.find_channel("g", "c2").unwrap().conn, ConnId(2));
    assert_eq!(
        m.groups_by_topic("T").into_iter().collect::<Vec<_>>(),
        ["g"]
    );

    let conn: ConsumerConnection = m.connections("g").unwrap();
    assert_eq!(conn.connection_set.len(), 2);
    assert_eq!(conn.connection_set[0].language, "JAVA");
    assert!(conn.subscription_table.contains_key("T"));
    let json = serde_json::to_string(&conn).unwrap();
    assert!(
        json.contains("\"consumeType\":\"CONSUME_PASSIVELY\""),
        "{json}"
    );

    // Connection close removes the client and reports the group.
    assert_eq!(m.do_channel_close(ConnId(1)), vec!["g".to_string()]);
    assert!(m.do_channel_close(ConnId(1)).is_empty());
    assert_eq!(m.consumer_ids("g"), ["c2"]);
    assert!(m.unregister_consumer("g", ConnId(2)));
    assert!(m.group("g").is_none(), "empty group removed");
    assert!(m.connections("g").is_none());
    assert!(m.consumer_ids("g").is_empty());
}

#[test]
fn consumer_expiry() {
    let mut m = ConsumerManager::new(&test_logger());
    let (ct, mm, cfw) = (
        ConsumeType::Passively,
        MessageModel::Clustering,
        ConsumeFromWhere::LastOffset,
    );
    m.register_consumer("g", client(1, "c1", 1_000), ct, mm, cfw, &[sub("T", 1)]);
    m.register_consumer("g", client(2, "c2", 60_000), ct, mm, cfw, &[sub("T", 1)]);
    m.register_consumer("h", client(1, "c1", 1_000), ct, mm, cfw, &[sub("T", 1)]);
    assert!(
        m.scan_not_active(121_000, 120_000).is_empty(),
        "exactly 120 s is not expired"
    );
    let removed = m.scan_not_active(121_001, 120_000);
    assert_eq!(removed.len(), 2);
    assert!(removed.iter().all(|(_, c)| c.conn == ConnId(1)));
    assert_eq!(m.consumer_ids("g"), ["c2"]);
    assert!(m.group("h").is_none());
}

#[test]
fn producers() {
    let mut p = ProducerManager::new(&test_logger());
    assert!(p.register_producer("pg", client(1, "p1", 0)));
    assert!(!p.register_producer("pg", client(1, "p1", 5)));
    assert!(p.register_producer("pg", client(2, "p2", 10)));
    assert_eq!(p.connections("pg").unwrap().connection_set.len(), 2);
    assert_eq!(p.any_channel("pg").unwrap().client_id, "p2");
    assert_eq!(p.find_by_client_id("p1").unwrap().conn, ConnId(1));
    assert_eq!(p.do_channel_close(ConnId(2)), vec!["pg".to_string()]);
    let removed = p.scan_not_active(200_000, 120_000);
    assert_eq!(removed.len(), 1);
    assert!(p.connections("pg").is_none());
    assert!(!p.unregister_producer("pg", ConnId(1)));
}

#[test]
fn lock_batch_bodies_drive_the_lock_manager() {
    let req: LockBatchRequestBody = serde_json::from_str(
        r#"{"clientId":"c1","consumerGroup":"g","mqSet":[{"brokerName":"b","queueId":0,"topic":"T"},{"brokerName":"b","queueId":1,"topic":"T"}]}"#,
    )
    .unwrap();
    let mut locks = RebalanceLockManager::new(60_000, &test_logger());
    let ok = locks.try_lock_batch(&req.consumer_group, &req.mq_set, &req.client_id, 0);
    let resp = LockBatchResponseBody { lock_ok_mq_set: ok };
    assert_eq!(resp.lock_ok_mq_set.len(), 2);
    let other = locks.try_lock_batch("g", &req.mq_set, "c2", 59_000);
    assert!(other.is_empty());
    locks.unlock_batch("g", &req.mq_set, "c1");
    let q0 = MessageQueue::new("T", "b", 0);
    assert_eq!(locks.try_lock_batch("g", [&q0], "c2", 59_001).len(), 1);
}

#[test]
fn heartbeat_creates_group_and_retry_topic_and_reports_notifications() {
    use rocketactor::broker::meta::client_events::ClientTables;
    use rocketactor::broker::meta::subscription_group::SubscriptionGroupManager;
    use rocketactor::broker::meta::topic_config::{TopicConfigManager, TopicManagerOptions};

    let dir = tempfile::tempdir().unwrap();
    let log = test_logger();
    let mut topics =
        TopicConfigManager::open(dir.path(), TopicManagerOptions::default(), &log).unwrap();
    let mut groups = SubscriptionGroupManager::open(dir.path(), &log).unwrap();
    let mut consumers = ConsumerManager::new(&log);
    let mut producers = ProducerManager::new(&log);
    let mut tables = ClientTables {
        topics: &mut topics,
        groups: &mut groups,
        consumers: &mut consumers,
        producers: &mut producers,
        auto_create_subscription_group: true,
    };
    let hb = HeartbeatData::decode(JAVA_HEARTBEAT.as_bytes()).unwrap();
    let fx = tables.apply_heartbeat(&hb, client(1, "ignored", 0));
    assert_eq!(fx.notify_groups, ["cg1"]);
    assert!(fx.topics_changed && fx.groups_changed);
    // Same heartbeat again: nothing to do.
    let fx = tables.apply_heartbeat(&hb, client(1, "ignored", 30_000));
    assert_eq!(fx, Default::default());
    // A second client on another connection: the group is notified.
    let fx = tables.apply_heartbeat(&hb, client(2, "ignored", 30_000));
    assert_eq!(fx.notify_groups, ["cg1"]);
    assert!(!fx.topics_changed);
    // Notifications can be switched off per group.
    let mut cfg = tables.groups.find("cg1").unwrap().clone();
    cfg.notify_consumer_ids_changed_enable = false;
    tables.groups.update(cfg);
    assert!(tables
        .apply_connection_closed(ConnId(2))
        .notify_groups
        .is_empty());
    assert!(tables
        .apply_unregister(ConnId(1), Some("pg1"), Some("cg1"))
        .notify_groups
        .is_empty());

    let retry = topics.select("%RETRY%cg1").unwrap();
    assert_eq!((retry.write_queue_nums, retry.perm), (1, 6));
    assert!(groups.find("cg1").is_some());
    assert!(consumers.group("cg1").is_none());
    assert_eq!(
        producers
            .connections("CLIENT_INNER_PRODUCER")
            .unwrap()
            .connection_set
            .len(),
        1
    );
    assert!(producers.connections("pg1").is_none());
    assert_eq!(
        producers
            .connections("CLIENT_INNER_PRODUCER")
            .unwrap()
            .connection_set[0]
            .client_id,
        "10.0.0.9@12345#987654321"
    );
}

#[test]
fn heartbeat_without_auto_create_registers_but_creates_nothing() {
    use rocketactor::broker::meta::client_events::ClientTables;
    use rocketactor::broker::meta::subscription_group::SubscriptionGroupManager;
    use rocketactor::broker::meta::topic_config::{TopicConfigManager, TopicManagerOptions};

    let dir = tempfile::tempdir().unwrap();
    let log = test_logger();
    let mut topics =
        TopicConfigManager::open(dir.path(), TopicManagerOptions::default(), &log).unwrap();
    let mut groups = SubscriptionGroupManager::open(dir.path(), &log).unwrap();
    let mut consumers = ConsumerManager::new(&log);
    let mut producers = ProducerManager::new(&log);
    let mut tables = ClientTables {
        topics: &mut topics,
        groups: &mut groups,
        consumers: &mut consumers,
        producers: &mut producers,
        auto_create_subscription_group: false,
    };
    let hb = HeartbeatData::decode(RUST_HEARTBEAT.as_bytes()).unwrap();
    let fx = tables.apply_heartbeat(&hb, client(7, "x", 0));
    assert_eq!(fx.notify_groups, ["cg-rust"]);
    assert!(!fx.topics_changed && !fx.groups_changed);
    assert!(topics.select("%RETRY%cg-rust").is_none());
    assert_eq!(consumers.consumer_ids("cg-rust"), ["10.0.0.7@rust#1"]);
}
