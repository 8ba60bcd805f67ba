//! Helpers of the HA tests: stores started through
//! `StoreHandle::start`, HA masters and slaves on 127.0.0.1 port 0.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use actix::prelude::*;
use rocketactor::actors::supervisor::{RestartBook, RootSupervisor};
use rocketactor::broker::ha::{
    fixed_master, notify_arrival, phys_end_channel, HaMasterConfig, HaMasterHandle, HaSlaveConfig,
    HaSlaveHandle, ReplicationTracker,
};
use rocketactor::broker::store_actors::{ArrivalHook, FlushSettings, Put, StoreHandle};
use rocketactor::logging::test_logger;
use rocketactor::store::message::encode_properties;
use rocketactor::store::{MessageInner, StoreConfig};
use tokio::sync::watch;

pub const BROKER: &str = "broker-a";
pub const CLUSTER: &str = "DefaultCluster";
pub const TOPIC: &str = "TopicTest";
pub const QUEUES: i32 = 4;
pub const FILE_SIZE: u64 = 1024 * 1024;
pub use super::wait::{eventually, GUARD};

pub struct Env {
    pub root: Addr<RootSupervisor>,
    pub book: RestartBook,
}

impl Default for Env {
    fn default() -> Self {
        Self::new()
    }
}

impl Env {
    pub fn new() -> Env {
        let book = RestartBook::default();
        Env {
            root: RootSupervisor::new(test_logger(), book.clone()).start(),
            book,
        }
    }

    /// A store with 1 MiB commit-log files; the returned receiver follows its commit-log end.
    pub async fn store(&self, dir: &Path, name: &str) -> (StoreHandle, watch::Receiver<i64>) {
        let mut cfg = StoreConfig::for_dir(dir);
        cfg.mapped_file_size_commit_log = FILE_SIZE;
        let (tx, rx) = phys_end_channel();
        let hook: ArrivalHook = Arc::new(move |a| notify_arrival(&tx, a));
        let store = StoreHandle::start(
            cfg,
            FlushSettings::default(),
            &self.root,
            self.book.clone(),
            name,
            hook,
            test_logger(),
        )
        .await
        .expect("store starts");
        (store, rx)
    }

    pub async fn master(
        &self,
        store: &StoreHandle,
        phys_end: watch::Receiver<i64>,
        name: &str,
    ) -> HaMasterHandle {
        let cfg = HaMasterConfig::new("127.0.0.1:0".parse().unwrap(), BROKER, CLUSTER);
        HaMasterHandle::start(
            cfg,
            store.clone(),
            ReplicationTracker::new(),
            phys_end,
            &self.root,
            self.book.clone(),
            name,
            test_logger(),
        )
        .await
        .expect("HA master starts")
    }

    /// A store in `dir` (named `store_name`) with an HA master (named `ha_name`) serving it.
    pub async fn master_on(
        &self,
        dir: &Path,
        store_name: &str,
        ha_name: &str,
    ) -> (StoreHandle, HaMasterHandle) {
        let (store, phys_end) = self.store(dir, store_name).await;
        let master = self.master(&store, phys_end, ha_name).await;
        (store, master)
    }

    /// An HA slave of `store` connected to `master`'s listening address from the start.
    pub async fn slave_of(
        &self,
        store: &StoreHandle,
        master: &HaMasterHandle,
        name: &str,
    ) -> HaSlaveHandle {
        self.slave(store, fixed_master(master.local_addr().to_string()), name)
            .await
    }

    pub async fn slave(
        &self,
        store: &StoreHandle,
        master: watch::Receiver<Option<String>>,
        name: &str,
    ) -> HaSlaveHandle {
        self.slave_named(store, master, name, BROKER).await
    }

    pub async fn slave_named(
        &self,
        store: &StoreHandle,
        master: watch::Receiver<Option<String>>,
        name: &str,
        broker: &str,
    ) -> HaSlaveHandle {
        let mut cfg = HaSlaveConfig::new(broker, CLUSTER, 1);
        // Short backoff keeps reconnect-driven tests quick; correctness never depends on it.
        cfg.reconnect_min = Duration::from_millis(100);
        cfg.reconnect_max = Duration::from_millis(500);
        HaSlaveHandle::start(
            cfg,
            store.clone(),
            master,
            &self.root,
            self.book.clone(),
            name,
            test_logger(),
        )
        .await
        .expect("HA slave starts")
    }
}

/// Writes `n` small messages through the writer actor (pipelined in chunks); returns the end.
pub async fn put_many(store: &StoreHandle, from: usize, n: usize) -> i64 {
    let mut end = 0;
    for chunk in (from..from + n).collect::<Vec<_>>().chunks(256) {
        let writer = store.writer.get();
        let sends = chunk.iter().map(|i| {
            let mut m =
                MessageInner::new(TOPIC, (*i as i32) % QUEUES, format!("m{i}").into_bytes());
            m.properties = encode_properties([("TAGS", format!("t{}", i % 3).as_str())]);
            writer.send(Put(m))
        });
        for r in futures::future::join_all(sends).await {
            end = end.max(r.expect("writer alive").expect("put ok").next_offset());
        }
    }
    end
}

/// Waits (bounded by [`GUARD`]) until the slaves acked `end`; `what` names the failure.
pub async fn replicated(tracker: &ReplicationTracker, end: i64, what: &str) {
    tracker.wait_replicated(end, GUARD).await.expect(what);
}

/// Asserts two store directories hold the same commit-log files, byte for byte; a difference
/// is reported with its position and the bytes around it.
pub fn assert_same_commit_logs(master_dir: &Path, slave_dir: &Path) {
    let (mf, sf) = (commit_log_files(master_dir), commit_log_files(slave_dir));
    assert_eq!(mf.len(), sf.len());
    for ((mn, mb), (sn, sb)) in mf.iter().zip(&sf) {
        assert_eq!(mn, sn);
        let first = mb.iter().zip(sb).position(|(a, b)| a != b);
        assert!(
            mb == sb,
            "commit-log file {mn} differs at {first:?}: {:?} vs {:?}",
            first.map(|p| &mb[p.saturating_sub(8)..(p + 32).min(mb.len())]),
            first.map(|p| &sb[p.saturating_sub(8)..(p + 32).min(sb.len())])
        );
    }
}

/// Commit-log files (name, bytes) of a store directory.
pub fn commit_log_files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut v: Vec<_> = std::fs::read_dir(dir.join("commitlog"))
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            (
                e.file_name().to_string_lossy().into_owned(),
                std::fs::read(e.path()).unwrap(),
            )
        })
        .collect();
    v.sort();
    v
}

/// Max offsets of every test queue.
pub fn queue_maxes(store: &StoreHandle) -> Vec<i64> {
    let r = store.reader();
    (0..QUEUES)
        .map(|q| r.max_offset_in_queue(TOPIC, q))
        .collect()
}
