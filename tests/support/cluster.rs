//! Shared harness for broker integration tests: an in-process name server and brokers on
//! 127.0.0.1 with OS-chosen ports and temp-dir stores; for the admin tests, one started master
//! with an `Admin` client and the checks of a broker's error answer.

use std::time::Duration;

use actix::prelude::*;
use rocketactor::actors::broker::{start_broker, BrokerHandle};
use rocketactor::actors::namesrv::{start_namesrv, NamesrvHandle, NamesrvSettings};
use rocketactor::actors::supervisor::{RestartBook, RootSupervisor};
use rocketactor::client::{Admin, MqError};
use rocketactor::config::{BrokerConfig, BrokerRole, FlushDiskType};
use rocketactor::logging::test_logger;

pub struct Cluster {
    pub namesrv: NamesrvHandle,
    pub root: Addr<RootSupervisor>,
    pub book: RestartBook,
}

impl Cluster {
    pub async fn start() -> Cluster {
        let ns = start_namesrv(
            NamesrvSettings {
                listen: "127.0.0.1:0".parse().unwrap(),
                ..Default::default()
            },
            test_logger(),
        )
        .await
        .expect("name server starts");
        let book = RestartBook::default();
        let root = RootSupervisor::new(test_logger(), book.clone()).start();
        Cluster {
            namesrv: ns,
            root,
            book,
        }
    }

    pub fn namesrv_addr(&self) -> String {
        self.namesrv.local_addr().to_string()
    }

    /// A broker config on loopback with OS-chosen ports and the store under `dir`.
    pub fn broker_config(
        &self,
        name: &str,
        role: BrokerRole,
        dir: &std::path::Path,
    ) -> BrokerConfig {
        let mut cfg = BrokerConfig::loopback(name, role, 10911, &self.namesrv_addr(), dir);
        cfg.listen_port = 0;
        cfg.flush_disk_type = FlushDiskType::AsyncFlush;
        cfg.mapped_file_size_commit_log = 4 * 1024 * 1024;
        cfg.mapped_file_size_consume_queue = 20 * 10_000;
        cfg
    }

    pub async fn broker(&self, cfg: BrokerConfig) -> BrokerHandle {
        start_broker(cfg, &self.root, self.book.clone(), test_logger())
            .await
            .expect("broker starts")
    }
}

/// What an admin test keeps alive beside its broker: the store directory, the name server
/// (with the supervisor) and the broker's configured cluster name.
pub struct AdminKeep {
    pub dir: tempfile::TempDir,
    pub cluster: Cluster,
    pub cluster_name: String,
}

/// Starts a name server and the ASYNC_MASTER broker `name` (its config adjusted by `tweak`
/// first) with its store in a fresh temp dir. Returns what to keep alive, the broker, its
/// client address, the name server's address and an `Admin` client of that name server.
pub async fn admin_env(
    name: &str,
    tweak: impl FnOnce(&mut BrokerConfig),
) -> (AdminKeep, BrokerHandle, String, String, Admin) {
    let dir = tempfile::tempdir().unwrap();
    let cluster = Cluster::start().await;
    let mut cfg = cluster.broker_config(name, BrokerRole::AsyncMaster, dir.path());
    tweak(&mut cfg);
    let cluster_name = cfg.broker_cluster_name.clone();
    let broker = cluster.broker(cfg).await;
    let addr = broker.client_addr();
    let ns = cluster.namesrv_addr();
    let admin = Admin::new(&ns).unwrap();
    let keep = AdminKeep {
        dir,
        cluster,
        cluster_name,
    };
    (keep, broker, addr, ns, admin)
}

/// The response code and remark of a failed call (panics on success or a transport error).
pub fn code_of<T: std::fmt::Debug>(r: Result<T, MqError>) -> (i32, String) {
    match r {
        Err(MqError::Response { code, remark, .. }) => (code, remark),
        other => panic!("expected a broker error response, got {other:?}"),
    }
}

/// Asserts `err` is the answer `code` of the broker at `addr`; returns its remark.
pub fn response_remark(err: &MqError, addr: &str, code: i32) -> String {
    match err {
        MqError::Response {
            addr: at,
            code: got,
            remark,
            ..
        } => {
            assert_eq!(at, addr);
            assert_eq!(*got, code);
            remark.clone()
        }
        other => panic!("unexpected {other}"),
    }
}
