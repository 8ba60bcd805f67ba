//! The HA slave: a supervised actor that keeps one connection to the master's HA port, sends the
//! hello and offset reports, and appends the received commit-log bytes through the store's writer
//! actor (which dispatches them to consume queues and the index like local puts).
//!
//! The connection loop is a future owned by the actor's context: stopping or rebuilding the actor
//! drops the socket, and the new incarnation reconnects and resumes from its store's max offset,
//! so no replication state has to survive in the actor. The master address comes from a watch
//! (fed by the broker from REGISTER_BROKER results, or fixed by `haMasterAddress`); a change ends
//! the current session and connects to the new address.

use std::sync::Arc;
use std::time::Duration;

use actix::prelude::*;
use bytes::{Bytes, BytesMut};
use parking_lot::Mutex;
use slog::{info, warn, Logger};
use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;

use crate::actors::remoting::{IoRead, IoStream, IoWrite};
use tokio::sync::watch;
use tokio::time::Instant;

use super::error::HaError;
use super::protocol::{encode_hello_with, encode_report, read_frame, Hello};
use crate::actors::supervisor::{RestartBook, RestartTracker, RootSupervisor, Slot, Supervise};
use crate::broker::store_actors::{AppendRaw, StoreHandle};
use crate::failpoint::names::{HA_READ, HA_WRITE};

/// Bytes of an unfinished record kept between frames; more means a broken stream.
const MAX_PENDING: usize = 16 * 1024 * 1024;

/// Slave-side HA settings.
#[derive(Debug, Clone)]
pub struct HaSlaveConfig {
    pub broker_name: String,
    pub cluster: String,
    pub broker_id: i64,
    /// `haSendHeartbeatInterval` (5 s): report at least this often.
    pub heartbeat_interval: Duration,
    /// `haHousekeepingInterval` (20 s): a master silent this long (no data, no heartbeat) is
    /// dropped. Java's slave never notices a silent master; ours does.
    pub housekeeping_interval: Duration,
    /// Reconnect backoff, doubling from `reconnect_min` to `reconnect_max`.
    pub reconnect_min: Duration,
    pub reconnect_max: Duration,
    pub connect_timeout: Duration,
    /// `haAuthSecret` (ours): proves this slave to the master (`auth`).
    pub auth_secret: Option<String>,
    /// Connect to the master over TLS (`tls.enable` / `useTLS`; docs/tls.md).
    pub tls: Option<crate::tls::ClientTls>,
}

impl HaSlaveConfig {
    pub fn new(broker_name: impl Into<String>, cluster: impl Into<String>, broker_id: i64) -> Self {
        HaSlaveConfig {
            broker_name: broker_name.into(),
            cluster: cluster.into(),
            broker_id,
            heartbeat_interval: Duration::from_secs(5),
            housekeeping_interval: Duration::from_secs(20),
            reconnect_min: Duration::from_secs(1),
            reconnect_max: Duration::from_secs(10),
            connect_timeout: Duration::from_secs(3),
            auth_secret: None,
            tls: None,
        }
    }
}

/// A master address that never changes (`haMasterAddress`).
pub fn fixed_master(addr: impl Into<String>) -> watch::Receiver<Option<String>> {
    watch::channel(Some(addr.into())).1
}

/// What the slave reports for runtime info and the demo table.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SlaveStatus {
    pub master_addr: Option<String>,
    pub connected: bool,
    pub local_max_offset: i64,
    /// Sessions established so far.
    pub sessions: u64,
    pub last_error: Option<String>,
}

/// Stops the connection loop for good (clean shutdown; a stop would be restarted).
#[derive(Message)]
#[rtype(result = "()")]
pub struct Halt;

struct Shared {
    cfg: HaSlaveConfig,
    store: StoreHandle,
    master: watch::Receiver<Option<String>>,
    status: Mutex<SlaveStatus>,
    log: Logger,
}

/// The slave actor.
pub struct HaSlave {
    shared: Arc<Shared>,
    tracker: RestartTracker,
    run: Option<SpawnHandle>,
}

impl Actor for HaSlave {
    type Context = Context<Self>;

    fn started(&mut self, ctx: &mut Context<Self>) {
        self.tracker.on_started(ctx);
        self.run = Some(ctx.spawn(actix::fut::wrap_future(run(self.shared.clone()))));
    }
}

impl Supervised for HaSlave {
    fn restarting(&mut self, _ctx: &mut Context<Self>) {
        self.tracker.on_restarting();
        self.shared.status.lock().connected = false;
    }
}

crate::handle_inject_failure!(HaSlave, "HA slave");

impl Handler<Halt> for HaSlave {
    type Result = ();
    fn handle(&mut self, _: Halt, ctx: &mut Context<Self>) {
        if let Some(h) = self.run.take() {
            ctx.cancel_future(h);
        }
        self.shared.status.lock().connected = false;
        info!(self.shared.log, "HA slave halted");
    }
}

/// What the broker keeps of a running HA slave.
#[derive(Clone)]
pub struct HaSlaveHandle {
    pub actor: Slot<HaSlave>,
    shared: Arc<Shared>,
}

impl HaSlaveHandle {
    /// Starts the slave under `root` on its own arbiter.
    #[allow(clippy::too_many_arguments)]
    pub async fn start(
        cfg: HaSlaveConfig,
        store: StoreHandle,
        master: watch::Receiver<Option<String>>,
        root: &Addr<RootSupervisor>,
        book: RestartBook,
        component: &str,
        log: Logger,
    ) -> Result<HaSlaveHandle, HaError> {
        let log = log.new(slog::o!("component" => component.to_string()));
        let status = SlaveStatus {
            local_max_offset: store.reader().max_phys_offset(),
            ..Default::default()
        };
        let shared = Arc::new(Shared {
            cfg,
            store,
            master,
            status: Mutex::new(status),
            log,
        });
        let factory = {
            let (shared, name) = (shared.clone(), component.to_string());
            move || HaSlave {
                shared: shared.clone(),
                tracker: RestartTracker::new(name.clone(), book.clone(), shared.log.clone()),
                run: None,
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
        Ok(HaSlaveHandle { actor, shared })
    }

    /// Current status (master address, connected, local max offset).
    pub fn status(&self) -> SlaveStatus {
        self.shared.status.lock().clone()
    }

    /// Stops replicating (clean shutdown).
    pub async fn halt(&self) {
        let _ = self.actor.get().send(Halt).await;
    }
}

/// Resolves when the master address changes; never if its sender is gone (fixed address).
async fn master_changed(rx: &mut watch::Receiver<Option<String>>) {
    if rx.changed().await.is_err() {
        std::future::pending::<()>().await;
    }
}

/// Connects, replicates, reconnects: forever (until the actor drops this future).
async fn run(sh: Arc<Shared>) {
    let mut master = sh.master.clone();
    let mut backoff = sh.cfg.reconnect_min;
    loop {
        let addr = master.borrow_and_update().clone().filter(|a| !a.is_empty());
        let Some(addr) = addr else {
            master_changed(&mut master).await;
            continue;
        };
        sh.status.lock().master_addr = Some(addr.clone());
        let began = Instant::now();
        let result = tokio::select! {
            r = session(&sh, &addr) => r,
            _ = master_changed(&mut master) => Ok(()),
        };
        {
            let mut st = sh.status.lock();
            st.connected = false;
            st.last_error = result.as_ref().err().map(|e| e.to_string());
        }
        if let Err(e) = &result {
            warn!(sh.log, "HA session ended"; "master" => &addr, "reason" => %e);
        }
        // A session that lived a while reconnects at once (as Java does); a failing connect or an
        // immediately refused session backs off so that we never hammer the master.
        if result.is_ok() || began.elapsed() >= sh.cfg.reconnect_min {
            backoff = sh.cfg.reconnect_min;
        } else {
            tokio::select! {
                _ = tokio::time::sleep(backoff) => {}
                _ = master_changed(&mut master) => {}
            }
            backoff = (backoff * 2).min(sh.cfg.reconnect_max);
        }
    }
}

async fn session(sh: &Shared, addr: &str) -> Result<(), HaError> {
    let connect = async {
        let stream = TcpStream::connect(addr).await?;
        let _ = stream.set_nodelay(true);
        match &sh.cfg.tls {
            None => Ok(IoStream::Plain(stream)),
            Some(tls) => tls.connect(addr, stream).await.map(IoStream::from),
        }
    };
    let stream = tokio::time::timeout(sh.cfg.connect_timeout, connect)
        .await
        .map_err(|_| HaError::io(addr, std::io::ErrorKind::TimedOut.into()))?
        .map_err(|e| HaError::io(addr, e))?;
    let (rd, mut wr) = stream.split();
    let local_max = sh.store.reader().max_phys_offset();
    let hello = Hello {
        broker_name: sh.cfg.broker_name.clone(),
        cluster: sh.cfg.cluster.clone(),
        broker_id: sh.cfg.broker_id,
    };
    // Hello and the first report in one write: the master starts transferring at once instead of
    // after the first heartbeat interval (Java's slave waits 5 s).
    let proof = sh
        .cfg
        .auth_secret
        .as_deref()
        .map(|secret| super::auth::prove(&hello, secret, crate::store::time::now_ms()));
    let mut first = encode_hello_with(&hello, proof.as_ref()).to_vec();
    first.extend_from_slice(&encode_report(local_max));
    let root = sh.store.reader().config().root.clone();
    crate::failpoint::check(HA_WRITE, &root).map_err(|e| HaError::io(addr, e))?;
    wr.write_all(&first)
        .await
        .map_err(|e| HaError::io(addr, e))?;
    {
        let mut st = sh.status.lock();
        st.connected = true;
        st.sessions += 1;
        st.local_max_offset = local_max;
    }
    info!(sh.log, "connected to HA master"; "master" => addr, "offset" => local_max);
    let (report_tx, report_rx) = watch::channel(local_max);
    tokio::select! {
        r = report_loop(wr, report_rx, sh.cfg.heartbeat_interval, addr, &root) => r,
        r = receive_loop(rd, sh, report_tx, local_max, addr) => r,
    }
}

/// Sends the local max offset after every append and every heartbeat interval.
async fn report_loop(
    mut wr: IoWrite,
    mut offsets: watch::Receiver<i64>,
    heartbeat: Duration,
    peer: &str,
    root: &std::path::Path,
) -> Result<(), HaError> {
    loop {
        tokio::select! {
            changed = offsets.changed() => if changed.is_err() { return Ok(()) },
            _ = tokio::time::sleep(heartbeat) => {}
        }
        let offset = *offsets.borrow_and_update();
        crate::failpoint::check(HA_WRITE, root).map_err(|e| HaError::io(peer, e))?;
        wr.write_all(&encode_report(offset))
            .await
            .map_err(|e| HaError::io(peer, e))?;
    }
}

/// Receives frames, checks their offsets and appends them through the writer actor.
async fn receive_loop(
    mut rd: IoRead,
    sh: &Shared,
    reports: watch::Sender<i64>,
    local_max: i64,
    peer: &str,
) -> Result<(), HaError> {
    // `base` is the offset of `pending[0]`; an empty store (offset 0) takes the master's start.
    let mut base = local_max;
    let mut anchored = local_max != 0;
    let mut pending = BytesMut::new();
    let root = sh.store.reader().config().root.clone();
    loop {
        let frame = tokio::time::timeout(sh.cfg.housekeeping_interval, read_frame(&mut rd, peer))
            .await
            .map_err(|_| HaError::Silent {
                peer: peer.into(),
                secs: sh.cfg.housekeeping_interval.as_secs(),
            })??;
        // After the read: an armed failpoint fails the read that just completed.
        crate::failpoint::check(HA_READ, &root).map_err(|e| HaError::io(peer, e))?;
        let expected = base + pending.len() as i64;
        if frame.offset != expected {
            if anchored {
                return Err(HaError::OffsetMismatch {
                    peer: peer.into(),
                    expected,
                    got: frame.offset,
                });
            }
            base = frame.offset;
        }
        anchored = true;
        if frame.body.is_empty() {
            continue; // heartbeat
        }
        pending.extend_from_slice(&frame.body);
        if pending.len() > MAX_PENDING {
            return Err(HaError::BadFrame {
                peer: peer.into(),
                reason: format!("{} bytes without a whole record", pending.len()),
            });
        }
        let bytes: Bytes = pending.split().freeze();
        let mut at = 0;
        // One call takes every whole record and a closing blank; bytes after a blank (the next
        // file) take another. Bounded: each round consumes something or ends the loop.
        // (The master never sends a frame across a file end, so that second call is rare.)
        while at < bytes.len() {
            let res = sh
                .store
                .writer
                .get()
                .send(AppendRaw {
                    offset: base,
                    bytes: bytes.slice(at..),
                })
                .await
                .map_err(|_| HaError::WriterGone)?
                .map_err(|source| HaError::Append {
                    peer: peer.into(),
                    offset: base,
                    source,
                })?;
            at += res.consumed;
            base += res.consumed as i64;
            if res.consumed == 0 || !res.closed_file {
                break; // the rest is an unfinished record: kept for the next frame
            }
        }
        pending.extend_from_slice(&bytes[at..]);
        if at > 0 {
            let max = sh.store.reader().max_phys_offset();
            sh.status.lock().local_max_offset = max;
            reports.send_replace(max);
        }
    }
}
