//! Turns one name-server request into its response (Java `DefaultRequestProcessor`): looks the
//! code up in `table.rs`, whose entry decodes the typed header and runs the handler against
//! the [`NamesrvState`].
//!
//! Deviation from Java: an unknown request code is answered with REQUEST_CODE_NOT_SUPPORTED (3)
//! and the remark `" request type N not supported"` (the broker's wording), where a Java name
//! server sends nothing and lets the client time out.

use std::time::Instant;

use slog::Logger;

use super::handlers::{fail, NsCtx};
use super::table::lookup;
use crate::actors::remoting::ConnHandle;
use crate::codec::codes::response;
use crate::codec::RemotingCommand;

pub use super::state::{set_listen_port, NamesrvState};

/// Answers `req` (the connection drops the answer if `req` is oneway).
pub fn process(
    state: &mut NamesrvState,
    conn: Option<&ConnHandle>,
    req: &RemotingCommand,
    now: Instant,
    log: &Logger,
) -> RemotingCommand {
    let Some(serve) = lookup(req.code) else {
        return fail(
            req,
            response::REQUEST_CODE_NOT_SUPPORTED,
            format!(" request type {} not supported", req.code),
        );
    };
    let mut ctx = NsCtx {
        state,
        conn,
        now,
        log,
    };
    // A missing or malformed header field: SYSTEM_ERROR with the decoder's text
    // (docs/protocol.md §1.6).
    serve(&mut ctx, req).unwrap_or_else(|e| fail(req, response::SYSTEM_ERROR, e.to_string()))
}
