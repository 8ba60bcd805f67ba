//! Replication through whole brokers: a name server, a SYNC_MASTER and its SLAVE in-process on
//! 127.0.0.1, driven by the project's client. The slave learns where to replicate from its
//! name-server registration, SYNC_MASTER answers SEND_OK only once the slave has the record,
//! consumers finish a topic from the slave when the master is gone, and either side catches up
//! after a restart.

use std::collections::BTreeMap;
use std::path::Path;

use crate::support::{attached_slaves, eventually, Cluster};
use rocketactor::broker::BrokerHandle;
use rocketactor::client::consumer::{PullConsumer, PullStatus};
use rocketactor::client::message::{Message, SendStatus};
use rocketactor::client::producer::Producer;

const TOPIC: &str = "HA_TOPIC";

fn max_phys(b: &BrokerHandle) -> i64 {
    b.broker.store.reader().max_phys_offset()
}

fn message(i: usize) -> Message {
    Message::new(format!("ha-body-{i}"))
        .with_tags(if i % 2 == 0 { "TagA" } else { "TagB" })
        .with_keys([format!("ha-key-{i}")])
}

async fn started_producer(ns: &str, group: &str) -> Producer {
    let p = Producer::new(ns, group).expect("producer");
    p.start().expect("start producer");
    eventually("TBW102 routable", || async {
        p.publish_queues("TBW102").await.is_ok()
    })
    .await;
    p
}

/// Sends `range` with `lanes` concurrent senders; returns each status.
async fn send_range(p: &Producer, range: std::ops::Range<usize>, lanes: usize) -> Vec<SendStatus> {
    let ids: Vec<usize> = range.collect();
    let chunks: Vec<Vec<usize>> = ids
        .chunks(ids.len().div_ceil(lanes).max(1))
        .map(<[usize]>::to_vec)
        .collect();
    let futs = chunks.into_iter().map(|chunk| async move {
        let mut out = Vec::new();
        for i in chunk {
            out.push(p.send(TOPIC, message(i)).await.expect("stored").status);
        }
        out
    });
    futures::future::join_all(futs)
        .await
        .into_iter()
        .flatten()
        .collect()
}

fn commit_log_files(store_root: &Path) -> BTreeMap<String, Vec<u8>> {
    let dir = store_root.join("commitlog");
    let mut out = BTreeMap::new();
    for e in std::fs::read_dir(&dir).expect("commitlog dir") {
        let e = e.expect("dir entry");
        out.insert(
            e.file_name().to_string_lossy().into_owned(),
            std::fs::read(e.path()).expect("read commit-log file"),
        );
    }
    out
}

/// Pulls every queue of TOPIC from `start` offsets to the end; returns body -> (tags, keys).
async fn drain(
    c: &PullConsumer,
    start: &BTreeMap<i32, i64>,
) -> (BTreeMap<String, (String, Vec<String>)>, BTreeMap<i32, i64>) {
    let mut got = BTreeMap::new();
    let mut ends = BTreeMap::new();
    for mq in c.fetch_queues(TOPIC).await.expect("queues") {
        let mut offset = start.get(&mq.queue_id).copied().unwrap_or(0);
        for _ in 0..10_000 {
            let r = c.pull(&mq, offset, 32, "*", None).await.expect("pull");
            if r.status != PullStatus::Found {
                break;
            }
            for m in &r.messages {
                let body = String::from_utf8(m.body.to_vec()).expect("utf8 body");
                let prev = got.insert(body, (m.tags.clone().unwrap_or_default(), m.keys.clone()));
                assert!(prev.is_none(), "a message was read twice");
            }
            offset = r.next_begin_offset;
        }
        ends.insert(mq.queue_id, offset);
    }
    (got, ends)
}

fn check_messages(got: &BTreeMap<String, (String, Vec<String>)>, range: std::ops::Range<usize>) {
    assert_eq!(got.len(), range.len(), "every message exactly once");
    for i in range {
        let (tags, keys) = got
            .get(&format!("ha-body-{i}"))
            .unwrap_or_else(|| panic!("message {i} missing"));
        assert_eq!(tags, if i % 2 == 0 { "TagA" } else { "TagB" });
        assert_eq!(keys, &vec![format!("ha-key-{i}")]);
    }
}

#[actix_rt::test]
async fn sync_master_replicates_10k_messages_byte_for_byte() {
    let (mdir, sdir) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let c = Cluster::start().await;
    let master = c.broker(c.ha_master_config("broker-a", mdir.path())).await;
    let slave = c.broker(c.ha_slave_config("broker-a", sdir.path())).await;
    eventually("slave attached through its registration", || async {
        attached_slaves(&master) == 1
    })
    .await;

    let p = started_producer(&c.namesrv_addr(), "pg-ha-10k").await;
    let statuses = send_range(&p, 0..10_000, 16).await;
    assert!(
        statuses.iter().all(|s| *s == SendStatus::SendOk),
        "SYNC_MASTER answered SEND_OK only"
    );
    // SEND_OK means the slave acked: it already holds every byte.
    let end = max_phys(&master);
    assert!(end > 1024 * 1024, "data spans several commit-log files");
    assert_eq!(max_phys(&slave), end);
    let (mf, sf) = (commit_log_files(mdir.path()), commit_log_files(sdir.path()));
    assert_eq!(mf.keys().collect::<Vec<_>>(), sf.keys().collect::<Vec<_>>());
    for (name, bytes) in &mf {
        assert!(bytes == &sf[name], "commit-log file {name} differs");
    }
    // The slave dispatched the same consume queues.
    for q in 0..8 {
        assert_eq!(
            slave.broker.store.reader().max_offset_in_queue(TOPIC, q),
            master.broker.store.reader().max_offset_in_queue(TOPIC, q),
            "queue {q}"
        );
    }
    p.shutdown();
    slave.stop().await;
    master.stop().await;
}

#[actix_rt::test]
async fn sync_master_never_answers_send_ok_without_the_slave() {
    let (mdir, sdir) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let c = Cluster::start().await;
    let master = c.broker(c.ha_master_config("broker-a", mdir.path())).await;
    let p = started_producer(&c.namesrv_addr(), "pg-ha-noslave").await;

    // No slave at all: stored, but SLAVE_NOT_AVAILABLE.
    let s = send_range(&p, 0..20, 2).await;
    assert!(
        s.iter().all(|s| *s == SendStatus::SlaveNotAvailable),
        "{s:?}"
    );

    // With the slave: SEND_OK, and the slave has caught up with what came before.
    let slave = c.broker(c.ha_slave_config("broker-a", sdir.path())).await;
    eventually("slave attached", || async { attached_slaves(&master) == 1 }).await;
    let s = send_range(&p, 20..40, 2).await;
    assert!(s.iter().all(|s| *s == SendStatus::SendOk), "{s:?}");
    assert_eq!(max_phys(&slave), max_phys(&master));

    // Slave stopped: never a silent SEND_OK.
    slave.stop().await;
    drop(slave);
    eventually("slave detached", || async { attached_slaves(&master) == 0 }).await;
    let s = send_range(&p, 40..60, 2).await;
    assert!(
        s.iter().all(|s| matches!(
            s,
            SendStatus::SlaveNotAvailable | SendStatus::FlushSlaveTimeout
        )),
        "{s:?}"
    );

    // The slave restarts on its store and catches up from its own max offset.
    let slave = c.broker(c.ha_slave_config("broker-a", sdir.path())).await;
    eventually("restarted slave caught up", || async {
        max_phys(&slave) == max_phys(&master)
    })
    .await;
    let s = send_range(&p, 60..80, 2).await;
    assert!(s.iter().all(|s| *s == SendStatus::SendOk), "{s:?}");
    p.shutdown();
    slave.stop().await;
    master.stop().await;
}

#[actix_rt::test]
async fn consumers_finish_from_the_slave_and_the_restarted_master_resyncs() {
    let (mdir, sdir) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let c = Cluster::start().await;
    // Fixed ports so that the master comes back where the slave knows it.
    let mut mcfg = c.ha_master_config("broker-a", mdir.path());
    let master = c.broker_on_free_ports(&mut mcfg).await;
    let slave = c.broker(c.ha_slave_config("broker-a", sdir.path())).await;
    eventually("slave attached", || async { attached_slaves(&master) == 1 }).await;
    let p = started_producer(&c.namesrv_addr(), "pg-ha-failover").await;
    let s = send_range(&p, 0..400, 4).await;
    assert!(s.iter().all(|s| *s == SendStatus::SendOk));

    // Consume the first half from the master and commit the offsets there.
    let consumer = PullConsumer::new(&c.namesrv_addr(), "cg-ha-failover").expect("consumer");
    eventually("topic routable", || async {
        consumer
            .fetch_queues(TOPIC)
            .await
            .is_ok_and(|q| !q.is_empty())
    })
    .await;
    let mut half = BTreeMap::new();
    for mq in consumer.fetch_queues(TOPIC).await.unwrap() {
        let max = consumer.max_offset(&mq).await.expect("max offset");
        half.insert(mq.queue_id, max / 2);
        consumer.commit_offset(&mq, max / 2).await.expect("commit");
    }
    // The slave copies the topic and the committed offsets from its master.
    eventually("slave synced topic and offsets", || async {
        let meta = slave.broker.meta.lock();
        meta.topics.select(TOPIC).is_some()
            && half
                .iter()
                .all(|(q, o)| meta.offsets.query("cg-ha-failover", TOPIC, *q) == Some(*o))
    })
    .await;

    // The master goes away; the consumer reads its committed offsets and the rest from the slave.
    master.stop().await;
    drop(master);
    eventually("route shows only the slave", || async {
        consumer.fetch_queues(TOPIC).await.is_ok()
            && consumer
                .read_addr(&consumer.fetch_queues(TOPIC).await.unwrap()[0])
                .await
                .is_ok_and(|(id, _)| id == 1)
    })
    .await;
    let mut start = BTreeMap::new();
    for mq in consumer.fetch_queues(TOPIC).await.unwrap() {
        start.insert(
            mq.queue_id,
            consumer
                .query_offset(&mq)
                .await
                .expect("offset")
                .unwrap_or(0),
        );
    }
    assert_eq!(start, half, "offsets kept on the slave");
    let (second, _) = drain(&consumer, &start).await;
    let (all, _) = drain(&consumer, &BTreeMap::new()).await;
    check_messages(&all, 0..400);
    let expected_second: usize = (0..8)
        .map(|q| {
            (slave.broker.store.reader().max_offset_in_queue(TOPIC, q)
                - half.get(&q).copied().unwrap_or(0)) as usize
        })
        .sum();
    assert_eq!(second.len(), expected_second);
    assert!(second.len() >= 150, "about half of the messages remained");

    // The master restarts on its store and ports: the slave reconnects, sends are SEND_OK again.
    let master = c.broker(mcfg).await;
    eventually("slave re-attached", || async {
        attached_slaves(&master) == 1
    })
    .await;
    let s = send_range(&p, 400..450, 2).await;
    assert!(s.iter().all(|s| *s == SendStatus::SendOk), "{s:?}");
    assert_eq!(max_phys(&slave), max_phys(&master));
    p.shutdown();
    consumer.close();
    slave.stop().await;
    master.stop().await;
}
