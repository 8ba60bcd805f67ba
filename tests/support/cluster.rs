//! In-process clusters for the integration tests: [`Cluster`] (a name server and the root
//! supervisor; brokers started from configs a test edits), [`TestCluster`] built on it (masters,
//! slaves, flush and replication modes, header serialization, main or fast channel: the
//! configuration matrix); for the admin tests, one started master with an `Admin` client and
//! the checks of a broker's error answer. Every broker has OS-chosen ports (port 0, read back)
//! and a temp-dir store.

use actix::prelude::*;
use rocketactor::actors::supervisor::{RestartBook, RootSupervisor};
use rocketactor::broker::node::replica::HaStatus;
use rocketactor::broker::{start_broker, BrokerHandle};
use rocketactor::client::consumer::PullConsumer;
use rocketactor::client::producer::Producer;
use rocketactor::client::{Admin, MqError};
use rocketactor::codec::SerializeType;
use rocketactor::config::{BrokerConfig, BrokerRole, FlushDiskType};
use rocketactor::logging::test_logger;
use rocketactor::namesrv::{start_namesrv, NamesrvHandle, NamesrvSettings};

use super::ports::{free_port_triple, is_addr_in_use, BIND_TRIES};
use super::wait::eventually;

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

    /// [`Cluster::start`] with the name server's port under `tls` (docs/tls.md).
    pub async fn start_tls(tls: rocketactor::config::TlsConfig) -> Cluster {
        let ns = start_namesrv(
            NamesrvSettings {
                listen: "127.0.0.1:0".parse().unwrap(),
                tls,
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

    /// The SYNC_MASTER + SYNC_FLUSH config of the HA tests: broker `name`, 1 MiB commit-log
    /// files (data spans several), store under `dir`.
    pub fn ha_master_config(&self, name: &str, dir: &std::path::Path) -> BrokerConfig {
        let mut cfg = self.broker_config(name, BrokerRole::SyncMaster, dir);
        cfg.flush_disk_type = FlushDiskType::SyncFlush;
        cfg.mapped_file_size_commit_log = 1024 * 1024;
        cfg
    }

    /// The slave (broker id 1) of [`Cluster::ha_master_config`]'s master `name`.
    pub fn ha_slave_config(&self, name: &str, dir: &std::path::Path) -> BrokerConfig {
        let mut cfg = self.broker_config(name, BrokerRole::Slave, dir);
        cfg.broker_id = 1;
        cfg.mapped_file_size_commit_log = 1024 * 1024;
        cfg
    }

    /// Starts `cfg` on a pre-chosen port triple (for a broker that must come back on the same
    /// addresses after a restart), trying fresh triples while the bind fails because someone
    /// took a port after the probe; `cfg.listen_port` is left at the port that worked.
    pub async fn broker_on_free_ports(&self, cfg: &mut BrokerConfig) -> BrokerHandle {
        let mut tries = 0;
        loop {
            tries += 1;
            cfg.listen_port = free_port_triple();
            match start_broker(cfg.clone(), &self.root, self.book.clone(), test_logger()).await {
                Ok(b) => return b,
                Err(e) if tries < BIND_TRIES && is_addr_in_use(&e.to_string()) => continue,
                Err(e) => panic!("broker starts on port {}: {e}", cfg.listen_port),
            }
        }
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

/// The configuration a [`TestCluster`] runs in: one cell of the end-to-end matrix
/// (`tests/it/matrix.rs`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Mode {
    /// How the masters (and slaves) flush the commit log.
    pub flush: FlushDiskType,
    /// The masters' replication role (their slaves are `SLAVE`).
    pub role: BrokerRole,
    /// The header serialization every client of the cluster sends (JSON or ROCKETMQ).
    pub header: SerializeType,
}

impl Default for Mode {
    /// The everyday test broker: ASYNC_FLUSH, ASYNC_MASTER, JSON headers.
    fn default() -> Self {
        Mode {
            flush: FlushDiskType::AsyncFlush,
            role: BrokerRole::AsyncMaster,
            header: SerializeType::Json,
        }
    }
}

/// Which listener of a broker a test talks to: the main one or the fast channel (listenPort-2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Channel {
    #[default]
    Main,
    Fast,
}

type Tweak = Box<dyn Fn(&mut BrokerConfig)>;

/// Builds a [`TestCluster`]: `TestCluster::builder().masters(1).slaves(1).mode(m).start()`.
/// ACL and TLS settings go here too once the broker has them (a field and a setter each,
/// applied in [`TestClusterBuilder::start`]); until then [`TestClusterBuilder::tweak`] edits
/// every broker's config.
pub struct TestClusterBuilder {
    prefix: String,
    masters: usize,
    slaves: usize,
    mode: Mode,
    channel: Channel,
    tweak: Option<Tweak>,
    fixed_ports: bool,
}

impl TestClusterBuilder {
    /// Masters on pre-chosen ports, so that [`TestCluster::restart_master`] brings one back on
    /// the addresses its slaves know (default: OS-chosen ports).
    pub fn fixed_ports(mut self) -> Self {
        self.fixed_ports = true;
        self
    }

    /// Broker names are `<prefix>-a`, `<prefix>-b`, ... (default `broker`).
    pub fn named(mut self, prefix: &str) -> Self {
        self.prefix = prefix.to_owned();
        self
    }

    /// How many masters (default 1), each its own broker name.
    pub fn masters(mut self, n: usize) -> Self {
        self.masters = n;
        self
    }

    /// How many slaves each master has (default 0); they learn the master's HA address from
    /// their name-server registration.
    pub fn slaves(mut self, n: usize) -> Self {
        self.slaves = n;
        self
    }

    pub fn mode(mut self, mode: Mode) -> Self {
        self.mode = mode;
        self
    }

    pub fn flush(mut self, flush: FlushDiskType) -> Self {
        self.mode.flush = flush;
        self
    }

    pub fn role(mut self, role: BrokerRole) -> Self {
        self.mode.role = role;
        self
    }

    pub fn header(mut self, header: SerializeType) -> Self {
        self.mode.header = header;
        self
    }

    /// Which listener [`TestCluster::addr`] answers with (default the main one).
    pub fn channel(mut self, channel: Channel) -> Self {
        self.channel = channel;
        self
    }

    /// Edits every broker's config (masters and slaves) before it starts.
    pub fn tweak(mut self, f: impl Fn(&mut BrokerConfig) + 'static) -> Self {
        self.tweak = Some(Box::new(f));
        self
    }

    /// Starts the name server, the masters, then the slaves, each broker on its own temp-dir
    /// store and OS-chosen ports; returns once every slave is attached to its master.
    pub async fn start(self) -> TestCluster {
        let core = Cluster::start().await;
        let mut dirs = Vec::new();
        let mut masters = Vec::new();
        let mut master_cfgs = Vec::new();
        let mut slaves = Vec::new();
        for m in 0..self.masters {
            let name = format!("{}-{}", self.prefix, (b'a' + m as u8) as char);
            let dir = tempfile::tempdir().expect("temp dir");
            let mut cfg = core.broker_config(&name, self.mode.role, dir.path());
            cfg.flush_disk_type = self.mode.flush;
            if let Some(t) = &self.tweak {
                t(&mut cfg);
            }
            let master = if self.fixed_ports {
                core.broker_on_free_ports(&mut cfg).await
            } else {
                core.broker(cfg.clone()).await
            };
            masters.push(master);
            master_cfgs.push(cfg);
            dirs.push(dir);
            let mut own = Vec::new();
            for s in 0..self.slaves {
                let dir = tempfile::tempdir().expect("temp dir");
                let mut cfg = core.broker_config(&name, BrokerRole::Slave, dir.path());
                cfg.broker_id = s as u64 + 1;
                cfg.flush_disk_type = self.mode.flush;
                if let Some(t) = &self.tweak {
                    t(&mut cfg);
                }
                own.push(core.broker(cfg).await);
                dirs.push(dir);
            }
            slaves.push(own);
        }
        for (master, own) in masters.iter().zip(&slaves) {
            let want = own.len();
            eventually("every slave attached to its master", || {
                std::future::ready(attached_slaves(master) == want)
            })
            .await;
        }
        TestCluster {
            core,
            masters,
            master_cfgs,
            slaves,
            mode: self.mode,
            channel: self.channel,
            dirs,
        }
    }
}

/// Name server(s), masters and their slaves in-process on 127.0.0.1 (see [`TestClusterBuilder`]);
/// the stores live as long as the cluster.
pub struct TestCluster {
    pub core: Cluster,
    pub masters: Vec<BrokerHandle>,
    /// `slaves[m]`: the slaves of `masters[m]`.
    pub slaves: Vec<Vec<BrokerHandle>>,
    pub mode: Mode,
    pub channel: Channel,
    master_cfgs: Vec<BrokerConfig>,
    dirs: Vec<tempfile::TempDir>,
}

impl TestCluster {
    pub fn builder() -> TestClusterBuilder {
        TestClusterBuilder {
            prefix: "broker".to_owned(),
            masters: 1,
            slaves: 0,
            mode: Mode::default(),
            channel: Channel::Main,
            tweak: None,
            fixed_ports: false,
        }
    }

    /// Stops master `m` (a clean shutdown); its store stays for [`TestCluster::restart_master`].
    pub async fn stop_master(&self, m: usize) {
        self.masters[m].stop().await;
    }

    /// Starts master `m` again on its store and config (its ports too, with
    /// [`TestClusterBuilder::fixed_ports`]).
    pub async fn restart_master(&mut self, m: usize) {
        self.masters[m] = self.core.broker(self.master_cfgs[m].clone()).await;
    }

    pub fn namesrv_addr(&self) -> String {
        self.core.namesrv_addr()
    }

    /// The address of `b` on the cluster's [`Channel`].
    pub fn addr(&self, b: &BrokerHandle) -> String {
        match self.channel {
            Channel::Main => b.listen_addr.to_string(),
            Channel::Fast => b.fast_addr.to_string(),
        }
    }

    /// A started producer of `group` sending the cluster's header type; returns once the
    /// default topic is routable (the brokers registered).
    pub async fn producer(&self, group: &str) -> Producer {
        let p = Producer::new(&self.namesrv_addr(), group).expect("producer");
        p.pool().use_header_type(self.mode.header);
        p.start().expect("start producer");
        eventually("TBW102 routable", || async {
            p.publish_queues("TBW102").await.is_ok()
        })
        .await;
        p
    }

    /// A pull consumer of `group` sending the cluster's header type.
    pub fn consumer(&self, group: &str) -> PullConsumer {
        let c = PullConsumer::new(&self.namesrv_addr(), group).expect("consumer");
        c.pool().use_header_type(self.mode.header);
        c
    }

    /// Stops every broker, slaves first.
    pub async fn stop(&self) {
        for s in self.slaves.iter().flatten() {
            s.stop().await;
        }
        for m in &self.masters {
            m.stop().await;
        }
    }
}

/// How many slaves `m` has that reported an offset (a slave is not attached until it has).
pub fn attached_slaves(m: &BrokerHandle) -> usize {
    match m.ha_status() {
        HaStatus::Master { slaves } => slaves.iter().filter(|s| s.acked_offset >= 0).count(),
        HaStatus::Slave(_) => 0,
    }
}
