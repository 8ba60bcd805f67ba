//! The contract of a broker command: what a handler gets ([`Ctx`]), what it answers
//! (`Result<_, CommandError>`), and how a rejection becomes the response Java would write.
//!
//! Java's `NettyRemotingAbstract.processRequestCommand` catches what a processor throws —
//! most often the `RemotingCommandException` of `decodeCommandCustomHeader` for a missing
//! `@CFNotNull` field or an unparsable number — and answers SYSTEM_ERROR (1) with the
//! exception text as remark. [`CommandError`] carries that code and remark, so a handler
//! decodes its header with `?` and rejects with `Err(..)` instead of building a response.

use std::sync::Arc;

use thiserror::Error;

use crate::actors::remoting::{ConnHandle, Reply};
use crate::broker::node::state::Broker;
use crate::codec::codes::response;
use crate::codec::ext::HeaderError;
use crate::codec::RemotingCommand;

/// What every handler is handed besides its request.
pub struct Ctx<'a> {
    pub broker: &'a Arc<Broker>,
    pub conn: &'a ConnHandle,
    /// True on the fast channel (listenPort-2).
    pub fast: bool,
}

/// A request refused with Java's response code and remark.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("code {code}: {remark}")]
pub struct CommandError {
    pub code: i32,
    pub remark: String,
}

impl CommandError {
    /// A refusal with `code`.
    pub fn new(code: i32, remark: impl Into<String>) -> Self {
        CommandError {
            code,
            remark: remark.into(),
        }
    }

    /// SYSTEM_ERROR, Java's answer to whatever a processor throws.
    pub fn system(remark: impl Into<String>) -> Self {
        CommandError::new(response::SYSTEM_ERROR, remark)
    }

    /// The response to `req` that carries this refusal.
    pub fn into_response(self, req: &RemotingCommand) -> RemotingCommand {
        let mut r = RemotingCommand::response_to(req, self.code);
        r.remark = Some(self.remark);
        r
    }
}

/// A header that cannot be decoded is SYSTEM_ERROR with the decoder's text (Java's
/// `RemotingCommandException` message, e.g. "the custom field <topic> is null").
impl From<HeaderError> for CommandError {
    fn from(e: HeaderError) -> Self {
        CommandError::system(e.to_string())
    }
}

/// The answer of a handler that replies at once.
pub type Outcome = Result<RemotingCommand, CommandError>;

/// One entry of the code table: serves a request, now or later.
pub type Serve = fn(&Ctx<'_>, RemotingCommand) -> Result<Reply, CommandError>;

/// A typed custom header, decoded once before its handler runs (`codec::headers::field`).
pub use crate::codec::headers::Header;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codec::codes::request;
    use crate::codec::ext::Expected;

    #[test]
    fn header_errors_answer_system_error_with_javas_remark() {
        let req = RemotingCommand::request(request::GET_MAX_OFFSET);
        let e: CommandError = HeaderError::missing("topic", Expected::Str).into();
        let r = e.into_response(&req);
        assert_eq!(r.code, response::SYSTEM_ERROR);
        assert_eq!(
            r.remark.as_deref(),
            Some("the custom field <topic> is null")
        );
        assert!(r.is_response());
    }
}
