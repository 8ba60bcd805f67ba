//! SYNC_FLUSH + SYNC_MASTER: the flush wait and the replication wait of a send are registered
//! together right after the append and the answer combines both (Java 4.9.7
//! `CommitLog.asyncPutMessage`: `submitFlushRequest` and `submitReplicaRequest` joined with
//! `thenCombine`; a replica status that is not PUT_OK overrides the flush status). Flush and
//! slave are slowed with failpoints (feature `failpoints`, scoped to each broker's temp dir).

use std::time::{Duration, Instant};

use crate::support::{attached_slaves, eventually, Cluster};
use rocketactor::broker::node::replica::HaRole;
use rocketactor::broker::BrokerHandle;
use rocketactor::client::message::{Message, SendStatus};
use rocketactor::client::producer::Producer;
use rocketactor::failpoint::{self, names, Action};

const TOPIC: &str = "WAITS_TOPIC";

fn pending_replica_waits(m: &BrokerHandle) -> usize {
    match &m.ha {
        HaRole::Master(h) => h.tracker().pending_waiters(),
        HaRole::Slave { .. } => 0,
    }
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

#[actix_rt::test]
async fn flush_and_replication_waits_overlap() {
    let (mdir, sdir) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let c = Cluster::start().await;
    let mut mcfg = c.ha_master_config("broker-w", mdir.path());
    // Generous: the delays below must never turn into timeouts.
    mcfg.sync_flush_timeout = 30_000;
    mcfg.slave_timeout = 30_000;
    let master = c.broker(mcfg).await;
    let slave = c.broker(c.ha_slave_config("broker-w", sdir.path())).await;
    eventually("slave attached", || async { attached_slaves(&master) == 1 }).await;
    let p = started_producer(&c.namesrv_addr(), "pg-waits").await;
    let warm = p.send(TOPIC, Message::new("warm")).await.expect("send");
    assert_eq!(warm.status, SendStatus::SendOk);

    // Every commit-log flush of the master takes 2 s; the slave takes 1 s to store a record
    // (its ack comes after that).
    let flush = failpoint::arm(
        names::COMMIT_LOG_FLUSH,
        mdir.path(),
        Action::Delay(Duration::from_secs(2)),
    );
    let slow_slave = failpoint::arm(
        names::DISPATCH,
        sdir.path(),
        Action::Delay(Duration::from_secs(1)),
    );
    let started = Instant::now();
    let send = {
        let p = p.clone();
        actix_rt::spawn(async move { p.send(TOPIC, Message::new("slow")).await })
    };
    // Order of events: the replication wait is registered while the flush is still running...
    eventually("replication wait registered during the flush", || async {
        pending_replica_waits(&master) >= 1
    })
    .await;
    assert!(!send.is_finished(), "the flush is still running");
    // ...and the slave's ack releases it while the send still waits for the flush.
    eventually("replication wait released by the ack", || async {
        pending_replica_waits(&master) == 0
    })
    .await;
    assert!(
        !send.is_finished(),
        "the ack arrived during the flush: the send still waits for the flush only"
    );
    assert!(slow_slave.hits() >= 1 && flush.hits() >= 1);
    let r = send.await.unwrap().expect("send");
    assert_eq!(r.status, SendStatus::SendOk);
    // Printed, not asserted (timing belongs in benchmarks): about one flush round, not the
    // flush plus the slave.
    eprintln!(
        "SYNC_FLUSH + SYNC_MASTER send answered after {:?}",
        started.elapsed()
    );
    drop((flush, slow_slave));
    p.shutdown();
    slave.stop().await;
    master.stop().await;
}

#[actix_rt::test]
async fn replica_status_overrides_a_flush_timeout_as_in_java() {
    let (mdir, sdir) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let c = Cluster::start().await;
    let mut mcfg = c.ha_master_config("broker-w", mdir.path());
    mcfg.sync_flush_timeout = 200;
    let master = c.broker(mcfg).await;
    let p = started_producer(&c.namesrv_addr(), "pg-waits-java").await;
    let flush = failpoint::arm(
        names::COMMIT_LOG_FLUSH,
        mdir.path(),
        Action::Delay(Duration::from_millis(1500)),
    );
    // No slave, and the flush times out: Java's thenCombine answers the replica status.
    let r = p.send(TOPIC, Message::new("a")).await.expect("stored");
    assert_eq!(r.status, SendStatus::SlaveNotAvailable);
    // With an in-sync slave the replica is PUT_OK and the flush timeout is the answer.
    drop(flush);
    let slave = c.broker(c.ha_slave_config("broker-w", sdir.path())).await;
    eventually("slave attached", || async { attached_slaves(&master) == 1 }).await;
    eventually("slave in sync", || async {
        slave.broker.store.reader().max_phys_offset()
            == master.broker.store.reader().max_phys_offset()
    })
    .await;
    let flush = failpoint::arm(
        names::COMMIT_LOG_FLUSH,
        mdir.path(),
        Action::Delay(Duration::from_millis(1500)),
    );
    let r = p.send(TOPIC, Message::new("b")).await.expect("stored");
    assert_eq!(r.status, SendStatus::FlushDiskTimeout);
    drop(flush);
    // The delayed flush round still running when the fault cleared finishes first.
    eventually("flush caught up", || async {
        let r = master.broker.store.reader();
        r.flushed_offset() >= r.max_phys_offset()
    })
    .await;
    let r = p.send(TOPIC, Message::new("c")).await.expect("stored");
    assert_eq!(r.status, SendStatus::SendOk);
    p.shutdown();
    slave.stop().await;
    master.stop().await;
}
