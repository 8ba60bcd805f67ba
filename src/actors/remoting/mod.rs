//! The generic remoting server shared by the name server and the broker: a [`Listener`] actor
//! accepting TCP connections, one [`Connection`] actor per socket speaking RocketMQ frames, and the
//! [`RequestHandler`] trait through which a server answers requests, now or later.
//!
//! Typical use:
//! ```ignore
//! let handle = start_listener(addr, Arc::new(MyHandler), ServerSettings::default(), &log).await?;
//! println!("listening on {}", handle.local_addr());
//! ```

pub mod connection;
pub mod error;
pub mod handler;
pub mod listener;
pub mod stream;
pub mod workers;

use std::time::Duration;

pub use connection::{ConnOwner, Connection};
pub use error::RemotingError;
pub use handler::{ConnHandle, ConnId, ConnInfo, Reply, RequestHandler, Responder};
pub use listener::{
    bind_listener, serve_bound, start_listener, start_supervised_listener, BoundListener,
    ConnectionCount, Listener, ListenerHandle, StopListener,
};
pub use stream::{IoRead, IoStream, IoWrite};

/// Tunables of one remoting server.
#[derive(Debug, Clone)]
pub struct ServerSettings {
    /// Close a connection with no traffic for this long (Java `serverChannelMaxIdleTimeSeconds`).
    pub idle_timeout: Duration,
    /// Requests of one connection being served at once; beyond this the connection stops reading.
    pub max_in_flight: usize,
    /// Largest accepted frame, length word included.
    pub max_frame_len: usize,
    /// The `component` key of this server's log records, and the listener's name in the
    /// restart book (its connections count under `<component>-connection`).
    pub component: &'static str,
    /// `tls.server.mode` and the TLS context (docs/tls.md); disabled by default.
    pub tls: crate::tls::ServerTls,
    /// How long a new socket may take to send its first byte and finish a TLS handshake
    /// (only when TLS is not disabled; a plaintext-only listener never waits).
    pub handshake_timeout: Duration,
    /// Arbiters of the listener's own that its connections are spread over, round-robin
    /// (Java's `serverSelectorThreads`); 0 keeps them on the listener's arbiter.
    pub io_threads: usize,
}

impl Default for ServerSettings {
    fn default() -> Self {
        ServerSettings {
            idle_timeout: Duration::from_secs(120),
            max_in_flight: 1024,
            max_frame_len: crate::codec::MAX_FRAME_LEN,
            component: "remoting",
            tls: crate::tls::ServerTls::disabled(),
            handshake_timeout: Duration::from_secs(10),
            io_threads: 0,
        }
    }
}
