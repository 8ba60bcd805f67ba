//! Offset tools and the rest: resetOffsetByTime (offline and online), skipAccumulatedMessage,
//! cloneGroupOffset, sendMessage, consumeMessage, statsAll, wipe/addWritePerm, KV config,
//! exportMetadata.

use super::*;

/// An offline group (no client online) goes through Java's fallback: offsets written here.
#[actix_rt::test]
async fn reset_offset_by_time() {
    let e = env().await;
    e.topic("RO_T", 2).await;
    e.send("RO_T", 6, 2).await;
    e.commit("cg-ro", "RO_T", 2, 3).await;
    let o = e
        .ok(
            "resetOffsetByTime",
            &["-g", "cg-ro", "-t", "RO_T", "-s", "0"],
        )
        .await;
    assert!(
        o.contains(
            "rollback consumer offset by specified consumerGroup[cg-ro], topic[RO_T], force[true]"
        ),
        "{o}"
    );
    let r: Vec<Vec<&str>> = o
        .lines()
        .filter(|l| l.starts_with("broker-a"))
        .map(|l| l.split_whitespace().collect())
        .collect();
    assert_eq!(r.len(), 2, "{o}");
    assert_eq!(r[0], ["broker-a", "0", "3", "3", "0", "0"]);
    assert_eq!(e.consumer_offset("cg-ro", "RO_T", 0).await, Some(0));
    assert_eq!(e.consumer_offset("cg-ro", "RO_T", 1).await, Some(0));
}

/// An online push consumer: the broker computes the table (222) and the consumer restarts
/// from it (220), consuming every message a second time.
#[actix_rt::test]
async fn reset_offset_by_time_with_an_online_consumer() {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;
    let e = env().await;
    e.topic("ROL_T", 2).await;
    e.send("ROL_T", 6, 2).await;
    let seen = Arc::new(AtomicUsize::new(0));
    let mut cfg = PushConfig::new(&e.ns, "cg-rol");
    cfg.consume_from = ConsumeFromWhere::FirstOffset;
    cfg.persist_interval = std::time::Duration::from_millis(100);
    let mut push = PushConsumer::with_config(cfg, rocketactor::logging::discard()).unwrap();
    push.subscribe("ROL_T", "*").unwrap();
    let counter = seen.clone();
    push.start(move |_| {
        counter.fetch_add(1, Ordering::SeqCst);
        ConsumeResult::Success
    })
    .unwrap();
    eventually("all consumed and committed", || async {
        e.consumer_offset("cg-rol", "ROL_T", 0).await == Some(3)
            && e.consumer_offset("cg-rol", "ROL_T", 1).await == Some(3)
    })
    .await;
    let o = e
        .ok(
            "resetOffsetByTime",
            &["-g", "cg-rol", "-t", "ROL_T", "-s", "0"],
        )
        .await;
    assert!(
        o.starts_with("rollback consumer offset by specified group[cg-rol], topic[ROL_T], force[true], timestamp(string)[0], timestamp(long)[0]"),
        "{o}"
    );
    assert_eq!(row(&o, "broker-a"), ["broker-a", "0", "0"], "{o}");
    eventually("consumed again from 0", || async {
        seen.load(Ordering::SeqCst) >= 12
    })
    .await;
    eventually("committed again", || async {
        e.consumer_offset("cg-rol", "ROL_T", 0).await == Some(3)
    })
    .await;
    // skipAccumulatedMessage with the consumer online: to the max offsets, nothing re-read.
    e.send("ROL_T", 2, 2).await;
    let before = seen.load(Ordering::SeqCst);
    let k = e
        .ok("skipAccumulatedMessage", &["-g", "cg-rol", "-t", "ROL_T"])
        .await;
    assert!(k.starts_with("#brokerName"), "{k}");
    assert_eq!(row(&k, "broker-a")[1..], ["0", "4"], "{k}");
    assert!(seen.load(Ordering::SeqCst) <= before + 2);
    push.shutdown().await;
}

#[actix_rt::test]
async fn skip_accumulated_message() {
    let e = env().await;
    e.topic("SK_T", 2).await;
    e.send("SK_T", 6, 2).await;
    e.commit("cg-sk", "SK_T", 2, 0).await;
    let o = e
        .ok("skipAccumulatedMessage", &["-g", "cg-sk", "-t", "SK_T"])
        .await;
    assert_eq!(
        row(&o, "broker-a"),
        ["broker-a", "0", "3", "0", "3", "3"],
        "{o}"
    );
    assert_eq!(e.consumer_offset("cg-sk", "SK_T", 0).await, Some(3));
    assert_eq!(e.consumer_offset("cg-sk", "SK_T", 1).await, Some(3));
}

#[actix_rt::test]
async fn clone_group_offset() {
    let e = env().await;
    e.topic("CG_T", 2).await;
    e.send("CG_T", 4, 2).await;
    e.commit("cg-src", "CG_T", 2, 2).await;
    let o = e
        .ok(
            "cloneGroupOffset",
            &["-s", "cg-src", "-d", "cg-dst", "-t", "CG_T"],
        )
        .await;
    assert_eq!(
        o,
        "clone group offset success. srcGroup[cg-src], destGroup=[cg-dst], topic[CG_T]"
    );
    assert_eq!(e.consumer_offset("cg-dst", "CG_T", 0).await, Some(2));
    assert_eq!(e.consumer_offset("cg-dst", "CG_T", 1).await, Some(2));
}

#[actix_rt::test]
async fn send_message() {
    let e = env().await;
    e.topic("SM_T", 1).await;
    let o = e
        .ok(
            "sendMessage",
            &["-t", "SM_T", "-p", "hello admin", "-k", "K1", "-c", "TagX"],
        )
        .await;
    let r = row(&o, "broker-a");
    assert_eq!(&r[1..3], ["0", "SEND_OK"], "{o}");
    let pc = PullConsumer::new(&e.ns, "cg-sm").unwrap();
    let mq = MessageQueue::new("SM_T", "broker-a", 0);
    pc.routes().get("SM_T").await.unwrap();
    let got = pc.pull(&mq, 0, 8, "*", None).await.unwrap();
    assert_eq!(got.messages.len(), 1);
    assert_eq!(&got.messages[0].body[..], b"hello admin");
    assert_eq!(got.messages[0].msg_id, r[3]);
    assert_eq!(got.messages[0].tags.as_deref(), Some("TagX"));
}

#[actix_rt::test]
async fn consume_message() {
    let e = env().await;
    e.topic("CM_T", 2).await;
    e.send("CM_T", 4, 2).await;
    let o = e.ok("consumeMessage", &["-t", "CM_T"]).await;
    assert!(o.contains("Consume ok"), "{o}");
    for i in 0..4 {
        assert!(o.contains(&format!("BODY: body-{i}\n")), "{o}");
    }
    let one = e
        .ok(
            "consumeMessage",
            &[
                "-t", "CM_T", "-b", "broker-a", "-i", "0", "-o", "1", "-c", "1",
            ],
        )
        .await;
    assert!(
        one.contains("BODY: body-2\n") && !one.contains("body-0"),
        "{one}"
    );
}

#[actix_rt::test]
async fn stats_all() {
    let e = env().await;
    e.topic("SA_T", 2).await;
    e.send("SA_T", 6, 2).await;
    e.commit("cg-sa", "SA_T", 2, 1).await;
    let o = e.ok("statsAll", &["-t", "SA_T"]).await;
    assert!(o.starts_with("#Topic"), "{o}");
    let r = row(&o, "SA_T");
    assert_eq!(&r[1..3], ["cg-sa", "4"], "{o}");
}

#[actix_rt::test]
async fn wipe_and_add_write_perm() {
    let e = env().await;
    e.topic("WP_T", 1).await;
    let o = e.ok("wipeWritePerm", &["-b", "broker-a"]).await;
    assert!(
        o.starts_with(&format!(
            "wipe write perm of broker[broker-a] in name server[{}] OK, ",
            e.ns
        )),
        "{o}"
    );
    let ns = e.admin.name_server().unwrap().clone();
    let route = ns.topic_route("WP_T").await.unwrap();
    assert_eq!(route.queue_datas[0].perm & 2, 0, "write bit wiped");
    let a = e.ok("addWritePerm", &["-b", "broker-a"]).await;
    assert!(
        a.starts_with(&format!(
            "add write perm of broker[broker-a] in name server[{}] OK, ",
            e.ns
        )),
        "{a}"
    );
    let route = ns.topic_route("WP_T").await.unwrap();
    assert_eq!(route.queue_datas[0].perm & 2, 2, "write bit back");
}

#[actix_rt::test]
async fn update_and_delete_kv_config() {
    let e = env().await;
    let o = e
        .ok(
            "updateKvConfig",
            &["-s", "ORDER_TOPIC_CONFIG", "-k", "KV_T", "-v", "broker-a:4"],
        )
        .await;
    assert_eq!(o.trim(), "create or update kv config to namespace success.");
    assert_eq!(
        e.admin
            .get_kv_config("ORDER_TOPIC_CONFIG", "KV_T")
            .await
            .unwrap()
            .as_deref(),
        Some("broker-a:4")
    );
    let d = e
        .ok(
            "deleteKvConfig",
            &["-s", "ORDER_TOPIC_CONFIG", "-k", "KV_T"],
        )
        .await;
    assert_eq!(d.trim(), "delete kv config from namespace success.");
    assert_eq!(
        e.admin
            .get_kv_config("ORDER_TOPIC_CONFIG", "KV_T")
            .await
            .unwrap(),
        None
    );
}

#[actix_rt::test]
async fn export_metadata() {
    let e = env().await;
    e.topic("EM_T", 3).await;
    let mut g = SubscriptionGroupConfig::new("cg-em");
    g.retry_max_times = 4;
    e.admin
        .create_subscription_group(&e.addr, &g)
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().display().to_string();
    let o = e.ok("exportMetadata", &["-c", &e.cluster, "-f", &d]).await;
    assert_eq!(o.trim(), format!("export {d}/metadata.json success"));
    let meta: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("metadata.json")).unwrap())
            .unwrap();
    assert_eq!(meta["topicConfigTable"]["EM_T"]["readQueueNums"], 3);
    assert_eq!(meta["subscriptionGroupTable"]["cg-em"]["retryMaxTimes"], 4);
    assert!(
        meta["topicConfigTable"].get("TBW102").is_none(),
        "system topics left out"
    );
    assert!(meta["exportTime"].as_i64().unwrap() > 0);
    let t = e
        .ok("exportMetadata", &["-b", &e.addr, "-t", "-f", &d])
        .await;
    assert_eq!(t, format!("export {d}/topic.json success"));
}
