//! The dashboard's JSON API (docs/dashboard.md) over real HTTP: an in-process name server with
//! a master and its slave, the dashboard server on port 0, and a `reqwest` client. Each test
//! asserts on what the cluster really holds (brokers, topics, queues, messages, offsets, ACL
//! accounts), and on the `{error}` answers with their HTTP status.

use std::time::Duration;

use serde_json::{json, Value};

use crate::support::{eventually, Cluster, TestCluster};
use rocketactor::acl::SessionCredentials;
use rocketactor::client::PullStatus;
use rocketactor::config::BrokerRole;
use rocketactor::dashboard::{self, Dashboard, DashboardConfig};
use rocketactor::protocol::message_queue::MessageQueue;

struct Http {
    base: String,
    client: reqwest::Client,
}

impl Http {
    fn new(d: &Dashboard) -> Http {
        Http {
            base: format!("http://{}", d.local_addr),
            client: reqwest::Client::builder()
                .timeout(Duration::from_secs(30))
                .build()
                .unwrap(),
        }
    }

    async fn send(&self, r: reqwest::RequestBuilder) -> (u16, Value) {
        let resp = r.send().await.expect("the dashboard answers");
        let status = resp.status().as_u16();
        let text = resp.text().await.expect("a body");
        let v = serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"));
        (status, v)
    }

    async fn get(&self, path: &str) -> (u16, Value) {
        self.send(self.client.get(format!("{}{path}", self.base)))
            .await
    }

    async fn ok(&self, path: &str) -> Value {
        let (s, v) = self.get(path).await;
        assert_eq!(s, 200, "GET {path}: {v}");
        v
    }

    async fn post(&self, path: &str, body: Value) -> (u16, Value) {
        self.send(self.client.post(format!("{}{path}", self.base)).json(&body))
            .await
    }

    async fn post_ok(&self, path: &str, body: Value) -> Value {
        let (s, v) = self.post(path, body.clone()).await;
        assert_eq!(s, 200, "POST {path} {body}: {v}");
        v
    }
}

async fn start_dashboard(ns: &str, credentials: Option<SessionCredentials>) -> Dashboard {
    let mut cfg = DashboardConfig::new(ns, "127.0.0.1:0".parse().unwrap());
    cfg.poll_interval = Duration::from_millis(200);
    cfg.credentials = credentials;
    dashboard::start(cfg).await.expect("dashboard starts")
}

#[actix_rt::test]
async fn cluster_topics_messages_groups_and_reset_over_http() {
    let tc = TestCluster::builder().named("dash").slaves(1).start().await;
    let d = start_dashboard(&tc.namesrv_addr(), None).await;
    let h = Http::new(&d);
    let master_addr = tc.addr(&tc.masters[0]);

    // Cluster: the master and its slave, with roles, addresses and the slave's HA lag.
    let cluster = eventually("both brokers listed", || async {
        let v = h.ok("/api/cluster").await;
        (v["brokers"].as_array().map_or(0, |b| b.len()) == 2).then_some(v)
    })
    .await;
    let brokers = cluster["brokers"].as_array().unwrap();
    let master = brokers.iter().find(|b| b["brokerId"] == 0).unwrap();
    let slave = brokers.iter().find(|b| b["brokerId"] == 1).unwrap();
    assert_eq!(master["addr"], master_addr.as_str());
    assert!(
        master["role"].as_str().unwrap().ends_with("MASTER"),
        "{master}"
    );
    assert_eq!(slave["role"], "SLAVE");
    assert_eq!(master["brokerIp1"], "127.0.0.1");
    assert_eq!(master["version"], "V4_9_7");
    assert!(master["error"].is_null(), "{master}");
    assert!(slave["haLagBytes"].as_i64().is_some(), "{slave}");

    // Create a topic on every master; it is listed, routed and has 4 queues.
    let created = h
        .post_ok(
            "/api/topics",
            json!({"topic": "DashT", "readQueueNums": 4, "writeQueueNums": 4}),
        )
        .await;
    assert_eq!(created["brokers"], json!(["dash-a"]));
    let topics = eventually("DashT listed", || async {
        let v = h.ok("/api/topics").await;
        let listed = v["topics"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["topic"] == "DashT" && t["kind"] == "normal");
        listed.then_some(v)
    })
    .await;
    assert!(topics["topics"]
        .as_array()
        .unwrap()
        .iter()
        .any(|t| t["topic"] == "TBW102" && t["kind"] == "system"));

    // Send through the API; every message is found by topic+time, by key and by both ids.
    let before = rocketactor::store::time::now_ms() - 1000;
    let mut sent = Vec::new();
    for i in 0..5 {
        let r = h
            .post_ok(
                "/api/messages",
                json!({"topic": "DashT", "body": format!("body-{i}"), "tags": "tagA", "keys": format!("key-{i}")}),
            )
            .await;
        assert_eq!(r["sendStatus"], "SendOk", "{r}");
        sent.push(r);
    }
    let detail = h.ok("/api/topics/DashT").await;
    assert_eq!(detail["queues"].as_array().unwrap().len(), 4, "{detail}");
    assert_eq!(detail["messages"], 5, "{detail}");
    assert_eq!(detail["route"]["queueDatas"][0]["writeQueueNums"], 4);

    let now = rocketactor::store::time::now_ms() + 1000;
    let found = h
        .ok(&format!(
            "/api/messages?topic=DashT&begin={before}&end={now}"
        ))
        .await;
    let mut bodies: Vec<String> = found["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["body"].as_str().unwrap().to_owned())
        .collect();
    bodies.sort();
    assert_eq!(
        bodies,
        (0..5).map(|i| format!("body-{i}")).collect::<Vec<_>>()
    );
    // A range before the sends finds nothing.
    let none = h
        .ok(&format!(
            "/api/messages?topic=DashT&begin=0&end={}",
            before - 60_000
        ))
        .await;
    assert_eq!(none["messages"], json!([]));

    let by_key = h.ok("/api/messages/key?topic=DashT&key=key-3").await;
    let by_key = by_key["messages"].as_array().unwrap();
    assert_eq!(by_key.len(), 1);
    assert_eq!(by_key[0]["body"], "body-3");
    assert_eq!(by_key[0]["properties"]["TAGS"], "tagA");

    let uniq = sent[2]["msgId"].as_str().unwrap();
    let by_id = h
        .ok(&format!("/api/messages/id?topic=DashT&id={uniq}"))
        .await;
    assert_eq!(by_id["body"], "body-2");
    let offset_id = sent[4]["offsetMsgId"].as_str().unwrap();
    let by_offset_id = h.ok(&format!("/api/messages/id?id={offset_id}")).await;
    assert_eq!(by_offset_id["body"], "body-4");
    assert_eq!(by_offset_id["storeHost"], master_addr.as_str());

    // A group consumes everything and commits; the API shows no lag, then a reset to before
    // the sends (the group is offline: offsets written) brings the lag back to 5.
    let pc = tc.consumer("DashG");
    for mq in pc.fetch_queues("DashT").await.unwrap() {
        let r = pc.pull(&mq, 0, 32, "*", None).await.unwrap();
        let next = if r.status == PullStatus::Found {
            r.next_begin_offset
        } else {
            0
        };
        pc.commit_offset(&mq, next).await.unwrap();
    }
    let g = eventually("DashG consumed everything", || async {
        let v = h.ok("/api/groups/DashG").await;
        let queues = v["queues"].as_array().map_or(0, |q| q.len());
        (queues == 4 && v["lag"] == 0).then_some(v)
    })
    .await;
    assert_eq!(g["online"], false);
    let groups = h.ok("/api/groups").await;
    assert!(groups["groups"]
        .as_array()
        .unwrap()
        .iter()
        .any(|x| x["group"] == "DashG" && x["lag"] == 0));

    let reset = h
        .post_ok(
            "/api/groups/DashG/reset",
            json!({"topic": "DashT", "timestamp": before - 60_000}),
        )
        .await;
    assert_eq!(reset["offline"], true, "{reset}");
    assert_eq!(reset["queues"].as_array().unwrap().len(), 4);
    assert!(reset["queues"]
        .as_array()
        .unwrap()
        .iter()
        .all(|q| q["offset"] == 0));
    let after = h.ok("/api/groups/DashG").await;
    assert_eq!(after["lag"], 5, "{after}");
    for q in 0..4 {
        let mq = MessageQueue::new("DashT", "dash-a", q);
        assert_eq!(pc.query_offset(&mq).await.unwrap(), Some(0));
    }
    pc.close();

    // Producers of a live group: our DASHBOARD_PRODUCER is short-lived, a started producer
    // that heartbeats is listed with its client id.
    let p = tc.producer("DashPG").await;
    p.heartbeat_to(&master_addr).await.unwrap();
    let prod = h.ok("/api/producers?group=DashPG&topic=DashT").await;
    assert!(
        prod["connections"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["clientId"] == p.client_id()),
        "{prod}"
    );
    p.shutdown();

    // The TPS poller sampled both brokers; the put counter moved by at least the 5 sends.
    let tps = eventually("TPS samples", || async {
        let v = h.ok("/api/cluster/tps").await;
        let samples = v["brokers"][master_addr.as_str()]
            .as_array()
            .map_or(0, |s| s.len());
        (samples >= 2).then_some(v)
    })
    .await;
    assert!(
        tps["brokers"][master_addr.as_str()][0]["timeMs"]
            .as_i64()
            .unwrap()
            > 0
    );

    // Delete: gone from the route.
    let (s, v) = h
        .send(h.client.delete(format!("{}/api/topics/DashT", h.base)))
        .await;
    assert_eq!(s, 200, "{v}");
    eventually("DashT deleted", || async {
        let (s, _) = h.get("/api/topics/DashT").await;
        s != 200
    })
    .await;

    d.stop().await;
    tc.stop().await;
}

#[actix_rt::test]
async fn errors_are_json_with_an_http_status() {
    let tc = TestCluster::builder().named("dasherr").start().await;
    let d = start_dashboard(&tc.namesrv_addr(), None).await;
    let h = Http::new(&d);
    eventually("broker listed", || async {
        h.ok("/api/cluster").await["brokers"]
            .as_array()
            .is_some_and(|b| !b.is_empty())
    })
    .await;

    let (s, v) = h.get("/api/topics/NoSuchTopic").await;
    assert_eq!(s, 404, "{v}");
    assert!(v["error"].as_str().unwrap().contains("NoSuchTopic"), "{v}");

    let (s, v) = h.post("/api/topics", json!({"topic": "bad topic!"})).await;
    assert_eq!(s, 400);
    assert!(v["error"].as_str().unwrap().contains("invalid"), "{v}");

    let resp = h
        .client
        .post(format!("{}/api/topics", h.base))
        .header("Content-Type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 400);
    let v: Value = resp.json().await.unwrap();
    assert!(
        v["error"].as_str().unwrap().starts_with("bad JSON body"),
        "{v}"
    );

    let (s, v) = h.get("/api/messages/id?id=nothex").await;
    assert_eq!(s, 400, "{v}");
    let (s, v) = h.get("/api/messages").await;
    assert_eq!(s, 400, "missing topic: {v}");
    let (s, v) = h.get("/api/acl").await;
    assert_eq!((s, v["enabled"].clone()), (200, json!(false)));

    // DLQ: empty before any dead letter; a dead letter (sent to %DLQ%G with the RETRY_TOPIC
    // property the broker sets) is listed and resent to its original topic.
    let (s, v) = h.get("/api/dlq?group=DashDG").await;
    assert_eq!((s, v["messages"].clone()), (200, json!([])), "{v}");
    for t in ["DashOrig", "%DLQ%DashDG"] {
        h.post_ok(
            "/api/topics",
            json!({"topic": t, "readQueueNums": 1, "writeQueueNums": 1}),
        )
        .await;
    }
    let p = tc.producer("DashDLQP").await;
    let dead = rocketactor::client::Message::new(b"dead body".to_vec())
        .with_tags("tagD")
        .with_property("RETRY_TOPIC", "DashOrig")
        .with_property("userProp", "u1");
    p.send("%DLQ%DashDG", dead).await.unwrap();
    p.shutdown();
    let listed = h.ok("/api/dlq?group=DashDG").await;
    let msgs = listed["messages"].as_array().unwrap();
    assert_eq!(msgs.len(), 1, "{listed}");
    let id = msgs[0]["offsetMsgId"].as_str().unwrap().to_owned();
    let r = h
        .post_ok("/api/dlq/resend", json!({"group": "DashDG", "msgId": id}))
        .await;
    assert_eq!(r["topic"], "DashOrig", "{r}");
    let again = h.ok("/api/messages?topic=DashOrig").await;
    let again = again["messages"].as_array().unwrap();
    assert_eq!(again.len(), 1, "{again:?}");
    assert_eq!(again[0]["body"], "dead body");
    assert_eq!(again[0]["tags"], "tagD");
    assert_eq!(again[0]["properties"]["userProp"], "u1");

    // The page itself and its scripts are served from the binary.
    let page = h.client.get(format!("{}/", h.base)).send().await.unwrap();
    assert_eq!(page.status().as_u16(), 200);
    assert!(page.text().await.unwrap().contains("/js/app.js"));
    let js = h
        .client
        .get(format!("{}/js/app.js", h.base))
        .send()
        .await
        .unwrap();
    assert!(js
        .headers()
        .get("content-type")
        .is_some_and(|c| c.to_str().unwrap_or("").starts_with("text/javascript")));

    d.stop().await;
    tc.stop().await;
}

const ACL: &str = r#"globalWhiteRemoteAddresses:
  - 10.10.*.*

accounts:
  - accessKey: rocketmq2
    secretKey: 12345678
    admin: true
"#;

#[actix_rt::test]
async fn acl_accounts_are_listed_created_and_deleted() {
    let dir = tempfile::tempdir().unwrap();
    let acl_file = dir.path().join("plain_acl.yml");
    std::fs::write(&acl_file, ACL).unwrap();
    let cluster = Cluster::start().await;
    let mut cfg = cluster.broker_config(
        "broker-dacl",
        BrokerRole::AsyncMaster,
        &dir.path().join("store"),
    );
    cfg.acl_enable = true;
    cfg.acl_plain_file = Some(acl_file.clone());
    let broker = cluster.broker(cfg).await;
    let d = start_dashboard(
        &cluster.namesrv_addr(),
        Some(SessionCredentials::new("rocketmq2", "12345678")),
    )
    .await;
    let h = Http::new(&d);
    let acl = eventually("ACL listed", || async {
        let v = h.ok("/api/acl").await;
        (v["enabled"] == true).then_some(v)
    })
    .await;
    let accounts = &acl["brokers"]["broker-dacl"]["plainAccessConfigs"];
    assert_eq!(accounts[0]["accessKey"], "rocketmq2", "{acl}");
    assert_eq!(
        acl["brokers"]["broker-dacl"]["globalWhiteAddrs"],
        json!(["10.10.*.*"])
    );

    h.post_ok(
        "/api/acl/accounts",
        json!({"accessKey": "dashUser1", "secretKey": "secret99", "defaultTopicPerm": "DENY",
               "topicPerms": ["DashT=PUB|SUB"], "groupPerms": ["DashG=SUB"]}),
    )
    .await;
    let v = h.ok("/api/acl").await;
    let user = v["brokers"]["broker-dacl"]["plainAccessConfigs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["accessKey"] == "dashUser1")
        .cloned()
        .unwrap_or_else(|| panic!("dashUser1 listed: {v}"));
    assert_eq!(user["topicPerms"], json!(["DashT=PUB|SUB"]));
    assert!(std::fs::read_to_string(&acl_file)
        .unwrap()
        .contains("dashUser1"));

    let (s, v) = h
        .post(
            "/api/acl/accounts",
            json!({"accessKey": "ab", "secretKey": "cd"}),
        )
        .await;
    assert_eq!(s, 400, "{v}");

    let (s, v) = h
        .send(
            h.client
                .delete(format!("{}/api/acl/accounts/dashUser1", h.base)),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    let v = h.ok("/api/acl").await;
    assert!(!v.to_string().contains("dashUser1"), "{v}");

    // Without credentials the cluster refuses the dashboard, and the page says why.
    let anon = start_dashboard(&cluster.namesrv_addr(), None).await;
    let (s, v) = Http::new(&anon).get("/api/acl").await;
    assert!(s >= 400, "{s} {v}");
    assert!(v["error"].as_str().is_some(), "{v}");
    anon.stop().await;

    d.stop().await;
    broker.stop().await;
}
