//! Admin commands (what mqadmin, rocketmq-dashboard and slaves call): topic and group
//! management, configuration and runtime info, stats, message queries. Each command group
//! lives in its own `admin_*` file; this file only routes.

use super::state::Broker;
use super::{
    admin_config, admin_groups, admin_meta, admin_query, admin_runtime, admin_stats, admin_topics,
};
use crate::actors::remoting::ConnHandle;
use crate::codec::codes::request;
use crate::codec::RemotingCommand;

/// Handles an admin command; `None` for codes the broker does not serve.
pub fn handle(b: &Broker, _conn: &ConnHandle, req: &RemotingCommand) -> Option<RemotingCommand> {
    use request::*;
    Some(match req.code {
        UPDATE_AND_CREATE_TOPIC => admin_meta::create_topic(b, req),
        GET_ALL_TOPIC_CONFIG => admin_meta::all_topic_config(b, req),
        GET_ALL_SUBSCRIPTIONGROUP_CONFIG => admin_meta::all_group_config(b, req),
        GET_ALL_CONSUMER_OFFSET => admin_meta::all_consumer_offset(b, req),
        GET_ALL_DELAY_OFFSET => admin_meta::all_delay_offset(b, req),
        GET_BROKER_RUNTIME_INFO => admin_runtime::runtime_info(b, req),
        DELETE_TOPIC_IN_BROKER => admin_topics::delete_topic(b, req),
        GET_TOPIC_STATS_INFO => admin_topics::topic_stats(b, req),
        GET_SYSTEM_TOPIC_LIST_FROM_BROKER => admin_topics::system_topics(b, req),
        QUERY_TOPIC_CONSUME_BY_WHO => admin_topics::consume_by_who(b, req),
        admin_topics::QUERY_TOPICS_BY_CONSUMER => admin_topics::topics_by_consumer(b, req),
        admin_topics::GET_TOPIC_CONFIG => admin_topics::topic_config(b, req),
        GET_BROKER_CONFIG => admin_config::broker_config(b, req),
        VIEW_BROKER_STATS_DATA => admin_stats::view_stats(b, req),
        UPDATE_AND_CREATE_SUBSCRIPTIONGROUP => admin_groups::update_group(b, req),
        DELETE_SUBSCRIPTIONGROUP => admin_groups::delete_group(b, req),
        GET_CONSUME_STATS => admin_groups::consume_stats(b, req),
        GET_CONSUMER_CONNECTION_LIST => admin_groups::consumer_connections(b, req),
        GET_PRODUCER_CONNECTION_LIST => admin_groups::producer_connections(b, req),
        QUERY_MESSAGE => admin_query::query_message(b, req),
        VIEW_MESSAGE_BY_ID => admin_query::view_message(b, req),
        INVOKE_BROKER_TO_RESET_OFFSET => super::admin_reset::reset_offset(b, req),
        _ => return None,
    })
}
