//! The broker-side SQL92 property filter (Java `filter` module, RocketMQ 4.9.7: `SqlFilter`,
//! `SelectorParser`, the expression classes; docs/protocol.md §2.6). Plain Rust, no actors:
//! [`compile`] turns a subscription expression into a [`Selector`] once (per group and topic,
//! `broker/meta/consumer_filter.rs`), and the pull path asks [`Selector::matches_record`] for each
//! candidate commit-log record.
//!
//! Only the grammar of 4.9.7 is accepted: `=`, `<>`, `<`, `>`, `<=`, `>=`, `[NOT] BETWEEN`,
//! `[NOT] IN` (string lists), `IS [NOT] NULL`, `AND`, `OR`, `NOT`, unary `+`/`-`, parentheses,
//! string, integer, float, `TRUE`/`FALSE`/`NULL` constants. `CONTAINS`, `STARTSWITH`,
//! `ENDSWITH` and `LIKE` are RocketMQ 5.x words: here they are plain property names.

pub mod build;
pub mod eval;
pub mod grammar;
pub mod lexer;
pub mod value;

use std::borrow::Cow;

pub use build::Expr;
pub use eval::{Properties, StoredProperties};

/// The expression type of a SQL92 subscription.
pub const SQL92: &str = "SQL92";

/// Java `ExpressionType.isTagType`: `null`, empty or exactly `TAG`.
pub fn is_tag_type(expression_type: Option<&str>) -> bool {
    matches!(expression_type, None | Some("") | Some("TAG"))
}

/// Why an expression could not be compiled.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FilterError {
    /// No filter of this type is registered (Java `FilterFactory.get` returns null).
    #[error("no filter for expression type {0}")]
    UnknownType(String),
    /// The expression is not valid SQL92 (`MQFilterException`); the text is the cause's
    /// `toString()`, which Java sends as the remark.
    #[error("{0}")]
    Invalid(String),
}

/// A compiled SQL92 selector.
#[derive(Debug, Clone, PartialEq)]
pub struct Selector {
    pub expression: String,
    pub expr: Expr,
}

fn line_col(text: &str, rest: &str) -> (usize, usize) {
    let done = &text[..text.len() - rest.len()];
    let line = 1 + done.matches('\n').count();
    let col = 1 + done.rsplit('\n').next().map_or(0, |l| l.chars().count());
    (line, col)
}

fn syntax_message(text: &str, rest: &str) -> String {
    let (line, col) = line_col(text, rest);
    if rest.is_empty() {
        return format!(
            "org.apache.rocketmq.filter.parser.ParseException: Encountered \"<EOF>\" at line {line}, column {col}."
        );
    }
    match lexer::lex(rest) {
        Some((_, tok)) => format!(
            "org.apache.rocketmq.filter.parser.ParseException: Encountered \"{}\" at line {line}, column {col}.",
            tok.image()
        ),
        None => {
            let c = rest.chars().next().unwrap_or(' ');
            format!(
                "org.apache.rocketmq.filter.parser.TokenMgrError: Lexical error at line {line}, column {col}.  Encountered: \"{c}\" ({}), after : \"\"",
                c as u32
            )
        }
    }
}

/// Parses and checks a SQL92 expression (Java `SelectorParser.parse`).
pub fn parse_sql92(text: &str) -> Result<Selector, FilterError> {
    let syn =
        grammar::parse(text).map_err(|e| FilterError::Invalid(syntax_message(text, e.rest)))?;
    let expr = build::build_selector(syn).map_err(|e| FilterError::Invalid(e.0))?;
    Ok(Selector {
        expression: text.to_string(),
        expr,
    })
}

/// Java `FilterFactory.INSTANCE.get(type).compile(expression)`: only `SQL92` exists.
pub fn compile(expression_type: &str, expression: &str) -> Result<Selector, FilterError> {
    if expression_type != SQL92 {
        return Err(FilterError::UnknownType(expression_type.to_string()));
    }
    parse_sql92(expression)
}

impl Selector {
    /// Whether a message with these properties is selected.
    pub fn matches(&self, props: &dyn Properties) -> bool {
        eval::matches(&self.expr, props)
    }

    /// Whether the commit-log record in `record` is selected, judged on its stored properties
    /// (TAGS, KEYS and the user's properties). An unreadable record is not selected.
    pub fn matches_record(&self, record: &[u8]) -> bool {
        let Some(raw) = crate::store::record::record_properties(record) else {
            return false;
        };
        let text: Cow<'_, str> = String::from_utf8_lossy(raw);
        self.matches(&StoredProperties::parse(&text))
    }
}

#[cfg(test)]
mod tests;
