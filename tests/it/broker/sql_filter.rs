//! The SQL92 property filter over real sockets (issue 13; Java 4.9.7 `ClientManageProcessor.
//! checkClientConfig`, `PullMessageProcessor`, `ExpressionMessageFilter`): with
//! `enablePropertyFilter=true` a SQL92 subscription — in the pull header, from a heartbeat, or
//! through the project's push consumer — receives exactly the messages whose properties and
//! TAGS match; invalid expressions get SUBSCRIPTION_PARSE_FAILED (23) or
//! FILTER_DATA_NOT_EXIST (27), a stale version SUBSCRIPTION_NOT_LATEST (25), no heartbeat
//! SUBSCRIPTION_NOT_EXIST (24); with the default `enablePropertyFilter=false` every SQL92 path
//! is refused with SYSTEM_ERROR and Java's remark.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

use crate::support::{code_of, eventually, Cluster};
use parking_lot::Mutex;
use rocketactor::broker::BrokerHandle;
use rocketactor::client::message::decode_messages;
use rocketactor::client::remoting::RemotingClient;
use rocketactor::client::{
    ConsumeResult, Message, Producer, PullConsumer, PullStatus, PushConfig, PushConsumer,
};
use rocketactor::codec::codes::{request, response};
use rocketactor::codec::RemotingCommand;
use rocketactor::config::BrokerRole;
use rocketactor::protocol::heartbeat::{
    ConsumeFromWhere, ConsumeType, ConsumerData, HeartbeatData, MessageModel, SubscriptionData,
};
use rocketactor::protocol::message_queue::MessageQueue;

const TOPIC: &str = "SQL_TOPIC";
const DISABLED: &str = "The broker does not support consumer to filter message by SQL92";

struct Env {
    _dir: tempfile::TempDir,
    cluster: Cluster,
    broker: BrokerHandle,
    mq: MessageQueue,
    first: i64,
}

/// A broker (`enablePropertyFilter` as given) holding, on one queue, the messages `m0`..`m9`
/// (property `a` = i, `color` red for even i, TAGS `TagA` when i % 3 == 0 else `TagB`) and `n`
/// (no `a`, TAGS `TagB`).
async fn env(name: &str, enable: bool) -> Env {
    let dir = tempfile::tempdir().unwrap();
    let cluster = Cluster::start().await;
    let mut cfg = cluster.broker_config(name, BrokerRole::AsyncMaster, dir.path());
    cfg.enable_property_filter = enable;
    let broker = cluster.broker(cfg).await;
    let producer = Producer::new(&cluster.namesrv_addr(), "pg-sql").unwrap();
    producer.start().unwrap();
    eventually("broker registered", || async {
        producer.publish_queues("TBW102").await.is_ok()
    })
    .await;
    let msg = |i: i32| {
        Message::new(format!("m{i}"))
            .with_tags(if i % 3 == 0 { "TagA" } else { "TagB" })
            .with_property("a", i.to_string())
            .with_property("color", if i % 2 == 0 { "red" } else { "blue" })
    };
    let first = producer.send(TOPIC, msg(0)).await.expect("send");
    for i in 1..10 {
        producer
            .send_to_queue(&first.queue, msg(i))
            .await
            .expect("send");
    }
    producer
        .send_to_queue(&first.queue, Message::new("n").with_tags("TagB"))
        .await
        .expect("send");
    Env {
        _dir: dir,
        cluster,
        broker,
        mq: first.queue.clone(),
        first: first.queue_offset,
    }
}

fn bodies<'a>(items: impl IntoIterator<Item = &'a str>) -> BTreeSet<String> {
    items.into_iter().map(str::to_owned).collect()
}

/// Pulls the whole queue with `expression` in the header (bounded), returning the bodies.
async fn pull_all(c: &PullConsumer, e: &Env, expression: &str) -> BTreeSet<String> {
    let mut got = BTreeSet::new();
    let mut offset = e.first;
    for _ in 0..50 {
        let r = c
            .pull_sql92(&e.mq, offset, 4, expression)
            .await
            .unwrap_or_else(|err| panic!("{expression}: {err}"));
        for m in &r.messages {
            got.insert(String::from_utf8_lossy(&m.body).into_owned());
        }
        if r.status == PullStatus::NoNewMsg || r.next_begin_offset >= r.max_offset {
            return got;
        }
        offset = r.next_begin_offset;
    }
    panic!("queue not drained in 50 pulls");
}

fn sql_sub(expression: &str, version: i64) -> SubscriptionData {
    SubscriptionData::build_sql92(TOPIC, expression, version)
}

async fn heartbeat(client: &RemotingClient, group: &str, sub: SubscriptionData) {
    let hb = HeartbeatData {
        client_id: format!("127.0.0.1@{group}"),
        consumer_data_set: vec![ConsumerData {
            consume_from_where: ConsumeFromWhere::FirstOffset,
            consume_type: ConsumeType::Passively,
            group_name: group.into(),
            message_model: MessageModel::Clustering,
            subscription_data_set: vec![sub],
            unit_mode: false,
        }],
        producer_data_set: Vec::new(),
    };
    let r = client
        .invoke(
            RemotingCommand::request(request::HEART_BEAT).with_body(hb.encode()),
            Duration::from_secs(5),
        )
        .await
        .unwrap();
    assert_eq!(r.code, response::SUCCESS);
}

/// A push-style pull without a subscription in the header (sysFlag 0): the broker uses the
/// group's heartbeat subscription.
async fn pull_registered(
    client: &RemotingClient,
    e: &Env,
    group: &str,
    sub_version: i64,
) -> RemotingCommand {
    let pull = RemotingCommand::request(request::PULL_MESSAGE)
        .with_ext("consumerGroup", group)
        .with_ext("topic", TOPIC)
        .with_ext("queueId", e.mq.queue_id)
        .with_ext("queueOffset", e.first)
        .with_ext("maxMsgNums", 32)
        .with_ext("sysFlag", 0)
        .with_ext("commitOffset", 0)
        .with_ext("suspendTimeoutMillis", 0)
        .with_ext("subVersion", sub_version);
    client.invoke(pull, Duration::from_secs(5)).await.unwrap()
}

fn body_set(r: &RemotingCommand) -> BTreeSet<String> {
    decode_messages(&r.body)
        .unwrap()
        .into_iter()
        .map(|m| String::from_utf8_lossy(&m.body).into_owned())
        .collect()
}

#[actix_rt::test]
async fn sql92_subscriptions_receive_exactly_the_matching_messages() {
    let e = env("broker-sql", true).await;
    let ns = e.cluster.namesrv_addr();
    let c = PullConsumer::new(&ns, "cg-sql-pull").unwrap();

    // CHECK_CLIENT_CONFIG (46), as a Java consumer sends before it starts.
    c.check_client_config(&sql_sub("a > 3 AND color = 'red'", 1))
        .await
        .expect("valid SQL92 accepted");
    c.check_client_config(&SubscriptionData::build_tag(TOPIC, "TagA", 1))
        .await
        .expect("TAG accepted");
    let (code, remark) = code_of(c.check_client_config(&sql_sub("a > 'x'", 1)).await);
    assert_eq!(code, response::SUBSCRIPTION_PARSE_FAILED);
    assert_eq!(
        remark,
        "java.lang.RuntimeException: Value ''x'' cannot be compared."
    );
    let (code, remark) = code_of(c.check_client_config(&sql_sub("a = 1 AND", 1)).await);
    assert_eq!(code, response::SUBSCRIPTION_PARSE_FAILED);
    assert!(remark.contains("ParseException"), "{remark}");
    let mut odd = sql_sub("a = 1", 1);
    odd.expression_type = "sql92".into();
    let (code, _) = code_of(c.check_client_config(&odd).await);
    assert_eq!(code, response::SUBSCRIPTION_PARSE_FAILED);

    // The expression in the pull header.
    assert_eq!(
        pull_all(&c, &e, "a >= 3 AND color = 'red'").await,
        bodies(["m4", "m6", "m8"])
    );
    assert_eq!(
        pull_all(&c, &e, "TAGS = 'TagA' AND a > 2").await,
        bodies(["m3", "m6", "m9"])
    );
    assert_eq!(pull_all(&c, &e, "a IS NULL").await, bodies(["n"]));
    assert_eq!(
        pull_all(&c, &e, "a NOT IN ('1', '2') AND a < 4 OR TAGS = 'X'").await,
        bodies(["m0", "m3"])
    );
    assert_eq!(pull_all(&c, &e, "a = 'x'").await, BTreeSet::new());
    let (code, remark) = code_of(c.pull_sql92(&e.mq, e.first, 4, "a > 'x'").await);
    assert_eq!(code, response::SUBSCRIPTION_PARSE_FAILED);
    assert_eq!(remark, "parse the consumer's subscription failed");

    // From a heartbeat (how Java push consumers subscribe), compiled once per version.
    let client = RemotingClient::connect(&e.broker.listen_addr.to_string(), Duration::from_secs(5))
        .await
        .unwrap();
    heartbeat(
        &client,
        "cg-sql-hb",
        sql_sub("a BETWEEN 2 AND 5 AND color <> 'red'", 7),
    )
    .await;
    let r = pull_registered(&client, &e, "cg-sql-hb", 7).await;
    assert_eq!(r.code, response::SUCCESS, "{:?}", r.remark);
    assert_eq!(body_set(&r), bodies(["m3", "m5"]));
    let r = pull_registered(&client, &e, "cg-sql-hb", 8).await;
    assert_eq!(r.code, response::SUBSCRIPTION_NOT_LATEST);
    assert_eq!(
        r.remark.as_deref(),
        Some("the consumer's subscription not latest")
    );

    // An expression that does not compile is never registered: FILTER_DATA_NOT_EXIST.
    heartbeat(&client, "cg-sql-bad", sql_sub("a = NULL", 1)).await;
    let r = pull_registered(&client, &e, "cg-sql-bad", 1).await;
    assert_eq!(r.code, response::FILTER_DATA_NOT_EXIST);
    assert_eq!(
        r.remark.as_deref(),
        Some("The broker's consumer filter data is not exist!Your expression may be wrong!")
    );
    // No heartbeat at all: SUBSCRIPTION_NOT_EXIST, never an empty success.
    let r = pull_registered(&client, &e, "cg-sql-none", 1).await;
    assert_eq!(r.code, response::SUBSCRIPTION_NOT_EXIST);

    // The project's push consumer with a SQL92 subscription.
    let mut cfg = PushConfig::new(&ns, "cg-sql-push");
    cfg.consume_from = ConsumeFromWhere::FirstOffset;
    cfg.suspend = Duration::from_secs(1);
    let mut push = PushConsumer::with_config(cfg, rocketactor::logging::discard()).unwrap();
    push.pull_consumer()
        .check_client_config(&sql_sub("color = 'blue' AND a < 5", 1))
        .await
        .unwrap();
    push.subscribe_sql92(TOPIC, "color = 'blue' AND a < 5")
        .unwrap();
    let seen = Arc::new(Mutex::new(Vec::<String>::new()));
    let sink = seen.clone();
    push.start(move |m| {
        sink.lock()
            .push(String::from_utf8_lossy(&m.body).into_owned());
        ConsumeResult::Success
    })
    .unwrap();
    eventually("push consumer got its messages", || async {
        seen.lock().len() >= 2
    })
    .await;
    push.shutdown().await;
    let got = seen.lock().clone();
    assert_eq!(got.len(), 2, "{got:?}");
    assert_eq!(bodies(got.iter().map(String::as_str)), bodies(["m1", "m3"]));
    e.broker.stop().await;
}

#[actix_rt::test]
async fn sql92_is_refused_when_the_property_filter_is_disabled() {
    let e = env("broker-nosql", false).await;
    let c = PullConsumer::new(&e.cluster.namesrv_addr(), "cg-nosql").unwrap();
    let (code, remark) = code_of(c.check_client_config(&sql_sub("a > 1", 1)).await);
    assert_eq!((code, remark.as_str()), (response::SYSTEM_ERROR, DISABLED));
    let (code, remark) = code_of(c.pull_sql92(&e.mq, e.first, 4, "a > 1").await);
    assert_eq!((code, remark.as_str()), (response::SYSTEM_ERROR, DISABLED));
    // TAG subscriptions are unaffected.
    c.check_client_config(&SubscriptionData::build_tag(TOPIC, "*", 1))
        .await
        .unwrap();
    let r = c.pull(&e.mq, e.first, 32, "TagA", None).await.unwrap();
    assert_eq!(r.messages.len(), 4);

    let client = RemotingClient::connect(&e.broker.listen_addr.to_string(), Duration::from_secs(5))
        .await
        .unwrap();
    heartbeat(&client, "cg-nosql-hb", sql_sub("a > 1", 1)).await;
    let r = pull_registered(&client, &e, "cg-nosql-hb", 1).await;
    assert_eq!(r.code, response::SYSTEM_ERROR);
    assert_eq!(r.remark.as_deref(), Some(DISABLED));
    e.broker.stop().await;
}
