//! `messageDelayLevel`: the delay of each level ("1s 5s 10s ... 2h"), as Java's
//! `ScheduleMessageService.parseDelayLevel` reads it (units s, m, h, d).

use std::time::Duration;

use thiserror::Error;

/// Why a `messageDelayLevel` value cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum DelayLevelError {
    #[error("no delay levels")]
    Empty,
    #[error("level {level} `{token}`: {reason}")]
    BadLevel {
        /// 1-based level number.
        level: usize,
        token: String,
        reason: &'static str,
    },
}

/// Parses space-separated levels such as `1s 5s 10s 30s 1m 2h 1d` (level 1 first).
pub fn parse_delay_levels(text: &str) -> Result<Vec<Duration>, DelayLevelError> {
    let levels: Vec<Duration> = text
        .split_whitespace()
        .enumerate()
        .map(|(i, token)| parse_level(i + 1, token))
        .collect::<Result<_, _>>()?;
    if levels.is_empty() {
        return Err(DelayLevelError::Empty);
    }
    Ok(levels)
}

fn parse_level(level: usize, token: &str) -> Result<Duration, DelayLevelError> {
    let bad = |reason| DelayLevelError::BadLevel {
        level,
        token: token.to_owned(),
        reason,
    };
    let split = token.len() - token.chars().last().map_or(0, char::len_utf8);
    let (number, unit) = token.split_at(split);
    let unit_secs: u64 = match unit {
        "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86_400,
        _ => return Err(bad("unit must be s, m, h or d")),
    };
    if number.is_empty() || !number.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad("expected a whole number before the unit"));
    }
    let n: u64 = number.parse().map_err(|_| bad("number too large"))?;
    let secs = n
        .checked_mul(unit_secs)
        .ok_or_else(|| bad("number too large"))?;
    Ok(Duration::from_secs(secs))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_levels_parse() {
        let levels =
            parse_delay_levels("1s 5s 10s 30s 1m 2m 3m 4m 5m 6m 7m 8m 9m 10m 20m 30m 1h 2h")
                .unwrap();
        assert_eq!(levels.len(), 18);
        assert_eq!(levels[0], Duration::from_secs(1));
        assert_eq!(levels[17], Duration::from_secs(7200));
    }

    #[test]
    fn bad_levels_are_named() {
        assert_eq!(parse_delay_levels("  "), Err(DelayLevelError::Empty));
        let err = parse_delay_levels("1s 5x").unwrap_err();
        assert_eq!(err.to_string(), "level 2 `5x`: unit must be s, m, h or d");
        assert!(parse_delay_levels("1s ms").is_err());
        assert_eq!(
            parse_delay_levels("1d").unwrap(),
            vec![Duration::from_secs(86_400)]
        );
    }
}
