//! `/metrics` of a broker and a name server (docs/metrics.md), scraped over real HTTP and read
//! with a Prometheus text parser: the RocketMQ 5 counters equal the messages sent and pulled,
//! the accumulation follows the committed offsets, store and restart families are present,
//! the exporter's `rocketmq_broker_tps` rises under a bounded load and falls back to 0 after it,
//! and the name server reports its live broker, its topics and the registrations it served.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use actix::Actor;
use prometheus_parse::{Sample, Scrape, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::support::{eventually, Cluster};
use rocketactor::actors::supervisor::{RestartBook, RootSupervisor};
use rocketactor::client::{Admin, Message, Producer, PullConsumer};
use rocketactor::codec::codes::request;
use rocketactor::config::BrokerRole;
use rocketactor::logging::test_logger;
use rocketactor::namesrv::{start_namesrv, NamesrvSettings};
use rocketactor::protocol::message_queue::MessageQueue;
use rocketactor::protocol::topic::TopicConfig;

const N: usize = 30;

/// One `GET /metrics` over a fresh TCP connection, parsed.
async fn scrape(addr: SocketAddr) -> Scrape {
    let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
    s.write_all(b"GET /metrics HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).await.unwrap();
    let text = String::from_utf8(raw).unwrap();
    let (head, body) = text.split_once("\r\n\r\n").expect("an HTTP answer");
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    Scrape::parse(body.lines().map(|l| Ok(l.to_string()))).expect("Prometheus text")
}

fn value(s: &Sample) -> f64 {
    match &s.value {
        Value::Counter(v) | Value::Gauge(v) | Value::Untyped(v) => *v,
        other => panic!("{} is not a scalar: {other:?}", s.metric),
    }
}

/// The value of the one sample `metric` whose labels include `labels`.
fn find(scrape: &Scrape, metric: &str, labels: &[(&str, &str)]) -> Option<f64> {
    scrape
        .samples
        .iter()
        .find(|s| s.metric == metric && labels.iter().all(|(k, v)| s.labels.get(k) == Some(*v)))
        .map(value)
}

#[actix_rt::test]
async fn broker_and_namesrv_metrics_follow_the_traffic() {
    let ns = start_namesrv(
        NamesrvSettings {
            listen: "127.0.0.1:0".parse().unwrap(),
            metrics_listen: Some("127.0.0.1:0".parse().unwrap()),
            ..NamesrvSettings::default()
        },
        test_logger(),
    )
    .await
    .unwrap();
    let ns_metrics = ns.metrics_addr().expect("name server metrics on");
    let book = RestartBook::default();
    let cluster = Cluster {
        namesrv: ns,
        root: RootSupervisor::new(test_logger(), book.clone()).start(),
        book,
    };
    let dir = tempfile::tempdir().unwrap();
    let mut cfg = cluster.broker_config("broker-met", BrokerRole::AsyncMaster, dir.path());
    cfg.metrics_listen = Some("127.0.0.1:0".into());
    let broker = cluster.broker(cfg).await;
    let metrics = broker.metrics.as_ref().expect("metrics on").local_addr();
    // The bound address is also in the store root for other processes.
    let file = std::fs::read_to_string(dir.path().join("metrics.addr")).unwrap();
    assert_eq!(file.parse::<SocketAddr>().unwrap(), metrics);

    let addr = broker.client_addr();
    let nsa = cluster.namesrv_addr();
    let admin = Admin::new(&nsa).unwrap();
    admin
        .create_topic(&addr, &TopicConfig::new("MET_T", 2, 2, 6))
        .await
        .unwrap();
    let producer = Producer::new(&nsa, "pg-met").unwrap();
    producer.start().unwrap();
    let consumer = PullConsumer::new(&nsa, "cg-met").unwrap();
    eventually("MET_T routed", || async {
        consumer
            .fetch_queues("MET_T")
            .await
            .is_ok_and(|q| q.len() == 2)
    })
    .await;
    for i in 0..N {
        let mq = MessageQueue::new("MET_T", "broker-met", (i % 2) as i32);
        producer
            .send_to_queue(&mq, Message::new(format!("m-{i}")))
            .await
            .unwrap();
    }
    let mut got = 0;
    for qid in 0..2 {
        let mq = MessageQueue::new("MET_T", "broker-met", qid);
        let mut offset = 0;
        while offset < (N / 2) as i64 {
            let r = consumer.pull(&mq, offset, 32, "*", None).await.unwrap();
            got += r.messages.len();
            offset = r.next_begin_offset;
        }
    }
    assert_eq!(got, N);
    // Queue 0 consumed and committed, queue 1 committed at 0: N/2 accumulated.
    let q = |qid| MessageQueue::new("MET_T", "broker-met", qid);
    consumer.commit_offset(&q(0), (N / 2) as i64).await.unwrap();
    consumer.commit_offset(&q(1), 0).await.unwrap();

    let s = scrape(metrics).await;
    assert_eq!(
        find(&s, "rocketmq_messages_in_total", &[("topic", "MET_T")]),
        Some(N as f64)
    );
    assert_eq!(
        find(
            &s,
            "rocketmq_messages_out_total",
            &[("topic", "MET_T"), ("consumer_group", "cg-met")]
        ),
        Some(N as f64)
    );
    assert!(find(&s, "rocketmq_throughput_in_total", &[("topic", "MET_T")]).unwrap() > 0.0);
    assert_eq!(
        find(
            &s,
            "rocketmq_message_accumulation",
            &[("topic", "MET_T"), ("group", "cg-met")]
        ),
        Some((N / 2) as f64)
    );
    assert_eq!(
        find(&s, "rocketmq_producer_offset", &[("topic", "MET_T")]),
        Some(N as f64)
    );
    assert!(find(&s, "rocketmq_broker_put_messages_total", &[]).unwrap() >= N as f64);
    assert!(find(&s, "rocketmq_storage_commitlog_max_offset", &[]).unwrap() > 0.0);
    assert!(find(&s, "rocketmq_broker_connections", &[]).unwrap() >= 1.0);
    let ratio = find(
        &s,
        "rocketmq_storage_disk_used_ratio",
        &[("store", "commitlog")],
    )
    .unwrap();
    assert!((0.0..=1.0).contains(&ratio), "{ratio}");
    assert!(
        s.samples
            .iter()
            .any(|x| x.metric == "rocketmq_storage_flush_latency_seconds"
                && matches!(x.value, Value::Histogram(_))),
        "flush latency histogram"
    );
    for required in ["rocketmq_broker_tps", "rocketmq_broker_qps"] {
        assert!(
            find(&s, required, &[("broker", "broker-met")]).is_some(),
            "{required}"
        );
    }

    // The put TPS gauge rises under a bounded load (at most 60 s) ...
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut risen = None;
    let mq = q(0);
    while Instant::now() < deadline && risen.is_none() {
        for _ in 0..20 {
            producer
                .send_to_queue(&mq, Message::new("load"))
                .await
                .unwrap();
        }
        let s = scrape(metrics).await;
        risen = find(&s, "rocketmq_broker_tps", &[("broker", "broker-met")]).filter(|v| *v > 0.0);
    }
    assert!(risen.is_some(), "rocketmq_broker_tps stayed 0 under load");
    // ... and falls back to 0 once the load stops.
    eventually("rocketmq_broker_tps back to 0", || async {
        find(
            &scrape(metrics).await,
            "rocketmq_broker_tps",
            &[("broker", "broker-met")],
        ) == Some(0.0)
    })
    .await;

    // The name server: one live broker, the topic, the registrations it served.
    let n = scrape(ns_metrics).await;
    assert_eq!(find(&n, "rocketmq_namesrv_brokers", &[]), Some(1.0));
    assert_eq!(find(&n, "rocketmq_namesrv_clusters", &[]), Some(1.0));
    assert!(find(&n, "rocketmq_namesrv_topics", &[]).unwrap() >= 1.0);
    let code = request::REGISTER_BROKER.to_string();
    assert!(
        find(&n, "rocketmq_namesrv_requests_total", &[("code", &code)]).unwrap() >= 1.0,
        "registrations counted"
    );
    producer.shutdown();
    broker.stop().await;
}
