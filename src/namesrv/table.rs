//! The name server's code table: request code -> handler, one line per code, as the broker's
//! `broker/processors/table.rs`. Adding a request is its handler in `handlers/` and one line
//! here; its header is decoded once, by the table, before the handler runs.

use super::handlers::{brokers, config, kv, routes, NsCtx};
use crate::codec::codes::request::*;
use crate::codec::ext::HeaderError;
use crate::codec::RemotingCommand;

/// One entry of the table; `Err` is a header that could not be decoded (SYSTEM_ERROR).
pub type NsServe = fn(&mut NsCtx<'_>, &RemotingCommand) -> Result<RemotingCommand, HeaderError>;

/// A handler without a custom header.
macro_rules! plain {
    ($f:path) => {
        |c: &mut NsCtx<'_>, r: &RemotingCommand| Ok($f(c, r))
    };
}

/// A handler of a typed header (its second parameter), decoded here once.
macro_rules! typed {
    ($f:path) => {
        |c: &mut NsCtx<'_>, r: &RemotingCommand| {
            Ok($f(c, crate::codec::headers::Header::from_command(r)?, r))
        }
    };
}

/// The handler of `code`, `None` when the name server does not serve it.
pub fn lookup(code: i32) -> Option<NsServe> {
    let serve: NsServe = match code {
        PUT_KV_CONFIG => typed!(kv::put),
        GET_KV_CONFIG => typed!(kv::get),
        DELETE_KV_CONFIG => typed!(kv::delete),
        GET_KVLIST_BY_NAMESPACE => typed!(kv::list),
        REGISTER_BROKER => typed!(brokers::register),
        UNREGISTER_BROKER => typed!(brokers::unregister),
        QUERY_DATA_VERSION => typed!(brokers::query_data_version),
        GET_ROUTEINFO_BY_TOPIC => typed!(routes::route),
        GET_BROKER_CLUSTER_INFO => plain!(routes::cluster_info),
        GET_ALL_TOPIC_LIST_FROM_NAMESERVER => plain!(routes::all_topics),
        GET_SYSTEM_TOPIC_LIST_FROM_NS => plain!(routes::system_topics),
        GET_TOPICS_BY_CLUSTER => typed!(routes::topics_of_cluster),
        GET_UNIT_TOPIC_LIST => plain!(routes::unit_topics),
        GET_HAS_UNIT_SUB_TOPIC_LIST => plain!(routes::unit_sub_topics),
        GET_HAS_UNIT_SUB_UNUNIT_TOPIC_LIST => plain!(routes::unit_sub_ununit_topics),
        DELETE_TOPIC_IN_NAMESRV => typed!(routes::delete_topic),
        REGISTER_TOPIC_IN_NAMESRV => typed!(routes::register_topic),
        WIPE_WRITE_PERM_OF_BROKER => typed!(routes::wipe_write_perm),
        ADD_WRITE_PERM_OF_BROKER => typed!(routes::add_write_perm),
        GET_NAMESRV_CONFIG => plain!(config::get),
        UPDATE_NAMESRV_CONFIG => plain!(config::update),
        _ => return None,
    };
    Some(serve)
}
