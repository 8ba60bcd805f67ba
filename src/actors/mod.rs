//! The actor plumbing every node (name server and broker) shares: the root supervisor with
//! its restart book and failure-injection hook, and the remoting listener and connections.
//! The nodes themselves live in `crate::namesrv` and `crate::broker`.
pub mod inject;
pub mod remoting;
pub mod supervisor;
