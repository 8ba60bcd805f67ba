//! The HA master: a supervised actor owning the HA listener (`haListenPort`). Each accepted slave
//! gets its own task ([`super::connection`]) on the master's arbiter, so one slow or broken slave
//! never delays another, and a restart of the listener actor does not cut live slaves.
//!
//! The socket is bound once, synchronously, in [`HaMasterHandle::start`] (so port 0 works and the
//! bound address is known before anything connects); every incarnation of the actor re-registers
//! a clone of it with its own runtime. Replication state lives in the [`ReplicationTracker`]
//! handed in by the broker, so it survives restarts of this actor.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use actix::prelude::*;
use parking_lot::Mutex;
use slog::{error, info, warn, Logger};
use tokio::sync::watch;

use super::connection::{serve, ConnCtx};
use super::error::HaError;
use super::replication::{ReplicationTracker, SlaveStats};
use crate::actors::supervisor::{RestartBook, RestartTracker, RootSupervisor, Slot, Supervise};
use crate::broker::store_actors::StoreHandle;

/// Master-side HA settings (broker config keys in the comments).
#[derive(Debug, Clone)]
pub struct HaMasterConfig {
    /// `haListenPort` on all interfaces (listenPort + 1); port 0 picks a free port.
    pub listen: SocketAddr,
    /// Slaves must name the same broker and cluster in their hello.
    pub broker_name: String,
    pub cluster: String,
    /// `haTransferBatchSize` (32 KiB).
    pub transfer_batch_size: usize,
    /// `haSendHeartbeatInterval` (5 s): heartbeat frame when idle this long.
    pub heartbeat_interval: Duration,
    /// `haHousekeepingInterval` (20 s): a slave silent this long is dropped.
    pub housekeeping_interval: Duration,
    /// `haAuthSecret` (ours): slaves must prove they know it (`auth`).
    pub auth_secret: Option<String>,
    /// `tls.server.mode` of the HA port (ours: Java's HA port has no TLS; docs/tls.md).
    pub tls: crate::tls::ServerTls,
}

impl HaMasterConfig {
    pub fn new(
        listen: SocketAddr,
        broker_name: impl Into<String>,
        cluster: impl Into<String>,
    ) -> Self {
        HaMasterConfig {
            listen,
            broker_name: broker_name.into(),
            cluster: cluster.into(),
            transfer_batch_size: 32 * 1024,
            heartbeat_interval: Duration::from_secs(5),
            housekeeping_interval: Duration::from_secs(20),
            auth_secret: None,
            tls: crate::tls::ServerTls::disabled(),
        }
    }
}

/// State shared by every incarnation of the master actor.
struct Shared {
    listener: Mutex<Option<std::net::TcpListener>>,
    conn: ConnCtx,
    log: Logger,
}

/// The listener actor.
pub struct HaMaster {
    shared: Arc<Shared>,
    tracker: RestartTracker,
}

impl Actor for HaMaster {
    type Context = Context<Self>;

    fn started(&mut self, ctx: &mut Context<Self>) {
        self.tracker.on_started(ctx);
        let listener = match self.shared.listener.lock().as_ref().map(|l| l.try_clone()) {
            Some(Ok(l)) => l,
            Some(Err(e)) => {
                error!(self.shared.log, "cloning the HA listener failed; stopping for restart"; "error" => %e);
                ctx.stop();
                return;
            }
            None => return, // shut down
        };
        let listener = match tokio::net::TcpListener::from_std(listener) {
            Ok(l) => l,
            Err(e) => {
                error!(self.shared.log, "registering the HA listener failed; stopping for restart"; "error" => %e);
                ctx.stop();
                return;
            }
        };
        ctx.spawn(actix::fut::wrap_future(accept_loop(
            listener,
            self.shared.clone(),
        )));
    }
}

impl Supervised for HaMaster {
    fn restarting(&mut self, _ctx: &mut Context<Self>) {
        self.tracker.on_restarting();
    }
}

crate::handle_inject_failure!(HaMaster, "HA master");

async fn accept_loop(listener: tokio::net::TcpListener, shared: Arc<Shared>) {
    let mut shutdown = shared.conn.shutdown.clone();
    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, peer)) => {
                    let conn = shared.conn.clone();
                    actix_rt::spawn(async move {
                        // The first byte decides plaintext or TLS, in the socket's own task.
                        let within = conn.housekeeping;
                        match crate::actors::remoting::stream::accept(stream, &conn.tls, within).await {
                            Ok(io) => serve(io, conn).await,
                            Err(e) => warn!(conn.log, "HA connection refused"; "slave" => %peer,
                                "tls_mode" => conn.tls.mode().name(), "reason" => %e),
                        }
                    });
                }
                Err(e) => {
                    // Out of descriptors and the like: back off instead of spinning.
                    warn!(shared.log, "HA accept failed"; "error" => %e);
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            },
            _ = shutdown.wait_for(|s| *s) => {
                info!(shared.log, "HA listener stopped");
                return;
            }
        }
    }
}

/// What the broker keeps of a running HA master.
#[derive(Clone)]
pub struct HaMasterHandle {
    pub actor: Slot<HaMaster>,
    local_addr: SocketAddr,
    tracker: ReplicationTracker,
    store: StoreHandle,
    shared: Arc<Shared>,
    shutdown: Arc<watch::Sender<bool>>,
}

impl HaMasterHandle {
    /// Binds `cfg.listen` and starts the master under `root` on its own arbiter. `phys_end` is
    /// fed with the commit log's end after every append (see [`super::notify_arrival`]).
    #[allow(clippy::too_many_arguments)]
    pub async fn start(
        cfg: HaMasterConfig,
        store: StoreHandle,
        tracker: ReplicationTracker,
        phys_end: watch::Receiver<i64>,
        root: &Addr<RootSupervisor>,
        book: RestartBook,
        component: &str,
        log: Logger,
    ) -> Result<HaMasterHandle, HaError> {
        let bind_err = |e| HaError::Bind {
            addr: cfg.listen.to_string(),
            source: e,
        };
        let listener = std::net::TcpListener::bind(cfg.listen).map_err(bind_err)?;
        listener.set_nonblocking(true).map_err(bind_err)?;
        let local_addr = listener.local_addr().map_err(bind_err)?;
        let log = log.new(slog::o!("component" => component.to_string()));
        let (shutdown_tx, shutdown_rx) = watch::channel(false);
        let shared = Arc::new(Shared {
            listener: Mutex::new(Some(listener)),
            conn: ConnCtx {
                store: store.clone(),
                tracker: tracker.clone(),
                phys_end,
                shutdown: shutdown_rx,
                broker_name: cfg.broker_name.clone(),
                cluster: cfg.cluster.clone(),
                batch: cfg.transfer_batch_size.max(1),
                heartbeat: cfg.heartbeat_interval,
                housekeeping: cfg.housekeeping_interval,
                auth_secret: cfg.auth_secret.clone(),
                tls: cfg.tls.clone(),
                log: log.clone(),
            },
            log: log.clone(),
        });
        info!(log, "HA master listening"; "addr" => %local_addr);
        let factory = {
            let (shared, name) = (shared.clone(), component.to_string());
            move || HaMaster {
                shared: shared.clone(),
                tracker: RestartTracker::new(name.clone(), book.clone(), shared.log.clone()),
            }
        };
        let actor = root
            .send(Supervise {
                name: component.to_string(),
                arbiter: Arbiter::new().handle(),
                factory: Arc::new(factory),
            })
            .await
            .map_err(|_| HaError::ShutDown)?;
        Ok(HaMasterHandle {
            actor,
            local_addr,
            tracker,
            store,
            shared,
            shutdown: Arc::new(shutdown_tx),
        })
    }

    /// The bound HA address (what the broker advertises as `haServerAddr`, with brokerIP2).
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// The replication state (acks, waiters, attached slaves).
    pub fn tracker(&self) -> &ReplicationTracker {
        &self.tracker
    }

    /// Attached slaves with their lag behind the master's current max offset.
    pub fn slaves(&self) -> Vec<SlaveStats> {
        self.tracker.slaves(self.store.reader().max_phys_offset())
    }

    /// Stops accepting, closes every slave connection and releases the port.
    pub fn shutdown(&self) {
        self.shutdown.send_replace(true);
        self.shared.listener.lock().take();
    }
}
