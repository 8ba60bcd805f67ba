//! One pipelined remoting connection: many requests in flight, matched to responses by opaque.
//!
//! Shape: the caller encodes its frame (so encoding errors go back to that caller, not to the
//! connection), hands the bytes to a writer task through a bounded channel, and waits on a
//! oneshot registered under the request's opaque. A reader task decodes frames: responses
//! complete their oneshot, server-initiated requests (e.g. NOTIFY_CONSUMER_IDS_CHANGED 40)
//! go to the channel returned by [`RemotingClient::take_server_requests`]. When the connection
//! ends for any reason, every pending call fails with [`ClientError::Closed`] at once.
//!
//! Only plain tokio APIs are used (`tokio::spawn`, tokio sockets and timers), so the client runs
//! the same inside an actix-rt `System` (a tokio current-thread runtime) and a plain tokio runtime.
//!
//! Commands built with `RemotingCommand::request` carry language JAVA and version 407: we
//! present ourselves as a 4.9.7 Java client because that is the client every RocketMQ 4.x
//! server is tested against (a pre-4.9.4 server does not even know the RUST language code),
//! and the version picks the protocol variants we implement (e.g. standard-JSON routes).

use std::collections::HashMap;
use std::sync::atomic::{AtomicI32, AtomicU8, Ordering};
use std::sync::Arc;
use std::time::Duration;

use bytes::{Bytes, BytesMut};
use futures::StreamExt;
use parking_lot::Mutex;
use slog::{debug, o, warn, Logger};
use tokio::io::{AsyncWriteExt, BufWriter};
use tokio::net::TcpStream;
use tokio::sync::{mpsc, oneshot, watch};
use tokio::task::JoinHandle;
use tokio_util::codec::FramedRead;

use super::error::ClientError;
use crate::actors::remoting::{IoRead, IoStream, IoWrite};
use crate::codec::command::{SerializeType, FLAG_ONEWAY, FLAG_RESPONSE};
use crate::codec::frame::encode_frame;
use crate::codec::{RemotingCodec, RemotingCommand};
use crate::tls::ClientTls;

/// Per-process request id counter, like Java's `RemotingCommand.requestId`; wraps on overflow.
static NEXT_OPAQUE: AtomicI32 = AtomicI32::new(0);

/// Frames queued for the writer before `invoke` waits (back-pressure, not a limit on calls).
const WRITE_QUEUE: usize = 1024;
/// Server-initiated requests buffered for the application; more are dropped (and logged)
/// so that an application that never reads them cannot make the client grow without bound.
const SERVER_REQUEST_QUEUE: usize = 1024;

type Pending = HashMap<i32, oneshot::Sender<RemotingCommand>>;

/// State shared by the handle and both tasks. Holds no task handles, so the tasks keeping it
/// alive never keep the connection alive after the last handle is dropped.
struct Shared {
    peer: String,
    /// `None` once the connection is closed: registering and closing take the same lock, so
    /// a call can never register after the final drain and then wait forever.
    pending: Mutex<Option<Pending>>,
    closed_tx: watch::Sender<bool>,
    log: Logger,
}

impl Shared {
    /// Marks the connection closed and fails every pending call (their senders are dropped).
    fn close(&self, why: &str) {
        let drained = self.pending.lock().take();
        if let Some(pending) = drained {
            debug!(self.log, "connection closed"; "reason" => why, "failed_calls" => pending.len());
        }
        self.closed_tx.send_replace(true);
    }

    fn closed_error(&self) -> ClientError {
        ClientError::Closed {
            peer: self.peer.clone(),
        }
    }
}

struct Inner {
    shared: Arc<Shared>,
    write_tx: mpsc::Sender<Bytes>,
    server_rx: Mutex<Option<mpsc::Receiver<RemotingCommand>>>,
    reader: JoinHandle<()>,
    /// The header serialization of outgoing requests: [`HEADER_AS_GIVEN`] or a
    /// `SerializeType` code + 1 (see [`RemotingClient::use_header_type`]).
    header_type: AtomicU8,
}

/// `Inner::header_type`: send each request in the serialization its command carries.
const HEADER_AS_GIVEN: u8 = 0;

impl Drop for Inner {
    fn drop(&mut self) {
        // The writer is not aborted: dropping `write_tx` (right after this) lets it write what
        // is still queued, e.g. a last oneway request, and then shut the socket down.
        self.reader.abort();
    }
}

/// A cheap-to-clone handle to one remoting connection.
#[derive(Clone)]
pub struct RemotingClient {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for RemotingClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RemotingClient")
            .field("peer", &self.inner.shared.peer)
            .field("closed", &self.is_closed())
            .finish()
    }
}

impl RemotingClient {
    /// Connects to `addr` (`host:port`) without logging.
    pub async fn connect(addr: &str, timeout: Duration) -> Result<RemotingClient, ClientError> {
        Self::connect_with_logger(addr, timeout, crate::logging::discard()).await
    }

    /// Connects to `addr`, logging connection events under `log`.
    pub async fn connect_with_logger(
        addr: &str,
        timeout: Duration,
        log: Logger,
    ) -> Result<RemotingClient, ClientError> {
        Self::connect_with_tls(addr, timeout, log, None).await
    }

    /// Connects to `addr`, over TLS when `tls` is given (Java's `useTLS`; docs/tls.md). The
    /// TCP connect and the handshake share `timeout`.
    pub async fn connect_with_tls(
        addr: &str,
        timeout: Duration,
        log: Logger,
        tls: Option<&ClientTls>,
    ) -> Result<RemotingClient, ClientError> {
        let peer = addr.to_owned();
        let connect = async {
            let stream = TcpStream::connect(addr).await?;
            // Small request/response frames: latency matters more than packet count.
            if let Err(e) = stream.set_nodelay(true) {
                warn!(log, "cannot set TCP_NODELAY"; "peer" => &peer, "error" => %e);
            }
            match tls {
                None => Ok(IoStream::Plain(stream)),
                Some(tls) => tls.connect(addr, stream).await.map(IoStream::from),
            }
        };
        let stream = match tokio::time::timeout(timeout, connect).await {
            Err(_) => return Err(ClientError::ConnectTimeout { peer, timeout }),
            Ok(Err(source)) => return Err(ClientError::Connect { peer, source }),
            Ok(Ok(s)) => s,
        };
        let log = log.new(o!("component" => "remoting-client", "peer" => peer.clone()));
        let (read_half, write_half) = stream.split();
        let (closed_tx, closed_rx) = watch::channel(false);
        let shared = Arc::new(Shared {
            peer,
            pending: Mutex::new(Some(HashMap::new())),
            closed_tx,
            log,
        });
        let (write_tx, write_rx) = mpsc::channel(WRITE_QUEUE);
        let (server_tx, server_rx) = mpsc::channel(SERVER_REQUEST_QUEUE);
        // The writer's handle is not kept: it ends by itself when the last handle drops.
        tokio::spawn(write_loop(shared.clone(), write_half, write_rx, closed_rx));
        let reader = tokio::spawn(read_loop(shared.clone(), read_half, server_tx));
        Ok(RemotingClient {
            inner: Arc::new(Inner {
                shared,
                write_tx,
                server_rx: Mutex::new(Some(server_rx)),
                reader,
                header_type: AtomicU8::new(HEADER_AS_GIVEN),
            }),
        })
    }

    /// The peer address given to `connect`.
    pub fn peer(&self) -> &str {
        &self.inner.shared.peer
    }

    /// True once the connection has ended; every later call fails with `Closed`.
    pub fn is_closed(&self) -> bool {
        *self.inner.shared.closed_tx.borrow()
    }

    /// Closes the connection; pending calls fail with `Closed`.
    pub fn close(&self) {
        self.inner.shared.close("closed by caller");
    }

    /// The channel of requests the server sends us (flag without the response bit). Only the
    /// first call gets it; later calls return `None`.
    pub fn take_server_requests(&self) -> Option<mpsc::Receiver<RemotingCommand>> {
        self.inner.server_rx.lock().take()
    }

    /// Sends every later request with a `t` header (JSON or ROCKETMQ, as Java's
    /// `rocketmq.serialize.type`), whatever the command says; responses keep the request's.
    pub fn use_header_type(&self, t: SerializeType) {
        self.inner
            .header_type
            .store(t.code() + 1, Ordering::Relaxed);
    }

    /// The request header serialization `cmd` goes out with.
    fn header_type_of(&self, cmd: &mut RemotingCommand) {
        let t = self.inner.header_type.load(Ordering::Relaxed);
        if let Some(t) = t.checked_sub(1).and_then(SerializeType::from_code) {
            cmd.serialize_type = t;
        }
    }

    /// Sends `cmd` as a request and waits up to `timeout` for its response. The opaque is
    /// assigned here; the response flag is cleared and the oneway flag must not be set.
    pub async fn invoke(
        &self,
        mut cmd: RemotingCommand,
        timeout: Duration,
    ) -> Result<RemotingCommand, ClientError> {
        let shared = &self.inner.shared;
        let opaque = NEXT_OPAQUE.fetch_add(1, Ordering::Relaxed);
        cmd.opaque = opaque;
        cmd.flag &= !(FLAG_RESPONSE | FLAG_ONEWAY);
        self.header_type_of(&mut cmd);
        let frame = self.encode(&cmd)?;
        let (tx, rx) = oneshot::channel();
        match shared.pending.lock().as_mut() {
            Some(pending) => pending.insert(opaque, tx),
            None => return Err(shared.closed_error()),
        };
        let code = cmd.code;
        let outcome = tokio::time::timeout(timeout, async {
            self.inner
                .write_tx
                .send(frame)
                .await
                .map_err(|_| shared.closed_error())?;
            rx.await.map_err(|_| shared.closed_error())
        })
        .await;
        match outcome {
            Ok(result) => {
                if result.is_err() {
                    self.forget(opaque);
                }
                result
            }
            Err(_) => {
                self.forget(opaque);
                Err(ClientError::Timeout {
                    peer: shared.peer.clone(),
                    code,
                    opaque,
                    timeout,
                })
            }
        }
    }

    /// Sends `cmd` as a oneway request (the server must not answer).
    pub async fn invoke_oneway(&self, mut cmd: RemotingCommand) -> Result<(), ClientError> {
        cmd.opaque = NEXT_OPAQUE.fetch_add(1, Ordering::Relaxed);
        cmd.flag = (cmd.flag & !FLAG_RESPONSE) | FLAG_ONEWAY;
        self.header_type_of(&mut cmd);
        self.send_raw(&cmd).await
    }

    /// Sends a response to a server-initiated request, as is (opaque and flag untouched).
    pub async fn respond(&self, response: RemotingCommand) -> Result<(), ClientError> {
        self.send_raw(&response).await
    }

    async fn send_raw(&self, cmd: &RemotingCommand) -> Result<(), ClientError> {
        if self.is_closed() {
            return Err(self.inner.shared.closed_error());
        }
        let frame = self.encode(cmd)?;
        self.inner
            .write_tx
            .send(frame)
            .await
            .map_err(|_| self.inner.shared.closed_error())
    }

    fn encode(&self, cmd: &RemotingCommand) -> Result<Bytes, ClientError> {
        let mut buf = BytesMut::new();
        encode_frame(cmd, &mut buf).map_err(|source| ClientError::Encode {
            peer: self.inner.shared.peer.clone(),
            source,
        })?;
        Ok(buf.freeze())
    }

    fn forget(&self, opaque: i32) {
        if let Some(pending) = self.inner.shared.pending.lock().as_mut() {
            pending.remove(&opaque);
        }
    }
}

/// Writes queued frames, flushing once per burst so pipelined calls share syscalls.
async fn write_loop(
    shared: Arc<Shared>,
    half: IoWrite,
    mut rx: mpsc::Receiver<Bytes>,
    mut closed_rx: watch::Receiver<bool>,
) {
    let mut out = BufWriter::new(half);
    let why = loop {
        let frame = tokio::select! {
            f = rx.recv() => f,
            _ = closed_rx.wait_for(|closed| *closed) => break "closed".to_owned(),
        };
        let Some(frame) = frame else {
            break "all handles dropped".to_owned();
        };
        if let Err(e) = out.write_all(&frame).await {
            break format!("write failed: {e}");
        }
        let mut failed = None;
        while let Ok(more) = rx.try_recv() {
            if let Err(e) = out.write_all(&more).await {
                failed = Some(format!("write failed: {e}"));
                break;
            }
        }
        if let Some(why) = failed {
            break why;
        }
        if let Err(e) = out.flush().await {
            break format!("flush failed: {e}");
        }
    };
    // Shutting down our half tells the server we are gone; errors here change nothing.
    let _ = out.shutdown().await;
    shared.close(&why);
}

/// Reads frames until the connection ends, completing calls and forwarding server requests.
async fn read_loop(shared: Arc<Shared>, half: IoRead, server_tx: mpsc::Sender<RemotingCommand>) {
    // 64 KiB: one recv takes a whole burst of pipelined responses (or one pull of 32 records).
    let mut frames = FramedRead::with_capacity(half, RemotingCodec::default(), 64 * 1024);
    let mut closed_rx = shared.closed_tx.subscribe();
    let why = loop {
        let next = tokio::select! {
            n = frames.next() => n,
            _ = closed_rx.wait_for(|closed| *closed) => break "closed".to_owned(),
        };
        let cmd = match next {
            None => break "peer closed the connection".to_owned(),
            Some(Err(e)) => break format!("decode failed: {e}"),
            Some(Ok(cmd)) => cmd,
        };
        if cmd.is_response() {
            let waiter = shared
                .pending
                .lock()
                .as_mut()
                .and_then(|p| p.remove(&cmd.opaque));
            match waiter {
                // The caller may have timed out meanwhile; then nobody wants the response.
                Some(tx) => drop(tx.send(cmd)),
                None => debug!(shared.log, "response without a waiter"; "opaque" => cmd.opaque),
            }
        } else if let Err(e) = server_tx.try_send(cmd) {
            let dropped = match e {
                mpsc::error::TrySendError::Full(c) | mpsc::error::TrySendError::Closed(c) => c,
            };
            warn!(shared.log, "server request dropped: nobody is reading them";
                "code" => dropped.code, "opaque" => dropped.opaque);
        }
    };
    shared.close(&why);
}
