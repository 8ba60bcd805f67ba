//! The broker's request dispatch: one [`BrokerHandler`] per listener (main port and fast
//! channel), mapping request codes to processors. PULL_MESSAGE is refused on the fast channel
//! with REQUEST_CODE_NOT_SUPPORTED, as Java does; unknown codes get the same answer.

use std::sync::Arc;

use super::reply::resp;
use super::state::Broker;
use super::{acl, admin, client_manage, offsets, pull, send, send_back, transaction};
use crate::actors::remoting::{ConnHandle, Reply, RequestHandler};
use crate::codec::codes::{request, response};
use crate::codec::RemotingCommand;

/// Serves one listener of a broker.
pub struct BrokerHandler {
    pub broker: Arc<Broker>,
    /// True for the fast channel (listenPort-2).
    pub fast: bool,
}

impl RequestHandler for BrokerHandler {
    fn handle(&self, conn: &ConnHandle, req: RemotingCommand) -> Reply {
        let b = &self.broker;
        use request::*;
        let now = |r: RemotingCommand| Reply::now(r);
        // ACL 1.0 (docs/acl.md): the one check, before any processor, on both listeners.
        if let Some(refused) = acl::check(b, conn, &req) {
            return refused;
        }
        match req.code {
            SEND_MESSAGE | SEND_MESSAGE_V2 | SEND_BATCH_MESSAGE => send::handle(b, conn, req),
            PULL_MESSAGE | LITE_PULL_MESSAGE if !self.fast => pull::handle(b, conn, req),
            CONSUMER_SEND_MSG_BACK => send_back::handle(b, conn, req),
            END_TRANSACTION => transaction::end::handle(b, conn, req),
            RESUME_CHECK_HALF_MESSAGE => transaction::resume::handle(b, req),
            HEART_BEAT => now(client_manage::heartbeat(b, conn, &req)),
            UNREGISTER_CLIENT => now(client_manage::unregister(b, conn, &req)),
            CHECK_CLIENT_CONFIG => now(client_manage::check_client_config(b, &req)),
            GET_CONSUMER_LIST_BY_GROUP => now(client_manage::consumer_list(b, &req)),
            LOCK_BATCH_MQ => now(client_manage::lock_batch(b, &req)),
            UNLOCK_BATCH_MQ => now(client_manage::unlock_batch(b, &req)),
            QUERY_CONSUMER_OFFSET => now(offsets::query_consumer_offset(b, &req)),
            UPDATE_CONSUMER_OFFSET => now(offsets::update_consumer_offset(b, &req)),
            GET_MAX_OFFSET => now(offsets::max_offset(b, &req)),
            GET_MIN_OFFSET => now(offsets::min_offset(b, &req)),
            SEARCH_OFFSET_BY_TIMESTAMP => now(offsets::search_offset(b, &req)),
            GET_EARLIEST_MSG_STORETIME => now(offsets::earliest_store_time(b, &req)),
            UPDATE_AND_CREATE_ACL_CONFIG => acl::update_account::handle(b, req),
            DELETE_ACL_CONFIG => acl::delete_account::handle(b, req),
            GET_BROKER_CLUSTER_ACL_INFO => now(acl::config_version::handle(b, &req)),
            UPDATE_GLOBAL_WHITE_ADDRS_CONFIG => acl::global_white::handle(b, req),
            GET_BROKER_CLUSTER_ACL_CONFIG => acl::cluster_config::handle(b, req),
            UPDATE_BROKER_CONFIG => super::admin_update_config::handle(b, req),
            GET_CONSUMER_RUNNING_INFO | CONSUME_MESSAGE_DIRECTLY => {
                super::call_client::call_consumer(b, req)
            }
            _ => match admin::handle(b, conn, &req) {
                Some(r) => now(r),
                None => now(resp(
                    &req,
                    response::REQUEST_CODE_NOT_SUPPORTED,
                    Some(format!(" request type {} not supported", req.code)),
                )),
            },
        }
    }

    fn on_open(&self, conn: &ConnHandle) {
        self.broker.conns.lock().insert(conn.id(), conn.clone());
    }

    fn on_response(&self, _conn: &ConnHandle, resp: RemotingCommand) {
        super::call_client::on_response(&self.broker, resp);
    }

    fn on_close(&self, conn: &ConnHandle) {
        self.broker.conns.lock().remove(&conn.id());
        client_manage::connection_closed(&self.broker, conn);
    }
}
