//! The name server: a remoting [`Listener`](crate::actors::remoting::Listener) whose requests go
//! to the [`RouteRegistry`] actor, which owns the route tables (clusters, brokers, topic queues,
//! broker liveness) and the KV config. Several name servers are fully independent; brokers
//! register with each.
//!
//! Each name server has a root supervisor and a restart book of its own: the listener
//! (`namesrv-listener`), its connections (`namesrv-listener-connection`) and the registry
//! (`namesrv-registry`) are restarted under it, and [`NamesrvHandle::restarts`] shows the counts.
//!
//! Start one with [`start_namesrv`] inside an actix System.

pub mod config_update;
pub mod config_writer;
pub mod handler;
pub mod handlers;
pub mod kv_store;
pub mod processor;
pub mod registry;
pub mod state;
pub mod table;
pub mod tables;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use actix::{Actor, Addr, Arbiter, ArbiterHandle};
use parking_lot::Mutex;
use slog::{o, Logger};
use thiserror::Error;

use crate::actors::remoting::{
    start_supervised_listener, ListenerHandle, RemotingError, ServerSettings,
};
use crate::actors::supervisor::{
    RestartBook, RestartTracker, RootSupervisor, Slot, StopWatching, Supervise,
};
pub use handler::NamesrvHandler;
pub use kv_store::{KvStore, KvStoreError};
pub use processor::NamesrvState;
pub use registry::{LiveBrokers, RouteRegistry, ScanNow, REGISTRY_COMPONENT};

/// Name server settings.
#[derive(Debug, Clone)]
pub struct NamesrvSettings {
    /// Where to listen; port 0 picks a free port (see [`NamesrvHandle::local_addr`]).
    pub listen: SocketAddr,
    /// How often brokers are checked for expiry (Java: 10 s).
    pub scan_interval: Duration,
    /// A broker not re-registered for this long is dropped (Java: 120 s).
    pub expire: Duration,
    /// A connection idle this long is closed (Java `serverChannelMaxIdleTimeSeconds`, 120 s).
    pub idle_timeout: Duration,
    /// Where the KV config is persisted (Java `kvConfigPath`); `None` keeps it in memory.
    pub kv_config_path: Option<PathBuf>,
    /// The configuration GET_NAMESRV_CONFIG reports, `(key, value)` in key-table order (Java
    /// `Configuration.getAllConfigsFormatString` of NamesrvConfig + NettyServerConfig).
    /// `listenPort` is always the bound port.
    pub config: Vec<(String, String)>,
    /// `metricsListen` (our extension): where to serve `/metrics` (docs/metrics.md); off
    /// when `None`.
    pub metrics_listen: Option<SocketAddr>,
    /// The `tls.*` keys: `tls.server.mode` of the port and its certificates (docs/tls.md).
    pub tls: crate::config::TlsConfig,
    /// Connection arbiters of the listener (`serverSelectorThreads`, see
    /// `actors::remoting::workers::threads_for`); 0 keeps connections on its own arbiter.
    pub io_threads: usize,
}

impl Default for NamesrvSettings {
    fn default() -> Self {
        NamesrvSettings {
            listen: SocketAddr::from(([0, 0, 0, 0], 9876)),
            scan_interval: Duration::from_secs(10),
            expire: Duration::from_secs(120),
            idle_timeout: Duration::from_secs(120),
            kv_config_path: None,
            config: Vec::new(),
            metrics_listen: None,
            tls: crate::config::TlsConfig::default(),
            io_threads: 0,
        }
    }
}

/// Why a name server could not start.
#[derive(Debug, Error)]
pub enum NamesrvError {
    #[error("name server listener: {0}")]
    Remoting(#[from] RemotingError),
    #[error("name server KV config: {0}")]
    Kv(#[from] KvStoreError),
    #[error("name server supervisor is gone; cannot start the route registry")]
    NoSupervisor,
    #[error("name server metrics: {0}")]
    Metrics(#[from] crate::metrics::MetricsError),
    #[error("name server TLS: {0}")]
    Tls(#[from] crate::tls::TlsError),
}

/// A running name server.
#[derive(Clone)]
pub struct NamesrvHandle {
    listener: ListenerHandle,
    registry: Slot<RouteRegistry>,
    arbiter: ArbiterHandle,
    root: Addr<RootSupervisor>,
    book: RestartBook,
    metrics: Option<Arc<crate::metrics::MetricsServer>>,
}

impl NamesrvHandle {
    /// The bound `/metrics` address when `metricsListen` is set.
    pub fn metrics_addr(&self) -> Option<SocketAddr> {
        self.metrics.as_ref().map(|m| m.local_addr())
    }

    /// The bound address.
    pub fn local_addr(&self) -> SocketAddr {
        self.listener.local_addr()
    }

    /// The registry actor as it is now (e.g. to send [`ScanNow`] or [`LiveBrokers`]).
    pub fn registry(&self) -> Addr<RouteRegistry> {
        self.registry.get()
    }

    /// The listener (its connections, its restart-book name).
    pub fn listener(&self) -> &ListenerHandle {
        &self.listener
    }

    /// This name server's restart counts by component (see the module doc for the names).
    pub fn restarts(&self) -> &RestartBook {
        &self.book
    }

    /// Stops listening, closes every connection and stops the registry.
    pub fn stop(&self) {
        // First, so that the stopped registry is not taken for a crashed one and rebuilt.
        self.root.do_send(StopWatching);
        self.listener.stop();
        self.arbiter.stop();
        if let Some(m) = self.metrics.clone() {
            actix_rt::spawn(async move { m.stop().await });
        }
    }
}

impl std::fmt::Debug for NamesrvHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NamesrvHandle")
            .field("local_addr", &self.local_addr())
            .finish()
    }
}

/// Starts a name server: a root supervisor of its own on the current arbiter, the registry
/// under it on its own arbiter, the listener under it on the current one. Must be called
/// inside an actix System.
pub async fn start_namesrv(
    cfg: NamesrvSettings,
    log: Logger,
) -> Result<NamesrvHandle, NamesrvError> {
    let log = log.new(o!("component" => "namesrv"));
    // Built first: a missing certificate stops start-up with its path.
    let server_tls = crate::tls::ServerTls::from_config(&cfg.tls)?;
    let kv = KvStore::open(cfg.kv_config_path.as_deref(), &log)?;
    let state = Arc::new(Mutex::new(NamesrvState {
        tables: Default::default(),
        kv,
        config: cfg.config.clone(),
        config_writer: config_writer::ConfigWriter::start(&log),
    }));
    let config_state = state.clone();
    let book = RestartBook::default();
    let root = RootSupervisor::new(log.new(o!("actor" => "supervisor")), book.clone()).start();
    let arbiter = Arbiter::new().handle();
    let (scan, expire, reg_log) = (
        cfg.scan_interval,
        cfg.expire,
        log.new(o!("actor" => "registry")),
    );
    let factory = {
        let book = book.clone();
        move || {
            let tracker = RestartTracker::new(REGISTRY_COMPONENT, book.clone(), reg_log.clone());
            RouteRegistry::new(state.clone(), scan, expire, tracker, reg_log.clone())
        }
    };
    let stop_all = |root: &Addr<RootSupervisor>, arbiter: &ArbiterHandle| {
        root.do_send(StopWatching);
        arbiter.stop();
    };
    let registry = match root
        .send(Supervise {
            name: REGISTRY_COMPONENT.into(),
            arbiter: arbiter.clone(),
            factory: Arc::new(factory),
        })
        .await
    {
        Ok(slot) => slot,
        Err(_) => {
            stop_all(&root, &arbiter);
            return Err(NamesrvError::NoSupervisor);
        }
    };
    let settings = ServerSettings {
        idle_timeout: cfg.idle_timeout,
        component: "namesrv-listener",
        tls: server_tls,
        io_threads: cfg.io_threads,
        ..ServerSettings::default()
    };
    let requests: Arc<handler::RequestCounts> = Arc::default();
    let handler = Arc::new(NamesrvHandler::counting(registry.clone(), requests.clone()));
    let listener =
        match start_supervised_listener(cfg.listen, handler, settings, &root, &book, &log).await {
            Ok(l) => l,
            Err(e) => {
                stop_all(&root, &arbiter);
                return Err(e.into());
            }
        };
    processor::set_listen_port(
        &mut config_state.lock().config,
        listener.local_addr().port(),
    );
    let metrics = match cfg.metrics_listen {
        Some(addr) => {
            let sources = crate::metrics::namesrv::NamesrvSources {
                state: Arc::downgrade(&config_state),
                requests,
                book: book.clone(),
            };
            match crate::metrics::serve(addr, crate::metrics::namesrv::render(sources), &log) {
                Ok(m) => Some(Arc::new(m)),
                Err(e) => {
                    listener.stop();
                    stop_all(&root, &arbiter);
                    return Err(e.into());
                }
            }
        }
        None => None,
    };
    Ok(NamesrvHandle {
        listener,
        registry,
        arbiter,
        root,
        book,
        metrics,
    })
}
