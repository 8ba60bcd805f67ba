//! Turns the syntax tree into an evaluable [`Expr`], applying the checks Java's expression
//! factories make while parsing (`ComparisonExpression.createEqual/createGreaterThan/
//! createBetween/createInFilter`, `ConstantExpression.createFromDecimal/createFloat`,
//! `SelectorParser.asBooleanExpression`): e.g. `a = NULL`, `a > 'x'`, `a BETWEEN 5 AND 1`,
//! `0.0` (below `Double.MIN_VALUE`) and `'x' AND b = 1` are refused as in Java 4.9.7.

use std::fmt;

use super::grammar::Syn;
use super::lexer::Sym;
use super::value::{java_compare, java_double_string, Value};

/// A compiled selector expression (the Java expression classes).
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    /// ConstantExpression; TRUE/FALSE/NULL are BooleanConstantExpressions.
    Const(Const),
    Property(String),
    Negate(Box<Expr>),
    Not(Box<Expr>),
    BoolCast(Box<Expr>),
    And(Box<Expr>, Box<Expr>),
    Or(Box<Expr>, Box<Expr>),
    /// `doCreateEqual` (also `IS NULL`, as `x = NULL`).
    Equal(Box<Expr>, Box<Expr>),
    /// `>`, `>=`, `<`, `<=`.
    Compare(Sym, Box<Expr>, Box<Expr>),
    In {
        property: String,
        list: Vec<String>,
        not: bool,
    },
}

/// A constant's value.
#[derive(Debug, Clone, PartialEq)]
pub enum Const {
    Null,
    Bool(bool),
    Int(i32),
    Long(i64),
    Double(f64),
    Str(String),
}

impl Const {
    pub fn value(&self) -> Value<'_> {
        match self {
            Const::Null => Value::Null,
            Const::Bool(b) => Value::Bool(*b),
            Const::Int(v) => Value::Int(*v),
            Const::Long(v) => Value::Long(*v),
            Const::Double(v) => Value::Double(*v),
            Const::Str(s) => Value::Str(s),
        }
    }
}

/// Why an expression is refused: the Java exception's `toString()` (the remark Java sends).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuildError(pub String);

fn runtime(msg: String) -> BuildError {
    BuildError(format!("java.lang.RuntimeException: {msg}"))
}

impl Expr {
    /// Java `instanceof BooleanExpression`.
    fn is_boolean(&self) -> bool {
        match self {
            Expr::Const(c) => matches!(c, Const::Null | Const::Bool(_)),
            Expr::Property(_) | Expr::Negate(_) => false,
            _ => true,
        }
    }
}

fn bx(e: Expr) -> Box<Expr> {
    Box::new(e)
}

/// `SelectorParser.asBooleanExpression`.
fn as_boolean(e: Expr) -> Result<Expr, BuildError> {
    if e.is_boolean() {
        return Ok(e);
    }
    if let Expr::Property(_) = e {
        return Ok(Expr::BoolCast(bx(e)));
    }
    Err(BuildError(format!(
        "org.apache.rocketmq.filter.parser.ParseException: Expression will not result in a boolean value: {e}"
    )))
}

fn check_equal_operand(e: &Expr) -> Result<(), BuildError> {
    match e {
        Expr::Const(Const::Null) => Err(runtime(format!("'{e}' cannot be compared."))),
        _ => Ok(()),
    }
}

fn check_less_than_operand(e: &Expr) -> Result<(), BuildError> {
    let bad = match e {
        Expr::Const(c) => !matches!(c, Const::Int(_) | Const::Long(_) | Const::Double(_)),
        other => other.is_boolean(),
    };
    if bad {
        return Err(runtime(format!("Value '{e}' cannot be compared.")));
    }
    Ok(())
}

fn create_equal(l: Expr, r: Expr) -> Result<Expr, BuildError> {
    check_equal_operand(&l)?;
    check_equal_operand(&r)?;
    if let (Expr::Const(_), Expr::Const(_)) = (&l, &r) {
        if l.is_boolean() && !r.is_boolean() {
            return Err(runtime(format!("'{l}' cannot be compared with '{r}'")));
        }
    }
    Ok(Expr::Equal(bx(l), bx(r)))
}

fn create_compare(op: Sym, l: Expr, r: Expr) -> Result<Expr, BuildError> {
    check_less_than_operand(&l)?;
    check_less_than_operand(&r)?;
    Ok(Expr::Compare(op, bx(l), bx(r)))
}

fn create_between(value: Expr, low: Expr, high: Expr) -> Result<Expr, BuildError> {
    if let (Expr::Const(lc), Expr::Const(hc)) = (&low, &high) {
        let (lv, hv) = (lc.value(), hc.value());
        if lv == Value::Null || hv == Value::Null {
            return Err(runtime(
                "Illegal values of between, values can not be null!".into(),
            ));
        }
        let ret = java_compare(&hv, &lv).map_err(|e| runtime(e.0))?;
        if ret < 0 {
            return Err(runtime(format!(
                "Illegal values of between, left value({lv}) must less than or equal to right value({hv})"
            )));
        }
    }
    let ge = create_compare(Sym::Ge, value.clone(), low)?;
    let le = create_compare(Sym::Le, value, high)?;
    Ok(Expr::And(bx(ge), bx(le)))
}

fn create_decimal(text: &str) -> Result<Expr, BuildError> {
    let t = text.strip_suffix(['l', 'L']).unwrap_or(text);
    let v: i64 = t.parse().map_err(|_| {
        BuildError(format!(
            "java.lang.NumberFormatException: For input string: \"{t}\""
        ))
    })?;
    Ok(Expr::Const(match i32::try_from(v) {
        Ok(i) => Const::Int(i),
        Err(_) => Const::Long(v),
    }))
}

fn create_float(text: &str) -> Result<Expr, BuildError> {
    let v: f64 = text.parse().map_err(|_| {
        BuildError(format!(
            "java.lang.NumberFormatException: For input string: \"{text}\""
        ))
    })?;
    if v > f64::MAX {
        return Err(runtime(format!(
            "{text} is greater than 1.7976931348623157E308"
        )));
    }
    // Java compares with Double.MIN_VALUE, the smallest *positive* double: 0.0 is refused.
    if v < f64::from_bits(1) {
        return Err(runtime(format!("{text} is less than 4.9E-324")));
    }
    Ok(Expr::Const(Const::Double(v)))
}

/// Builds the expression the way Java's parser actions do, children first, left to right.
pub fn build(s: Syn) -> Result<Expr, BuildError> {
    Ok(match s {
        Syn::Or(l, r) => Expr::Or(bx(as_boolean(build(*l)?)?), bx(as_boolean(build(*r)?)?)),
        Syn::And(l, r) => Expr::And(bx(as_boolean(build(*l)?)?), bx(as_boolean(build(*r)?)?)),
        Syn::Eq(l, r) => create_equal(build(*l)?, build(*r)?)?,
        Syn::Ne(l, r) => Expr::Not(bx(create_equal(build(*l)?, build(*r)?)?)),
        Syn::IsNull(v) => Expr::Equal(bx(build(*v)?), bx(Expr::Const(Const::Null))),
        Syn::IsNotNull(v) => Expr::Not(bx(Expr::Equal(
            bx(build(*v)?),
            bx(Expr::Const(Const::Null)),
        ))),
        Syn::Cmp(op, l, r) => create_compare(op, build(*l)?, build(*r)?)?,
        Syn::Between {
            not,
            value,
            low,
            high,
        } => {
            let (v, lo, hi) = (build(*value)?, build(*low)?, build(*high)?);
            if not {
                let lt = create_compare(Sym::Lt, v.clone(), lo)?;
                let gt = create_compare(Sym::Gt, v, hi)?;
                Expr::Or(bx(lt), bx(gt))
            } else {
                create_between(v, lo, hi)?
            }
        }
        Syn::In { not, value, list } => match build(*value)? {
            Expr::Property(property) => Expr::In {
                property,
                list,
                not,
            },
            other => {
                return Err(runtime(format!(
                    "Expected a property for In expression, got: {other}"
                )))
            }
        },
        Syn::Negate(e) => Expr::Negate(bx(build(*e)?)),
        Syn::Not(e) => Expr::Not(bx(as_boolean(build(*e)?)?)),
        Syn::Decimal(t) => create_decimal(&t)?,
        Syn::Float(t) => create_float(&t)?,
        Syn::Str(s) => Expr::Const(Const::Str(s)),
        Syn::True => Expr::Const(Const::Bool(true)),
        Syn::False => Expr::Const(Const::Bool(false)),
        Syn::Null => Expr::Const(Const::Null),
        Syn::Property(p) => Expr::Property(p),
    })
}

/// The whole selector: built, then required to be boolean (Java `JmsSelector`).
pub fn build_selector(s: Syn) -> Result<Expr, BuildError> {
    as_boolean(build(s)?)
}

fn sym_text(s: Sym) -> &'static str {
    match s {
        Sym::Gt => ">",
        Sym::Ge => ">=",
        Sym::Lt => "<",
        Sym::Le => "<=",
        _ => "?",
    }
}

impl fmt::Display for Const {
    /// `ConstantExpression.toString`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Const::Null => f.write_str("NULL"),
            Const::Bool(true) => f.write_str("TRUE"),
            Const::Bool(false) => f.write_str("FALSE"),
            Const::Int(v) => write!(f, "{v}"),
            Const::Long(v) => write!(f, "{v}"),
            Const::Double(v) => f.write_str(&java_double_string(*v)),
            Const::Str(s) => write!(f, "'{}'", s.replace('\'', "''")),
        }
    }
}

impl fmt::Display for Expr {
    /// The Java expressions' `toString`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Expr::Const(c) => write!(f, "{c}"),
            Expr::Property(p) => f.write_str(p),
            Expr::Negate(e) => write!(f, "(- {e})"),
            Expr::Not(e) => write!(f, "(NOT {e})"),
            Expr::BoolCast(e) => write!(f, "{e}"),
            Expr::And(l, r) => write!(f, "({l} && {r})"),
            Expr::Or(l, r) => write!(f, "({l} || {r})"),
            Expr::Equal(l, r) => write!(f, "({l} == {r})"),
            Expr::Compare(op, l, r) => write!(f, "({l} {} {r})", sym_text(*op)),
            Expr::In {
                property,
                list,
                not,
            } => write!(
                f,
                "{property} {} ( {} )",
                if *not { "NOT IN" } else { "IN" },
                list.join(", ")
            ),
        }
    }
}
