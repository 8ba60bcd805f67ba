//! HA replication end to end: real stores (through the writer actor), real TCP on 127.0.0.1.

use crate::support::ha as ha_common;

use std::time::Duration;

use ha_common::*;
use rocketactor::broker::ha::ReplicaError;
use rocketactor::broker::store_actors::InjectFailure;
use tokio::sync::watch;

const GAP: i64 = 256 * 1024 * 1024;
const SHORT: Duration = Duration::from_millis(300);

#[actix_rt::test]
async fn empty_slave_replicates_everything_byte_for_byte() {
    let env = Env::new();
    let (mdir, sdir) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let (master_store, master) = env.master_on(mdir.path(), "m-store", "m-ha").await;
    let (slave_store, _) = env.store(sdir.path(), "s-store").await;
    let slave = env.slave_of(&slave_store, &master, "s-ha").await;
    let tracker = master.tracker().clone();
    // The empty master starts the empty slave at 0, so everything written later is replicated.
    eventually("slave attached and reported", || {
        std::future::ready(tracker.slaves(0).iter().any(|s| s.acked_offset == 0))
    })
    .await;

    let end = put_many(&master_store, 0, 10_000).await;
    assert!(
        end > FILE_SIZE as i64,
        "the data spans several commit-log files"
    );
    assert_eq!(end, master_store.reader().max_phys_offset());
    replicated(&tracker, end, "replicated").await;
    assert_eq!(slave_store.reader().max_phys_offset(), end);
    assert_eq!(slave_store.reader().min_phys_offset(), 0);
    eventually("slave status shows the end", || {
        std::future::ready(slave.status().local_max_offset == end)
    })
    .await;
    assert!(slave.status().connected);

    assert_same_commit_logs(mdir.path(), sdir.path());
    assert_eq!(queue_maxes(&slave_store), queue_maxes(&master_store));
    assert_eq!(queue_maxes(&slave_store).iter().sum::<i64>(), 10_000);

    assert!(tracker.slave_ok(end, GAP));
    tracker
        .await_sync_master(end, GAP, GUARD)
        .await
        .expect("in sync");
    let stats = master.slaves();
    assert_eq!(stats.len(), 1);
    assert_eq!((stats[0].acked_offset, stats[0].lag), (end, 0));
}

#[actix_rt::test]
async fn empty_slave_starts_at_the_masters_last_file() {
    let env = Env::new();
    let (mdir, sdir) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let (master_store, master) = env.master_on(mdir.path(), "m-store", "m-ha").await;
    let end = put_many(&master_store, 0, 10_000).await;
    let last_start = end - end % FILE_SIZE as i64;
    assert!(last_start > 0);

    let (slave_store, _) = env.store(sdir.path(), "s-store").await;
    let _slave = env.slave_of(&slave_store, &master, "s-ha").await;
    replicated(master.tracker(), end, "replicated").await;
    assert_eq!(slave_store.reader().min_phys_offset(), last_start);
    assert_eq!(slave_store.reader().max_phys_offset(), end);
    let (mf, sf) = (commit_log_files(mdir.path()), commit_log_files(sdir.path()));
    assert_eq!(sf.len(), 1);
    let m_last = mf.last().unwrap();
    assert_eq!(sf[0].0, m_last.0);
    assert!(sf[0].1 == m_last.1, "the last file is identical");
    assert_eq!(queue_maxes(&slave_store), queue_maxes(&master_store));
}

#[actix_rt::test]
async fn sync_wait_fails_without_slave_and_slave_restarts_catch_up() {
    let env = Env::new();
    let (mdir, sdir) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let (master_store, master) = env.master_on(mdir.path(), "m-store", "m-ha").await;
    let tracker = master.tracker().clone();

    // No slave: refused at once for SYNC_MASTER, and a plain wait times out.
    let end = put_many(&master_store, 0, 100).await;
    assert!(!tracker.slave_ok(end, GAP));
    let e = tracker
        .await_sync_master(end, GAP, SHORT)
        .await
        .unwrap_err();
    assert!(matches!(e, ReplicaError::NoSlave { .. }));
    assert_eq!(e.response_code(), 11);
    let e = tracker.wait_replicated(end, SHORT).await.unwrap_err();
    assert!(matches!(e, ReplicaError::Timeout { .. }));
    assert_eq!(e.response_code(), 12);

    let (slave_store, _) = env.store(sdir.path(), "s-store").await;
    let slave = env.slave_of(&slave_store, &master, "s-ha").await;
    replicated(&tracker, end, "replicated").await;

    // Halted slave: the connection goes, new data is never acked.
    slave.halt().await;
    eventually("slave detached", || {
        std::future::ready(tracker.connected() == 0)
    })
    .await;
    let end2 = put_many(&master_store, 100, 500).await;
    assert!(!tracker.slave_ok(end2, GAP));
    assert!(matches!(
        tracker.wait_replicated(end2, SHORT).await,
        Err(ReplicaError::Timeout { .. })
    ));
    assert_eq!(slave_store.reader().max_phys_offset(), end);

    // A new slave actor on the same store resumes from its max offset.
    let slave2 = env.slave_of(&slave_store, &master, "s-ha2").await;
    replicated(&tracker, end2, "caught up").await;
    assert_eq!(slave_store.reader().max_phys_offset(), end2);

    // A stop and a panic of the slave actor: restarted, and it keeps replicating.
    slave2.actor.get().do_send(InjectFailure::Stop);
    let end3 = put_many(&master_store, 600, 300).await;
    replicated(&tracker, end3, "replicated after stop").await;
    slave2.actor.get().do_send(InjectFailure::Panic);
    eventually("slave rebuilt", || {
        std::future::ready(env.book.count("s-ha2") >= 2)
    })
    .await;
    let end4 = put_many(&master_store, 900, 300).await;
    replicated(&tracker, end4, "replicated after panic").await;
    eventually("slave has all", || {
        std::future::ready(slave_store.reader().max_phys_offset() == end4)
    })
    .await;
    assert_eq!(queue_maxes(&slave_store), queue_maxes(&master_store));
}

#[actix_rt::test]
async fn slave_catches_up_after_master_restart() {
    let env = Env::new();
    let (mdir, sdir) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let (master_store, master) = env.master_on(mdir.path(), "m-store", "m-ha").await;
    let (addr_tx, addr_rx) = watch::channel(None::<String>);
    let (slave_store, _) = env.store(sdir.path(), "s-store").await;
    let slave = env.slave(&slave_store, addr_rx, "s-ha").await;
    // Address arrives later, as from a registration result.
    addr_tx.send_replace(Some(master.local_addr().to_string()));
    eventually("attached", || {
        std::future::ready(master.tracker().connected() == 1)
    })
    .await;
    let end = put_many(&master_store, 0, 2_000).await;
    replicated(master.tracker(), end, "replicated").await;

    // Master goes down: HA and store.
    master.shutdown();
    master_store.shutdown().await.expect("clean shutdown");
    eventually("slave notices", || {
        std::future::ready(!slave.status().connected)
    })
    .await;

    // Master comes back on the same data (new port, new tracker).
    let (master_store, master) = env.master_on(mdir.path(), "m-store2", "m-ha2").await;
    assert_eq!(master_store.reader().max_phys_offset(), end);
    let end2 = put_many(&master_store, 2_000, 3_000).await;
    addr_tx.send_replace(Some(master.local_addr().to_string()));
    replicated(
        master.tracker(),
        end2,
        "caught up with the restarted master",
    )
    .await;
    assert_eq!(slave_store.reader().max_phys_offset(), end2);
    assert_eq!(
        slave.status().master_addr,
        Some(master.local_addr().to_string())
    );
    assert_same_commit_logs(mdir.path(), sdir.path());
    assert_eq!(queue_maxes(&slave_store), queue_maxes(&master_store));
}
