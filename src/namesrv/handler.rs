//! Connects the generic remoting server to the [`RouteRegistry`]: every request becomes a
//! `Process` message, every closed connection a `ConnectionClosed`. The registry is looked up
//! through its supervisor slot on every request, so a rebuilt registry is reached at once.

use super::registry::{ConnectionClosed, Process, RouteRegistry};
use crate::actors::remoting::{ConnHandle, Reply, RequestHandler};
use crate::actors::supervisor::Slot;
use crate::codec::codes::response;
use crate::codec::RemotingCommand;

/// The name server's [`RequestHandler`].
pub struct NamesrvHandler {
    registry: Slot<RouteRegistry>,
}

impl NamesrvHandler {
    pub fn new(registry: Slot<RouteRegistry>) -> Self {
        NamesrvHandler { registry }
    }
}

impl RequestHandler for NamesrvHandler {
    fn handle(&self, conn: &ConnHandle, req: RemotingCommand) -> Reply {
        // Kept aside so that a registry that is gone still gets the client an answer.
        let unavailable = RemotingCommand::response_to(&req, response::SYSTEM_ERROR)
            .with_remark("name server route registry is not available");
        let sent = self.registry.get().send(Process {
            conn: Some(conn.clone()),
            req,
        });
        Reply::later(async move { Some(sent.await.unwrap_or(unavailable)) })
    }

    fn on_close(&self, conn: &ConnHandle) {
        self.registry.get().do_send(ConnectionClosed(conn.id()));
    }
}
