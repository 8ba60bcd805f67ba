//! Client-side identities: the producer-generated message id (`UNIQ_KEY`, Java
//! `MessageClientIDSetter`), the client id brokers list per group (`ip@instance`), and parsing
//! of the broker's offsetMsgId back into a broker address and commit-log offset.
//!
//! UNIQ_KEY (docs/protocol.md §4.5): client IPv4 (4 B) + pid (i16) + per-process random i32 (Java
//! uses the class loader's hash) + milliseconds since the start of the current month (i32) +
//! a counter (i16), rendered as 32 upper-case hex digits. Unlike Java we take the month start
//! in UTC: the value only has to be unique, and no client decodes its time.

use std::net::{IpAddr, Ipv4Addr, UdpSocket};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::OnceLock;

use crate::store::message::decode_offset_msg_id;
use crate::store::time::now_ms;

/// The IPv4 address other hosts most likely reach us on; 127.0.0.1 when there is no route.
///
/// Connecting a UDP socket sends nothing; it only asks the kernel which interface it would use.
pub fn local_ip() -> Ipv4Addr {
    static IP: OnceLock<Ipv4Addr> = OnceLock::new();
    *IP.get_or_init(|| {
        let probe = || -> std::io::Result<IpAddr> {
            let s = UdpSocket::bind("0.0.0.0:0")?;
            s.connect("192.0.2.1:9")?;
            Ok(s.local_addr()?.ip())
        };
        match probe() {
            Ok(IpAddr::V4(ip)) if !ip.is_unspecified() => ip,
            _ => Ipv4Addr::LOCALHOST,
        }
    })
}

/// The fixed 10-byte prefix of every UNIQ_KEY this process generates.
fn fixed_prefix() -> &'static [u8; 10] {
    static PREFIX: OnceLock<[u8; 10]> = OnceLock::new();
    PREFIX.get_or_init(|| {
        let mut p = [0u8; 10];
        p[..4].copy_from_slice(&local_ip().octets());
        p[4..6].copy_from_slice(&(std::process::id() as u16).to_be_bytes());
        // Distinguishes processes that reuse a pid; Java uses a class loader's hash here.
        let salt = (now_ms() as u32) ^ std::process::id().rotate_left(16) ^ stack_entropy();
        p[6..10].copy_from_slice(&salt.to_be_bytes());
        p
    })
}

/// A few bits of per-process address-space randomness (ASLR).
fn stack_entropy() -> u32 {
    let x = 0u8;
    (&x as *const u8 as usize as u64 >> 4) as u32
}

/// Milliseconds since 00:00 UTC on the first day of the month containing `ms`.
pub fn millis_since_month_start(ms: i64) -> i64 {
    let days = ms.div_euclid(86_400_000);
    // Civil-from-days (Howard Hinnant): only the day of the month is needed.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day_of_month = doy - (153 * mp + 2) / 5; // 0-based
    (day_of_month) * 86_400_000 + ms.rem_euclid(86_400_000)
}

/// A new producer-side message id (UNIQ_KEY), 32 upper-case hex digits.
pub fn new_unique_id() -> String {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let mut raw = [0u8; 16];
    raw[..10].copy_from_slice(fixed_prefix());
    let since = millis_since_month_start(now_ms()) as i32;
    raw[10..14].copy_from_slice(&since.to_be_bytes());
    let n = COUNTER.fetch_add(1, Ordering::Relaxed) as u16;
    raw[14..16].copy_from_slice(&n.to_be_bytes());
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut id = String::with_capacity(32);
    for b in raw {
        id.push(char::from(HEX[usize::from(b >> 4)]));
        id.push(char::from(HEX[usize::from(b & 0xF)]));
    }
    id
}

/// A client id `ip@pid#n`, unique per client object in this process: brokers list consumers
/// by it and queue allocation needs distinct ids even for two consumers in one process.
pub fn new_client_id() -> String {
    static N: AtomicU32 = AtomicU32::new(0);
    format!(
        "{}@{}#{}",
        local_ip(),
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    )
}

/// Decodes an offsetMsgId into the broker address (`ip:port`) and the commit-log offset.
pub fn parse_offset_msg_id(id: &str) -> Option<(String, i64)> {
    decode_offset_msg_id(id).map(|(addr, off)| (addr.to_string(), off))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::message::offset_msg_id;

    #[test]
    fn unique_ids_are_distinct_hex_with_our_ip() {
        let a = new_unique_id();
        let b = new_unique_id();
        assert_eq!(a.len(), 32);
        assert_ne!(a, b);
        assert!(a
            .chars()
            .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_lowercase()));
        let ip: String = local_ip()
            .octets()
            .iter()
            .map(|o| format!("{o:02X}"))
            .collect();
        assert!(a.starts_with(&ip));
    }

    #[test]
    fn month_start_arithmetic() {
        // 2024-03-01T00:00:00Z = 1709251200000.
        assert_eq!(millis_since_month_start(1_709_251_200_000), 0);
        assert_eq!(
            millis_since_month_start(1_709_251_200_000 - 1),
            29 * 86_400_000 - 1
        );
        // 2024-03-15T12:00:00Z.
        let ms = 1_709_251_200_000 + 14 * 86_400_000 + 12 * 3_600_000;
        assert_eq!(
            millis_since_month_start(ms),
            14 * 86_400_000 + 12 * 3_600_000
        );
    }

    #[test]
    fn offset_msg_id_parses_to_broker_addr() {
        let id = offset_msg_id(&"10.1.2.3:10911".parse().unwrap(), 123_456);
        assert_eq!(
            parse_offset_msg_id(&id),
            Some(("10.1.2.3:10911".to_owned(), 123_456))
        );
        assert_eq!(parse_offset_msg_id("not-an-id"), None);
        let v6 = offset_msg_id(&"[::1]:10911".parse().unwrap(), 7);
        assert_eq!(
            parse_offset_msg_id(&v6),
            Some(("[::1]:10911".to_owned(), 7))
        );
    }

    #[test]
    fn client_ids_differ_per_object() {
        assert_ne!(new_client_id(), new_client_id());
    }
}
