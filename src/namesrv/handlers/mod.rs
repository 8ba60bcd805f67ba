//! The name server's request handlers (Java `DefaultRequestProcessor`), one file per family,
//! each `fn(&mut NsCtx, Header, &RemotingCommand) -> RemotingCommand` with its typed header
//! from `codec::headers::namesrv`; `namesrv/table.rs` maps codes to them. This module holds
//! what they share: the context and the response builders.

pub mod brokers;
pub mod config;
pub mod kv;
pub mod routes;

use std::time::Instant;

use slog::Logger;

use super::state::NamesrvState;
use crate::actors::remoting::ConnHandle;
use crate::codec::codes::response;
use crate::codec::RemotingCommand;

/// What a handler is handed besides its header and request.
pub struct NsCtx<'a> {
    pub state: &'a mut NamesrvState,
    /// The requesting connection (absent when a test calls `process` directly).
    pub conn: Option<&'a ConnHandle>,
    pub now: Instant,
    pub log: &'a Logger,
}

pub(crate) fn ok(req: &RemotingCommand) -> RemotingCommand {
    RemotingCommand::response_to(req, response::SUCCESS)
}

pub(crate) fn fail(req: &RemotingCommand, code: i32, remark: impl Into<String>) -> RemotingCommand {
    RemotingCommand::response_to(req, code).with_remark(remark)
}

pub(crate) fn json_error(
    req: &RemotingCommand,
    what: &str,
    e: impl std::fmt::Display,
) -> RemotingCommand {
    fail(req, response::SYSTEM_ERROR, format!("{what}: {e}"))
}

pub(crate) fn json_body<T: serde::Serialize>(req: &RemotingCommand, value: &T) -> RemotingCommand {
    match serde_json::to_vec(value) {
        Ok(body) => ok(req).with_body(body),
        Err(e) => json_error(req, "cannot encode body", e),
    }
}
