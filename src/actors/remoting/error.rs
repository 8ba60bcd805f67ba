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
}
