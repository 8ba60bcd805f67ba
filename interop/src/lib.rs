//! Interoperability test crate: its tests drive rocketactor's servers with third-party RocketMQ
//! clients (rocketmq-client-rust 1.0.0). Kept out of the main crate so that the heavy client
//! dependency tree is only built when these tests run.
//!
//! The shared harness lives here: [`bed`] starts and stops one test's fixtures, [`cluster`] runs
//! our name server and broker in-process, [`client`] owns the client's runtime, producers,
//! lite-pull helpers and bounded waits, [`push`] wires push consumers to an inbox,
//! [`messages`] builds the messages the tests send and checks every field of what they receive.

pub mod bed;
pub mod client;
pub mod cluster;
pub mod messages;
pub mod push;

pub use bed::TestBed;
pub use client::{guarded, wait_until, ClientEnv, GUARD};
pub use cluster::ServerCluster;
pub use messages::{check_all, check_each_once, now_ms, Inbox, Received, Spec};
