//! The contract between the generic remoting server and whoever serves requests (the name server,
//! the broker): a [`RequestHandler`] gets every request with a [`ConnHandle`] and answers with a
//! [`Reply`] that may complete later, so long polling or flush waits never block a connection.

use std::future::Future;
use std::net::SocketAddr;

use actix::{Message, Recipient};
use futures::future::LocalBoxFuture;
use futures::FutureExt;
use tokio::sync::oneshot;

use crate::codec::RemotingCommand;

/// Push a server-initiated command to the peer.
#[derive(Message)]
#[rtype(result = "()")]
pub struct Push(pub RemotingCommand);

/// Close the connection.
#[derive(Message)]
#[rtype(result = "()")]
pub struct CloseConnection;

/// Process-unique id of one accepted connection.
pub type ConnId = u64;

/// A clonable handle on one live connection: who it is, and a way to push commands to it.
#[derive(Clone, Debug)]
pub struct ConnHandle {
    id: ConnId,
    peer: SocketAddr,
    local: SocketAddr,
    push: Recipient<Push>,
    close: Recipient<CloseConnection>,
    #[cfg(feature = "failpoints")]
    inject: Recipient<crate::actors::supervisor::InjectFailure>,
}

/// The connection info handed to handlers (same type as the handle).
pub type ConnInfo = ConnHandle;

impl ConnHandle {
    pub(crate) fn new(
        id: ConnId,
        peer: SocketAddr,
        local: SocketAddr,
        push: Recipient<Push>,
        close: Recipient<CloseConnection>,
        #[cfg(feature = "failpoints")] inject: Recipient<crate::actors::supervisor::InjectFailure>,
    ) -> Self {
        ConnHandle {
            id,
            peer,
            local,
            push,
            close,
            #[cfg(feature = "failpoints")]
            inject,
        }
    }

    pub fn id(&self) -> ConnId {
        self.id
    }

    /// The remote address, e.g. a client's `ip:port` (what Java logs as the channel address).
    pub fn peer(&self) -> SocketAddr {
        self.peer
    }

    /// The local address the connection was accepted on.
    pub fn local(&self) -> SocketAddr {
        self.local
    }

    /// Queues a server-initiated command (e.g. NOTIFY_CONSUMER_IDS_CHANGED) for writing.
    /// Returns false when the connection is already gone.
    pub fn send(&self, cmd: RemotingCommand) -> bool {
        // do_send ignores the mailbox capacity: a burst of notifications must not be dropped.
        if !self.push.connected() {
            return false;
        }
        self.push.do_send(Push(cmd));
        true
    }

    /// Asks the connection to close; its handler's `on_close` runs when it has.
    pub fn close(&self) {
        self.close.do_send(CloseConnection);
    }

    /// Whether the connection actor is still running.
    pub fn is_connected(&self) -> bool {
        self.push.connected()
    }

    /// Test hook (feature `failpoints`): makes the connection actor stop on an error or panic.
    #[cfg(feature = "failpoints")]
    pub fn inject_failure(&self, f: crate::actors::supervisor::InjectFailure) {
        self.inject.do_send(f);
    }
}

impl PartialEq for ConnHandle {
    fn eq(&self, other: &Self) -> bool {
        self.id == other.id
    }
}

impl Eq for ConnHandle {}

/// A handler's answer to one request.
pub enum Reply {
    /// Answer now; `None` sends nothing.
    Now(Option<RemotingCommand>),
    /// Answer when the future completes; responses are written in completion order, so a slow
    /// request does not hold back the ones pipelined behind it.
    Later(LocalBoxFuture<'static, Option<RemotingCommand>>),
}

impl Reply {
    /// No answer.
    pub fn none() -> Self {
        Reply::Now(None)
    }

    /// Answer with `cmd` at once.
    pub fn now(cmd: RemotingCommand) -> Self {
        Reply::Now(Some(cmd))
    }

    /// Answer with whatever `fut` yields.
    pub fn later(fut: impl Future<Output = Option<RemotingCommand>> + 'static) -> Self {
        Reply::Later(fut.boxed_local())
    }

    /// A reply completed from anywhere (another actor or thread) through the [`Responder`].
    /// Dropping the responder unanswered sends nothing.
    pub fn channel() -> (Responder, Reply) {
        let (tx, rx) = oneshot::channel();
        (Responder(tx), Reply::later(async move { rx.await.ok() }))
    }
}

impl std::fmt::Debug for Reply {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Reply::Now(cmd) => f.debug_tuple("Now").field(cmd).finish(),
            Reply::Later(_) => f.write_str("Later(..)"),
        }
    }
}

/// The sending half of [`Reply::channel`]; `Send`, so it can travel to other actors.
#[derive(Debug)]
pub struct Responder(oneshot::Sender<RemotingCommand>);

impl Responder {
    /// Completes the reply. Returns false if the connection has gone away meanwhile.
    pub fn send(self, cmd: RemotingCommand) -> bool {
        self.0.send(cmd).is_ok()
    }
}

/// Serves the requests of every connection of one listener.
///
/// Called on the connection's event loop: implementations must not block; anything slow goes
/// into a [`Reply::Later`].
pub trait RequestHandler: Send + Sync + 'static {
    /// Handles one request. The connection drops the answer to a oneway request.
    fn handle(&self, conn: &ConnHandle, req: RemotingCommand) -> Reply;

    /// A connection was accepted.
    fn on_open(&self, _conn: &ConnHandle) {}

    /// A connection closed (peer close, idle timeout, bad frame, or server stop).
    fn on_close(&self, _conn: &ConnHandle) {}

    /// A response arrived for a request the server pushed; dropped by default.
    fn on_response(&self, _conn: &ConnHandle, _resp: RemotingCommand) {}
}
