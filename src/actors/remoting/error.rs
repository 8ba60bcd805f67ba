//! Errors of the remoting server that reach its caller (connection-level problems are logged
//! and cost only their own connection).

use std::net::SocketAddr;

use thiserror::Error;

#[derive(Debug, Error)]
pub enum RemotingError {
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error("cannot read the local address of the listener bound to {addr}: {source}")]
    LocalAddr {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error("cannot take over the listening socket bound to {addr}: {source}")]
    TakeOver {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error("the root supervisor is gone; cannot start the listener bound to {addr}")]
    NoSupervisor { addr: SocketAddr },
}
