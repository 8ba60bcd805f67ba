//! The in-process integration tests in one binary (one link instead of forty): real sockets on
//! 127.0.0.1, real stores in temp dirs, the project's own client. One module per area; the
//! shared harness is `tests/support` ([`support::TestCluster`], [`support::eventually`]).
//! Tests that need process-global state live in their own binaries: `tests/faults` (armed
//! failpoints), `tests/config_env.rs` (the process environment), `tests/process` (real
//! `rocketactor` processes, kill -9), `tests/nat_netns.rs` (network namespaces, root).

#[path = "../support/mod.rs"]
mod support;

mod actors;
mod broker;
mod client;
mod codec;
mod config;
mod disk;
mod ha;
pub mod matrix;
mod namesrv;
mod remoting;
mod store;
mod tools;
