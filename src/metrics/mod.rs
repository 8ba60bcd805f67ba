//! The Prometheus `/metrics` endpoint of brokers and name servers (our extension key
//! `metricsListen=host:port`, off when absent; docs/metrics.md). An actix-web server with one
//! worker answers `GET /metrics` with a registry built at scrape time from the node's live
//! state (`broker.rs`, `namesrv.rs`) and encoded by `prometheus-client` (OpenMetrics text,
//! which Prometheus' text parsers read). Nothing here runs on a request path of the node.

pub mod broker;
mod broker_runtime;
pub mod namesrv;

use std::net::SocketAddr;
use std::sync::Arc;

use actix_web::{web, App, HttpResponse, HttpServer};
use slog::{info, Logger};

/// Why the metrics endpoint could not start.
#[derive(Debug, thiserror::Error)]
pub enum MetricsError {
    #[error("metricsListen `{value}` is not host:port: {reason}")]
    BadAddress { value: String, reason: String },
    #[error("metrics listener on {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error("writing the metrics address file {path}: {source}")]
    AddrFile {
        path: std::path::PathBuf,
        source: std::io::Error,
    },
}

/// Renders the whole text of one scrape.
pub type Render = Arc<dyn Fn() -> Result<String, std::fmt::Error> + Send + Sync>;

/// A running endpoint.
pub struct MetricsServer {
    addr: SocketAddr,
    handle: actix_web::dev::ServerHandle,
}

impl MetricsServer {
    /// The bound address (the real port when `metricsListen` asked for 0).
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// Stops accepting and ends the server (in-flight scrapes are dropped).
    pub async fn stop(&self) {
        self.handle.stop(false).await;
    }
}

/// Parses `metricsListen` (`host:port`, host an IP address or `localhost`).
pub fn parse_listen(value: &str) -> Result<SocketAddr, MetricsError> {
    let v = value.trim();
    let bad = |reason: String| MetricsError::BadAddress {
        value: value.to_string(),
        reason,
    };
    if let Ok(a) = v.parse::<SocketAddr>() {
        return Ok(a);
    }
    let (host, port) = v.rsplit_once(':').ok_or_else(|| bad("no `:port`".into()))?;
    let port: u16 = port.parse().map_err(|e| bad(format!("port: {e}")))?;
    if host.eq_ignore_ascii_case("localhost") {
        return Ok(SocketAddr::from(([127, 0, 0, 1], port)));
    }
    Err(bad("host must be an IP address or localhost".into()))
}

/// Binds `addr` and serves `GET /metrics` from `render` inside the current actix System.
/// The bound address is logged (`metrics endpoint started`, key `listen`).
pub fn serve(
    addr: SocketAddr,
    render: Render,
    log: &Logger,
) -> Result<MetricsServer, MetricsError> {
    let listener =
        std::net::TcpListener::bind(addr).map_err(|source| MetricsError::Bind { addr, source })?;
    let bound = listener
        .local_addr()
        .map_err(|source| MetricsError::Bind { addr, source })?;
    let server = HttpServer::new(move || {
        let render = render.clone();
        App::new().route(
            "/metrics",
            web::get().to(move || {
                let render = render.clone();
                async move {
                    match render() {
                        Ok(text) => HttpResponse::Ok()
                            .content_type(
                                "application/openmetrics-text; version=1.0.0; charset=utf-8",
                            )
                            .body(text),
                        Err(_) => HttpResponse::InternalServerError().body("encoding failed"),
                    }
                }
            }),
        )
    })
    .workers(1)
    .disable_signals()
    .listen(listener)
    .map_err(|source| MetricsError::Bind { addr, source })?
    .run();
    let handle = server.handle();
    actix_rt::spawn(server);
    info!(log, "metrics endpoint started"; "component" => "metrics", "listen" => %bound);
    Ok(MetricsServer {
        addr: bound,
        handle,
    })
}

#[cfg(test)]
mod tests {
    use super::parse_listen;

    #[test]
    fn listen_values() {
        assert_eq!(
            parse_listen("127.0.0.1:0").unwrap(),
            "127.0.0.1:0".parse().unwrap()
        );
        assert_eq!(
            parse_listen("localhost:9100").unwrap(),
            "127.0.0.1:9100".parse().unwrap()
        );
        assert!(parse_listen("9100").is_err());
        assert!(parse_listen("example.org:9100").is_err());
    }
}
