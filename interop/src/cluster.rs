//! Our servers for the interop tests: a name server and one master broker started in-process
//! on 127.0.0.1 with OS-chosen ports and a temp-dir store, inside their own actix System on a
//! dedicated thread, so that the third-party client can run on its own tokio runtime.

use std::sync::mpsc;
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use actix::prelude::*;
use rocketactor::actors::supervisor::{RestartBook, RootSupervisor};
use rocketactor::broker::node::state::Broker;
use rocketactor::broker::start_broker;
use rocketactor::config::{BrokerConfig, BrokerRole, FlushDiskType};
use rocketactor::logging::test_logger;
use rocketactor::namesrv::{start_namesrv, NamesrvSettings};
use rocketactor::protocol::message_queue::MessageQueue;
use rocketactor::protocol::topic::{perm, TopicConfig};

use crate::client::{wait_until, GUARD};

/// Deadlock guard for starting and stopping the servers.
const START_GUARD: Duration = Duration::from_secs(30);

/// A running name server + broker pair.
pub struct ServerCluster {
    /// `ip:port` of the name server.
    pub namesrv_addr: String,
    /// `ip:port` the broker advertises to clients.
    pub broker_addr: String,
    /// The broker's shared state (metadata tables, store), for setup and inspection.
    pub broker: Arc<Broker>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
    _dir: tempfile::TempDir,
}

struct Started {
    namesrv_addr: String,
    broker_addr: String,
    broker: Arc<Broker>,
}

impl ServerCluster {
    /// Starts the name server and broker `broker-a` (ASYNC_MASTER, ASYNC_FLUSH) and waits until
    /// the broker has registered with the name server.
    pub fn start() -> ServerCluster {
        let dir = tempfile::tempdir().expect("temp dir for the store");
        let store_root = dir.path().to_path_buf();
        let (tx, rx) = mpsc::channel();
        let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
        let thread = std::thread::Builder::new()
            .name("interop-servers".into())
            .spawn(move || {
                let sys = actix_rt::System::new();
                sys.block_on(async move {
                    let ns = start_namesrv(
                        NamesrvSettings {
                            listen: "127.0.0.1:0".parse().expect("loopback address"),
                            ..Default::default()
                        },
                        test_logger(),
                    )
                    .await
                    .expect("name server starts");
                    let namesrv_addr = ns.local_addr().to_string();
                    let book = RestartBook::default();
                    let root = RootSupervisor::new(test_logger(), book.clone()).start();
                    let mut cfg = BrokerConfig::loopback(
                        "broker-a",
                        BrokerRole::AsyncMaster,
                        10911,
                        &namesrv_addr,
                        &store_root,
                    );
                    cfg.broker_cluster_name = "InteropCluster".into();
                    cfg.listen_port = 0;
                    cfg.flush_disk_type = FlushDiskType::AsyncFlush;
                    cfg.mapped_file_size_commit_log = 8 * 1024 * 1024;
                    cfg.mapped_file_size_consume_queue = 20 * 10_000;
                    let handle = start_broker(cfg, &root, book, test_logger())
                        .await
                        .expect("broker starts");
                    let mut registered = handle.registered.clone();
                    tokio::time::timeout(START_GUARD, registered.wait_for(|r| r.is_some()))
                        .await
                        .expect("broker registered in time")
                        .expect("registration watch open");
                    tx.send(Started {
                        namesrv_addr,
                        broker_addr: handle.client_addr(),
                        broker: handle.broker.clone(),
                    })
                    .expect("report the addresses");
                    actix_rt::spawn(async move {
                        let _ = stop_rx.await;
                        handle.stop().await;
                        ns.stop();
                        System::current().stop();
                    });
                });
                sys.run().expect("actix system");
            })
            .expect("spawn the server thread");
        let started = rx
            .recv_timeout(START_GUARD)
            .expect("servers did not start in time");
        ServerCluster {
            namesrv_addr: started.namesrv_addr,
            broker_addr: started.broker_addr,
            broker: started.broker,
            stop: Some(stop_tx),
            thread: Some(thread),
            _dir: dir,
        }
    }

    /// Creates (or replaces) `topic` with `queues` read and write queues and re-registers the
    /// broker so that the name server routes it at once.
    pub fn create_topic(&self, topic: &str, queues: i32) {
        let cfg = TopicConfig::new(topic, queues, queues, perm::READ | perm::WRITE);
        self.broker.meta.lock().topics.update_topic(cfg);
        self.broker.topics_changed();
    }

    /// The committed consumer offset of `group` on `topic`/`queue_id`, as the broker holds it.
    pub fn committed_offset(&self, group: &str, topic: &str, queue_id: i32) -> Option<i64> {
        self.broker
            .meta
            .lock()
            .offsets
            .query(group, topic, queue_id)
    }

    /// The client id holding the rebalance lock of `group` on `topic`/`queue_id`, if any.
    pub fn lock_owner(&self, group: &str, topic: &str, queue_id: i32) -> Option<String> {
        let mq = MessageQueue::new(topic, self.broker.cfg.broker_name.as_str(), queue_id);
        self.broker
            .meta
            .lock()
            .locks
            .owner(group, &mq, rocketactor::store::time::now_ms())
            .map(str::to_string)
    }

    /// Whether the broker holds, for every queue `0..queues` of `topic`, a committed offset of
    /// `group` equal to the queue's highest offset.
    pub fn offsets_committed(&self, group: &str, topic: &str, queues: i32) -> bool {
        (0..queues)
            .all(|q| self.committed_offset(group, topic, q) == Some(self.max_offset(topic, q)))
    }

    /// `q<n>: <committed>/<max>` for every queue `0..queues`, for failure messages.
    pub fn offsets_state(&self, group: &str, topic: &str, queues: i32) -> String {
        (0..queues)
            .map(|q| {
                format!(
                    "q{q}: {:?}/{}",
                    self.committed_offset(group, topic, q),
                    self.max_offset(topic, q)
                )
            })
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// Waits (bounded by [`GUARD`]) until [`ServerCluster::offsets_committed`] holds; a timeout
    /// names `what` and the offsets.
    pub async fn wait_offsets_committed(&self, what: &str, group: &str, topic: &str, queues: i32) {
        wait_until(
            what,
            GUARD,
            || self.offsets_committed(group, topic, queues),
            || self.offsets_state(group, topic, queues),
        )
        .await;
    }

    /// The highest offset of a consume queue.
    pub fn max_offset(&self, topic: &str, queue_id: i32) -> i64 {
        self.broker
            .store
            .reader()
            .max_offset_in_queue(topic, queue_id)
    }

    /// Stops the broker (clean shutdown) and the name server, then joins the server thread.
    pub fn stop(mut self) {
        self.shutdown();
    }

    fn shutdown(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(t) = self.thread.take() {
            // Bounded join: the thread ends when its System stops.
            let (done_tx, done_rx) = mpsc::channel();
            std::thread::spawn(move || {
                let _ = t.join();
                let _ = done_tx.send(());
            });
            if done_rx.recv_timeout(START_GUARD).is_err() {
                eprintln!("interop: the server thread did not stop within {START_GUARD:?}");
            }
        }
    }
}

impl Drop for ServerCluster {
    fn drop(&mut self) {
        self.shutdown();
    }
}
