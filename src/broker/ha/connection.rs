//! One slave connection on the master: a task (not an actor: it has no mailbox, only a socket)
//! that checks the hello, reads offset reports and streams commit-log bytes.
//!
//! The two halves run concurrently in one `select!`: the report reader (acks, housekeeping
//! timeout, the first report sets the transfer start) and the transfer writer (up to
//! `haTransferBatchSize` per frame, the next frame as soon as the previous write completed,
//! a heartbeat when idle). The writer sleeps on the `phys_end` watch fed by the writer actor's
//! arrival hook, so new data wakes it at once and an idle master never polls. Whichever half
//! fails ends the connection and unregisters the slave. Socket reads and writes check the
//! failpoints `HA_READ` / `HA_WRITE` (scope: the master's store root).

use std::time::Duration;

use crate::actors::remoting::{IoRead, IoStream, IoWrite};
use bytes::Buf;
use slog::{info, warn, Logger};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::sync::{oneshot, watch};
use tokio::time::Instant;

use super::error::HaError;
use super::protocol::{encode_frame_header, read_hello_auth};
use super::replication::{ReplicationTracker, SlaveRegistration};
use crate::broker::store_actors::StoreHandle;
use crate::failpoint::names::{HA_READ, HA_WRITE};

/// What every connection of one master shares.
#[derive(Clone)]
pub(crate) struct ConnCtx {
    pub store: StoreHandle,
    pub tracker: ReplicationTracker,
    pub phys_end: watch::Receiver<i64>,
    pub shutdown: watch::Receiver<bool>,
    pub broker_name: String,
    pub cluster: String,
    pub batch: usize,
    pub heartbeat: Duration,
    pub housekeeping: Duration,
    /// `haAuthSecret`: when set, the hello must carry a valid proof (`auth`).
    pub auth_secret: Option<String>,
    /// `tls.server.mode` of the HA port (docs/tls.md).
    pub tls: crate::tls::ServerTls,
    pub log: Logger,
}

/// Serves one slave until it disconnects, misbehaves or the master shuts down; logs why.
pub(crate) async fn serve(stream: IoStream, ctx: ConnCtx) {
    let peer = stream
        .tcp()
        .peer_addr()
        .map(|a| a.to_string())
        .unwrap_or_else(|_| "?".into());
    let log = ctx.log.new(slog::o!("slave" => peer.clone()));
    match run(stream, &peer, ctx, &log).await {
        Ok(()) => info!(log, "HA connection closed"),
        Err(e) => warn!(log, "HA connection closed"; "reason" => %e),
    }
}

async fn run(stream: IoStream, peer: &str, ctx: ConnCtx, log: &Logger) -> Result<(), HaError> {
    let _ = stream.tcp().set_nodelay(true);
    let (mut rd, wr) = stream.split();
    let (hello, proof) = tokio::time::timeout(ctx.housekeeping, read_hello_auth(&mut rd, peer))
        .await
        .map_err(|_| HaError::Silent {
            peer: peer.into(),
            secs: ctx.housekeeping.as_secs(),
        })??;
    if hello.broker_name != ctx.broker_name || hello.cluster != ctx.cluster {
        return Err(HaError::WrongIdentity {
            peer: peer.into(),
            expected: format!("{}/{}", ctx.cluster, ctx.broker_name),
            got: format!("{}/{}", hello.cluster, hello.broker_name),
        });
    }
    if let Some(secret) = ctx.auth_secret.as_deref() {
        let now = crate::store::time::now_ms();
        super::auth::verify(&hello, proof.as_ref(), secret, now).map_err(|reason| {
            HaError::Unauthenticated {
                peer: peer.into(),
                reason,
            }
        })?;
    }
    info!(log, "slave attached"; "broker_id" => hello.broker_id);
    let reg = ctx.tracker.register(peer, hello.broker_id);
    let (start_tx, start_rx) = oneshot::channel();
    let mut shutdown = ctx.shutdown.clone();
    tokio::select! {
        r = read_reports(rd, peer, &reg, &ctx, start_tx) => r,
        r = transfer(wr, peer, &ctx, start_rx, log) => r,
        _ = shutdown.wait_for(|s| *s) => Err(HaError::ShutDown),
    }
}

/// Reads 8-byte offset reports; the first one starts the transfer.
async fn read_reports(
    mut rd: IoRead,
    peer: &str,
    reg: &SlaveRegistration,
    ctx: &ConnCtx,
    start: oneshot::Sender<i64>,
) -> Result<(), HaError> {
    let mut start = Some(start);
    let root = ctx.store.reader().config().root.clone();
    loop {
        let offset = match tokio::time::timeout(ctx.housekeeping, rd.read_i64()).await {
            Err(_) => {
                return Err(HaError::Silent {
                    peer: peer.into(),
                    secs: ctx.housekeeping.as_secs(),
                })
            }
            Ok(Err(e)) if e.kind() == std::io::ErrorKind::UnexpectedEof => return Ok(()),
            Ok(Err(e)) => return Err(HaError::io(peer, e)),
            Ok(Ok(o)) => o,
        };
        // After the read: an armed failpoint fails the read that just completed.
        crate::failpoint::check(HA_READ, &root).map_err(|e| HaError::io(peer, e))?;
        // Hardening (Java takes the first report unchecked): a slave ahead of the master, or a
        // negative report, means diverged or foreign data; acking it would lie to producers.
        let max = ctx.store.reader().max_phys_offset();
        if offset > max || offset < 0 {
            return Err(HaError::ReportBeyondMax {
                peer: peer.into(),
                offset,
                max,
            });
        }
        reg.ack(offset);
        if let Some(tx) = start.take() {
            let _ = tx.send(offset);
        }
    }
}

/// Where an empty slave (report 0) starts: the beginning of the master's last commit-log file.
fn start_offset(ctx: &ConnCtx, reported: i64) -> i64 {
    if reported != 0 {
        return reported;
    }
    let r = ctx.store.reader();
    let max = r.max_phys_offset();
    let size = r.config().mapped_file_size_commit_log as i64;
    if size > 0 {
        max - max % size
    } else {
        0
    }
}

/// Streams commit-log bytes from the slave's first report on.
async fn transfer(
    mut wr: IoWrite,
    peer: &str,
    ctx: &ConnCtx,
    start: oneshot::Receiver<i64>,
    log: &Logger,
) -> Result<(), HaError> {
    let Ok(reported) = start.await else {
        // The reader ended before the first report; it reports why.
        return std::future::pending().await;
    };
    let mut next = start_offset(ctx, reported);
    info!(log, "transfer starts"; "offset" => next, "reported" => reported);
    let mut phys_end = ctx.phys_end.clone();
    let mut wake_on_data = true;
    let mut last_write = Instant::now();
    let root = ctx.store.reader().config().root.clone();
    loop {
        // Mark the current value seen *before* reading, so a put after this read wakes us.
        phys_end.borrow_and_update();
        let reader = ctx.store.reader();
        let chunk = if next < reader.max_phys_offset() {
            match reader.commit_log().read_raw(next, ctx.batch) {
                Some(b) if !b.is_empty() => Some(b),
                _ if next < reader.min_phys_offset() => {
                    return Err(HaError::OffsetGone {
                        peer: peer.into(),
                        offset: next,
                        min: reader.min_phys_offset(),
                    })
                }
                _ => None,
            }
        } else {
            None
        };
        drop(reader);
        if let Some(body) = chunk {
            let len = body.len();
            let header = encode_frame_header(next, len);
            let mut buf = Buf::chain(&header[..], body);
            crate::failpoint::check(HA_WRITE, &root).map_err(|e| HaError::io(peer, e))?;
            wr.write_all_buf(&mut buf)
                .await
                .map_err(|e| HaError::io(peer, e))?;
            next += len as i64;
            last_write = Instant::now();
            continue;
        }
        let heartbeat_due = last_write + ctx.heartbeat;
        tokio::select! {
            changed = phys_end.changed(), if wake_on_data => {
                // The store's hook is gone (writer rebuilt with a new hook): fall back to timers.
                wake_on_data = changed.is_ok();
            }
            _ = tokio::time::sleep_until(heartbeat_due) => {
                crate::failpoint::check(HA_WRITE, &root).map_err(|e| HaError::io(peer, e))?;
                wr.write_all(&encode_frame_header(next, 0)).await.map_err(|e| HaError::io(peer, e))?;
                last_write = Instant::now();
            }
        }
    }
}
