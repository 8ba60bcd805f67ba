//! The broker's request dispatch: one [`BrokerHandler`] per listener (main port and fast
//! channel). Every request passes through [`dispatch`] before the code table
//! ([`super::table`]) picks its handler, so checks that apply to all requests go there.
//! PULL_MESSAGE is refused on the fast channel with REQUEST_CODE_NOT_SUPPORTED, as Java does;
//! unknown codes get the same answer.

use std::sync::Arc;

use super::command::Ctx;
use super::{acl, call_client, client_manage, table};
use crate::actors::remoting::{ConnHandle, Reply, RequestHandler};
use crate::broker::node::state::Broker;
use crate::codec::codes::{request, response};
use crate::codec::RemotingCommand;

/// Serves one listener of a broker.
pub struct BrokerHandler {
    pub broker: Arc<Broker>,
    /// True for the fast channel (listenPort-2).
    pub fast: bool,
}

/// The one entry every request of a broker passes through.
pub fn dispatch(ctx: &Ctx<'_>, req: RemotingCommand) -> Reply {
    // ACL 1.0 (docs/acl.md): the one check, before any processor, on both listeners.
    if let Some(refused) = acl::check(ctx.broker, ctx.conn, &req) {
        return refused;
    }
    let pull = matches!(req.code, request::PULL_MESSAGE | request::LITE_PULL_MESSAGE);
    let serve = match table::lookup(req.code) {
        Some(serve) if !(pull && ctx.fast) => serve,
        _ => return Reply::now(not_supported(&req)),
    };
    // The handler consumes the request; keep what a refusal's response needs.
    let head = RemotingCommand::response_to(&req, response::SUCCESS);
    match serve(ctx, req) {
        Ok(reply) => reply,
        Err(e) => {
            let mut r = head;
            r.code = e.code;
            r.remark = Some(e.remark);
            Reply::now(r)
        }
    }
}

/// REQUEST_CODE_NOT_SUPPORTED with Java's remark.
fn not_supported(req: &RemotingCommand) -> RemotingCommand {
    let mut r = RemotingCommand::response_to(req, response::REQUEST_CODE_NOT_SUPPORTED);
    r.remark = Some(format!(" request type {} not supported", req.code));
    r
}

impl RequestHandler for BrokerHandler {
    fn handle(&self, conn: &ConnHandle, req: RemotingCommand) -> Reply {
        let ctx = Ctx {
            broker: &self.broker,
            conn,
            fast: self.fast,
        };
        dispatch(&ctx, req)
    }

    fn on_open(&self, conn: &ConnHandle) {
        self.broker.conns.lock().insert(conn.id(), conn.clone());
    }

    fn on_response(&self, _conn: &ConnHandle, resp: RemotingCommand) {
        call_client::on_response(&self.broker, resp);
    }

    fn on_close(&self, conn: &ConnHandle) {
        self.broker.conns.lock().remove(&conn.id());
        client_manage::connection_closed(&self.broker, conn);
    }
}
