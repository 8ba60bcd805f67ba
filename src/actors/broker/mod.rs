//! The broker node: remoting listeners on `listenPort` and the fast channel `listenPort-2`, the
//! request processors, the store actors, long polling, name-server registration, replication
//! and housekeeping, all started under the root supervisor.

pub mod acl;
pub mod admin;
pub mod admin_config;
pub mod admin_groups;
pub mod admin_meta;
pub mod admin_query;
pub mod admin_reset;
pub mod admin_runtime;
pub mod admin_stats;
pub mod admin_topics;
pub mod admin_update_config;
pub mod call_client;
pub mod client_manage;
pub mod hold;
pub mod maintenance;
pub mod node;
pub mod offsets;
pub mod processor;
pub mod pull;
pub mod registration;
pub mod replica;
pub mod reply;
pub mod runtime_disk;
pub mod schedule;
pub mod schedule_timeup;
pub mod send;
pub mod send_back;
pub mod send_props;
pub mod settings;
pub mod slave_sync;
pub mod state;
pub mod transaction;

pub use node::{start_broker, BrokerError, BrokerHandle};
