//! The broker's code table: request code -> handler, one line per code. Adding a command is
//! its file under `processors/` (or `transaction/`) and one line here. Codes are from
//! `codec::codes::request`; which port serves which code: docs/protocol.md §2.2.

use super::admin_consumer_status;
use super::admin_group_offsets;
use super::admin_store_clean;
use super::command::{Ctx, Serve};
use super::{acl, admin_reset, admin_update_config, call_client};
use super::{admin_broker_consume, admin_consume_queue, admin_producers};
use super::{admin_config, admin_groups, admin_meta, admin_query, admin_runtime, admin_stats};
use super::{admin_topics, client_manage, offsets, pull, reply_message, send, send_back};
use crate::actors::remoting::Reply;
use crate::broker::transaction;
use crate::codec::codes::request::*;
use crate::codec::RemotingCommand;

/// A handler answering at once: `fn(&Broker, &RemotingCommand) -> Outcome`.
macro_rules! now {
    ($f:path) => {
        |c: &Ctx<'_>, r: RemotingCommand| $f(c.broker, &r).map(Reply::now)
    };
}

/// A handler answering at once that needs the connection too.
macro_rules! now_conn {
    ($f:path) => {
        |c: &Ctx<'_>, r: RemotingCommand| $f(c.broker, c.conn, &r).map(Reply::now)
    };
}

/// A handler answering at once from its typed header, decoded here once (the header type is
/// the handler's second parameter): `fn(&Broker, Header, &RemotingCommand) -> Outcome`.
macro_rules! typed {
    ($f:path) => {
        |c: &Ctx<'_>, r: RemotingCommand| {
            $f(
                c.broker,
                crate::codec::headers::Header::from_command(&r)?,
                &r,
            )
            .map(Reply::now)
        }
    };
}

/// A handler answering at once from its typed header that needs the connection too.
macro_rules! typed_conn {
    ($f:path) => {
        |c: &Ctx<'_>, r: RemotingCommand| {
            let h = crate::codec::headers::Header::from_command(&r)?;
            $f(c.broker, c.conn, h, &r).map(Reply::now)
        }
    };
}

/// A handler that may answer later, from its typed header decoded here once:
/// `fn(&Arc<Broker>, Header, RemotingCommand) -> Reply`.
macro_rules! typed_later {
    ($f:path) => {
        |c: &Ctx<'_>, r: RemotingCommand| {
            let h = crate::codec::headers::Header::from_command(&r)?;
            Ok($f(c.broker, h, r))
        }
    };
}

/// A handler that may answer later (store appends, flush and slave waits, long polling).
macro_rules! later {
    ($f:path) => {
        |c: &Ctx<'_>, r: RemotingCommand| Ok($f(c.broker, c.conn, r))
    };
}

/// The handler of `code`, `None` when the broker does not serve it. PULL_MESSAGE and
/// LITE_PULL_MESSAGE are refused on the fast channel by the dispatch, as Java does.
pub fn lookup(code: i32) -> Option<Serve> {
    let serve: Serve = match code {
        SEND_MESSAGE | SEND_MESSAGE_V2 | SEND_BATCH_MESSAGE => later!(send::handle),
        PULL_MESSAGE | LITE_PULL_MESSAGE => later!(pull::handle),
        SEND_REPLY_MESSAGE | SEND_REPLY_MESSAGE_V2 => later!(reply_message::handle),
        CONSUMER_SEND_MSG_BACK => later!(send_back::handle),
        END_TRANSACTION => later!(transaction::end::handle),
        RESUME_CHECK_HALF_MESSAGE => typed_later!(transaction::resume::handle),
        HEART_BEAT => now_conn!(client_manage::heartbeat),
        UNREGISTER_CLIENT => typed_conn!(client_manage::unregister),
        CHECK_CLIENT_CONFIG => now!(client_manage::check_client_config),
        GET_CONSUMER_LIST_BY_GROUP => typed!(client_manage::consumer_list),
        LOCK_BATCH_MQ => now!(client_manage::lock_batch),
        UNLOCK_BATCH_MQ => now!(client_manage::unlock_batch),
        QUERY_CONSUMER_OFFSET => typed!(offsets::query_consumer_offset),
        UPDATE_CONSUMER_OFFSET => typed!(offsets::update_consumer_offset),
        GET_MAX_OFFSET => typed!(offsets::max_offset),
        GET_MIN_OFFSET => typed!(offsets::min_offset),
        SEARCH_OFFSET_BY_TIMESTAMP => typed!(offsets::search_offset),
        GET_EARLIEST_MSG_STORETIME => typed!(offsets::earliest_store_time),
        UPDATE_AND_CREATE_TOPIC => typed!(admin_meta::create_topic),
        GET_ALL_TOPIC_CONFIG => now!(admin_meta::all_topic_config),
        GET_ALL_SUBSCRIPTIONGROUP_CONFIG => now!(admin_meta::all_group_config),
        GET_ALL_CONSUMER_OFFSET => now!(admin_meta::all_consumer_offset),
        GET_ALL_DELAY_OFFSET => now!(admin_meta::all_delay_offset),
        GET_BROKER_RUNTIME_INFO => now!(admin_runtime::runtime_info),
        DELETE_TOPIC_IN_BROKER => |c, r| Ok(admin_topics::delete_topic(c.broker, r)),
        GET_TOPIC_STATS_INFO => typed!(admin_topics::topic_stats),
        INVOKE_BROKER_TO_GET_CONSUMER_STATUS => {
            typed_later!(admin_consumer_status::consumer_status)
        }
        CLONE_GROUP_OFFSET => typed!(admin_group_offsets::clone_group_offset),
        QUERY_CONSUME_TIME_SPAN => typed!(admin_group_offsets::consume_time_span),
        QUERY_CORRECTION_OFFSET => typed!(admin_group_offsets::correction_offset),
        GET_SYSTEM_TOPIC_LIST_FROM_BROKER => now!(admin_topics::system_topics),
        QUERY_TOPIC_CONSUME_BY_WHO => typed!(admin_topics::consume_by_who),
        QUERY_TOPICS_BY_CONSUMER => typed!(admin_topics::topics_by_consumer),
        GET_TOPIC_CONFIG => typed!(admin_topics::topic_config),
        GET_BROKER_CONFIG => now!(admin_config::broker_config),
        VIEW_BROKER_STATS_DATA => typed!(admin_stats::view_stats),
        UPDATE_AND_CREATE_SUBSCRIPTIONGROUP => now!(admin_groups::update_group),
        DELETE_SUBSCRIPTIONGROUP => typed!(admin_groups::delete_group),
        GET_CONSUME_STATS => typed!(admin_groups::consume_stats),
        GET_CONSUMER_CONNECTION_LIST => typed!(admin_groups::consumer_connections),
        GET_PRODUCER_CONNECTION_LIST => typed!(admin_groups::producer_connections),
        QUERY_MESSAGE => typed!(admin_query::query_message),
        VIEW_MESSAGE_BY_ID => typed!(admin_query::view_message),
        INVOKE_BROKER_TO_RESET_OFFSET => typed!(admin_reset::reset_offset),
        UPDATE_BROKER_CONFIG => |c, r| Ok(admin_update_config::handle(c.broker, r)),
        GET_CONSUMER_RUNNING_INFO | CONSUME_MESSAGE_DIRECTLY => {
            typed_later!(call_client::call_consumer)
        }
        UPDATE_AND_CREATE_ACL_CONFIG => typed_later!(acl::update_account::handle),
        DELETE_ACL_CONFIG => typed_later!(acl::delete_account::handle),
        GET_BROKER_CLUSTER_ACL_INFO => {
            |c, r| Ok(Reply::now(acl::config_version::handle(c.broker, &r)))
        }
        UPDATE_GLOBAL_WHITE_ADDRS_CONFIG => typed_later!(acl::global_white::handle),
        GET_BROKER_CLUSTER_ACL_CONFIG => |c, r| Ok(acl::cluster_config::handle(c.broker, r)),
        CLEAN_EXPIRED_CONSUMEQUEUE => |c, r| Ok(admin_store_clean::clean_expired_cq(c.broker, r)),
        CLEAN_UNUSED_TOPIC => |c, r| Ok(admin_store_clean::clean_unused_topic(c.broker, r)),
        DELETE_EXPIRED_COMMITLOG => |c, r| {
            Ok(Reply::now(admin_store_clean::delete_expired_commit_log(
                c.broker, &r,
            )))
        },
        GET_BROKER_CONSUME_STATS => typed!(admin_broker_consume::broker_consume_stats),
        QUERY_CONSUME_QUEUE => typed!(admin_consume_queue::query_consume_queue),
        GET_ALL_PRODUCER_INFO => now!(admin_producers::all_producer_info),
        _ => return None,
    };
    Some(serve)
}
