//! serde helpers that read JSON scalars as leniently as fastjson: numbers given as strings,
//! strings given as numbers, booleans given as strings, and `null` taken as the default.

use serde::de::{self, Deserializer};
use serde::Deserialize;
use serde_json::Value;

fn scalar<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Value>, D::Error> {
    let v = Option::<Value>::deserialize(d)?;
    Ok(v.filter(|v| !v.is_null()))
}

/// An i64 from a number, a numeric string, or null (0).
pub fn i64<'de, D: Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
    match scalar(d)? {
        None => Ok(0),
        Some(Value::Number(n)) => n
            .as_i64()
            .or_else(|| n.as_f64().map(|f| f as i64))
            .ok_or_else(|| de::Error::custom(format!("{n} is not an integer"))),
        Some(Value::String(s)) => s
            .trim()
            .parse()
            .map_err(|_| de::Error::custom(format!("`{s}` is not an integer"))),
        Some(Value::Bool(b)) => Ok(i64::from(b)),
        Some(other) => Err(de::Error::custom(format!(
            "expected an integer, got {other}"
        ))),
    }
}

/// An i32 from a number, a numeric string, or null (0).
pub fn i32<'de, D: Deserializer<'de>>(d: D) -> Result<i32, D::Error> {
    let v = i64(d)?;
    i32::try_from(v).map_err(|_| de::Error::custom(format!("{v} does not fit in 32 bits")))
}

/// A bool from a boolean, "true"/"false" (any case), a number (non-zero), or null (false).
pub fn bool<'de, D: Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    Ok(match scalar(d)? {
        None => false,
        Some(Value::Bool(b)) => b,
        Some(Value::String(s)) => s.trim().eq_ignore_ascii_case("true"),
        Some(Value::Number(n)) => n.as_f64().map(|f| f != 0.0).unwrap_or(false),
        Some(other) => {
            return Err(de::Error::custom(format!(
                "expected a boolean, got {other}"
            )))
        }
    })
}

/// A string from a string, a number or a boolean (their text form), or null (empty).
pub fn string<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    Ok(match scalar(d)? {
        None => String::new(),
        Some(Value::String(s)) => s,
        Some(other) => other.to_string(),
    })
}

/// An optional string, with the same leniency as [`string`].
pub fn opt_string<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(match scalar(d)? {
        None => None,
        Some(Value::String(s)) => Some(s),
        Some(other) => Some(other.to_string()),
    })
}
