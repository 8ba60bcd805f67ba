//! UPDATE_BROKER_CONFIG (25) applied live (issue #13; Java `AdminBrokerProcessor.updateBrokerConfig`
//! and `Configuration.update`), over real sockets with the project's `Admin`, `Producer` and
//! `PullConsumer`: `brokerPermission` changes the route's perm at once (re-registration) and
//! refuses sends with Java's code and remark until it is set back; `maxMessageSize` and
//! `flushIntervalCommitLog` take effect without a restart, and so do `autoCreateSubscriptionGroup`
//! and `longPollingEnable` on the pull side; every update bumps the configuration
//! DataVersion in GET_BROKER_CONFIG's `version` header; the persisted file survives a restart.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use crate::support::{code_of, eventually, Cluster};
use rocketactor::client::route::NameServerClient;
use rocketactor::client::{Admin, Message, Producer, PullConsumer, PullStatus};
use rocketactor::codec::codes::{request, response};
use rocketactor::codec::RemotingCommand;
use rocketactor::config::BrokerRole;
use rocketactor::protocol::topic::DataVersion;

fn one(key: &str, value: &str) -> BTreeMap<String, String> {
    BTreeMap::from([(key.to_string(), value.to_string())])
}

/// A raw SEND_MESSAGE (v1 header) to `topic`/`queue`.
fn send_to(topic: &str, queue: i32) -> RemotingCommand {
    RemotingCommand::request(request::SEND_MESSAGE)
        .with_ext("producerGroup", "pg-lc")
        .with_ext("topic", topic)
        .with_ext("defaultTopic", "TBW102")
        .with_ext("defaultTopicQueueNums", 4)
        .with_ext("queueId", queue)
        .with_ext("sysFlag", 0)
        .with_ext("bornTimestamp", 0)
        .with_ext("flag", 0)
        .with_ext("reconsumeTimes", 0)
        .with_body(b"refused".to_vec())
}

/// GET_BROKER_CONFIG's `version` header.
async fn config_version(admin: &Admin, addr: &str) -> DataVersion {
    let r = admin
        .call(addr, RemotingCommand::request(request::GET_BROKER_CONFIG))
        .await
        .expect("GET_BROKER_CONFIG");
    let v = r.ext("version").expect("version header");
    serde_json::from_str(v).expect("a DataVersion")
}

/// The perm of `topic`'s queue data in the name server's route.
async fn route_perm(ns: &NameServerClient, topic: &str) -> Option<i32> {
    let route = ns.topic_route(topic).await.ok()?;
    route.queue_datas.first().map(|q| q.perm)
}

#[actix_rt::test]
async fn broker_permission_is_applied_live_and_re_registered() {
    let dir = tempfile::tempdir().unwrap();
    let c = Cluster::start().await;
    let nsaddr = c.namesrv_addr();
    let cfg = c.broker_config("broker-lc", BrokerRole::AsyncMaster, dir.path());
    let broker = c.broker(cfg.clone()).await;
    let addr = broker.client_addr();
    let admin = Admin::new(&nsaddr).unwrap();
    let ns = NameServerClient::new(&nsaddr).unwrap();
    let p = Producer::new(&nsaddr, "pg-lc").unwrap();
    p.start().unwrap();
    let first = p.send("LC_TOPIC", Message::new("before")).await.unwrap();
    let mq = first.queue.clone();
    eventually("route perm 6", || async {
        route_perm(&ns, "LC_TOPIC").await == Some(6)
    })
    .await;
    let v0 = config_version(&admin, &addr).await;

    admin
        .update_broker_config(&addr, &one("brokerPermission", "4"))
        .await
        .unwrap();
    // Re-registered at once (the periodic registration is 30 s away).
    eventually("route shows perm 4", || async {
        route_perm(&ns, "LC_TOPIC").await == Some(4)
    })
    .await;
    let v1 = config_version(&admin, &addr).await;
    assert_eq!(
        v1.counter,
        v0.counter + 1,
        "the config DataVersion is bumped"
    );
    // The producer no longer routes to a read-only broker, so ask the broker itself (as a
    // producer with a stale route would).
    let (code, remark) = code_of(admin.call(&addr, send_to("LC_TOPIC", mq.queue_id)).await);
    assert_eq!(code, response::NO_PERMISSION);
    assert_eq!(
        remark,
        format!(
            "the broker[{}] sending message is forbidden",
            cfg.broker_ip1
        )
    );
    assert_eq!(
        admin.broker_config(&addr).await.unwrap()["brokerPermission"],
        "4"
    );

    admin
        .update_broker_config(&addr, &one("brokerPermission", "6"))
        .await
        .unwrap();
    eventually("route shows perm 6 again", || async {
        route_perm(&ns, "LC_TOPIC").await == Some(6)
    })
    .await;
    let ok = p
        .send_to_queue(&mq, Message::new("after"))
        .await
        .expect("writable again");
    assert_eq!(ok.queue_offset, first.queue_offset + 1);
    assert_eq!(config_version(&admin, &addr).await.counter, v0.counter + 2);
    broker.stop().await;

    // The persisted file still holds the last value after a restart.
    let broker = c.broker(cfg).await;
    let file = std::fs::read_to_string(dir.path().join("config/broker.properties")).unwrap();
    assert!(file.lines().any(|l| l == "brokerPermission=6"), "{file}");
    broker.stop().await;
}

#[actix_rt::test]
async fn max_message_size_and_flush_interval_apply_without_restart() {
    let dir = tempfile::tempdir().unwrap();
    let c = Cluster::start().await;
    let nsaddr = c.namesrv_addr();
    let mut cfg = c.broker_config("broker-lm", BrokerRole::AsyncMaster, dir.path());
    // Async flush that, as configured, would not run for ten minutes; every dirty page counts.
    cfg.flush_interval_commit_log = 600_000;
    cfg.flush_commit_log_least_pages = 0;
    cfg.flush_commit_log_thorough_interval = 600_000;
    // Room for a 5 MiB record (sparse files: no disk cost).
    cfg.mapped_file_size_commit_log = 16 * 1024 * 1024;
    let broker = c.broker(cfg.clone()).await;
    let addr = broker.client_addr();
    let admin = Admin::new(&nsaddr).unwrap();
    let p = Producer::new(&nsaddr, "pg-lm").unwrap();
    p.start().unwrap();
    let big = vec![b'x'; 2048];
    let first = p.send("LM_TOPIC", Message::new(big.clone())).await.unwrap();
    let mq = first.queue.clone();

    // maxMessageSize down to 1 KiB: the 2 KiB body is refused with Java's code and remark.
    admin
        .update_broker_config(&addr, &one("maxMessageSize", "1024"))
        .await
        .unwrap();
    let (code, remark) = code_of(p.send_to_queue(&mq, Message::new(big.clone())).await);
    assert_eq!(code, response::MESSAGE_ILLEGAL);
    assert!(remark.contains("msg body length limit 1024B"), "{remark}");
    // ... and up to 8 MiB: a 5 MiB body (over the 4 MiB start-up limit) is stored.
    admin
        .update_broker_config(&addr, &one("maxMessageSize", "8388608"))
        .await
        .unwrap();
    let huge = vec![b'y'; 5 * 1024 * 1024];
    let stored = p
        .send_to_queue(&mq, Message::new(huge))
        .await
        .expect("5 MiB accepted under the raised limit");
    assert_eq!(stored.queue_offset, first.queue_offset + 1);

    // The flush has not run since start-up (ten-minute interval)...
    let reader = broker.broker.store.reader();
    assert!(reader.flushed_offset() < reader.max_phys_offset());
    drop(reader);
    // ... until the interval is changed: the flush thread picks it up on its next round.
    admin
        .update_broker_config(&addr, &one("flushIntervalCommitLog", "50"))
        .await
        .unwrap();
    assert_eq!(
        broker.broker.store.flush.settings().interval.as_millis(),
        50
    );
    eventually("flushed under the new interval", || async {
        let r = broker.broker.store.reader();
        r.flushed_offset() >= r.max_phys_offset()
    })
    .await;
    broker.stop().await;
}

#[actix_rt::test]
async fn pull_side_keys_apply_without_restart() {
    let dir = tempfile::tempdir().unwrap();
    let c = Cluster::start().await;
    let nsaddr = c.namesrv_addr();
    let mut cfg = c.broker_config("broker-lp", BrokerRole::AsyncMaster, dir.path());
    cfg.short_polling_time_mills = 100;
    let broker = c.broker(cfg).await;
    let addr = broker.client_addr();
    let admin = Admin::new(&nsaddr).unwrap();
    let p = Producer::new(&nsaddr, "pg-lp").unwrap();
    p.start().unwrap();
    let sent = p.send("LP_TOPIC", Message::new("m")).await.unwrap();
    let mq = sent.queue.clone();
    let at = sent.queue_offset + 1;

    // autoCreateSubscriptionGroup=false: an unknown group's pull is refused at once.
    admin
        .update_broker_config(&addr, &one("autoCreateSubscriptionGroup", "false"))
        .await
        .unwrap();
    let stranger = PullConsumer::new(&nsaddr, "cg-lp-new").unwrap();
    eventually("routable", || async {
        stranger.fetch_queues("LP_TOPIC").await.is_ok()
    })
    .await;
    let (code, _) = code_of(stranger.pull(&mq, 0, 8, "*", None).await);
    assert_eq!(code, response::SUBSCRIPTION_GROUP_NOT_EXIST);
    admin
        .update_broker_config(&addr, &one("autoCreateSubscriptionGroup", "true"))
        .await
        .unwrap();
    let r = stranger
        .pull(&mq, 0, 8, "*", None)
        .await
        .expect("created now");
    assert_eq!(r.status, PullStatus::Found);

    // longPollingEnable=false: a pull asking to be held 20 s is held shortPollingTimeMills.
    admin
        .update_broker_config(&addr, &one("longPollingEnable", "false"))
        .await
        .unwrap();
    let began = Instant::now();
    let r = tokio::time::timeout(
        Duration::from_secs(10),
        stranger.pull(&mq, at, 8, "*", Some(Duration::from_secs(20))),
    )
    .await
    .expect("answered after the short polling time, not the 20 s hold")
    .expect("pull");
    assert_eq!(r.status, PullStatus::NoNewMsg);
    assert!(began.elapsed() >= Duration::from_millis(100));
    broker.stop().await;
}

/// As in Java (`BrokerStartup` records the `-c` file as `brokerConfigPath` and
/// `Configuration.persist` rewrites it), an update is written back to the file the broker was
/// started from, not to the store, and that file loads again into the same configuration: every
/// key the update did not name keeps its value, and the one it named has the new one.
#[actix_rt::test]
async fn an_update_rewrites_the_start_up_file_and_it_loads_back_whole() {
    let dir = tempfile::tempdir().unwrap();
    let c = Cluster::start().await;
    let nsaddr = c.namesrv_addr();
    let file = dir.path().join("broker-rw.conf");
    std::fs::write(&file, "# the operator's file\nbrokerName=broker-rw\n").unwrap();
    let store = dir.path().join("store");
    let mut cfg = c.broker_config("broker-rw", BrokerRole::AsyncMaster, &store);
    cfg.config_file = Some(file.clone());
    // A real port (a file cannot say "port 0": the loader refuses it).
    let broker = c.broker_on_free_ports(&mut cfg).await;
    let addr = broker.client_addr();
    let admin = Admin::new(&nsaddr).unwrap();
    admin
        .update_broker_config(&addr, &one("maxMessageSize", "65536"))
        .await
        .unwrap();
    broker.stop().await;

    let text = std::fs::read_to_string(&file).unwrap();
    assert!(text.lines().any(|l| l == "maxMessageSize=65536"), "{text}");
    assert!(
        !store.join("config/broker.properties").exists(),
        "nothing written to the store's config directory"
    );
    let no_env: Vec<(String, String)> = Vec::new();
    let loaded = rocketactor::config::load_broker_config_with_env(&file, no_env)
        .expect("the rewritten file loads");
    let mut expected = cfg;
    expected.max_message_size = 65536;
    assert_eq!(loaded.config, expected);
}
