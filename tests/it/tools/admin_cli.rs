//! `rocketactor admin <command>` run as a process against an in-process name server and
//! broker (real sockets, store in a temp dir): one test per mqadmin command, each asserting on
//! the facts the command printed (broker names, topics, offsets, bodies) and, for the writes,
//! on what the broker or name server holds afterwards.

use std::process::Command;

use crate::support::{admin_env, eventually, AdminKeep};
use rocketactor::broker::BrokerHandle;
use rocketactor::client::consumer::PullConsumer;
use rocketactor::client::{
    Admin, ConsumeResult, Message, Producer, PushConfig, PushConsumer, SendResult,
};
use rocketactor::protocol::heartbeat::{ConsumeFromWhere, SubscriptionData};
use rocketactor::protocol::message_queue::MessageQueue;
use rocketactor::protocol::subscription::SubscriptionGroupConfig;
use rocketactor::protocol::topic::TopicConfig;

/// What one `rocketactor admin` run printed.
#[derive(Debug)]
struct Out {
    code: i32,
    out: String,
    err: String,
}

/// A name server with one master `broker-a`.
struct Env {
    keep: AdminKeep,
    _broker: BrokerHandle,
    addr: String,
    ns: String,
    admin: Admin,
    cluster: String,
}

async fn env() -> Env {
    let (keep, broker, addr, ns, admin) = admin_env("broker-a", |_| {}).await;
    let cluster = keep.cluster_name.clone();
    Env {
        keep,
        _broker: broker,
        addr,
        ns,
        admin,
        cluster,
    }
}

/// Runs the binary off the runtime thread (the broker lives on it).
async fn run(envs: Vec<(String, String)>, args: Vec<String>) -> Out {
    let o = tokio::task::spawn_blocking(move || {
        Command::new(env!("CARGO_BIN_EXE_rocketactor"))
            .arg("admin")
            .args(&args)
            .env_remove("NAMESRV_ADDR")
            .envs(envs)
            .output()
            .expect("run rocketactor admin")
    })
    .await
    .expect("join");
    Out {
        code: o.status.code().unwrap_or(-1),
        out: String::from_utf8_lossy(&o.stdout).into_owned(),
        err: String::from_utf8_lossy(&o.stderr).into_owned(),
    }
}

impl Env {
    /// `rocketactor admin CMD -n NS ARGS...`, which must succeed.
    async fn ok(&self, cmd: &str, args: &[&str]) -> String {
        let o = self.raw(cmd, args).await;
        assert_eq!(o.code, 0, "{cmd} {args:?}: {o:?}");
        o.out
    }

    async fn raw(&self, cmd: &str, args: &[&str]) -> Out {
        let mut a = vec![cmd.to_owned(), "-n".into(), self.ns.clone()];
        a.extend(args.iter().map(|s| s.to_string()));
        run(Vec::new(), a).await
    }

    /// Creates `topic` with `queues` queues on the broker and waits for its route.
    async fn topic(&self, topic: &str, queues: i32) {
        let tc = TopicConfig::new(topic, queues, queues, 6);
        self.admin.create_topic(&self.addr, &tc).await.unwrap();
        let ns = self.admin.name_server().unwrap().clone();
        eventually("topic route", || async {
            ns.topic_route(topic).await.is_ok()
        })
        .await;
    }

    /// Sends `n` messages `body-i` with key `key-i` to queue i % queues of `topic`.
    async fn send(&self, topic: &str, n: usize, queues: i32) -> Vec<SendResult> {
        let p = Producer::new(&self.ns, "pg-admin-cli").unwrap();
        p.start().unwrap();
        let mut out = Vec::new();
        for i in 0..n {
            let mq = MessageQueue::new(topic, "broker-a", i as i32 % queues);
            let m = Message::new(format!("body-{i}"))
                .with_tags("TagA")
                .with_keys([format!("key-{i}")]);
            out.push(p.send_to_queue(&mq, m).await.expect("send"));
        }
        p.shutdown();
        out
    }

    /// Makes `group` a known consumer group of `topic` the way a client does (a heartbeat
    /// creates its `%RETRY%` topic), commits `offset` on every queue, then leaves (offline).
    async fn commit(&self, group: &str, topic: &str, queues: i32, offset: i64) {
        let pc = PullConsumer::new(&self.ns, group).unwrap();
        let sub = SubscriptionData::build_tag(topic, "*", 0);
        pc.heartbeat(&[sub]).await.unwrap();
        let ns = self.admin.name_server().unwrap().clone();
        let retry = format!("%RETRY%{group}");
        eventually("retry topic route", || async {
            ns.topic_route(&retry).await.is_ok()
        })
        .await;
        for q in 0..queues {
            let mq = MessageQueue::new(topic, "broker-a", q);
            self.admin
                .update_consumer_offset(&self.addr, group, &mq, offset)
                .await
                .unwrap();
        }
        pc.unregister().await.unwrap();
        pc.close();
    }

    async fn consumer_offset(&self, group: &str, topic: &str, q: i32) -> Option<i64> {
        let mq = MessageQueue::new(topic, "broker-a", q);
        self.admin
            .consumer_offset(&self.addr, group, &mq)
            .await
            .unwrap()
    }

    /// A started push consumer of `group` on `topic`, once the broker lists it.
    async fn push(&self, group: &str, topic: &str) -> PushConsumer {
        let mut cfg = PushConfig::new(&self.ns, group);
        cfg.consume_from = ConsumeFromWhere::FirstOffset;
        let mut push = PushConsumer::with_config(cfg, rocketactor::logging::discard()).unwrap();
        push.subscribe(topic, "*").unwrap();
        push.start(|_| ConsumeResult::Success).unwrap();
        let admin = self.admin.clone();
        eventually("consumer online", || async {
            admin.consumer_connections(&self.addr, group).await.is_ok()
        })
        .await;
        push
    }
}

/// The whitespace-separated fields of the line starting with `first`.
fn row<'a>(out: &'a str, first: &str) -> Vec<&'a str> {
    out.lines()
        .map(|l| l.split_whitespace().collect::<Vec<_>>())
        .find(|f| f.first() == Some(&first))
        .unwrap_or_else(|| panic!("no row {first} in\n{out}"))
}

/// The value after a `Label:` of the message detail block.
fn field<'a>(out: &'a str, label: &str) -> &'a str {
    out.lines()
        .find_map(|l| l.strip_prefix(label))
        .map(str::trim)
        .unwrap_or_else(|| panic!("no {label} in\n{out}"))
}

fn s(v: &[&str]) -> Vec<String> {
    v.iter().map(|x| x.to_string()).collect()
}

#[actix_rt::test]
async fn help_lists_every_command_and_errors_are_javas() {
    let o = run(Vec::new(), s(&["--help"])).await;
    assert_eq!(o.code, 0);
    for c in [
        "clusterList",
        "topicList",
        "topicRoute",
        "topicStatus",
        "topicClusterList",
        "updateTopic",
        "deleteTopic",
        "updateTopicPerm",
        "updateSubGroup",
        "deleteSubGroup",
        "consumerProgress",
        "consumerConnection",
        "producerConnection",
        "consumerStatus",
        "brokerStatus",
        "getBrokerConfig",
        "updateBrokerConfig",
        "queryMsgById",
        "queryMsgByKey",
        "queryMsgByUniqueKey",
        "queryMsgByOffset",
        "printMsg",
        "resetOffsetByTime",
        "skipAccumulatedMessage",
        "cloneGroupOffset",
        "sendMessage",
        "consumeMessage",
        "statsAll",
        "wipeWritePerm",
        "addWritePerm",
        "updateKvConfig",
        "deleteKvConfig",
        "exportMetadata",
    ] {
        assert!(o.out.contains(&format!("   {c:<20} ")), "{c} in\n{}", o.out);
    }
    let h = run(Vec::new(), s(&["help", "updateTopic"])).await;
    assert!(h.out.contains("-t,--topic <arg>"), "{}", h.out);
    let m = run(Vec::new(), s(&["topicRoute"])).await;
    assert_eq!(m.code, 2);
    assert_eq!(m.err, "Missing required option: t\n");

    let e = env().await;
    let r = e.raw("topicRoute", &["-t", "NO_SUCH_TOPIC"]).await;
    assert_eq!(r.code, 1, "{r:?}");
    assert!(
        r.err.contains("TopicRouteSubCommand command failed"),
        "{r:?}"
    );
    assert!(
        r.err.contains("CODE: 17  DESC: No topic route info"),
        "{r:?}"
    );
}

#[actix_rt::test]
async fn cluster_list() {
    let e = env().await;
    // NAMESRV_ADDR instead of -n, as mqadmin reads it.
    let o = run(
        vec![("NAMESRV_ADDR".into(), e.ns.clone())],
        s(&["clusterList"]),
    )
    .await;
    assert_eq!(o.code, 0, "{o:?}");
    assert!(o.out.starts_with("#Cluster Name"), "{}", o.out);
    let r = row(&o.out, &e.cluster);
    assert_eq!(r[1..5], ["broker-a", "0", e.addr.as_str(), "V4_9_7"]);
    let space: f64 = r.last().unwrap().parse().unwrap();
    assert!(space > 0.0 && space <= 1.0, "{}", o.out);

    e.topic("CL_T", 1).await;
    e.send("CL_T", 3, 1).await;
    let m = e.ok("clusterList", &["-m"]).await;
    let r = row(&m, &e.cluster);
    assert_eq!(r[1], "broker-a");
    let in_today: i64 = r[4].parse().unwrap();
    assert!(in_today >= 3, "{m}");
}

#[actix_rt::test]
async fn topic_list() {
    let e = env().await;
    e.topic("TL_T", 2).await;
    e.commit("cg-tl", "TL_T", 2, 0).await;
    let o = e.ok("topicList", &[]).await;
    assert!(o.lines().any(|l| l == "TL_T"), "{o}");
    let c = e.ok("topicList", &["-c"]).await;
    assert!(
        c.lines().any(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            f == [e.cluster.as_str(), "TL_T", "cg-tl"]
        }),
        "{c}"
    );
    assert!(!c.contains("%RETRY%"), "retry topics left out: {c}");
}

#[actix_rt::test]
async fn topic_route() {
    let e = env().await;
    e.topic("TR_T", 4).await;
    let o = e.ok("topicRoute", &["-t", "TR_T"]).await;
    let v: serde_json::Value = serde_json::from_str(&o).expect("route JSON");
    assert_eq!(v["brokerDatas"][0]["brokerName"], "broker-a");
    assert_eq!(v["brokerDatas"][0]["brokerAddrs"]["0"], e.addr);
    assert_eq!(v["queueDatas"][0]["writeQueueNums"], 4);
    let l = e.ok("topicRoute", &["-t", "TR_T", "-l"]).await;
    let r = row(&l, &e.cluster);
    assert_eq!(r[1], "broker-a");
    assert_eq!(r[2], format!("{{0={}}}", e.addr));
    assert_eq!(&r[3..], ["4", "4", "6"]);
    assert_eq!(row(&l, "Total:")[1..], ["1", "4", "4"]);
}

#[actix_rt::test]
async fn topic_status() {
    let e = env().await;
    e.topic("TS_T", 2).await;
    e.send("TS_T", 5, 2).await;
    let o = e.ok("topicStatus", &["-t", "TS_T"]).await;
    let rows: Vec<Vec<&str>> = o
        .lines()
        .filter(|l| l.starts_with("broker-a"))
        .map(|l| l.split_whitespace().collect())
        .collect();
    assert_eq!(rows.len(), 2, "{o}");
    assert_eq!(&rows[0][..4], ["broker-a", "0", "0", "3"]);
    assert_eq!(&rows[1][..4], ["broker-a", "1", "0", "2"]);
    assert!(rows[0].len() > 4, "last updated shown: {o}");
}

#[actix_rt::test]
async fn topic_cluster_list() {
    let e = env().await;
    e.topic("TCL_T", 1).await;
    let o = e.ok("topicClusterList", &["-t", "TCL_T"]).await;
    assert_eq!(o.trim(), e.cluster);
}

#[actix_rt::test]
async fn update_topic() {
    let e = env().await;
    let o = e
        .ok(
            "updateTopic",
            &["-b", &e.addr, "-t", "UT_T", "-r", "3", "-w", "3"],
        )
        .await;
    assert!(
        o.starts_with(&format!("create topic to {} success.", e.addr)),
        "{o}"
    );
    assert!(
        o.contains("TopicConfig [topicName=UT_T, readQueueNums=3, writeQueueNums=3, perm=RW-"),
        "{o}"
    );
    let all = e.admin.get_all_topic_config(&e.addr).await.unwrap();
    assert_eq!(all.topic_config_table["UT_T"].read_queue_nums, 3);
    let c = e.ok("updateTopic", &["-c", &e.cluster, "-t", "UT_C"]).await;
    assert!(
        c.contains(&format!("create topic to {} success.", e.addr)),
        "{c}"
    );
    let all = e.admin.get_all_topic_config(&e.addr).await.unwrap();
    assert_eq!(all.topic_config_table["UT_C"].write_queue_nums, 8);
}

#[actix_rt::test]
async fn delete_topic() {
    let e = env().await;
    e.topic("DT_T", 1).await;
    let o = e.ok("deleteTopic", &["-t", "DT_T", "-c", &e.cluster]).await;
    assert!(
        o.contains(&format!(
            "delete topic [DT_T] from cluster [{}] success.",
            e.cluster
        )),
        "{o}"
    );
    assert!(
        o.contains("delete topic [DT_T] from NameServer success."),
        "{o}"
    );
    let all = e.admin.get_all_topic_config(&e.addr).await.unwrap();
    assert!(!all.topic_config_table.contains_key("DT_T"));
    let topics = e.admin.name_server().unwrap().all_topics().await.unwrap();
    assert!(!topics.contains("DT_T"));
}

#[actix_rt::test]
async fn update_topic_perm() {
    let e = env().await;
    e.topic("UTP_T", 2).await;
    let o = e
        .ok(
            "updateTopicPerm",
            &["-b", &e.addr, "-t", "UTP_T", "-p", "4"],
        )
        .await;
    assert!(
        o.contains(&format!(
            "update topic perm from 6 to 4 in {} success.",
            e.addr
        )),
        "{o}"
    );
    let all = e.admin.get_all_topic_config(&e.addr).await.unwrap();
    assert_eq!(all.topic_config_table["UTP_T"].perm, 4);
    let again = e
        .ok(
            "updateTopicPerm",
            &["-b", &e.addr, "-t", "UTP_T", "-p", "4"],
        )
        .await;
    let ns = e.admin.name_server().unwrap().clone();
    eventually("route shows perm 4", || async {
        ns.topic_route("UTP_T")
            .await
            .is_ok_and(|r| r.queue_datas[0].perm == 4)
    })
    .await;
    let again2 = e
        .ok(
            "updateTopicPerm",
            &["-b", &e.addr, "-t", "UTP_T", "-p", "4"],
        )
        .await;
    assert!(
        again.contains("success") || again.contains("new perm equals"),
        "{again}"
    );
    assert_eq!(again2.trim(), "new perm equals to the old one!");
}

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

#[actix_rt::test]
async fn query_msg_by_id() {
    let e = env().await;
    e.topic("QI_T", 1).await;
    let sent = e.send("QI_T", 2, 1).await;
    let o = e.ok("queryMsgById", &["-i", &sent[1].offset_msg_id]).await;
    assert_eq!(field(&o, "OffsetID:"), sent[1].offset_msg_id);
    assert_eq!(field(&o, "Topic:"), "QI_T");
    assert_eq!(field(&o, "Keys:"), "[key-1]");
    assert_eq!(field(&o, "Tags:"), "[TagA]");
    assert_eq!(field(&o, "Queue ID:"), "0");
    assert_eq!(field(&o, "Queue Offset:"), "1");
    assert_eq!(field(&o, "Store Host:"), e.addr);
    let path = field(&o, "Message Body Path:").to_owned();
    assert_eq!(std::fs::read_to_string(path).unwrap(), "body-1");
    assert!(o.contains("WARN: No Consumer"), "{o}");
    // -g -d goes through the broker (309) to that consumer: ours answers it does not do it.
    let mut push = e.push("cg-qi", "QI_T").await;
    let id = push.pull_consumer().client_id().to_owned();
    let d = e
        .raw(
            "queryMsgById",
            &["-i", &sent[1].offset_msg_id, "-g", "cg-qi", "-d", &id],
        )
        .await;
    assert!(
        d.err
            .contains("CODE: 3  DESC: request code 309 not supported by this client"),
        "{d:?}"
    );
    push.shutdown().await;
}

#[actix_rt::test]
async fn query_msg_by_key() {
    let e = env().await;
    e.topic("QK_T", 2).await;
    let sent = e.send("QK_T", 4, 2).await;
    let admin = e.admin.clone();
    let addr = e.addr.clone();
    eventually("indexed", || async {
        let q = rocketactor::client::admin::MessageQuery::by_key("QK_T", "key-3");
        admin
            .query_message(&addr, &q)
            .await
            .is_ok_and(|m| !m.is_empty())
    })
    .await;
    let o = e.ok("queryMsgByKey", &["-t", "QK_T", "-k", "key-3"]).await;
    assert_eq!(row(&o, &sent[3].msg_id)[1..], ["1", "1"], "{o}");
    assert_eq!(o.lines().count(), 2, "{o}");
}

#[actix_rt::test]
async fn query_msg_by_unique_key() {
    let e = env().await;
    e.topic("QU_T", 1).await;
    let sent = e.send("QU_T", 3, 1).await;
    let o = e
        .ok(
            "queryMsgByUniqueKey",
            &["-t", "QU_T", "-i", &sent[2].msg_id],
        )
        .await;
    assert_eq!(field(&o, "Topic:"), "QU_T");
    assert_eq!(field(&o, "Keys:"), "[key-2]");
    let path = field(&o, "Message Body Path:").to_owned();
    assert_eq!(std::fs::read_to_string(path).unwrap(), "body-2");
}

#[actix_rt::test]
async fn query_msg_by_offset() {
    let e = env().await;
    e.topic("QO_T", 2).await;
    e.send("QO_T", 4, 2).await;
    let o = e
        .ok(
            "queryMsgByOffset",
            &["-t", "QO_T", "-b", "broker-a", "-i", "1", "-o", "1"],
        )
        .await;
    assert_eq!(field(&o, "Keys:"), "[key-3]");
    let path = field(&o, "Message Body Path:").to_owned();
    assert_eq!(std::fs::read_to_string(path).unwrap(), "body-3");
}

#[actix_rt::test]
async fn print_msg() {
    let e = env().await;
    e.topic("PM_T", 2).await;
    e.send("PM_T", 4, 2).await;
    let o = e.ok("printMsg", &["-t", "PM_T"]).await;
    for i in 0..4 {
        assert!(o.contains(&format!("BODY: body-{i}\n")), "{o}");
    }
    assert!(
        o.contains(
            "minOffset=0, maxOffset=2, MessageQueue [topic=PM_T, brokerName=broker-a, queueId=1]"
        ),
        "{o}"
    );
    let nobody = e.ok("printMsg", &["-t", "PM_T", "-d", "false"]).await;
    assert_eq!(nobody.matches("NOT PRINT BODY").count(), 4, "{nobody}");
}

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
