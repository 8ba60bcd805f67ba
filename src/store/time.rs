//! Wall-clock helpers: milliseconds since the epoch, and local-time breakdowns for the index
//! file names (`yyyyMMddHHmmssSSS`, local zone, as Java writes them) and the `deleteWhen` hour.

use std::time::{SystemTime, UNIX_EPOCH};

/// Milliseconds since the Unix epoch.
pub fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

fn local_tm(ms: i64) -> libc::tm {
    let secs: libc::time_t = (ms.div_euclid(1000)) as libc::time_t;
    // SAFETY: `tm` is plain old data; localtime_r only writes into the struct we pass.
    let mut tm: libc::tm = unsafe { std::mem::zeroed() };
    // SAFETY: both pointers are valid for the duration of the call.
    unsafe {
        libc::localtime_r(&secs, &mut tm);
    }
    tm
}

/// Local hour (0–23) of `ms`.
pub fn local_hour(ms: i64) -> u32 {
    u32::try_from(local_tm(ms).tm_hour).unwrap_or(0)
}

/// `yyyyMMddHHmmssSSS` in the local time zone: RocketMQ's index file name.
pub fn index_file_name(ms: i64) -> String {
    let tm = local_tm(ms);
    format!(
        "{:04}{:02}{:02}{:02}{:02}{:02}{:03}",
        tm.tm_year + 1900,
        tm.tm_mon + 1,
        tm.tm_mday,
        tm.tm_hour,
        tm.tm_min,
        tm.tm_sec,
        ms.rem_euclid(1000)
    )
}
