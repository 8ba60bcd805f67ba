//! Integration tests of the broker area (one module per former test file).

mod acl;
mod admin;
mod admin_broker_views;
mod admin_group_offsets;
mod admin_groups;
mod admin_messages;
mod admin_store_clean;
mod advertised;
mod e2e;
mod ha;
mod live_config;
mod meta_clients;
mod meta_persist;
mod meta_topics;
mod metrics;
mod missing_header;
mod pull_filter;
mod pull_subscription;
mod reply_message;
mod restart;
mod schedule;
mod send_retry_group;
mod sql_filter;
mod stats;
mod topic_queues;
mod transaction;
