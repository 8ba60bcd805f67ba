//! The accepting side of a remoting server: binds a TCP port (port 0 picks a free one), starts a
//! [`Connection`] actor per accepted socket, and closes them all when told to stop. Binding and
//! accepting can be two steps ([`bind_listener`], [`serve_bound`]) so that a node listens only
//! once it is whole.
//!
//! The listener runs under the root supervisor (restart-book name: the server's `component`).
//! Everything that must outlive one incarnation of the actor lives in [`Shared`]: the bound
//! socket (bound once, so the port and the kernel's accept backlog survive a restart; each
//! incarnation registers a clone of it with its runtime, as the HA master does), the map of open
//! connections and the request handler. Connections are actors of their own, so a listener
//! restart does not touch them; their failures are counted under `<component>-connection`.
//!
//! With `ServerSettings::io_threads > 0` the accepted sockets are handed round-robin to that
//! many arbiters of the listener's own ([`ConnArbiters`]): the socket leaves this arbiter's
//! reactor as a std socket and is registered again (TLS detection and handshake included) on
//! the arbiter that will run its connection actor.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;

use actix::prelude::*;
use futures::Stream;
use parking_lot::Mutex;
use slog::{error, info, o, warn, Logger};
use tokio::net::{TcpListener, TcpStream};

use super::connection::{ConnOwner, Connection};
use super::error::RemotingError;
use super::handler::{ConnHandle, ConnId, RequestHandler};
use super::stream::{accept, IoStream};
use super::workers::ConnArbiters;
use super::ServerSettings;
use crate::actors::supervisor::{
    RestartBook, RestartTracker, RootSupervisor, Slot, StopWatching, Supervise,
};
use crate::config::TlsMode;

/// Connection ids are unique per process, so that a handler serving several listeners (or a
/// restarted one) never confuses two connections.
static NEXT_CONN_ID: AtomicU64 = AtomicU64::new(1);

type Accepted = std::io::Result<(TcpStream, SocketAddr)>;
type Conns = Arc<Mutex<HashMap<ConnId, ConnHandle>>>;

/// Stop accepting and close every connection of this listener.
#[derive(Message)]
#[rtype(result = "()")]
pub struct StopListener;

/// How many connections are open right now.
#[derive(Message)]
#[rtype(result = "usize")]
pub struct ConnectionCount;

/// What every incarnation of one listener shares.
struct Shared {
    local: SocketAddr,
    /// The bound socket; `None` once stopped (the port is released with the last clone).
    socket: Mutex<Option<std::net::TcpListener>>,
    stopped: AtomicBool,
    conns: Conns,
    owner: ConnOwner,
    handler: Arc<dyn RequestHandler>,
    settings: ServerSettings,
    /// Where accepted sockets go (none: this listener's arbiter).
    arbiters: ConnArbiters,
    log: Logger,
}

impl Shared {
    /// Stops for good: releases the socket and closes every connection (their arbiters stop
    /// once they are closed). Idempotent.
    fn shut(&self) {
        if self.stopped.swap(true, Ordering::AcqRel) {
            return;
        }
        self.socket.lock().take();
        let conns: Vec<ConnHandle> = self.conns.lock().values().cloned().collect();
        for conn in conns {
            conn.close();
        }
        let open = self.conns.clone();
        self.arbiters.stop_after_close(move || open.lock().len());
        info!(self.log, "listener stopped"; "addr" => %self.local);
    }
}

/// The listener actor (one incarnation).
pub struct Listener {
    shared: Arc<Shared>,
    tracker: RestartTracker,
    accepting: Option<SpawnHandle>,
}

fn accepts(listener: TcpListener) -> impl Stream<Item = Accepted> {
    futures::stream::unfold(listener, |l| async move {
        let next = l.accept().await;
        Some((next, l))
    })
}

impl Actor for Listener {
    type Context = Context<Self>;

    fn started(&mut self, ctx: &mut Self::Context) {
        self.tracker.on_started(ctx);
        let cloned = match self.shared.socket.lock().as_ref().map(|l| l.try_clone()) {
            Some(Ok(l)) => l,
            Some(Err(e)) => {
                error!(self.shared.log, "cloning the listening socket failed; stopping for restart"; "error" => %e);
                ctx.stop();
                return;
            }
            None => return, // stopped for good
        };
        match TcpListener::from_std(cloned) {
            Ok(l) => {
                self.accepting = Some(ctx.add_stream(accepts(l)));
                info!(self.shared.log, "listening"; "addr" => %self.shared.local);
            }
            Err(e) => {
                error!(self.shared.log, "registering the listening socket failed; stopping for restart"; "error" => %e);
                ctx.stop();
            }
        }
    }
}

impl Supervised for Listener {
    fn restarting(&mut self, _ctx: &mut Self::Context) {
        self.accepting = None;
        self.tracker.on_restarting();
    }
}

impl StreamHandler<Accepted> for Listener {
    fn handle(&mut self, item: Accepted, _ctx: &mut Self::Context) {
        let sh = &self.shared;
        let stream = match item {
            Ok((stream, _)) => stream,
            Err(e) => {
                // Typically EMFILE: keep listening, the next accept may succeed.
                warn!(sh.log, "accept failed"; "error" => %e);
                return;
            }
        };
        if sh.stopped.load(Ordering::Acquire) {
            return; // dropping the stream closes it
        }
        let Some(arbiter) = sh.arbiters.pick() else {
            self.shared.clone().admit(stream);
            return;
        };
        // Moved to its arbiter as a std socket: a tokio socket stays bound to the reactor of
        // the runtime that registered it.
        let std_stream = match stream.into_std() {
            Ok(s) => s,
            Err(e) => {
                warn!(sh.log, "cannot hand an accepted socket over"; "error" => %e);
                return;
            }
        };
        let shared = self.shared.clone();
        let handed = arbiter.spawn(async move {
            match TcpStream::from_std(std_stream) {
                Ok(stream) => shared.admit(stream),
                Err(e) => warn!(shared.log, "cannot register an accepted socket"; "error" => %e),
            }
        });
        if !handed {
            warn!(sh.log, "connection arbiter is gone; accepted socket closed");
        }
    }

    fn finished(&mut self, _ctx: &mut Self::Context) {
        // The accept stream never ends on its own; keep the actor until told to stop.
    }
}

impl Shared {
    /// Serves an accepted socket on the current arbiter: at once when TLS is disabled, else
    /// after the first byte decided (and a handshake, if any), in a task of the socket's own
    /// so that a slow or silent peer never holds up accepts.
    fn admit(self: Arc<Self>, stream: TcpStream) {
        if self.settings.tls.mode() == TlsMode::Disabled {
            self.open(IoStream::Plain(stream));
            return;
        }
        actix::spawn(async move {
            let peer = stream
                .peer_addr()
                .map(|a| a.to_string())
                .unwrap_or_default();
            match accept(stream, &self.settings.tls, self.settings.handshake_timeout).await {
                Ok(io) => self.open(io),
                Err(e) => warn!(self.log, "connection refused"; "peer" => peer,
                    "tls_mode" => self.settings.tls.mode().name(), "reason" => %e),
            }
        });
    }

    /// Starts the connection actor of a socket ready for frames.
    fn open(&self, stream: IoStream) {
        let sh = self;
        if sh.stopped.load(Ordering::Acquire) {
            return; // dropping the stream closes it
        }
        let id = NEXT_CONN_ID.fetch_add(1, Ordering::Relaxed);
        match Connection::spawn(
            id,
            stream,
            sh.handler.clone(),
            &sh.settings,
            sh.owner.clone(),
            &sh.log,
        ) {
            Ok(handle) => {
                sh.conns.lock().insert(id, handle);
            }
            Err(e) => warn!(sh.log, "cannot set up accepted connection"; "error" => %e),
        }
    }
}

impl Handler<StopListener> for Listener {
    type Result = ();
    fn handle(&mut self, _msg: StopListener, ctx: &mut Self::Context) {
        // Not `ctx.stop()`: the supervisor would take that for a failure and restart it.
        self.shared.shut();
        if let Some(h) = self.accepting.take() {
            ctx.cancel_future(h);
        }
    }
}

impl Handler<ConnectionCount> for Listener {
    type Result = usize;
    fn handle(&mut self, _msg: ConnectionCount, _ctx: &mut Self::Context) -> usize {
        self.shared.conns.lock().len()
    }
}

crate::handle_inject_failure!(Listener, "listener", |this, ctx| {
    error!(
        this.shared.log,
        "listener failed (injected); stopping for restart"
    );
    ::actix::ActorContext::stop(ctx)
});

/// A running listener: its bound address and a way to stop it.
#[derive(Clone)]
pub struct ListenerHandle {
    local_addr: SocketAddr,
    actor: Slot<Listener>,
    shared: Arc<Shared>,
}

impl std::fmt::Debug for ListenerHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ListenerHandle")
            .field("local_addr", &self.local_addr)
            .finish()
    }
}

impl ListenerHandle {
    /// The address actually bound (the real port when 0 was asked for).
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// Stops accepting and closes every connection (also when the actor is being rebuilt).
    pub fn stop(&self) {
        self.shared.shut();
        self.actor.get().do_send(StopListener);
    }

    /// The current listener actor, e.g. to ask for [`ConnectionCount`].
    pub fn addr(&self) -> Addr<Listener> {
        self.actor.get()
    }

    /// The open connections.
    pub fn connections(&self) -> Vec<ConnHandle> {
        self.shared.conns.lock().values().cloned().collect()
    }

    /// The listener's restart-book name (its connections count under `<name>-connection`).
    pub fn component(&self) -> &'static str {
        self.shared.settings.component
    }
}

/// Binds `addr` and starts serving it with `handler`, under a root supervisor of its own whose
/// restart counts nobody reads (use [`start_supervised_listener`] inside a node). Must run
/// inside an actix System.
pub async fn start_listener(
    addr: SocketAddr,
    handler: Arc<dyn RequestHandler>,
    settings: ServerSettings,
    log: &Logger,
) -> Result<ListenerHandle, RemotingError> {
    let book = RestartBook::default();
    let root = RootSupervisor::new(log.clone(), book.clone()).start();
    let started = start_supervised_listener(addr, handler, settings, &root, &book, log).await;
    if started.is_err() {
        root.do_send(StopWatching);
    }
    started
}

/// Binds `addr` and starts serving it with `handler` under `root`, counting restarts in `book`.
/// Must run inside an actix System; the listener and its connections run on the current arbiter.
pub async fn start_supervised_listener(
    addr: SocketAddr,
    handler: Arc<dyn RequestHandler>,
    settings: ServerSettings,
    root: &Addr<RootSupervisor>,
    book: &RestartBook,
    log: &Logger,
) -> Result<ListenerHandle, RemotingError> {
    let bound = bind_listener(addr).await?;
    serve_bound(bound, handler, settings, root, book, log).await
}

/// A bound, listening socket nobody accepts from yet: clients can connect (the kernel queues
/// them in the accept backlog) and are served once [`serve_bound`] starts. A node binds first
/// (its advertised addresses need the real ports), builds everything, and serves last.
#[derive(Debug)]
pub struct BoundListener {
    socket: std::net::TcpListener,
    local_addr: SocketAddr,
}

impl BoundListener {
    /// The address actually bound (the real port when 0 was asked for).
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }
}

/// Binds `addr` (port 0 picks a free one) without accepting.
pub async fn bind_listener(addr: SocketAddr) -> Result<BoundListener, RemotingError> {
    let bound = TcpListener::bind(addr)
        .await
        .map_err(|source| RemotingError::Bind { addr, source })?;
    let local_addr = bound
        .local_addr()
        .map_err(|source| RemotingError::LocalAddr { addr, source })?;
    // Kept as a std socket (still non-blocking): each incarnation registers its own clone.
    let socket = bound.into_std().map_err(|source| RemotingError::TakeOver {
        addr: local_addr,
        source,
    })?;
    Ok(BoundListener { socket, local_addr })
}

/// Starts accepting on `bound` with `handler` under `root` (see [`start_supervised_listener`]).
pub async fn serve_bound(
    bound: BoundListener,
    handler: Arc<dyn RequestHandler>,
    settings: ServerSettings,
    root: &Addr<RootSupervisor>,
    book: &RestartBook,
    log: &Logger,
) -> Result<ListenerHandle, RemotingError> {
    let BoundListener { socket, local_addr } = bound;
    let component = settings.component;
    let log = log.new(o!("component" => component, "listen" => local_addr.to_string()));
    let conns: Conns = Arc::default();
    let owner = {
        let conns = conns.clone();
        ConnOwner {
            on_closed: Arc::new(move |id| {
                conns.lock().remove(&id);
            }),
            book: book.clone(),
            component: format!("{component}-connection"),
        }
    };
    let shared = Arc::new(Shared {
        local: local_addr,
        socket: Mutex::new(Some(socket)),
        stopped: AtomicBool::new(false),
        conns,
        owner,
        handler,
        arbiters: ConnArbiters::start(settings.io_threads),
        settings,
        log,
    });
    let factory = {
        let (shared, book) = (shared.clone(), book.clone());
        move || Listener {
            tracker: RestartTracker::new(component, book.clone(), shared.log.clone()),
            shared: shared.clone(),
            accepting: None,
        }
    };
    let actor = root
        .send(Supervise {
            name: component.to_string(),
            arbiter: Arbiter::current(),
            factory: Arc::new(factory),
        })
        .await
        .map_err(|_| RemotingError::NoSupervisor { addr: local_addr })?;
    Ok(ListenerHandle {
        local_addr,
        actor,
        shared,
    })
}
