//! Starting and stopping one broker: opens the store and metadata, binds the listeners (main +
//! fast channel) for their ports, starts HA, and only then builds the [`Broker`], whole (store
//! host, replication, ACL set at construction); then long polling, registration with every name
//! server, the scheduler and the maintenance thread start under the given root supervisor, and
//! last the listeners accept. No request is ever served by a half-built broker.

use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Weak};
use std::time::Duration;

use actix::prelude::*;
use parking_lot::Mutex;
use slog::{info, o, warn, Logger};

use crate::actors::remoting::{bind_listener, serve_bound, ListenerHandle, ServerSettings};
use crate::actors::supervisor::{RestartBook, RestartTracker, RootSupervisor, Slot, Supervise};
use crate::broker::actors::maintenance::Maintenance;
use crate::broker::actors::registration::{BrokerIdentity, Registration, Unregister};
use crate::broker::actors::slave_sync;
use crate::broker::meta::consumer_manager::ConsumerManager;
use crate::broker::meta::consumer_offset::ConsumerOffsetManager;
use crate::broker::meta::delay_offset::DelayOffsetManager;
use crate::broker::meta::persist::PersistError;
use crate::broker::meta::producer_manager::ProducerManager;
use crate::broker::meta::rebalance_lock::{RebalanceLockManager, DEFAULT_LOCK_MAX_LIVE_MS};
use crate::broker::meta::subscription_group::SubscriptionGroupManager;
use crate::broker::meta::topic_config::TopicConfigManager;
use crate::broker::node::arrival;
use crate::broker::node::replica::{learn_master, HaRole, HaStatus};
use crate::broker::node::settings::{flush_settings, store_config, topic_options};
use crate::broker::node::state::{Broker, Dirty, Meta, Stats};
use crate::broker::processors::dispatch::BrokerHandler;
use crate::broker::queues::{QueueReads, TopicQueues};
pub use crate::broker::store_actors::ArrivalHooks;
use crate::broker::store_actors::StoreHandle;
use crate::config::BrokerConfig;
use crate::protocol::register::RegisterBrokerResult;
use crate::store::StoreError;

pub use super::error::BrokerError;

/// A running broker.
pub struct BrokerHandle {
    pub broker: Arc<Broker>,
    pub listen_addr: SocketAddr,
    pub fast_addr: SocketAddr,
    /// Hooks run after every append (replication plugs in here).
    pub hooks: ArrivalHooks,
    /// Receives each registration result (the slave's master and HA addresses).
    pub registered: tokio::sync::watch::Receiver<Option<RegisterBrokerResult>>,
    /// The HA master or slave.
    pub ha: HaRole,
    /// The delay-level scheduler (masters only).
    pub schedule: Option<Slot<crate::broker::actors::schedule::ScheduleService>>,
    /// The transaction check (masters only).
    pub transaction_check: Option<Slot<crate::broker::transaction::check::TransactionCheck>>,
    /// The statistics sampler (docs/metrics.md).
    pub stats_sampler: Slot<crate::broker::stats::sampler::StatsSampler>,
    /// The `/metrics` endpoint when `metricsListen` is set (docs/metrics.md).
    pub metrics: Option<crate::metrics::MetricsServer>,
    listeners: Vec<ListenerHandle>,
    maintenance: Mutex<Option<Maintenance>>,
    /// Keeps the ACL hot-reload thread running until the broker stops.
    acl_watcher: Mutex<Option<crate::acl::watcher::WatcherGuard>>,
}

fn open_meta(cfg: &BrokerConfig, log: &Logger) -> Result<Meta, PersistError> {
    let dir = cfg.store_paths().config_dir;
    std::fs::create_dir_all(&dir).map_err(|e| PersistError::Io {
        op: "create dir",
        path: dir.clone(),
        source: e,
    })?;
    Ok(Meta {
        topics: TopicConfigManager::open(&dir, topic_options(cfg), log)?,
        groups: SubscriptionGroupManager::open(&dir, log)?,
        offsets: ConsumerOffsetManager::open(&dir, log)?,
        delay_offsets: DelayOffsetManager::open(&dir, log)?,
        consumers: ConsumerManager::new(log),
        producers: ProducerManager::new(log),
        locks: RebalanceLockManager::new(DEFAULT_LOCK_MAX_LIVE_MS, log),
        filters: Default::default(),
    })
}

/// Starts a broker inside the current actix System. With `listenPort = 0` (tests) every
/// listener binds an OS-chosen port and the advertised addresses use the bound ports.
pub async fn start_broker(
    cfg: BrokerConfig,
    root: &Addr<RootSupervisor>,
    book: RestartBook,
    log: Logger,
) -> Result<BrokerHandle, BrokerError> {
    let log = log.new(o!("broker" => format!("{}-{}", cfg.broker_name, cfg.broker_id)));
    let ip1: IpAddr = cfg
        .broker_ip1
        .parse()
        .map_err(|_| BrokerError::BadIp(cfg.broker_ip1.clone()))?;
    let tls = crate::tls::NodeTls::from_config(&cfg.tls, cfg.use_tls)?;
    info!(log, "TLS"; "server_mode" => cfg.tls.server_mode.name(), "outgoing" => tls.client.is_some());
    let meta = open_meta(&cfg, &log)?;
    let (acl, acl_watcher) = crate::broker::processors::acl::open(&cfg, &log)?;
    let queues = TopicQueues::new(book.clone(), log.clone());
    let hooks: ArrivalHooks = Arc::default();
    let hook = arrival::arrival_hook(&queues, &hooks);
    let store = StoreHandle::start(
        store_config(&cfg),
        flush_settings(&cfg),
        root,
        book.clone(),
        "commitlog-writer",
        hook,
        log.clone(),
    )
    .await?;

    // listenPort 0 (tests): every port is OS-chosen.
    let test_ports = cfg.listen_port == 0;
    let bind = |port: u16| SocketAddr::new(cfg.bind_address, if test_ports { 0 } else { port });
    // Bound now (the advertised addresses need the real ports), served last: a client that
    // connects while the broker starts waits in the accept backlog until the broker is whole.
    let main_bound = bind_listener(bind(cfg.listen_port)).await?;
    let fast_bound = bind_listener(bind(cfg.fast_port())).await?;
    let listen_addr = main_bound.local_addr();
    let fast_addr = fast_bound.local_addr();
    // Test hook: widens the start-up window (feature `failpoints`).
    if let Some(d) = crate::failpoint::pause(
        crate::failpoint::names::BROKER_STARTUP,
        &cfg.store_paths().root,
    ) {
        actix_rt::time::sleep(d).await;
    }
    // The store host (inside records and message ids) is the advertised address, never the bind address.
    // brokerAdvertisedPort (a NAT host forwarding to us) replaces the bound port there.
    let advertised_port = cfg.advertised_port(listen_addr.port());
    let store_host = SocketAddr::new(ip1, advertised_port);

    // Replication: the master's HA port must be bound before it is advertised.
    let (ha, replication) = HaRole::start(
        &cfg,
        &store,
        &tls,
        &hooks,
        bind(cfg.ha_port()),
        root,
        book.clone(),
        &log,
    )
    .await?;
    let broker = Arc::new(Broker {
        cfg: cfg.clone(),
        log: log.clone(),
        store,
        meta: Mutex::new(meta),
        dirty: Dirty::default(),
        stats: Stats::default(),
        book: book.clone(),
        store_host,
        conns: Mutex::default(),
        queues: queues.clone(),
        registrations: std::sync::OnceLock::new(),
        replication,
        master_addr: Mutex::default(),
        stopped: std::sync::atomic::AtomicBool::new(false),
        acl,
        config_updates: Mutex::default(),
        live: super::live_config::LiveConfig::new(&cfg, crate::store::time::now_ms()),
        client_calls: Default::default(),
        manual_clean: Default::default(),
        tls,
    });

    // Long polling: the per-topic queue actors' arbiters and their watch.
    start_topic_queues(&broker, root, &book, &log).await?;

    let ha_port = ha
        .ha_port()
        .unwrap_or(if test_ports { 0 } else { cfg.ha_port() });
    let ha_sink = ha.master_sink();

    // Registration with every name server.
    let (reg_tx, registered) = tokio::sync::watch::channel(None);
    let reg_tx = Arc::new(reg_tx);
    let identity = BrokerIdentity {
        cluster: cfg.broker_cluster_name.clone(),
        broker_name: cfg.broker_name.clone(),
        broker_id: cfg.broker_id as i64,
        broker_addr: format!("{}:{}", cfg.broker_ip1, advertised_port),
        ha_addr: format!(
            "{}:{}",
            cfg.effective_broker_ip2(),
            cfg.ha_advertised_port.unwrap_or(ha_port)
        ),
    };
    start_registrations(&broker, &identity, ha_sink, reg_tx, root, &book, &log).await?;
    // A slave adopts its master's topics, groups and offsets.
    if broker.is_slave() {
        slave_sync::start(&broker, &hooks, root, book.clone())
            .await
            .map_err(|_| StoreError::ShutDown)?;
    }
    // Delay levels: deliver SCHEDULE_TOPIC_XXXX to the real topics (masters only).
    let schedule =
        crate::broker::actors::schedule::start(&broker, root, book.clone(), &log).await?;
    let transaction_check =
        crate::broker::transaction::check::start(&broker, root, book.clone(), &log).await?;
    let stats_sampler =
        crate::broker::stats::sampler::start(&broker, root, book.clone(), &log).await?;
    let maintenance = Maintenance::start(Arc::downgrade(&broker), root)
        .await
        .map_err(|_| StoreError::ShutDown)?;

    // Everything is in place: accept connections (those that came early are served now).
    let settings = |component| ServerSettings {
        idle_timeout: Duration::from_secs(cfg.server_channel_max_idle_time_seconds),
        component,
        tls: broker.tls.server.clone(),
        io_threads: crate::actors::remoting::workers::threads_for(cfg.server_selector_threads),
        ..ServerSettings::default()
    };
    let handler = |fast| {
        Arc::new(BrokerHandler {
            broker: broker.clone(),
            fast,
        })
    };
    let main_l = serve_bound(
        main_bound,
        handler(false),
        settings("broker-listener"),
        root,
        &book,
        &log,
    )
    .await?;
    let fast_l = serve_bound(
        fast_bound,
        handler(true),
        settings("broker-fast-listener"),
        root,
        &book,
        &log,
    )
    .await?;
    let metrics = start_metrics(&broker, &log)?;
    broker.stats.boot_ms.store(
        crate::store::time::now_ms(),
        std::sync::atomic::Ordering::Relaxed,
    );
    info!(log, "broker started"; "listen" => %listen_addr, "fast" => %fast_addr, "advertised" => &identity.broker_addr,
          "role" => cfg.broker_role.as_str(), "flush" => cfg.flush_disk_type.as_str());
    Ok(BrokerHandle {
        broker,
        listen_addr,
        fast_addr,
        hooks,
        registered,
        ha,
        schedule,
        transaction_check,
        stats_sampler,
        metrics,
        listeners: vec![main_l, fast_l],
        maintenance: Mutex::new(Some(maintenance)),
        acl_watcher: Mutex::new(acl_watcher),
    })
}

/// Starts `/metrics` when `metricsListen` is set and writes the bound address to
/// `<storePathRootDir>/metrics.addr` (docs/metrics.md).
fn start_metrics(
    broker: &Arc<Broker>,
    log: &Logger,
) -> Result<Option<crate::metrics::MetricsServer>, BrokerError> {
    let Some(listen) = broker.cfg.metrics_listen.as_deref() else {
        return Ok(None);
    };
    let addr = crate::metrics::parse_listen(listen)?;
    let server = crate::metrics::serve(
        addr,
        crate::metrics::broker::render(Arc::downgrade(broker)),
        log,
    )?;
    let path = broker.cfg.store_paths().root.join("metrics.addr");
    std::fs::write(&path, server.local_addr().to_string())
        .map_err(|source| crate::metrics::MetricsError::AddrFile { path, source })?;
    Ok(Some(server))
}

/// Binds `broker`'s topic queue registry to the broker and its arbiter pool
/// (`queues::pool_size`) and starts the supervised watch that rebuilds dead topic actors.
async fn start_topic_queues(
    broker: &Arc<Broker>,
    root: &Addr<RootSupervisor>,
    book: &RestartBook,
    log: &Logger,
) -> Result<(), StoreError> {
    use crate::broker::queues::watch::{QueueWatch, WATCH_COMPONENT};
    let weak: Weak<dyn QueueReads> = Arc::downgrade(broker) as Weak<Broker>;
    let pool = crate::broker::queues::ArbiterPool::start(crate::broker::queues::pool_size());
    broker.queues.bind(weak, pool);
    let (queues, book, wlog) = (broker.queues.clone(), book.clone(), log.clone());
    root.send(Supervise {
        name: WATCH_COMPONENT.into(),
        arbiter: Arbiter::current(),
        factory: Arc::new(move || {
            QueueWatch::new(
                queues.clone(),
                RestartTracker::new(WATCH_COMPONENT, book.clone(), wlog.clone()),
            )
        }),
    })
    .await
    .map(|_| ())
    .map_err(|_| StoreError::ShutDown)
}

/// Starts one supervised registration actor per name server; each result updates the
/// slave's master address (HA and metadata sync) and is published on `reg_tx`.
async fn start_registrations(
    broker: &Arc<Broker>,
    identity: &BrokerIdentity,
    ha_sink: Option<Arc<tokio::sync::watch::Sender<Option<String>>>>,
    reg_tx: Arc<tokio::sync::watch::Sender<Option<RegisterBrokerResult>>>,
    root: &Addr<RootSupervisor>,
    book: &RestartBook,
    log: &Logger,
) -> Result<(), StoreError> {
    let cfg = &broker.cfg;
    let mut slots = Vec::new();
    for ns in cfg.namesrv_addrs() {
        let (weak, book, rlog, id, tx, ha_sink) = (
            Arc::downgrade(broker),
            book.clone(),
            log.clone(),
            identity.clone(),
            reg_tx.clone(),
            ha_sink.clone(),
        );
        let period = cfg.register_interval();
        let timeout = Duration::from_millis(cfg.register_broker_timeout_mills);
        let name = format!("namesrv-registration[{ns}]");
        let slot = root
            .send(Supervise {
                name: name.clone(),
                arbiter: Arbiter::current(),
                factory: Arc::new(move || {
                    let w = weak.clone();
                    let body = Arc::new(move || {
                        w.upgrade().map(|b| b.register_body()).unwrap_or_default()
                    });
                    let (w2, tx2, ha_sink) = (weak.clone(), tx.clone(), ha_sink.clone());
                    let sink = Arc::new(move |_ns: &str, r: &RegisterBrokerResult| {
                        if let Some(s) = &ha_sink {
                            learn_master(s, r.ha_server_addr.as_deref());
                        }
                        if let Some(b) = w2.upgrade() {
                            if r.master_addr.is_some() {
                                *b.master_addr.lock() = r.master_addr.clone();
                            }
                        }
                        let _ = tx2.send(Some(r.clone()));
                    });
                    Registration::new(
                        ns.clone(),
                        id.clone(),
                        body,
                        sink,
                        period,
                        timeout,
                        RestartTracker::new(name.clone(), book.clone(), rlog.clone()),
                        rlog.clone(),
                    )
                    .with_tls(weak.upgrade().and_then(|b| b.tls.client.clone()))
                }),
            })
            .await
            .map_err(|_| StoreError::ShutDown)?;
        slots.push(slot);
    }
    // Started once per broker, so the cell is empty here.
    let _ = broker.registrations.set(slots);
    Ok(())
}

impl BrokerHandle {
    /// The advertised client address (`brokerIP1:listenPort`, or `brokerAdvertisedPort`).
    pub fn client_addr(&self) -> String {
        let port = self.broker.cfg.advertised_port(self.listen_addr.port());
        format!("{}:{}", self.broker.cfg.broker_ip1, port)
    }

    /// The replication state (master: attached slaves and lag; slave: master and offset).
    pub fn ha_status(&self) -> HaStatus {
        self.ha.status()
    }

    /// Test hook: makes the maintenance thread stop on an error or panic (it is restarted).
    #[cfg(feature = "failpoints")]
    pub fn inject_maintenance_failure(&self, f: crate::actors::supervisor::InjectFailure) {
        if let Some(m) = self.maintenance.lock().as_ref() {
            m.inject_failure(f);
        }
    }

    /// The main and fast-channel listeners (their connections, their actors).
    pub fn listeners(&self) -> &[ListenerHandle] {
        &self.listeners
    }

    /// Clean stop: stop accepting, unregister, write metadata, flush and close the store.
    pub async fn stop(&self) {
        self.broker
            .stopped
            .store(true, std::sync::atomic::Ordering::Release);
        for l in &self.listeners {
            l.stop();
        }
        self.broker.queues.stop();
        if let Some(m) = &self.metrics {
            m.stop().await;
        }
        let regs: Vec<_> = self
            .broker
            .registrations()
            .iter()
            .map(|s| s.get())
            .collect();
        for r in regs {
            let _ = r.send(Unregister).await;
        }
        self.ha.stop().await;
        // Delivery stops before the delay offsets are written for the last time, so nothing
        // is delivered after its offset was saved.
        if let Some(s) = &self.schedule {
            let _ = s.get().send(crate::broker::actors::schedule::Halt).await;
        }
        if let Some(t) = &self.transaction_check {
            let _ = t.get().send(crate::broker::transaction::check::Halt).await;
        }
        if let Some(mut m) = self.maintenance.lock().take() {
            m.stop();
        }
        // The ACL hot-reload thread ends at its next poll.
        drop(self.acl_watcher.lock().take());
        if let Err(e) = self.broker.store.shutdown().await {
            warn!(self.broker.log, "store shutdown failed"; "error" => %e);
        }
        info!(self.broker.log, "broker stopped");
    }
}
