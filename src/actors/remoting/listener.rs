//! The accepting side of a remoting server: binds a TCP port (port 0 picks a free one), starts a
//! [`Connection`] actor per accepted socket, and closes them all when told to stop.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use actix::prelude::*;
use futures::Stream;
use slog::{info, o, warn, Logger};
use tokio::net::{TcpListener, TcpStream};

use super::connection::{ConnClosed, Connection};
use super::error::RemotingError;
use super::handler::{ConnHandle, ConnId, RequestHandler};
use super::ServerSettings;

/// Connection ids are unique per process, so that a handler serving several listeners (or a
/// restarted one) never confuses two connections.
static NEXT_CONN_ID: AtomicU64 = AtomicU64::new(1);

type Accepted = std::io::Result<(TcpStream, SocketAddr)>;

/// Stop accepting and close every connection of this listener.
#[derive(Message)]
#[rtype(result = "()")]
pub struct StopListener;

/// How many connections are open right now.
#[derive(Message)]
#[rtype(result = "usize")]
pub struct ConnectionCount;

/// The listener actor.
pub struct Listener {
    local: SocketAddr,
    handler: Arc<dyn RequestHandler>,
    settings: ServerSettings,
    conns: HashMap<ConnId, ConnHandle>,
    log: Logger,
}

fn accepts(listener: TcpListener) -> impl Stream<Item = Accepted> {
    futures::stream::unfold(listener, |l| async move {
        let next = l.accept().await;
        Some((next, l))
    })
}

impl Actor for Listener {
    type Context = Context<Self>;

    fn started(&mut self, _ctx: &mut Self::Context) {
        info!(self.log, "listening"; "addr" => %self.local);
    }

    fn stopped(&mut self, _ctx: &mut Self::Context) {
        for conn in self.conns.values() {
            conn.close();
        }
        info!(self.log, "listener stopped"; "addr" => %self.local);
    }
}

impl StreamHandler<Accepted> for Listener {
    fn handle(&mut self, item: Accepted, ctx: &mut Self::Context) {
        let stream = match item {
            Ok((stream, _)) => stream,
            Err(e) => {
                // Typically EMFILE: keep listening, the next accept may succeed.
                warn!(self.log, "accept failed"; "error" => %e);
                return;
            }
        };
        let id = NEXT_CONN_ID.fetch_add(1, Ordering::Relaxed);
        let owner = ctx.address().recipient();
        match Connection::spawn(
            id,
            stream,
            self.handler.clone(),
            &self.settings,
            Some(owner),
            &self.log,
        ) {
            Ok(handle) => {
                self.conns.insert(id, handle);
            }
            Err(e) => warn!(self.log, "cannot set up accepted connection"; "error" => %e),
        }
    }

    fn finished(&mut self, _ctx: &mut Self::Context) {
        // The accept stream never ends on its own; keep the actor until told to stop.
    }
}

impl Handler<ConnClosed> for Listener {
    type Result = ();
    fn handle(&mut self, msg: ConnClosed, _ctx: &mut Self::Context) {
        self.conns.remove(&msg.0);
    }
}

impl Handler<StopListener> for Listener {
    type Result = ();
    fn handle(&mut self, _msg: StopListener, ctx: &mut Self::Context) {
        ctx.stop();
    }
}

impl Handler<ConnectionCount> for Listener {
    type Result = usize;
    fn handle(&mut self, _msg: ConnectionCount, _ctx: &mut Self::Context) -> usize {
        self.conns.len()
    }
}

/// A running listener: its bound address and a way to stop it.
#[derive(Clone, Debug)]
pub struct ListenerHandle {
    local_addr: SocketAddr,
    addr: Addr<Listener>,
}

impl ListenerHandle {
    /// The address actually bound (the real port when 0 was asked for).
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// Stops accepting and closes every connection.
    pub fn stop(&self) {
        self.addr.do_send(StopListener);
    }

    /// The listener actor, e.g. to ask for [`ConnectionCount`].
    pub fn addr(&self) -> &Addr<Listener> {
        &self.addr
    }
}

/// Binds `addr` and starts serving it with `handler`. Must run inside an actix System.
pub async fn start_listener(
    addr: SocketAddr,
    handler: Arc<dyn RequestHandler>,
    settings: ServerSettings,
    log: &Logger,
) -> Result<ListenerHandle, RemotingError> {
    let listener = TcpListener::bind(addr)
        .await
        .map_err(|source| RemotingError::Bind { addr, source })?;
    let local_addr = listener
        .local_addr()
        .map_err(|source| RemotingError::LocalAddr { addr, source })?;
    let log = log.new(o!("component" => settings.component, "listen" => local_addr.to_string()));
    let actor = Listener::create(move |ctx| {
        ctx.add_stream(accepts(listener));
        Listener {
            local: local_addr,
            handler,
            settings,
            conns: HashMap::new(),
            log,
        }
    });
    Ok(ListenerHandle {
        local_addr,
        addr: actor,
    })
}
