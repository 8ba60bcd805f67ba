//! Broker statistics over real sockets (docs/metrics.md): N messages sent and pulled show up as
//! put nums N and get nums N in VIEW_BROKER_STATS_DATA (315) under Java's keys (`topic`,
//! `topic@group`, the cluster name) once the sampler has sampled (driven here by its
//! `SampleNow` message rather than waiting 10 s), `consumeTps` of GET_CONSUME_STATS follows
//! the group's minute TPS, unknown items answer Java's SYSTEM_ERROR remark, and the runtime
//! info's `putTps` rises during a bounded load and falls back to 0 after it (the per-second
//! sampler runs on its real timer; waited for, never slept on).

use std::time::{Duration, Instant};

use crate::support::{eventually, Cluster};
use rocketactor::broker::stats::sampler::SampleNow;
use rocketactor::client::{Admin, Message, MqError, Producer, PullConsumer};
use rocketactor::codec::codes::response;
use rocketactor::config::BrokerRole;
use rocketactor::protocol::message_queue::MessageQueue;
use rocketactor::protocol::topic::TopicConfig;

const N: usize = 20;

#[actix_rt::test]
async fn put_and_get_counts_reach_the_stats_windows() {
    let dir = tempfile::tempdir().unwrap();
    let cluster = Cluster::start().await;
    let broker = cluster
        .broker(cluster.broker_config("broker-stats", BrokerRole::AsyncMaster, dir.path()))
        .await;
    let addr = broker.client_addr();
    let ns = cluster.namesrv_addr();
    let admin = Admin::new(&ns).unwrap();
    admin
        .create_topic(&addr, &TopicConfig::new("STATS_T", 2, 2, 6))
        .await
        .unwrap();
    let producer = Producer::new(&ns, "pg-stats").unwrap();
    producer.start().unwrap();
    let consumer = PullConsumer::new(&ns, "cg-stats").unwrap();
    eventually("STATS_T routed", || async {
        consumer
            .fetch_queues("STATS_T")
            .await
            .is_ok_and(|q| q.len() == 2)
    })
    .await;
    let mut put_bytes_min = 0i64;
    for i in 0..N {
        let body = format!("stats-{i}");
        put_bytes_min += body.len() as i64;
        let mq = MessageQueue::new("STATS_T", "broker-stats", (i % 2) as i32);
        producer
            .send_to_queue(&mq, Message::new(body))
            .await
            .unwrap();
    }
    let mut got = 0;
    for qid in 0..2 {
        let mq = MessageQueue::new("STATS_T", "broker-stats", qid);
        let mut offset = 0;
        while offset < (N / 2) as i64 {
            let r = consumer.pull(&mq, offset, 32, "*", None).await.unwrap();
            got += r.messages.len();
            assert!(r.next_begin_offset > offset, "pull made progress");
            offset = r.next_begin_offset;
        }
    }
    assert_eq!(got, N);

    // Nothing sampled yet for these items? Either way, after SampleNow the minute window holds
    // the seed and one snapshot: sum = total, tps = total / 10 s.
    broker.stats_sampler.get().send(SampleNow).await.unwrap();
    let put = admin
        .view_broker_stats(&addr, "TOPIC_PUT_NUMS", "STATS_T")
        .await
        .unwrap();
    assert_eq!(put.stats_minute.sum, N as i64);
    assert_eq!(put.stats_hour.sum, N as i64);
    assert_eq!(put.stats_day.sum, N as i64);
    assert!(put.stats_minute.tps > 0.0, "{put:?}");
    // One call per message: avgpt is messages per call.
    assert_eq!(put.stats_minute.avgpt, 1.0);
    let size = admin
        .view_broker_stats(&addr, "TOPIC_PUT_SIZE", "STATS_T")
        .await
        .unwrap();
    assert!(size.stats_minute.sum > put_bytes_min, "{size:?}");
    let get = admin
        .view_broker_stats(&addr, "GROUP_GET_NUMS", "STATS_T@cg-stats")
        .await
        .unwrap();
    assert_eq!(get.stats_minute.sum, N as i64);
    let cluster_name = broker.broker.cfg.broker_cluster_name.clone();
    let bput = admin
        .view_broker_stats(&addr, "BROKER_PUT_NUMS", &cluster_name)
        .await
        .unwrap();
    assert_eq!(bput.stats_minute.sum, N as i64);
    let bget = admin
        .view_broker_stats(&addr, "BROKER_GET_NUMS", &cluster_name)
        .await
        .unwrap();
    assert_eq!(bget.stats_minute.sum, N as i64);
    // Latency is keyed per queue; one call per successful pull.
    let lat = admin
        .view_broker_stats(&addr, "GROUP_GET_LATENCY", "0@STATS_T@cg-stats")
        .await
        .unwrap();
    assert!(lat.stats_minute.sum >= 0);

    // consumeTps: the group's GROUP_GET_NUMS minute TPS (N over the seeded 10 s).
    let cs = admin
        .consume_stats(&addr, "cg-stats", Some("STATS_T"))
        .await
        .unwrap();
    assert!(cs.consume_tps > 0.0, "{}", cs.consume_tps);
    assert!((cs.consume_tps - get.stats_minute.tps).abs() < 1e-9);

    // Java's answer for an unknown name or a key nothing was counted for.
    for (name, key) in [("NO_SUCH", "STATS_T"), ("TOPIC_PUT_NUMS", "NEVER_SENT")] {
        match admin.view_broker_stats(&addr, name, key).await {
            Err(MqError::Response { code, remark, .. }) => {
                assert_eq!(code, response::SYSTEM_ERROR);
                assert_eq!(remark, format!("The stats <{name}> <{key}> not exist"));
            }
            other => panic!("expected not exist, got {other:?}"),
        }
    }
    producer.shutdown();
    broker.stop().await;
}

/// The first figure of a "tps10 tps60 tps600" string (empty while not sampled long enough).
fn first_tps(s: &str) -> Option<f64> {
    s.split(' ').next().and_then(|f| f.parse().ok())
}

#[actix_rt::test]
async fn runtime_put_tps_follows_a_load() {
    let dir = tempfile::tempdir().unwrap();
    let cluster = Cluster::start().await;
    let broker = cluster
        .broker(cluster.broker_config("broker-tps", BrokerRole::AsyncMaster, dir.path()))
        .await;
    let addr = broker.client_addr();
    let ns = cluster.namesrv_addr();
    let admin = Admin::new(&ns).unwrap();
    admin
        .create_topic(&addr, &TopicConfig::new("TPS_T", 1, 1, 6))
        .await
        .unwrap();
    let producer = Producer::new(&ns, "pg-tps").unwrap();
    producer.start().unwrap();
    let mq = MessageQueue::new("TPS_T", "broker-tps", 0);
    // Bounded load: send until the 10 s put TPS is non-zero, at most 60 s.
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut sent = 0u64;
    let mut seen = None;
    while Instant::now() < deadline {
        for _ in 0..20 {
            producer
                .send_to_queue(&mq, Message::new("load"))
                .await
                .unwrap();
            sent += 1;
        }
        let info = admin.broker_runtime_info(&addr).await.unwrap();
        if let Some(t) = info.get("putTps").and_then(|s| first_tps(s)) {
            if t > 0.0 {
                seen = Some(t);
                break;
            }
        }
    }
    let t = seen.unwrap_or_else(|| panic!("putTps stayed 0 during a load of {sent} messages"));
    assert!(t > 0.0);
    let info = admin.broker_runtime_info(&addr).await.unwrap();
    assert!(
        info["msgPutTotalTodayNow"].parse::<u64>().unwrap() >= sent,
        "{info:?}"
    );
    assert_eq!(info["getTotalTps"].split(' ').count(), 3);
    // Idle: the 10 s figure falls back to 0.0 (waited for, bounded by `eventually`).
    eventually("putTps back to 0", || async {
        admin
            .broker_runtime_info(&addr)
            .await
            .ok()
            .and_then(|i| i.get("putTps").and_then(|s| first_tps(s)))
            == Some(0.0)
    })
    .await;
    producer.shutdown();
    broker.stop().await;
}

/// The sampler is supervised: stopped and panicked, it is restarted (counted as
/// `restarts_stats-sampler`) and the windows, which live in the broker state, keep their counts.
#[actix_rt::test]
async fn sampler_restarts_keep_the_windows() {
    use rocketactor::actors::supervisor::InjectFailure;
    let dir = tempfile::tempdir().unwrap();
    let cluster = Cluster::start().await;
    let broker = cluster
        .broker(cluster.broker_config("broker-smp", BrokerRole::AsyncMaster, dir.path()))
        .await;
    let addr = broker.client_addr();
    let ns = cluster.namesrv_addr();
    let admin = Admin::new(&ns).unwrap();
    admin
        .create_topic(&addr, &TopicConfig::new("SMP_T", 1, 1, 6))
        .await
        .unwrap();
    let producer = Producer::new(&ns, "pg-smp").unwrap();
    producer.start().unwrap();
    let mq = MessageQueue::new("SMP_T", "broker-smp", 0);
    let send = |n: usize| {
        let (p, mq) = (&producer, mq.clone());
        async move {
            for _ in 0..n {
                p.send_to_queue(&mq, Message::new("x")).await.unwrap();
            }
        }
    };
    send(3).await;
    let restarts = |want: &'static str| {
        let (admin, addr) = (&admin, addr.clone());
        async move {
            admin
                .broker_runtime_info(&addr)
                .await
                .ok()
                .and_then(|i| i.get("restarts_stats-sampler").cloned())
                .as_deref()
                == Some(want)
        }
    };
    broker
        .stats_sampler
        .get()
        .send(InjectFailure::Stop)
        .await
        .unwrap();
    eventually("sampler restarted after a stop", || restarts("1")).await;
    broker.stats_sampler.get().do_send(InjectFailure::Panic);
    eventually("sampler rebuilt after a panic", || restarts("2")).await;
    send(2).await;
    // The rebuilt actor answers SampleNow (the slot follows the new address).
    eventually("sampler answers again", || async {
        broker.stats_sampler.get().send(SampleNow).await.is_ok()
    })
    .await;
    let put = admin
        .view_broker_stats(&addr, "TOPIC_PUT_NUMS", "SMP_T")
        .await
        .unwrap();
    assert_eq!(put.stats_minute.sum, 5, "{put:?}");
    producer.shutdown();
    broker.stop().await;
}
