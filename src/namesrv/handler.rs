//! Connects the generic remoting server to the [`RouteRegistry`]: every request becomes a
//! `Process` message, every closed connection a `ConnectionClosed`. The registry is looked up
//! through its supervisor slot on every request, so a rebuilt registry is reached at once.

use super::registry::{ConnectionClosed, Process, RouteRegistry};
use crate::actors::remoting::{ConnHandle, Reply, RequestHandler};
use crate::actors::supervisor::Slot;
use crate::codec::codes::response;
use crate::codec::RemotingCommand;

/// Requests served, by request code (`/metrics`: `rocketmq_namesrv_requests_total`).
#[derive(Debug, Default)]
pub struct RequestCounts {
    by_code: dashmap::DashMap<i32, std::sync::atomic::AtomicU64>,
}

impl RequestCounts {
    /// Counts one request of `code` (a shard read lock and an atomic add once `code` is known).
    pub fn count(&self, code: i32) {
        use std::sync::atomic::Ordering::Relaxed;
        if let Some(c) = self.by_code.get(&code) {
            c.fetch_add(1, Relaxed);
            return;
        }
        self.by_code.entry(code).or_default().fetch_add(1, Relaxed);
    }

    /// Every code seen with its count.
    pub fn snapshot(&self) -> Vec<(i32, u64)> {
        self.by_code
            .iter()
            .map(|e| {
                (
                    *e.key(),
                    e.value().load(std::sync::atomic::Ordering::Relaxed),
                )
            })
            .collect()
    }
}

/// The name server's [`RequestHandler`].
pub struct NamesrvHandler {
    registry: Slot<RouteRegistry>,
    requests: std::sync::Arc<RequestCounts>,
}

impl NamesrvHandler {
    pub fn new(registry: Slot<RouteRegistry>) -> Self {
        NamesrvHandler {
            registry,
            requests: Default::default(),
        }
    }

    /// A handler that counts every request into `requests`.
    pub fn counting(
        registry: Slot<RouteRegistry>,
        requests: std::sync::Arc<RequestCounts>,
    ) -> Self {
        NamesrvHandler { registry, requests }
    }
}

impl RequestHandler for NamesrvHandler {
    fn handle(&self, conn: &ConnHandle, req: RemotingCommand) -> Reply {
        self.requests.count(req.code);
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
