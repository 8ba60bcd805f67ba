//! The values a selector computes with and Java's rules for comparing them: the boxed types of
//! `ComparisonExpression.__compare` (Boolean, Integer, Long, Double, String) with its
//! conversions (a string property against a number is parsed with `Integer.valueOf`,
//! `Long.valueOf` or `Double.valueOf` after the number's type; a failed parse is an error),
//! and Java's `Double.toString` / `Double.compareTo` / `Boolean.valueOf(String)`.

use std::cmp::Ordering;
use std::fmt;

/// A Java value: `null`, `Boolean`, `Integer`, `Long`, `Double` or `String`.
#[derive(Debug, Clone, PartialEq)]
pub enum Value<'a> {
    Null,
    Bool(bool),
    Int(i32),
    Long(i64),
    Double(f64),
    Str(&'a str),
}

/// An evaluation error (a Java exception thrown by the expression): the message no match.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct EvalError(pub String);

fn nfe(s: &str) -> EvalError {
    EvalError(format!(
        "java.lang.NumberFormatException: For input string: \"{s}\""
    ))
}

/// Java `Integer.valueOf(String)` / `Long.valueOf(String)`: an optional sign and ASCII
/// digits, no white space, in range.
fn parse_java_integer(s: &str) -> Option<i64> {
    let (neg, digits) = match s.as_bytes().first()? {
        b'-' => (true, &s[1..]),
        b'+' => (false, &s[1..]),
        _ => (false, s),
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    // Accumulate negatively so i64::MIN fits.
    let mut acc: i64 = 0;
    for b in digits.bytes() {
        acc = acc.checked_mul(10)?.checked_sub(i64::from(b - b'0'))?;
    }
    if neg {
        Some(acc)
    } else {
        acc.checked_neg()
    }
}

pub fn java_parse_int(s: &str) -> Result<i32, EvalError> {
    parse_java_integer(s)
        .and_then(|v| i32::try_from(v).ok())
        .ok_or_else(|| nfe(s))
}

pub fn java_parse_long(s: &str) -> Result<i64, EvalError> {
    parse_java_integer(s).ok_or_else(|| nfe(s))
}

/// Java `Double.valueOf(String)`: trimmed (chars ≤ U+0020), optional sign, `NaN`,
/// `Infinity`, or decimal digits with an optional fraction and exponent and an optional
/// `f`/`F`/`d`/`D` suffix. (Hexadecimal floats are not accepted here.)
pub fn java_parse_double(s: &str) -> Result<f64, EvalError> {
    let t = s.trim_matches(|c: char| c <= ' ');
    let (neg, body) = match t.as_bytes().first() {
        Some(b'-') => (true, &t[1..]),
        Some(b'+') => (false, &t[1..]),
        _ => (false, t),
    };
    let sign = if neg { -1.0 } else { 1.0 };
    if body == "NaN" {
        return Ok(f64::NAN);
    }
    if body == "Infinity" {
        return Ok(sign * f64::INFINITY);
    }
    let core = body.strip_suffix(['f', 'F', 'd', 'D']).unwrap_or(body);
    let b = core.as_bytes();
    let mut i = 0;
    let int_start = i;
    while i < b.len() && b[i].is_ascii_digit() {
        i += 1;
    }
    let mut n_digits = i - int_start;
    if i < b.len() && b[i] == b'.' {
        i += 1;
        let f = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        n_digits += i - f;
    }
    if n_digits == 0 {
        return Err(nfe(s));
    }
    if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
        i += 1;
        if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
            i += 1;
        }
        let e = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        if i == e {
            return Err(nfe(s));
        }
    }
    if i != b.len() {
        return Err(nfe(s));
    }
    core.parse::<f64>().map(|v| sign * v).map_err(|_| nfe(s))
}

/// Java `Double.compare`: numeric order, then -0.0 < 0.0 and NaN above everything.
pub fn java_double_compare(a: f64, b: f64) -> Ordering {
    if a < b {
        return Ordering::Less;
    }
    if a > b {
        return Ordering::Greater;
    }
    let bits = |v: f64| {
        if v.is_nan() {
            0x7ff8_0000_0000_0000u64 as i64
        } else {
            v.to_bits() as i64
        }
    };
    bits(a).cmp(&bits(b))
}

/// Java `Double.toString`.
pub fn java_double_string(d: f64) -> String {
    if d.is_nan() {
        return "NaN".into();
    }
    if d.is_infinite() {
        return if d > 0.0 { "Infinity" } else { "-Infinity" }.into();
    }
    let a = d.abs();
    if a == 0.0 || (1e-3..1e7).contains(&a) {
        let s = format!("{d}");
        return if s.contains('.') { s } else { format!("{s}.0") };
    }
    let s = format!("{d:e}");
    match s.split_once('e') {
        Some((m, e)) if m.contains('.') => format!("{m}E{e}"),
        Some((m, e)) => format!("{m}.0E{e}"),
        None => s,
    }
}

impl fmt::Display for Value<'_> {
    /// Java `String.valueOf` of the boxed value.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Null => f.write_str("null"),
            Value::Bool(b) => write!(f, "{b}"),
            Value::Int(v) => write!(f, "{v}"),
            Value::Long(v) => write!(f, "{v}"),
            Value::Double(v) => f.write_str(&java_double_string(*v)),
            Value::Str(s) => f.write_str(s),
        }
    }
}

fn ord(o: Ordering) -> i32 {
    match o {
        Ordering::Less => -1,
        Ordering::Equal => 0,
        Ordering::Greater => 1,
    }
}

/// `ComparisonExpression.__compare(lv, rv, convertStringExpressions = true)`: the sign of
/// `lv.compareTo(rv)` after Java's conversions; -1 for types it cannot convert. Both values
/// are non-null.
pub fn java_compare(lv: &Value<'_>, rv: &Value<'_>) -> Result<i32, EvalError> {
    use Value::*;
    let r = match (lv, rv) {
        (Bool(a), Bool(b)) => a.cmp(b),
        (Int(a), Int(b)) => a.cmp(b),
        (Long(a), Long(b)) => a.cmp(b),
        (Double(a), Double(b)) => java_double_compare(*a, *b),
        (Str(a), Str(b)) => a.encode_utf16().cmp(b.encode_utf16()),
        // Java casts the Boolean to String here: a ClassCastException.
        (Bool(_), Str(_)) => return Err(EvalError(
            "java.lang.ClassCastException: java.lang.Boolean cannot be cast to java.lang.String"
                .into(),
        )),
        (Int(a), Long(b)) => i64::from(*a).cmp(b),
        (Int(a), Double(b)) => java_double_compare(f64::from(*a), *b),
        (Int(a), Str(b)) => a.cmp(&java_parse_int(b)?),
        (Long(a), Int(b)) => a.cmp(&i64::from(*b)),
        (Long(a), Double(b)) => java_double_compare(*a as f64, *b),
        (Long(a), Str(b)) => a.cmp(&java_parse_long(b)?),
        (Double(a), Int(b)) => java_double_compare(*a, f64::from(*b)),
        (Double(a), Long(b)) => java_double_compare(*a, *b as f64),
        (Double(a), Str(b)) => java_double_compare(*a, java_parse_double(b)?),
        (Str(a), Bool(b)) => a.eq_ignore_ascii_case("true").cmp(b),
        (Str(a), Int(b)) => java_parse_int(a)?.cmp(b),
        (Str(a), Long(b)) => java_parse_long(a)?.cmp(b),
        (Str(a), Double(b)) => java_double_compare(java_parse_double(a)?, *b),
        _ => return Ok(-1),
    };
    Ok(ord(r))
}

/// Java `Object.equals` between two boxed values (same class and equal; `Double.equals`
/// compares bits, so NaN equals NaN).
pub fn java_equals(lv: &Value<'_>, rv: &Value<'_>) -> bool {
    use Value::*;
    match (lv, rv) {
        (Double(a), Double(b)) => java_double_compare(*a, *b) == Ordering::Equal,
        (Null, _) | (_, Null) => false,
        _ => lv == rv,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn java_number_parsing() {
        assert_eq!(java_parse_int("+12"), Ok(12));
        assert_eq!(java_parse_int("-2147483648"), Ok(i32::MIN));
        assert!(java_parse_int("2147483648").is_err());
        assert!(java_parse_int(" 1").is_err());
        assert!(java_parse_int("1.0").is_err());
        assert_eq!(java_parse_long("-9223372036854775808"), Ok(i64::MIN));
        assert!(java_parse_long("9223372036854775808").is_err());
        assert_eq!(java_parse_double(" 1.5d "), Ok(1.5));
        assert_eq!(java_parse_double("5."), Ok(5.0));
        assert_eq!(java_parse_double(".5e1"), Ok(5.0));
        assert_eq!(java_parse_double("-Infinity"), Ok(f64::NEG_INFINITY));
        assert!(java_parse_double("NaN").is_ok_and(f64::is_nan));
        for bad in ["", ".", "1e", "inf", "nan", "1.5x", "e5", "1,5"] {
            assert!(java_parse_double(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn java_double_strings() {
        assert_eq!(java_double_string(5.5), "5.5");
        assert_eq!(java_double_string(3.0), "3.0");
        assert_eq!(java_double_string(1e10), "1.0E10");
        assert_eq!(java_double_string(1.5e-5), "1.5E-5");
    }

    #[test]
    fn compare_conversions() {
        use Value::*;
        assert_eq!(java_compare(&Str("5"), &Int(3)), Ok(1));
        assert!(java_compare(&Str("5.5"), &Int(3)).is_err());
        assert_eq!(java_compare(&Str("5.5"), &Double(3.0)), Ok(1));
        assert_eq!(
            java_compare(&Str("3000000000"), &Long(3_000_000_000)),
            Ok(0)
        );
        assert_eq!(java_compare(&Str("TRUE"), &Bool(true)), Ok(0));
        assert_eq!(java_compare(&Str("yes"), &Bool(false)), Ok(0));
        assert!(java_compare(&Bool(true), &Str("true")).is_err());
        assert_eq!(java_compare(&Bool(true), &Int(1)), Ok(-1));
        assert_eq!(java_compare(&Int(1), &Bool(true)), Ok(-1));
        assert_eq!(
            java_compare(&Double(f64::NAN), &Double(f64::INFINITY)),
            Ok(1)
        );
        assert_eq!(java_compare(&Double(-0.0), &Double(0.0)), Ok(-1));
    }
}
