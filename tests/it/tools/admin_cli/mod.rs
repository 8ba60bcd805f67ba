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
mod acl;
mod groups;
mod messages;
mod offsets;
mod topics;

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
        "updateAclConfig",
        "deleteAclConfig",
        "updateGlobalWhiteAddr",
        "clusterAclConfigVersion",
        "getAclConfig",
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
