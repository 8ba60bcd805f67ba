//! The project's own small RocketMQ client, used by the tools, the cluster demo and the tests.
//!
//! `remoting` is the transport: one pipelined TCP connection speaking the remoting protocol.
//! Higher-level helpers (producer, consumer, admin calls) build on it.

pub mod error;
pub mod remoting;

pub use error::ClientError;
pub use remoting::RemotingClient;
