//! The end-to-end scenarios over the configuration matrix: {SYNC_FLUSH, ASYNC_FLUSH} x
//! {SYNC_MASTER, ASYNC_MASTER} x {JSON, ROCKETMQ} request headers. Each scenario is one
//! function taking a [`Mode`]; [`matrix!`] makes one named test per configuration
//! (`matrix::<scenario>::<flush>_<role>_<header>`), so a failure names its cell. Every cell runs
//! a name server, a master and its slave in-process, driven by the project's client.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use rocketactor::client::consumer::PullStatus;
use rocketactor::client::message::{Message, SendStatus};
use rocketactor::codec::codes::{request, response};
use rocketactor::codec::{RemotingCommand, SerializeType};
use rocketactor::config::{BrokerRole, FlushDiskType};

use rocketactor::client::consumer::PullConsumer;
use rocketactor::protocol::message_queue::MessageQueue;

use crate::support::{attached_slaves, eventually, Mode, TestCluster, GUARD};

/// One test per configuration of the matrix for each scenario `$s` (an `async fn(Mode)`).
macro_rules! matrix {
    ($($s:ident),* $(,)?) => {$(
        mod $s {
            use super::*;
            matrix!(@cell $s, sync_flush_sync_master_json, SyncFlush, SyncMaster, Json);
            matrix!(@cell $s, sync_flush_sync_master_rocketmq, SyncFlush, SyncMaster, RocketMq);
            matrix!(@cell $s, sync_flush_async_master_json, SyncFlush, AsyncMaster, Json);
            matrix!(@cell $s, sync_flush_async_master_rocketmq, SyncFlush, AsyncMaster, RocketMq);
            matrix!(@cell $s, async_flush_sync_master_json, AsyncFlush, SyncMaster, Json);
            matrix!(@cell $s, async_flush_sync_master_rocketmq, AsyncFlush, SyncMaster, RocketMq);
            matrix!(@cell $s, async_flush_async_master_json, AsyncFlush, AsyncMaster, Json);
            matrix!(@cell $s, async_flush_async_master_rocketmq, AsyncFlush, AsyncMaster, RocketMq);
        }
    )*};
    (@cell $s:ident, $name:ident, $flush:ident, $role:ident, $header:ident) => {
        #[actix_rt::test]
        async fn $name() {
            super::$s(Mode {
                flush: FlushDiskType::$flush,
                role: BrokerRole::$role,
                header: SerializeType::$header,
            })
            .await;
        }
    };
}

matrix!(
    produce_consume_replicate,
    held_long_poll_answered_by_arrival,
    slave_serves_when_the_master_is_gone,
);

/// A master with one slave in `mode`.
async fn cluster(mode: Mode) -> TestCluster {
    TestCluster::builder().slaves(1).mode(mode).start().await
}

fn max_phys(b: &rocketactor::broker::BrokerHandle) -> i64 {
    b.broker.store.reader().max_phys_offset()
}

/// Produce 200 messages with tags and keys, consume every one back exactly once, filter by tag
/// on the broker, and find the slave holding the same commit log and consume queues (at once
/// on SYNC_MASTER, where SEND_OK means the slave has the record; eventually on ASYNC_MASTER).
async fn produce_consume_replicate(mode: Mode) {
    produce_consume_on(cluster(mode).await).await;
}

/// [`produce_consume_replicate`] on a started cluster; the replication checks when it has a
/// slave (also run on a lone master by `broker::e2e`).
pub async fn produce_consume_on(c: TestCluster) {
    const TOPIC: &str = "MATRIX_TOPIC";
    let mode = c.mode;
    let producer = c.producer("pg-matrix").await;
    for i in 0..200 {
        let msg = Message::new(format!("body-{i}"))
            .with_tags(if i % 2 == 0 { "TagA" } else { "TagB" })
            .with_keys([format!("key-{i}")]);
        let r = producer.send(TOPIC, msg).await.expect("send ok");
        assert_eq!(r.status, SendStatus::SendOk, "{mode:?}");
    }
    let master = &c.masters[0];
    let slave = c.slaves[0].first();
    // The clients really speak the cell's header type: the broker answers in the request's.
    let info = RemotingCommand::request(request::GET_BROKER_RUNTIME_INFO);
    let r = producer
        .pool()
        .invoke(&c.addr(master), info, GUARD)
        .await
        .expect("runtime info");
    assert_eq!(r.code, response::SUCCESS);
    assert_eq!(r.serialize_type, mode.header);
    if let Some(slave) = slave.filter(|_| mode.role == BrokerRole::SyncMaster) {
        assert_eq!(max_phys(slave), max_phys(master), "SEND_OK on SYNC_MASTER");
    }

    let consumer = c.consumer("cg-matrix");
    let queues = eventually("topic routable", || async {
        consumer
            .fetch_queues(TOPIC)
            .await
            .ok()
            .filter(|q| !q.is_empty())
    })
    .await;
    let mut bodies = BTreeMap::new();
    for mq in &queues {
        let mut offset = 0;
        loop {
            let r = consumer
                .pull(mq, offset, 32, "*", None)
                .await
                .expect("pull ok");
            if r.status != PullStatus::Found {
                break;
            }
            for m in &r.messages {
                let body = String::from_utf8(m.body.to_vec()).expect("utf8 body");
                let i: usize = body["body-".len()..].parse().expect("numbered body");
                assert_eq!(
                    m.tags.as_deref(),
                    Some(if i % 2 == 0 { "TagA" } else { "TagB" })
                );
                assert_eq!(m.keys, vec![format!("key-{i}")]);
                assert!(bodies.insert(i, body).is_none(), "message {i} read twice");
            }
            offset = r.next_begin_offset;
        }
    }
    assert_eq!(
        bodies.keys().copied().collect::<Vec<_>>(),
        (0..200).collect::<Vec<_>>(),
        "every message consumed exactly once"
    );

    let mut tag_a = 0;
    for mq in &queues {
        let mut offset = 0;
        loop {
            let r = consumer
                .pull(mq, offset, 32, "TagA", None)
                .await
                .expect("pull ok");
            match r.status {
                PullStatus::Found => {
                    assert!(r.messages.iter().all(|m| m.tags.as_deref() == Some("TagA")));
                    tag_a += r.messages.len();
                }
                PullStatus::NoMatchedMsg => {}
                _ => break,
            }
            offset = r.next_begin_offset;
        }
    }
    assert_eq!(tag_a, 100);

    if let Some(slave) = slave {
        eventually("the slave holds the master's commit log", || {
            std::future::ready(max_phys(slave) == max_phys(master))
        })
        .await;
        eventually("the slave dispatched the same consume queues", || {
            std::future::ready(queues.iter().all(|mq| {
                slave
                    .broker
                    .store
                    .reader()
                    .max_offset_in_queue(TOPIC, mq.queue_id)
                    == master
                        .broker
                        .store
                        .reader()
                        .max_offset_in_queue(TOPIC, mq.queue_id)
            }))
        })
        .await;
    }
    producer.shutdown();
    consumer.close();
    c.stop().await;
}

/// A pull for an offset past the end is held by the broker until a message arrives, and the
/// arrival answers it (not its 20 s timeout).
async fn held_long_poll_answered_by_arrival(mode: Mode) {
    held_long_poll_on(cluster(mode).await).await;
}

/// [`held_long_poll_answered_by_arrival`] on a started cluster (also run without a slave by
/// `broker::e2e`).
pub async fn held_long_poll_on(c: TestCluster) {
    const TOPIC: &str = "MATRIX_LP_TOPIC";
    let mode = c.mode;
    let producer = c.producer("pg-matrix-lp").await;
    let first = producer
        .send(TOPIC, Message::new("first"))
        .await
        .expect("send");
    let mq = first.queue.clone();
    let consumer = c.consumer("cg-matrix-lp");
    eventually("topic routable", || async {
        consumer.fetch_queues(TOPIC).await.is_ok()
    })
    .await;
    let next = first.queue_offset + 1;
    // A plain pull first: the consumer's connection to the master exists from here on.
    let r = consumer
        .pull(&mq, next, 32, "*", None)
        .await
        .expect("pull ok");
    assert_ne!(r.status, PullStatus::Found);

    // The held pull's first poll writes its frame; a plain pull written after it on the same
    // connection is handled after it (a connection's frames are handled in order, and a pull
    // parks synchronously), so its answer proves the held pull has reached the broker.
    let mut held = Box::pin(consumer.pull(&mq, next, 32, "*", Some(Duration::from_secs(20))));
    assert!(futures::poll!(held.as_mut()).is_pending());
    let r = consumer
        .pull(&mq, next, 32, "*", None)
        .await
        .expect("pull ok");
    assert_ne!(r.status, PullStatus::Found);
    assert!(
        futures::poll!(held.as_mut()).is_pending(),
        "the pull is held while nothing is new"
    );

    let sent_at = Instant::now();
    let sending = producer.send_to_queue(&mq, Message::new("second"));
    let (r, sent) = futures::join!(held, sending);
    let answered_at = Instant::now();
    sent.expect("send");
    let r = r.expect("pull ok");
    assert_eq!(r.status, PullStatus::Found);
    assert_eq!(r.messages[0].body.as_ref(), b"second");
    // Generous bound: the held pull is answered by the arrival, not by its 20 s timeout. The
    // figure itself is printed, not asserted: timing belongs in benchmarks.
    let waited = answered_at.duration_since(sent_at);
    eprintln!("{mode:?}: held pull answered {waited:?} after the send started");
    assert!(waited < Duration::from_secs(5));
    producer.shutdown();
    consumer.close();
    c.stop().await;
}

/// Every body of `queues` from `start` (queue id -> offset; 0 when absent) to the end, each
/// checked to be read once.
async fn drain(
    c: &PullConsumer,
    queues: &[MessageQueue],
    start: &BTreeMap<i32, i64>,
) -> BTreeMap<String, ()> {
    let mut got = BTreeMap::new();
    for mq in queues {
        let mut offset = start.get(&mq.queue_id).copied().unwrap_or(0);
        for _ in 0..10_000 {
            let r = c.pull(mq, offset, 32, "*", None).await.expect("pull ok");
            if r.status != PullStatus::Found {
                break;
            }
            for m in &r.messages {
                let body = String::from_utf8(m.body.to_vec()).expect("utf8 body");
                assert!(got.insert(body, ()).is_none(), "a message was read twice");
            }
            offset = r.next_begin_offset;
        }
    }
    got
}

/// Consumers finish a topic from the slave once the master is gone, from the offsets they
/// committed on the master (the slave copies them); the master restarted on its store and
/// ports takes sends again and the slave catches up.
async fn slave_serves_when_the_master_is_gone(mode: Mode) {
    const TOPIC: &str = "MATRIX_FAILOVER_TOPIC";
    const GROUP: &str = "cg-matrix-failover";
    let mut c = TestCluster::builder()
        .slaves(1)
        .fixed_ports()
        .mode(mode)
        .start()
        .await;
    let producer = c.producer("pg-matrix-failover").await;
    for i in 0..100 {
        let r = producer
            .send(TOPIC, Message::new(format!("fo-{i}")))
            .await
            .expect("send ok");
        assert_eq!(r.status, SendStatus::SendOk, "{mode:?}");
    }
    let consumer = c.consumer(GROUP);
    let queues = eventually("topic routable", || async {
        consumer
            .fetch_queues(TOPIC)
            .await
            .ok()
            .filter(|q| !q.is_empty())
    })
    .await;
    let mut half = BTreeMap::new();
    for mq in &queues {
        let max = consumer.max_offset(mq).await.expect("max offset");
        half.insert(mq.queue_id, max / 2);
        consumer.commit_offset(mq, max / 2).await.expect("commit");
    }
    {
        let (master, slave) = (&c.masters[0], &c.slaves[0][0]);
        eventually("slave synced the log, the topic and the offsets", || {
            std::future::ready({
                let meta = slave.broker.meta.lock();
                max_phys(slave) == max_phys(master)
                    && meta.topics.select(TOPIC).is_some()
                    && half
                        .iter()
                        .all(|(q, o)| meta.offsets.query(GROUP, TOPIC, *q) == Some(*o))
            })
        })
        .await;
    }

    c.stop_master(0).await;
    eventually("the route leads to the slave", || async {
        match consumer.fetch_queues(TOPIC).await {
            Ok(q) if !q.is_empty() => consumer.read_addr(&q[0]).await.is_ok_and(|(id, _)| id == 1),
            _ => false,
        }
    })
    .await;
    let mut start = BTreeMap::new();
    for mq in &queues {
        let o = consumer
            .query_offset(mq)
            .await
            .expect("offset")
            .unwrap_or(0);
        start.insert(mq.queue_id, o);
    }
    assert_eq!(start, half, "offsets kept on the slave");
    let rest = drain(&consumer, &queues, &start).await;
    let slave = &c.slaves[0][0];
    let expected_rest: i64 = queues
        .iter()
        .map(|mq| {
            slave
                .broker
                .store
                .reader()
                .max_offset_in_queue(TOPIC, mq.queue_id)
                - half.get(&mq.queue_id).copied().unwrap_or(0)
        })
        .sum();
    assert_eq!(rest.len() as i64, expected_rest);
    let all = drain(&consumer, &queues, &BTreeMap::new()).await;
    let want: BTreeMap<String, ()> = (0..100).map(|i| (format!("fo-{i}"), ())).collect();
    assert_eq!(all, want, "every message from the slave, exactly once");

    c.restart_master(0).await;
    eventually("slave re-attached", || {
        std::future::ready(attached_slaves(&c.masters[0]) == 1)
    })
    .await;
    for i in 100..110 {
        let r = producer
            .send(TOPIC, Message::new(format!("fo-{i}")))
            .await
            .expect("send ok");
        assert_eq!(r.status, SendStatus::SendOk, "{mode:?}");
    }
    let (master, slave) = (&c.masters[0], &c.slaves[0][0]);
    eventually("slave caught up with the restarted master", || {
        std::future::ready(max_phys(slave) == max_phys(master))
    })
    .await;
    producer.shutdown();
    consumer.close();
    c.stop().await;
}
