//! Request processors of the broker: [`dispatch`] is the one entry every request passes
//! through, [`table`] maps codes to handlers and [`command`] is their contract; the other
//! files serve the request codes (send, pull, offsets, client management,
//! the `admin_*` families) and share [`reply`]'s response helpers.

pub mod acl;
pub mod admin_broker_consume;
pub mod admin_config;
pub mod admin_consume_queue;
pub mod admin_consumer_status;
pub mod admin_group_offsets;
pub mod admin_groups;
pub mod admin_meta;
pub mod admin_producers;
pub mod admin_query;
pub mod admin_reset;
pub mod admin_runtime;
pub mod admin_stats;
pub mod admin_store_clean;
pub mod admin_topics;
pub mod admin_update_config;
pub mod call_client;
pub mod client_manage;
pub mod command;
pub mod dispatch;
pub mod offsets;
pub mod pending_calls;
pub mod pull;
pub mod pull_job;
pub mod pull_read;
pub mod reply;
pub mod reply_message;
pub mod runtime_disk;
pub mod send;
pub mod send_back;
pub mod send_props;
pub mod table;
