//! Broker metadata managers: topics, subscription groups, consumer and delay offsets, the
//! online consumer/producer tables, the compiled SQL92 subscriptions and the orderly-consumption
//! queue locks.
//!
//! Everything here is plain synchronous Rust owned by the broker's actors; file writes happen
//! only through explicit `persist()` calls, which the actors run off their event loops.
pub mod client_channel;
pub mod client_events;
pub mod consumer_filter;
pub mod consumer_manager;
pub mod consumer_offset;
pub mod delay_offset;
pub mod persist;
pub mod producer_manager;
pub mod rebalance_lock;
pub mod subscription_group;
pub mod table_file;
pub mod topic_config;
pub mod topic_validator;
