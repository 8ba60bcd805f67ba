//! Evaluates a compiled selector against a message's properties with Java's three-valued
//! logic (`LogicExpression`, `UnaryExpression`, `ComparisonExpression.evaluate`,
//! `doCreateEqual`, `UnaryInExpression`): a missing property is `null`, `null` spreads
//! through comparisons, `AND`/`OR` short-circuit as Java's do, and an exception (e.g. `a > 1`
//! with `a = 'abc'`) ends the evaluation. A message matches only on a definite `TRUE`
//! (`ExpressionMessageFilter.isMatchedByCommitLog`).

use super::build::Expr;
use super::value::{java_compare, java_equals, java_parse_double, EvalError, Value};
use crate::filter::lexer::Sym;

/// Where property values come from (Java `EvaluationContext.get`).
pub trait Properties {
    fn get(&self, name: &str) -> Option<&str>;
}

/// A message's properties as stored (`k\u{1}v\u{2}…`), looked up without a map; as in Java's
/// `HashMap` built from that string, a later duplicate key wins.
pub struct StoredProperties<'a> {
    pairs: Vec<(&'a str, &'a str)>,
}

impl<'a> StoredProperties<'a> {
    /// Splits the stored properties string the way `MessageDecoder.string2messageProperties`
    /// does.
    pub fn parse(s: &'a str) -> Self {
        let pairs = s
            .split('\u{2}')
            .filter_map(|seg| {
                let idx = seg.find('\u{1}')?;
                if seg.len() < 3 || idx == 0 || idx >= seg.len() - 1 {
                    return None;
                }
                Some((&seg[..idx], &seg[idx + 1..]))
            })
            .collect();
        StoredProperties { pairs }
    }
}

impl Properties for StoredProperties<'_> {
    fn get(&self, name: &str) -> Option<&str> {
        self.pairs
            .iter()
            .rev()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| *v)
    }
}

impl<K: std::borrow::Borrow<str> + std::hash::Hash + Eq, V: AsRef<str>> Properties
    for std::collections::HashMap<K, V>
{
    fn get(&self, name: &str) -> Option<&str> {
        std::collections::HashMap::get(self, name).map(AsRef::as_ref)
    }
}

fn as_bool(v: Value<'_>) -> Result<Option<bool>, EvalError> {
    match v {
        Value::Null => Ok(None),
        Value::Bool(b) => Ok(Some(b)),
        other => Err(EvalError(format!(
            "java.lang.ClassCastException: {other} cannot be cast to java.lang.Boolean"
        ))),
    }
}

fn tri(b: Option<bool>) -> Value<'static> {
    b.map_or(Value::Null, Value::Bool)
}

/// Evaluates `e` (Java `Expression.evaluate`).
pub fn evaluate<'a>(e: &'a Expr, ctx: &'a dyn Properties) -> Result<Value<'a>, EvalError> {
    Ok(match e {
        Expr::Const(c) => c.value(),
        Expr::Property(name) => ctx.get(name).map_or(Value::Null, Value::Str),
        Expr::Negate(inner) => match evaluate(inner, ctx)? {
            Value::Int(v) => Value::Int(v.wrapping_neg()),
            Value::Long(v) => Value::Long(v.wrapping_neg()),
            Value::Double(v) => Value::Double(-v),
            _ => Value::Null,
        },
        Expr::Not(inner) => tri(as_bool(evaluate(inner, ctx)?)?.map(|b| !b)),
        Expr::BoolCast(inner) => match evaluate(inner, ctx)? {
            Value::Null => Value::Null,
            Value::Bool(b) => Value::Bool(b),
            _ => Value::Bool(false),
        },
        Expr::And(l, r) => {
            let lv = as_bool(evaluate(l, ctx)?)?;
            if lv == Some(false) {
                return Ok(Value::Bool(false));
            }
            let rv = as_bool(evaluate(r, ctx)?)?;
            if rv == Some(false) {
                return Ok(Value::Bool(false));
            }
            if lv.is_none() || rv.is_none() {
                Value::Null
            } else {
                Value::Bool(true)
            }
        }
        Expr::Or(l, r) => {
            let lv = as_bool(evaluate(l, ctx)?)?;
            if lv == Some(true) {
                return Ok(Value::Bool(true));
            }
            let rv = as_bool(evaluate(r, ctx)?)?;
            if rv == Some(true) {
                return Ok(Value::Bool(true));
            }
            if lv.is_none() || rv.is_none() {
                Value::Null
            } else {
                Value::Bool(false)
            }
        }
        Expr::Equal(l, r) => {
            let lv = evaluate(l, ctx)?;
            let rv = evaluate(r, ctx)?;
            match (&lv, &rv) {
                (Value::Null, Value::Null) => Value::Bool(true),
                (Value::Null, _) => Value::Null,
                (_, Value::Null) => Value::Bool(false),
                _ if java_equals(&lv, &rv) => Value::Bool(true),
                _ => Value::Bool(java_compare(&lv, &rv)? == 0),
            }
        }
        Expr::Compare(op, l, r) => {
            let lv = evaluate(l, ctx)?;
            if lv == Value::Null {
                return Ok(Value::Null);
            }
            let rv = evaluate(r, ctx)?;
            if rv == Value::Null {
                return Ok(Value::Null);
            }
            let answer = match (&lv, &rv) {
                // Java refuses to order strings: both are read as doubles, or it throws.
                (Value::Str(a), Value::Str(b)) => {
                    let (x, y) = (java_parse_double(a), java_parse_double(b));
                    match (x, y) {
                        (Ok(x), Ok(y)) => java_compare(&Value::Double(x), &Value::Double(y))?,
                        _ => {
                            return Err(EvalError(format!(
                                "It's illegal to compare string by '>=', '>', '<', '<='. lv={a}, rv={b}"
                            )))
                        }
                    }
                }
                _ => java_compare(&lv, &rv)?,
            };
            Value::Bool(match op {
                Sym::Gt => answer > 0,
                Sym::Ge => answer >= 0,
                Sym::Lt => answer < 0,
                _ => answer <= 0,
            })
        }
        Expr::In {
            property,
            list,
            not,
        } => match ctx.get(property) {
            None => Value::Null,
            Some(v) => Value::Bool(list.iter().any(|x| x == v) ^ not),
        },
    })
}

/// Whether `e` selects a message with these properties: only a definite TRUE does; `null`,
/// a non-boolean or an exception do not.
pub fn matches(e: &Expr, ctx: &dyn Properties) -> bool {
    matches!(evaluate(e, ctx), Ok(Value::Bool(true)))
}
