//! The broker node, grouped by what each part is (docs/architecture.md, "Source layout"):
//!
//! - [`node`]: wiring — `start_broker`, the shared [`node::state::Broker`] context, the
//!   replication role and the settings derived from the config;
//! - [`processors`]: request processors, one dispatch entry and the code table;
//! - [`actors`]: the broker's own long-lived actors (registration, schedule, slave
//!   metadata sync, maintenance thread);
//! - [`queues`]: the per-topic queue actors (long-polling pulls parked per queue, arrival
//!   wake-ups) and their registry;
//! - [`store_actors`]: the commit-log writer and flush service around the synchronous store;
//! - [`ha`]: master/slave commit-log replication;
//! - [`transaction`]: half messages, END_TRANSACTION and the check scan;
//! - [`meta`]: the metadata tables (topics, groups, offsets, clients, locks, filters);
//! - [`stats`]: Java's BrokerStatsManager windows and the runtime TPS samples.

pub mod actors;
pub mod ha;
pub mod meta;
pub mod node;
pub mod processors;
pub mod queues;
pub mod stats;
pub mod store_actors;
pub mod transaction;

pub use node::start::{start_broker, BrokerError, BrokerHandle};
