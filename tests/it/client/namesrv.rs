//! The high-level client against our in-process name server over real TCP: a fake broker
//! registers with raw REGISTER_BROKER frames, then NameServerClient (with a dead first
//! address), RouteCache, the queue rules and the name-server admin calls are checked. A second
//! test points a Producer at two scripted fake brokers to check queue choice, the V2 header,
//! the UNIQ_KEY, retry on another broker, and the TBW102 fallback for an unknown topic.

use std::sync::Arc;

use crate::support::raw::{start_ns, GUARD};
use futures::{SinkExt, StreamExt};
use parking_lot::Mutex;
use rocketactor::client::queues::{publish_queues, subscribe_queues};
use rocketactor::client::{
    Admin, Message, MqError, NameServerClient, Producer, RemotingClient, RouteCache, SendStatus,
};
use rocketactor::codec::codes::{request, response};
use rocketactor::codec::headers::{SendMessageRequestHeader, SendMessageResponseHeader};
use rocketactor::codec::{RemotingCodec, RemotingCommand};
use rocketactor::namesrv::NamesrvHandle;
use rocketactor::protocol::register::RegisterBrokerBody;
use rocketactor::protocol::topic::{DataVersion, TopicConfig};
use rocketactor::store::message::property;
use tokio::net::TcpListener;
use tokio_util::codec::Framed;

/// Registers `name` at `addr` (master) with `topics` as (name, queues); the returned
/// connection must stay open, since the name server drops a broker whose channel closes.
async fn register(
    ns: &NamesrvHandle,
    name: &str,
    addr: &str,
    topics: &[(&str, i32)],
) -> RemotingClient {
    let mut body = RegisterBrokerBody::default();
    body.topic_config_serialize_wrapper.data_version = DataVersion {
        counter: 1,
        state_version: 0,
        timestamp: 1_700_000_000_000,
    };
    for (t, n) in topics {
        body.topic_config_serialize_wrapper
            .topic_config_table
            .insert(t.to_string(), TopicConfig::new(*t, *n, *n, 6));
    }
    let req = RemotingCommand::request(request::REGISTER_BROKER)
        .with_ext("clusterName", "DefaultCluster")
        .with_ext("brokerName", name)
        .with_ext("brokerAddr", addr)
        .with_ext("brokerId", 0)
        .with_ext("haServerAddr", addr)
        .with_ext("compressed", false)
        .with_body(body.encode_json().unwrap());
    let conn = RemotingClient::connect(&ns.local_addr().to_string(), GUARD)
        .await
        .expect("connect to name server");
    let resp = conn.invoke(req, GUARD).await.expect("register");
    assert_eq!(resp.code, response::SUCCESS, "{:?}", resp.remark);
    conn
}

/// A port nobody listens on (bound, then released).
async fn dead_addr() -> String {
    let l = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let a = l.local_addr().unwrap().to_string();
    drop(l);
    a
}

#[actix_rt::test]
async fn name_server_client_routes_cluster_and_kv() {
    let ns = start_ns().await;
    let _broker = register(
        &ns,
        "broker-a",
        "127.0.0.1:30911",
        &[("TopicA", 4), ("TopicB", 2)],
    )
    .await;

    // The first name server is dead: every call must fall through to the live one.
    let list = format!("{};{}", dead_addr().await, ns.local_addr());
    let nsc = NameServerClient::new(&list).unwrap();
    assert_eq!(nsc.addrs().len(), 2);

    let route = nsc.topic_route("TopicA").await.expect("route");
    assert_eq!(route.broker_datas.len(), 1);
    assert_eq!(route.broker_datas[0].master_addr(), Some("127.0.0.1:30911"));
    assert_eq!(route.queue_datas[0].write_queue_nums, 4);
    let pq = publish_queues("TopicA", &route);
    assert_eq!(pq.len(), 4);
    assert!(pq
        .iter()
        .all(|q| q.broker_name == "broker-a" && q.topic == "TopicA"));
    assert_eq!(subscribe_queues("TopicA", &route).len(), 4);

    let err = nsc.topic_route("NoSuchTopic").await.unwrap_err();
    assert_eq!(
        err.response_code(),
        Some(response::TOPIC_NOT_EXIST),
        "{err}"
    );

    let info = nsc.cluster_info().await.expect("cluster info");
    assert!(info.cluster_addr_table["DefaultCluster"].contains("broker-a"));
    assert_eq!(
        info.broker_addr_table["broker-a"].master_addr(),
        Some("127.0.0.1:30911")
    );
    let topics = nsc.all_topics().await.expect("topics");
    assert!(
        topics.contains("TopicA") && topics.contains("TopicB"),
        "{topics:?}"
    );

    // Route cache: first get fetches, the cached copy serves broker lookups.
    let cache = RouteCache::new(nsc.clone());
    assert!(cache.cached("TopicB").is_none());
    let r = cache.get("TopicB").await.unwrap();
    assert_eq!(r.queue_datas[0].read_queue_nums, 2);
    assert_eq!(
        cache.master_addr("broker-a").as_deref(),
        Some("127.0.0.1:30911")
    );
    assert_eq!(
        cache
            .broker_addrs_of(&["TopicB".to_owned()])
            .into_iter()
            .collect::<Vec<_>>(),
        vec!["127.0.0.1:30911".to_owned()]
    );

    // Name-server admin: KV config and topic deletion.
    let admin = Admin::new(&ns.local_addr().to_string()).unwrap();
    assert_eq!(admin.get_kv_config("NS", "k").await.unwrap(), None);
    admin.put_kv_config("NS", "k", "v1").await.unwrap();
    assert_eq!(
        admin.get_kv_config("NS", "k").await.unwrap().as_deref(),
        Some("v1")
    );
    let table = admin
        .kv_list("NS")
        .await
        .unwrap()
        .expect("namespace exists");
    assert_eq!(table.get("k").map(String::as_str), Some("v1"));
    admin.delete_kv_config("NS", "k").await.unwrap();
    assert_eq!(admin.get_kv_config("NS", "k").await.unwrap(), None);

    admin.delete_topic_in_namesrv("TopicB", None).await.unwrap();
    let err = cache.refresh("TopicB").await.unwrap_err();
    assert_eq!(err.response_code(), Some(response::TOPIC_NOT_EXIST));
    // A failed refresh keeps the old entry.
    assert!(cache.cached("TopicB").is_some());
    ns.stop();
}

/// What a fake broker saw: (request code, extFields).
type Seen = Arc<Mutex<Vec<RemotingCommand>>>;

/// A scripted broker: answers HEART_BEAT with SUCCESS and every send with `send_code`
/// (a success carries a send response header).
async fn fake_broker(send_code: i32) -> (String, Seen) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let seen: Seen = Arc::default();
    let seen2 = seen.clone();
    tokio::spawn(async move {
        while let Ok((sock, _)) = listener.accept().await {
            let seen = seen2.clone();
            tokio::spawn(async move {
                let mut framed = Framed::new(sock, RemotingCodec::default());
                let mut offset = 0i64;
                while let Some(Ok(req)) = framed.next().await {
                    seen.lock().push(req.clone());
                    let resp = if req.code == request::HEART_BEAT {
                        RemotingCommand::response_to(&req, response::SUCCESS)
                    } else if send_code == response::SUCCESS {
                        let h = SendMessageRequestHeader::from_command(&req).unwrap();
                        let mut r = RemotingCommand::response_to(&req, response::SUCCESS);
                        SendMessageResponseHeader {
                            msg_id: format!("OFFSETID{offset}"),
                            queue_id: h.queue_id,
                            queue_offset: offset,
                            transaction_id: None,
                            msg_region: Some("DefaultRegion".into()),
                            trace_on: Some(true),
                        }
                        .write_to(&mut r);
                        offset += 1;
                        r
                    } else {
                        RemotingCommand::response_to(&req, send_code)
                            .with_remark("scripted failure")
                    };
                    if framed.send(resp).await.is_err() {
                        break;
                    }
                }
            });
        }
    });
    (addr, seen)
}

fn sends(seen: &Seen) -> Vec<RemotingCommand> {
    seen.lock()
        .iter()
        .filter(|c| c.code != request::HEART_BEAT)
        .cloned()
        .collect()
}

#[actix_rt::test]
async fn producer_retries_on_another_broker_and_falls_back_to_tbw102() {
    let ns = start_ns().await;
    let (bad, bad_seen) = fake_broker(response::SERVICE_NOT_AVAILABLE).await;
    let (good, good_seen) = fake_broker(response::SUCCESS).await;
    let topics = [("TopicP", 2), ("TBW102", 8)];
    let _a = register(&ns, "broker-a", &bad, &topics).await;
    let _b = register(&ns, "broker-b", &good, &topics).await;

    let producer = Producer::new(&ns.local_addr().to_string(), "PG").unwrap();
    producer.start().unwrap();
    // Whatever queue the round robin starts at, every send ends on broker-b.
    for i in 0..4 {
        let msg = Message::new(format!("m{i}"))
            .with_tags("TagA")
            .with_keys(["k"]);
        let r = tokio::time::timeout(GUARD, producer.send("TopicP", msg))
            .await
            .unwrap()
            .expect("send succeeds on the good broker");
        assert_eq!(r.status, SendStatus::SendOk);
        assert_eq!(r.queue.broker_name, "broker-b");
        assert_eq!(r.broker_addr, good);
        assert!(r.offset_msg_id.starts_with("OFFSETID"));
        assert_eq!(r.msg_id.len(), 32);
        assert_eq!(r.region_id.as_deref(), Some("DefaultRegion"));
    }
    let good_sends = sends(&good_seen);
    assert_eq!(good_sends.len(), 4);
    for s in &good_sends {
        assert_eq!(s.code, request::SEND_MESSAGE_V2);
        let h = SendMessageRequestHeader::from_v2(s).unwrap();
        assert_eq!(h.producer_group, "PG");
        assert_eq!(h.topic, "TopicP");
        assert_eq!(h.default_topic, "TBW102");
        assert!((0..2).contains(&h.queue_id));
        let props = h.properties.unwrap();
        assert_eq!(property(&props, "TAGS"), Some("TagA"));
        assert!(property(&props, "UNIQ_KEY").is_some());
    }
    // Every attempt on broker-a was retried elsewhere (at most one per send).
    assert!(sends(&bad_seen).len() <= 4);
    // The producer heartbeated each broker it used.
    assert!(good_seen
        .lock()
        .iter()
        .any(|c| c.code == request::HEART_BEAT));

    // Unknown topic: routed over TBW102's brokers, at most 4 queues each.
    let queues = producer.publish_queues("Fresh").await.unwrap();
    assert_eq!(queues.len(), 8);
    assert!(queues.iter().all(|q| q.topic == "Fresh" && q.queue_id < 4));
    let r = producer.send("Fresh", Message::new("x")).await.unwrap();
    assert_eq!(r.queue.topic, "Fresh");

    // Batch: one request, code 320, ids of every message.
    let before = sends(&good_seen).len();
    let r = producer
        .send_batch("TopicP", vec![Message::new("a"), Message::new("b")])
        .await
        .unwrap();
    assert_eq!(r.msg_id.split(',').count(), 2);
    let batch = sends(&good_seen)[before..].to_vec();
    assert_eq!(batch.len(), 1);
    assert_eq!(batch[0].code, request::SEND_BATCH_MESSAGE);
    assert_eq!(batch[0].ext("m"), Some("true"));

    // A non-retryable code is reported with broker address and code.
    let (illegal, _) = fake_broker(response::MESSAGE_ILLEGAL).await;
    let _c = register(&ns, "broker-c", &illegal, &[("OnlyC", 1)]).await;
    let err = producer.send("OnlyC", Message::new("x")).await.unwrap_err();
    match err {
        MqError::Response { addr, code, .. } => {
            assert_eq!(addr, illegal);
            assert_eq!(code, response::MESSAGE_ILLEGAL);
        }
        other => panic!("unexpected {other}"),
    }
    producer.shutdown();
    ns.stop();
}
