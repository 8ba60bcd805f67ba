//! Admin commands (what mqadmin, rocketmq-dashboard and slaves call): topic and group
//! management, configuration and runtime info, stats, message queries. Each command group
//! lives in its own `admin_*` file; this file only routes.

use super::state::Broker;
use super::{admin_meta, admin_runtime};
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
        _ => return None,
    })
}
