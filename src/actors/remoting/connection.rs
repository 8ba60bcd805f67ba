//! One actor per accepted socket: decodes frames, hands requests to the [`RequestHandler`],
//! writes responses as they complete, and owns the connection's lifetime.
//!
//! * **Pipelining / out-of-order answers:** every request gets its own future; whichever finishes
//!   first is written first. The peer matches answers by `opaque`.
//! * **Backpressure:** a read needs a permit from a semaphore of `max_in_flight` permits, held until
//!   the request is answered; when all are taken the connection stops reading the socket.
//! * **Oneway** requests are never answered, even if the handler returns something.
//! * **Idle close:** no frame read or written for `idle_timeout` closes the connection (Java's
//!   `serverChannelMaxIdleTimeSeconds`).
//! * **Bad frame:** one log line with the peer and the error, then only this connection closes.
//! * **Failure:** a connection that stops on an internal error or panics inside a handler is
//!   supervised by its listener the only way a socket allows: the socket closes (the client
//!   reconnects and gets a fresh connection actor), the failure is counted as a restart of the
//!   listener's connection component in the [`RestartBook`], and the request handler still gets
//!   its `on_close`, so nothing keeps pointing at the dead connection. Other connections are
//!   separate actors and never notice.

use std::sync::Arc;
use std::time::{Duration, Instant};

use actix::io::{WriteHandler, Writer};
use actix::prelude::*;
use bytes::BytesMut;
use futures::{Stream, StreamExt};
use slog::{debug, info, o, warn, Logger};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio_util::codec::FramedRead;

use super::handler::{ConnHandle, ConnId, Reply, RequestHandler};
use super::stream::{IoRead, IoStream, IoWrite};
use super::ServerSettings;
use crate::actors::supervisor::RestartBook;
use crate::codec::frame::encode_head;
use crate::codec::{CodecError, RemotingCodec, RemotingCommand};

pub use super::handler::{CloseConnection, Push};

/// Who accepted a connection (its listener): told when the connection is gone, however it
/// ended, and where its failures are counted.
#[derive(Clone)]
pub struct ConnOwner {
    /// Called exactly once, when the connection has ended.
    pub on_closed: Arc<dyn Fn(ConnId) + Send + Sync>,
    /// Failures (error stop, panic) are recorded here under `component`.
    pub book: RestartBook,
    pub component: String,
}

/// Initial read-buffer size of a connection.
const READ_BUFFER: usize = 64 * 1024;

/// Largest encoding buffer a connection keeps between responses.
const SCRATCH_KEEP: usize = 64 * 1024;

type Frame = Result<(RemotingCommand, OwnedSemaphorePermit), CodecError>;

/// The connection actor. Create it with [`Connection::spawn`].
pub struct Connection {
    handle: ConnHandle,
    handler: Arc<dyn RequestHandler>,
    writer: Writer<IoWrite, std::io::Error>,
    /// Encoding buffer reused across responses (the writer copies out of it).
    scratch: BytesMut,
    last_activity: Instant,
    idle_timeout: Duration,
    owner: ConnOwner,
    /// Why the connection is stopping, when it is a failure (counted as a restart).
    failed: Option<&'static str>,
    /// `stopped` ran: the end was orderly (or at least accounted for).
    finished: bool,
    log: Logger,
}

/// The read side: a frame is read only after a permit is available (backpressure).
fn frames(
    read: IoRead,
    codec: RemotingCodec,
    permits: Arc<Semaphore>,
) -> impl Stream<Item = Frame> {
    // A 64 KiB read buffer: one recv takes a whole burst of pipelined 1 KiB sends.
    let framed = FramedRead::with_capacity(read, codec, READ_BUFFER);
    futures::stream::unfold((framed, permits), |(mut framed, permits)| async move {
        let permit = permits.clone().acquire_owned().await.ok()?;
        let item = framed.next().await?;
        Some((item.map(|cmd| (cmd, permit)), (framed, permits)))
    })
}

impl Connection {
    /// Starts the actor for an accepted socket (plaintext or TLS, after the handshake) and
    /// returns its handle.
    pub fn spawn(
        id: ConnId,
        stream: IoStream,
        handler: Arc<dyn RequestHandler>,
        settings: &ServerSettings,
        owner: ConnOwner,
        log: &Logger,
    ) -> std::io::Result<ConnHandle> {
        let peer = stream.tcp().peer_addr()?;
        let local = stream.tcp().local_addr()?;
        // Small request/response frames: latency matters more than packet count.
        stream.tcp().set_nodelay(true)?;
        let tls = stream.is_tls();
        let (read, write) = stream.split();
        let permits = Arc::new(Semaphore::new(settings.max_in_flight.max(1)));
        let codec = RemotingCodec::with_max_frame_len(settings.max_frame_len);
        let idle_timeout = settings.idle_timeout;
        let log = log.new(o!("conn" => id, "peer" => peer.to_string(), "tls" => tls));
        let mut created = None;
        Connection::create(|ctx| {
            let me = ctx.address();
            let handle = ConnHandle::new(
                id,
                peer,
                local,
                me.clone().recipient(),
                me.clone().recipient(),
                #[cfg(feature = "failpoints")]
                me.recipient(),
            );
            created = Some(handle.clone());
            ctx.add_stream(frames(read, codec, permits));
            let writer = Writer::new(write, ctx);
            Connection {
                handle,
                handler,
                writer,
                scratch: BytesMut::new(),
                last_activity: Instant::now(),
                idle_timeout,
                owner,
                failed: None,
                finished: false,
                log,
            }
        });
        created.ok_or_else(|| std::io::Error::other("connection actor was not created"))
    }

    /// Encodes and queues `cmd`; consecutive writes share one buffer and go out together.
    /// Only the frame head is encoded here: the body buffers (a pull's mapped records) go to
    /// the writer as they are, without a concatenation first.
    fn write(&mut self, cmd: &RemotingCommand) {
        self.scratch.clear();
        match encode_head(cmd, &mut self.scratch) {
            Ok(()) => {
                self.writer.write(&self.scratch);
                for part in std::iter::once(&cmd.body).chain(&cmd.body_parts) {
                    if !part.is_empty() {
                        self.writer.write(part);
                    }
                }
                self.last_activity = Instant::now();
            }
            Err(e) => {
                warn!(self.log, "cannot encode response, dropping it";
                    "code" => cmd.code, "opaque" => cmd.opaque, "error" => %e);
            }
        }
        // Kept for the next (small) response; a big pull response's buffer is let go.
        if self.scratch.capacity() > SCRATCH_KEEP {
            self.scratch = BytesMut::new();
        }
    }

    /// Stops the connection after an internal error; counted as a failure.
    #[cfg(feature = "failpoints")]
    fn fail(&mut self, reason: &'static str, ctx: &mut Context<Self>) {
        self.failed = Some(reason);
        ctx.stop();
    }

    /// Counts a failure and tells the handler and the owner that the connection is gone.
    fn account_end(&mut self, failure: Option<&str>) {
        self.finished = true;
        if let Some(reason) = failure {
            let n = self.owner.book.record(&self.owner.component);
            warn!(self.log, "connection failed; closed, the client reconnects";
                "component" => &self.owner.component, "reason" => reason, "restarts" => n);
        }
        self.handler.on_close(&self.handle);
        (self.owner.on_closed)(self.handle.id());
    }

    fn check_idle(&mut self, ctx: &mut Context<Self>) {
        if self.last_activity.elapsed() >= self.idle_timeout {
            info!(self.log, "closing idle connection";
                "idle_secs" => self.idle_timeout.as_secs_f64());
            ctx.stop();
        }
    }
}

impl Actor for Connection {
    type Context = Context<Self>;

    fn started(&mut self, ctx: &mut Self::Context) {
        self.handler.on_open(&self.handle);
        let period =
            (self.idle_timeout / 4).clamp(Duration::from_millis(10), Duration::from_secs(5));
        ctx.run_interval(period, |act, ctx| act.check_idle(ctx));
        debug!(self.log, "connection open");
    }

    fn stopped(&mut self, _ctx: &mut Self::Context) {
        debug!(self.log, "connection closed");
        // After a panic in a handler, actix stops the dropped actor while the task unwinds.
        let failure = self
            .failed
            .or_else(|| std::thread::panicking().then_some("panic in a handler"));
        self.account_end(failure);
    }
}

impl Drop for Connection {
    fn drop(&mut self) {
        // Dropped without `stopped` while unwinding from a panic (the socket halves go with us,
        // so the peer sees the close). A drop at runtime teardown is not a failure.
        if !self.finished && std::thread::panicking() {
            self.account_end(Some("panic in a handler"));
        }
    }
}

impl StreamHandler<Frame> for Connection {
    fn handle(&mut self, item: Frame, ctx: &mut Self::Context) {
        let (cmd, permit) = match item {
            Ok(v) => v,
            Err(e) => {
                warn!(self.log, "malformed frame, closing connection"; "error" => %e);
                ctx.stop();
                return;
            }
        };
        self.last_activity = Instant::now();
        let handle = self.handle.clone();
        if cmd.is_response() {
            self.handler.on_response(&handle, cmd);
            return;
        }
        let oneway = cmd.is_oneway();
        match self.handler.handle(&handle, cmd) {
            Reply::Now(Some(resp)) if !oneway => self.write(&resp),
            Reply::Now(_) => {}
            Reply::Later(fut) => {
                ctx.spawn(fut.into_actor(self).map(move |resp, act, _ctx| {
                    drop(permit);
                    if let Some(resp) = resp.filter(|_| !oneway) {
                        act.write(&resp);
                    }
                }));
            }
        }
    }
}

impl WriteHandler<std::io::Error> for Connection {
    fn error(&mut self, err: std::io::Error, _ctx: &mut Self::Context) -> Running {
        info!(self.log, "write failed, closing connection"; "error" => %err);
        Running::Stop
    }
}

impl Handler<Push> for Connection {
    type Result = ();
    fn handle(&mut self, msg: Push, _ctx: &mut Self::Context) {
        self.write(&msg.0);
    }
}

impl Handler<CloseConnection> for Connection {
    type Result = ();
    fn handle(&mut self, _msg: CloseConnection, ctx: &mut Self::Context) {
        ctx.stop();
    }
}

crate::handle_inject_failure!(Connection, "connection", |this, ctx| this
    .fail("injected failure", ctx));
