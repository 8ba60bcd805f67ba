//! Group, connection and broker commands: updateSubGroup, deleteSubGroup, consumerProgress,
//! consumerConnection, producerConnection, consumerStatus, brokerStatus, getBrokerConfig,
//! updateBrokerConfig.

use super::*;

#[actix_rt::test]
async fn update_sub_group() {
    let e = env().await;
    let o = e
        .ok(
            "updateSubGroup",
            &["-c", &e.cluster, "-g", "cg-usg", "-r", "4", "-q", "2"],
        )
        .await;
    assert!(
        o.contains(&format!("create subscription group to {} success.", e.addr)),
        "{o}"
    );
    assert!(
        o.contains("groupName=cg-usg") && o.contains("retryMaxTimes=4"),
        "{o}"
    );
    let groups = e.admin.subscription_groups(&e.addr).await.unwrap();
    let g = &groups.subscription_group_table["cg-usg"];
    assert_eq!((g.retry_max_times, g.retry_queue_nums), (4, 2));
    assert!(!g.consume_broadcast_enable);
}

#[actix_rt::test]
async fn delete_sub_group() {
    let e = env().await;
    let cfg = SubscriptionGroupConfig::new("cg-dsg");
    e.admin
        .create_subscription_group(&e.addr, &cfg)
        .await
        .unwrap();
    let o = e
        .ok("deleteSubGroup", &["-b", &e.addr, "-g", "cg-dsg"])
        .await;
    assert_eq!(
        o.trim(),
        format!(
            "delete subscription group [cg-dsg] from broker [{}] success.",
            e.addr
        )
    );
    let groups = e.admin.subscription_groups(&e.addr).await.unwrap();
    assert!(!groups.subscription_group_table.contains_key("cg-dsg"));
}

#[actix_rt::test]
async fn consumer_progress() {
    let e = env().await;
    e.topic("CP_T", 2).await;
    e.send("CP_T", 6, 2).await;
    e.commit("cg-cp", "CP_T", 2, 1).await;
    let mut push = e.push("cg-cp-online", "CP_T").await;
    let o = e.ok("consumerProgress", &["-g", "cg-cp"]).await;
    let rows: Vec<Vec<&str>> = o
        .lines()
        .filter(|l| l.starts_with("CP_T"))
        .map(|l| l.split_whitespace().collect())
        .collect();
    assert_eq!(rows.len(), 2, "{o}");
    assert_eq!(&rows[0][..6], ["CP_T", "broker-a", "0", "3", "1", "2"]);
    assert_eq!(&rows[1][..6], ["CP_T", "broker-a", "1", "3", "1", "2"]);
    assert!(o.contains("Diff Total: 4"), "{o}");
    // Without -g: one row per group with a %RETRY% topic; the online one shows PUSH CLUSTERING.
    let all = e.ok("consumerProgress", &[]).await;
    let r = row(&all, "cg-cp-online");
    assert_eq!(&r[1..5], ["1", "V4_9_7", "PUSH", "CLUSTERING"], "{all}");
    push.shutdown().await;
}

#[actix_rt::test]
async fn consumer_connection() {
    let e = env().await;
    e.topic("CC_T", 1).await;
    let mut push = e.push("cg-cc", "CC_T").await;
    let id = push.pull_consumer().client_id().to_owned();
    let o = e.ok("consumerConnection", &["-g", "cg-cc"]).await;
    let r = row(&o, &id);
    assert_eq!(&r[2..], ["JAVA", "V4_9_7"], "{o}");
    assert_eq!(row(&o, "CC_T"), ["CC_T", "*"]);
    assert!(o.contains("ConsumeType: CONSUME_PASSIVELY"), "{o}");
    assert!(o.contains("MessageModel: CLUSTERING"), "{o}");
    assert!(
        o.contains("ConsumeFromWhere: CONSUME_FROM_FIRST_OFFSET"),
        "{o}"
    );
    push.shutdown().await;
}

#[actix_rt::test]
async fn producer_connection() {
    let e = env().await;
    e.topic("PC_T", 1).await;
    let p = Producer::new(&e.ns, "pg-pc").unwrap();
    p.start().unwrap();
    p.send("PC_T", Message::new("x")).await.unwrap();
    p.heartbeat_all().await;
    let o = e
        .ok("producerConnection", &["-g", "pg-pc", "-t", "PC_T"])
        .await;
    let r = row(&o, "0001");
    assert_eq!(r[1], p.client_id(), "{o}");
    assert_eq!(r[4], "V4_9_7");
    p.shutdown();
}

/// The broker relays GET_CONSUMER_RUNNING_INFO (307) to the client; our push consumer does not
/// implement it and says so, which is what comes back (Java consumers answer: interop
/// MqAdminGroupTest.consumerStatus and MqAdminRustCliTest.consumerStatus).
#[actix_rt::test]
async fn consumer_status() {
    let e = env().await;
    e.topic("CS_T", 1).await;
    let mut push = e.push("cg-cs", "CS_T").await;
    let o = e.raw("consumerStatus", &["-g", "cg-cs"]).await;
    assert_eq!(o.code, 0, "{o:?}");
    assert!(o.out.starts_with("#Index"), "{o:?}");
    assert!(
        o.err
            .contains("CODE: 3  DESC: request code 307 not supported by this client"),
        "the client's own answer came back through the broker: {o:?}"
    );
    let gone = e
        .raw("consumerStatus", &["-g", "cg-cs", "-i", "no-such-client"])
        .await;
    assert_eq!(gone.code, 1, "{gone:?}");
    assert!(
        gone.err
            .contains("CODE: 1  DESC: The Consumer <cg-cs> <no-such-client> not online"),
        "{gone:?}"
    );
    push.shutdown().await;
}

#[actix_rt::test]
async fn broker_status() {
    let e = env().await;
    e.topic("BS_T", 1).await;
    e.send("BS_T", 2, 1).await;
    let o = e.ok("brokerStatus", &["-b", &e.addr]).await;
    assert_eq!(
        row(&o, "brokerVersionDesc"),
        ["brokerVersionDesc", ":", "V4_9_7"]
    );
    let put: i64 = row(&o, "msgPutTotalTodayNow")[2].parse().unwrap();
    assert!(put >= 2, "{o}");
    let c = e.ok("brokerStatus", &["-c", &e.cluster]).await;
    let version = c
        .lines()
        .map(|l| l.split_whitespace().collect::<Vec<_>>())
        .find(|f| f.get(1) == Some(&"brokerVersionDesc"))
        .unwrap_or_else(|| panic!("{c}"));
    assert_eq!(
        version,
        [e.addr.as_str(), "brokerVersionDesc", ":", "V4_9_7"]
    );
}

#[actix_rt::test]
async fn get_broker_config() {
    let e = env().await;
    let o = e.ok("getBrokerConfig", &["-b", &e.addr]).await;
    assert!(
        o.starts_with(&format!("============{}============\n", e.addr)),
        "{o}"
    );
    assert_eq!(row(&o, "brokerName"), ["brokerName", "=", "broker-a"]);
    let c = e.ok("getBrokerConfig", &["-c", &e.cluster]).await;
    assert!(
        c.contains(&format!("============Master: {}============", e.addr)),
        "{c}"
    );
    assert_eq!(row(&c, "brokerClusterName")[2], e.cluster);
}

#[actix_rt::test]
async fn update_broker_config() {
    let e = env().await;
    let store = e.keep.dir.path().to_path_buf();
    let o = e
        .ok(
            "updateBrokerConfig",
            &["-b", &e.addr, "-k", "maxMessageSize", "-v", "131072"],
        )
        .await;
    assert_eq!(
        o.trim(),
        format!("update broker config success, {}", e.addr)
    );
    let cfg = e.admin.broker_config(&e.addr).await.unwrap();
    assert_eq!(cfg["maxMessageSize"], "131072");
    // Persisted with every key, as Java's Configuration.persist writes the whole file.
    let file = std::fs::read_to_string(store.join("config/broker.properties")).unwrap();
    assert!(file.lines().any(|l| l == "maxMessageSize=131072"), "{file}");
    assert!(file.lines().any(|l| l == "brokerName=broker-a"), "{file}");
    // An unknown key is skipped (Java's mergeIfExist), the answer is still success.
    let u = e
        .ok(
            "updateBrokerConfig",
            &["-c", &e.cluster, "-k", "noSuchKey", "-v", "1"],
        )
        .await;
    assert_eq!(
        u.trim(),
        format!("update broker config success, {}", e.addr)
    );
    assert!(!e
        .admin
        .broker_config(&e.addr)
        .await
        .unwrap()
        .contains_key("noSuchKey"));
}
