//! The name server: a remoting [`Listener`](crate::actors::remoting::Listener) whose requests go
//! to the [`RouteRegistry`] actor, which owns the route tables (clusters, brokers, topic queues,
//! broker liveness) and the KV config. Several name servers are fully independent; brokers
//! register with each.
//!
//! Start one with [`start_namesrv`] inside an actix System.

pub mod handler;
pub mod kv_store;
pub mod processor;
pub mod registry;
pub mod tables;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use actix::{Addr, Arbiter, ArbiterHandle, Supervisor};
use parking_lot::Mutex;
use slog::{o, Logger};
use thiserror::Error;

use crate::actors::remoting::{start_listener, ListenerHandle, RemotingError, ServerSettings};
pub use handler::NamesrvHandler;
pub use kv_store::{KvStore, KvStoreError};
pub use processor::NamesrvState;
pub use registry::{LiveBrokers, RouteRegistry, ScanNow};

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
}

impl Default for NamesrvSettings {
    fn default() -> Self {
        NamesrvSettings {
            listen: SocketAddr::from(([0, 0, 0, 0], 9876)),
            scan_interval: Duration::from_secs(10),
            expire: Duration::from_secs(120),
            idle_timeout: Duration::from_secs(120),
            kv_config_path: None,
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
}

/// A running name server.
#[derive(Clone)]
pub struct NamesrvHandle {
    listener: ListenerHandle,
    registry: Addr<RouteRegistry>,
    arbiter: ArbiterHandle,
}

impl NamesrvHandle {
    /// The bound address.
    pub fn local_addr(&self) -> SocketAddr {
        self.listener.local_addr()
    }

    /// The registry actor (e.g. to send [`ScanNow`] or [`LiveBrokers`]).
    pub fn registry(&self) -> &Addr<RouteRegistry> {
        &self.registry
    }

    /// Stops listening, closes every connection and stops the registry.
    pub fn stop(&self) {
        self.listener.stop();
        self.arbiter.stop();
    }
}

impl std::fmt::Debug for NamesrvHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NamesrvHandle")
            .field("local_addr", &self.local_addr())
            .finish()
    }
}

/// Starts a name server: the registry on its own arbiter (under a supervisor), the listener on
/// the current one. Must be called inside an actix System.
pub async fn start_namesrv(
    cfg: NamesrvSettings,
    log: Logger,
) -> Result<NamesrvHandle, NamesrvError> {
    let log = log.new(o!("component" => "namesrv"));
    let kv = KvStore::open(cfg.kv_config_path.as_deref(), &log)?;
    let state = Arc::new(Mutex::new(NamesrvState {
        tables: Default::default(),
        kv,
    }));
    let arbiter = Arbiter::new().handle();
    let (scan, expire, reg_log) = (
        cfg.scan_interval,
        cfg.expire,
        log.new(o!("actor" => "registry")),
    );
    let registry = Supervisor::start_in_arbiter(&arbiter, move |_| {
        RouteRegistry::new(state, scan, expire, reg_log)
    });
    let settings = ServerSettings {
        idle_timeout: cfg.idle_timeout,
        component: "namesrv",
        ..ServerSettings::default()
    };
    let handler = Arc::new(NamesrvHandler::new(registry.clone()));
    let listener = match start_listener(cfg.listen, handler, settings, &log).await {
        Ok(l) => l,
        Err(e) => {
            arbiter.stop();
            return Err(e.into());
        }
    };
    Ok(NamesrvHandle {
        listener,
        registry,
        arbiter,
    })
}
