//! rocketactor: a RocketMQ 4.x compatible name server and broker, built as actors on actix.
//!
//! Layout: `config` reads broker.properties files, `codec` is the remoting wire format,
//! `protocol` holds the JSON bodies, `store` is the synchronous on-disk store, `actors` is the
//! plumbing every node shares (supervisor, remoting), `namesrv` and `broker` are the two
//! nodes, and `client` is the project's own small RocketMQ client used by the tools, the demo
//! and the tests; `tools` holds the operator tools (`doctor`).

// Processors reject a request by returning its ready-made error response; that response is the
// natural error type and is built once per rejected request, so its size does not matter.
#![allow(clippy::result_large_err)]
pub mod acl;
pub mod actors;
pub mod bench;
pub mod broker;
pub mod client;
pub mod codec;
pub mod config;
pub mod dashboard;
pub mod failpoint;
pub mod filter;
#[doc(hidden)]
pub mod fuzzing;
pub mod logging;
pub mod metrics;
pub mod namesrv;
pub mod protocol;
pub mod store;
pub mod tls;
pub mod tools;
