//! The actor system: root supervisor, remoting listeners and connections, name-server registry,
//! and the broker's actors. Every component runs as an actix actor under supervision.
pub mod broker;
pub mod ha;
pub mod namesrv;
pub mod remoting;
pub mod store;
pub mod supervisor;
