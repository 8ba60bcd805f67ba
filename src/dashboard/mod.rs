//! The built-in web dashboard (`rocketactor dashboard --namesrv ADDR`): a client of the
//! cluster like rocketmq-dashboard. It serves a JSON API under `/api/` built on the project's
//! client (`crate::client::admin`, producer, pull consumer), never on broker internals, and the
//! small front end of `dashboard/` embedded in the binary (`assets`). A poller samples every
//! broker's runtime info to draw the put/get TPS chart of the last minutes (`tps`). See
//! docs/dashboard.md for the pages and the API.

pub mod api;
pub mod assets;
pub mod error;
pub mod state;
pub mod tps;

use std::net::SocketAddr;
use std::time::Duration;

use actix_web::{web, App, HttpServer};

pub use error::ApiError;
pub use state::DashState;

/// How the dashboard runs.
#[derive(Debug, Clone)]
pub struct DashboardConfig {
    /// Name servers, `ns1:9876;ns2:9876`.
    pub namesrv: String,
    /// Where the HTTP server listens (port 0 = chosen by the OS).
    pub listen: SocketAddr,
    /// How often the TPS poller samples the brokers.
    pub poll_interval: Duration,
    /// ACL credentials for a cluster with `aclEnable=true`.
    pub credentials: Option<crate::acl::SessionCredentials>,
}

impl DashboardConfig {
    pub fn new(namesrv: impl Into<String>, listen: SocketAddr) -> Self {
        DashboardConfig {
            namesrv: namesrv.into(),
            listen,
            poll_interval: Duration::from_secs(5),
            credentials: None,
        }
    }
}

/// Why the dashboard could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("dashboard: bad name-server list `{namesrv}`: {source}")]
    Namesrv {
        namesrv: String,
        source: crate::client::MqError,
    },
    #[error("dashboard: cannot listen on {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
}

/// A started dashboard: the bound address and the server handle (stop it with
/// [`Dashboard::stop`]).
pub struct Dashboard {
    pub local_addr: SocketAddr,
    server: actix_web::dev::ServerHandle,
    poller: tokio::task::JoinHandle<()>,
}

impl Dashboard {
    /// Stops the HTTP server and the poller.
    pub async fn stop(self) {
        self.poller.abort();
        self.server.stop(true).await;
    }
}

/// Starts the HTTP server (one worker: the dashboard serves a few operators) and the TPS
/// poller on the current runtime. The returned future of the server itself is spawned.
pub async fn start(cfg: DashboardConfig) -> Result<Dashboard, StartError> {
    let state = DashState::new(&cfg.namesrv, cfg.credentials.clone()).map_err(|source| {
        StartError::Namesrv {
            namesrv: cfg.namesrv.clone(),
            source,
        }
    })?;
    let poller = tokio::spawn(state.clone().poll_tps_forever(cfg.poll_interval));
    let data = web::Data::new(state);
    let server = HttpServer::new(move || {
        App::new()
            .app_data(data.clone())
            .app_data(web::JsonConfig::default().error_handler(error::json_error))
            .app_data(web::QueryConfig::default().error_handler(error::query_error))
            .configure(api::routes)
            .configure(assets::routes)
    })
    .workers(1)
    .disable_signals()
    .bind(cfg.listen)
    .map_err(|source| StartError::Bind {
        addr: cfg.listen,
        source,
    })?;
    let local_addr = server.addrs().first().copied().unwrap_or(cfg.listen);
    let server = server.run();
    let handle = server.handle();
    tokio::spawn(server);
    Ok(Dashboard {
        local_addr,
        server: handle,
        poller,
    })
}
