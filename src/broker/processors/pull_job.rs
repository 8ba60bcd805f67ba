//! A pull as the read step and the topic queue actors need it ([`PullJob`]: the request head,
//! its decoded header and filters), on its own so that `broker::queues` depends on neither
//! the processors nor the broker state.

use std::collections::BTreeSet;
use std::sync::Arc;

use crate::codec::headers::PullMessageRequestHeader;
use crate::codec::RemotingCommand;
use crate::filter::Selector;
use crate::protocol::heartbeat::java_string_hash;

/// Which tag hash codes a pull accepts.
#[derive(Debug, Clone, Default)]
pub struct TagFilter {
    /// `None` = every message.
    codes: Option<BTreeSet<i64>>,
}

impl TagFilter {
    /// From a TAG expression (`*`, empty, or `a || b`).
    pub fn from_expression(expr: &str) -> TagFilter {
        let expr = expr.trim();
        if expr.is_empty() || expr == "*" {
            return TagFilter { codes: None };
        }
        let codes = expr
            .split("||")
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(|t| i64::from(java_string_hash(t)))
            .collect();
        TagFilter { codes: Some(codes) }
    }

    /// From a heartbeat subscription.
    pub fn from_codes(all: bool, codes: impl IntoIterator<Item = i32>) -> TagFilter {
        if all {
            return TagFilter { codes: None };
        }
        TagFilter {
            codes: Some(codes.into_iter().map(i64::from).collect()),
        }
    }

    pub fn matches(&self, tags_code: i64) -> bool {
        self.codes
            .as_ref()
            .is_none_or(|c| c.contains(&tag_code_of(tags_code)))
    }
}

/// Tag codes are Java int hashes stored sign-extended in the consume queue.
fn tag_code_of(code: i64) -> i64 {
    code
}

/// A pull ready to run against the store (possibly again, after being parked).
pub struct PullJob {
    /// The request minus its body: the response is built from it (opaque, serialize type).
    pub req: RemotingCommand,
    pub header: PullMessageRequestHeader,
    pub filter: TagFilter,
    /// The SQL92 selector of a SQL92 subscription (src/filter/), judged on each record.
    pub sql: Option<Arc<Selector>>,
    pub suggest_broker_id: i64,
}
