//! One [`RemotingClient`] per peer address, shared by every high-level client object built on
//! the same pool. A closed connection is replaced on the next call, so a broker restart only
//! fails the calls that were in flight.
//!
//! Requests the servers push to us (NOTIFY_CONSUMER_IDS_CHANGED, GET_CONSUMER_RUNNING_INFO…)
//! arrive on whichever connection the broker chose; the pool funnels them into one channel
//! ([`ConnectionPool::take_server_requests`]) tagged with the peer address, so a push consumer
//! can react without knowing which connection they came on.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use parking_lot::Mutex;
use slog::{debug, o, Logger};
use tokio::sync::mpsc;

use super::error::ClientError;
use super::remoting::RemotingClient;
use crate::acl::SessionCredentials;
use crate::codec::{RemotingCommand, SerializeType};

/// Server-initiated requests buffered for the owner; more are dropped (they are hints only).
const SERVER_REQUESTS: usize = 256;

/// A request a server sent us, with the address of the connection it came on.
#[derive(Debug)]
pub struct ServerRequest {
    pub addr: String,
    pub cmd: RemotingCommand,
}

struct PoolInner {
    conns: Mutex<HashMap<String, RemotingClient>>,
    connect_timeout: Duration,
    server_tx: mpsc::Sender<ServerRequest>,
    server_rx: Mutex<Option<mpsc::Receiver<ServerRequest>>>,
    /// Signs every request when set (ACL 1.0, Java's `AclClientRPCHook`; docs/acl.md).
    credentials: parking_lot::RwLock<Option<Arc<SessionCredentials>>>,
    log: Logger,
    /// The request header serialization of every connection, when set.
    header_type: Mutex<Option<SerializeType>>,
    /// New connections use TLS when set (Java's `useTLS`; docs/tls.md).
    tls: parking_lot::RwLock<Option<crate::tls::ClientTls>>,
}

/// A cheap-to-clone pool of connections keyed by `host:port`.
#[derive(Clone)]
pub struct ConnectionPool {
    inner: Arc<PoolInner>,
}

impl std::fmt::Debug for ConnectionPool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let peers: Vec<String> = self.inner.conns.lock().keys().cloned().collect();
        f.debug_struct("ConnectionPool")
            .field("peers", &peers)
            .finish()
    }
}

impl Default for ConnectionPool {
    fn default() -> Self {
        ConnectionPool::new(Duration::from_secs(3), crate::logging::discard())
    }
}

impl ConnectionPool {
    /// A pool whose connects give up after `connect_timeout`.
    pub fn new(connect_timeout: Duration, log: Logger) -> Self {
        let (server_tx, server_rx) = mpsc::channel(SERVER_REQUESTS);
        ConnectionPool {
            inner: Arc::new(PoolInner {
                conns: Mutex::new(HashMap::new()),
                connect_timeout,
                server_tx,
                server_rx: Mutex::new(Some(server_rx)),
                credentials: parking_lot::RwLock::new(None),
                log: log.new(o!("component" => "client-pool")),
                header_type: Mutex::new(None),
                tls: parking_lot::RwLock::new(None),
            }),
        }
    }

    /// Sends every request of this pool's connections, present and future, with a `t` header
    /// (JSON or ROCKETMQ; see [`RemotingClient::use_header_type`]).
    pub fn use_header_type(&self, t: SerializeType) {
        *self.inner.header_type.lock() = Some(t);
        for c in self.inner.conns.lock().values() {
            c.use_header_type(t);
        }
    }

    /// The live connection to `addr`, connecting (again) when there is none.
    pub async fn get(&self, addr: &str) -> Result<RemotingClient, ClientError> {
        if let Some(c) = self.live(addr) {
            return Ok(c);
        }
        let tls = self.inner.tls.read().clone();
        let fresh = RemotingClient::connect_with_tls(
            addr,
            self.inner.connect_timeout,
            self.inner.log.clone(),
            tls.as_ref(),
        )
        .await?;
        if let Some(t) = *self.inner.header_type.lock() {
            fresh.use_header_type(t);
        }
        // Another task may have connected meanwhile; keep the first one and drop ours.
        let mut conns = self.inner.conns.lock();
        if let Some(c) = conns.get(addr).filter(|c| !c.is_closed()) {
            return Ok(c.clone());
        }
        if let Some(rx) = fresh.take_server_requests() {
            tokio::spawn(forward(addr.to_owned(), rx, self.inner.server_tx.clone()));
        }
        debug!(self.inner.log, "connected"; "peer" => addr);
        conns.insert(addr.to_owned(), fresh.clone());
        Ok(fresh)
    }

    /// Opens every later connection over TLS with `tls` (`None`: plaintext). Connections
    /// already open keep what they are.
    pub fn use_tls(&self, tls: Option<crate::tls::ClientTls>) {
        *self.inner.tls.write() = tls;
    }

    fn live(&self, addr: &str) -> Option<RemotingClient> {
        self.inner
            .conns
            .lock()
            .get(addr)
            .filter(|c| !c.is_closed())
            .cloned()
    }

    /// Signs every later request with `credentials` (`None`: stop signing). Every client
    /// object built on this pool signs alike, as Java's RPC hook applies to the whole client.
    pub fn set_credentials(&self, credentials: Option<SessionCredentials>) {
        *self.inner.credentials.write() = credentials.map(Arc::new);
    }

    /// The one signing hook of the client: adds AccessKey and Signature when credentials are set.
    fn sign(&self, cmd: &mut RemotingCommand) {
        if let Some(c) = self.inner.credentials.read().as_ref() {
            c.sign_request(cmd);
        }
    }

    /// Sends `cmd` to `addr` and waits up to `timeout` for the answer.
    pub async fn invoke(
        &self,
        addr: &str,
        mut cmd: RemotingCommand,
        timeout: Duration,
    ) -> Result<RemotingCommand, ClientError> {
        self.sign(&mut cmd);
        self.get(addr).await?.invoke(cmd, timeout).await
    }

    /// Sends `cmd` to `addr` oneway.
    pub async fn invoke_oneway(
        &self,
        addr: &str,
        mut cmd: RemotingCommand,
    ) -> Result<(), ClientError> {
        self.sign(&mut cmd);
        self.get(addr).await?.invoke_oneway(cmd).await
    }

    /// Answers a server-initiated request on the connection to `addr`, if it is still open.
    pub async fn respond(&self, addr: &str, response: RemotingCommand) -> Result<(), ClientError> {
        match self.live(addr) {
            Some(c) => c.respond(response).await,
            None => Err(ClientError::Closed {
                peer: addr.to_owned(),
            }),
        }
    }

    /// The channel of server-initiated requests from every connection; only the first call
    /// gets it.
    pub fn take_server_requests(&self) -> Option<mpsc::Receiver<ServerRequest>> {
        self.inner.server_rx.lock().take()
    }

    /// Addresses with an open connection.
    pub fn connected_peers(&self) -> Vec<String> {
        let conns = self.inner.conns.lock();
        let mut v: Vec<String> = conns
            .iter()
            .filter(|(_, c)| !c.is_closed())
            .map(|(a, _)| a.clone())
            .collect();
        v.sort();
        v
    }

    /// Closes every connection (pending calls fail with `Closed`).
    pub fn close_all(&self) {
        let conns: Vec<RemotingClient> = self.inner.conns.lock().drain().map(|(_, c)| c).collect();
        for c in conns {
            c.close();
        }
    }
}

/// Moves one connection's server requests into the pool channel. Holds no client handle, so it
/// never keeps a connection alive; it ends when the connection's reader ends.
async fn forward(
    addr: String,
    mut rx: mpsc::Receiver<RemotingCommand>,
    tx: mpsc::Sender<ServerRequest>,
) {
    while let Some(cmd) = rx.recv().await {
        // Full or unread: server pushes are hints (rebalance now), dropping one is harmless.
        let _ = tx.try_send(ServerRequest {
            addr: addr.clone(),
            cmd,
        });
    }
}
