//! The one test harness every test binary shares (`mod support;` or `#[path]` to this file):
//! [`cluster`] builds in-process clusters ([`TestCluster`]: name servers, masters, slaves, flush
//! and replication modes, header serialization, main or fast channel), [`wait`] holds the one
//! [`eventually`], [`ports`] the one pre-chosen-port helper, and the other modules the helpers of
//! one area each (raw frames, stores, HA pairs, mounts, processes).
#![allow(dead_code, unused_imports)]

pub mod cluster;
pub mod disk;
pub mod ha;
pub mod ports;
pub mod procs;
pub mod raw;
pub mod store;
pub mod tls;
pub mod wait;

pub use cluster::*;
pub use ports::free_port_triple;
pub use wait::{eventually, eventually_within, GUARD};
