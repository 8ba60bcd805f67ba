//! White-list address patterns, as Java's `RemoteAddressStrategyFactory` (acl/plain) reads
//! them: blank (matches nothing), `*` (everything), `a.b.c.{x,y}` and `a,b` (a set),
//! `a.b.c.10-20` / `a.b.*.*` (a range on the first `*` or `-` part), or one address. IPv6
//! addresses are compared in their expanded form (`AclUtils.expandIP`). See docs/acl.md.

use std::net::{Ipv4Addr, Ipv6Addr};

/// A compiled white-list entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AddressPattern {
    /// Blank pattern: never matches (Java `BlankRemoteAddressStrategy`).
    Blank,
    /// `*`, `*.*.*.*`: always matches (Java `NullRemoteAddressStrategy`).
    Any,
    /// A set of exact addresses (IPv6 ones expanded).
    Multiple(Vec<String>),
    /// One exact address (kept expanded for IPv6).
    One(String),
    /// Addresses starting with `head` whose part number `index` lies in `start..=end`.
    Range {
        head: String,
        index: usize,
        start: u32,
        end: u32,
        v6: bool,
    },
}

/// Why a pattern was refused; the text is Java's `AclException` message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct PatternError(pub String);

fn is_v4(s: &str) -> bool {
    s.parse::<Ipv4Addr>().is_ok()
}

fn is_v6(s: &str) -> bool {
    s.parse::<Ipv6Addr>().is_ok()
}

/// Java `AclUtils.expandIP`: upper case, `::` widened to `part` groups, each group padded to 4.
pub fn expand_ip(addr: &str, part: usize) -> String {
    let mut a = addr.to_uppercase();
    let colons = a.matches(':').count();
    if part > colons {
        let pad = ":".repeat(part - colons + 1);
        a = a.replace("::", &pad);
    }
    a.split(':')
        .map(|g| format!("{g:0>4}"))
        .collect::<Vec<_>>()
        .join(":")
}

fn bad(addr: &str) -> PatternError {
    PatternError(format!("Netaddress examine Exception netaddress is {addr}"))
}

fn scope_err(addr: &str) -> PatternError {
    PatternError(format!(
        "Netaddress examine scope Exception netaddress is {addr}"
    ))
}

impl AddressPattern {
    /// Compiles a white-list entry; `None` or blank gives [`AddressPattern::Blank`].
    pub fn parse(pattern: Option<&str>) -> Result<AddressPattern, PatternError> {
        let p = match pattern.map(str::trim) {
            None | Some("") => return Ok(AddressPattern::Blank),
            Some(p) => p,
        };
        if p == "*" || p == "*.*.*.*" || p == "*:*:*:*:*:*:*:*" {
            return Ok(AddressPattern::Any);
        }
        if p.ends_with('}') {
            let sep = if p.contains(':') { ':' } else { '.' };
            let parts: Vec<&str> = p.split(sep).filter(|s| !s.is_empty()).collect();
            if sep == '.' && parts.len() < 4 {
                return Err(PatternError(format!(
                    "MultipleRemoteAddressStrategy has got a/some wrong format IP(s) {p}"
                )));
            }
            let last = parts.last().copied().unwrap_or_default();
            let (Some(brace), true) = (p.find('{'), last.starts_with('{')) else {
                return Err(PatternError(format!(
                    "MultipleRemoteAddressStrategy netaddress examine scope Exception netaddress {p}"
                )));
            };
            let head = &p[..brace];
            let inner = &last[1..last.len() - 1];
            let all: Vec<String> = inner
                .split(',')
                .filter(|s| !s.is_empty())
                .map(|s| format!("{head}{s}"))
                .collect();
            return Self::multiple(&all);
        }
        if p.contains(',') {
            let all: Vec<String> = p
                .split(',')
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect();
            return Self::multiple(&all);
        }
        if p.contains('*') || p.contains('-') {
            return Self::range(p);
        }
        if is_v4(p) {
            Ok(AddressPattern::One(p.to_owned()))
        } else if is_v6(p) {
            Ok(AddressPattern::One(expand_ip(p, 8)))
        } else {
            Err(bad(p))
        }
    }

    fn multiple(all: &[String]) -> Result<AddressPattern, PatternError> {
        let mut set = Vec::with_capacity(all.len());
        for a in all {
            if is_v4(a) {
                set.push(a.clone());
            } else if is_v6(a) {
                set.push(expand_ip(a, 8));
            } else {
                return Err(bad(a));
            }
        }
        Ok(AddressPattern::Multiple(set))
    }

    fn range(p: &str) -> Result<AddressPattern, PatternError> {
        let v6 = p.contains(':');
        let (sep, max, radix) = if v6 {
            (':', 0xffff, 16)
        } else {
            ('.', 255, 10)
        };
        let parts: Vec<&str> = p.split(sep).filter(|s| !s.is_empty()).collect();
        if !v6 && parts.len() != 4 {
            return Err(scope_err(p));
        }
        if v6 {
            let star = p.find('*');
            if star.is_some_and(|i| i != p.len() - 1) {
                return Err(scope_err(p));
            }
        }
        // The first part that is `*` or `a-b` decides the range (Java `analysis`).
        for (index, raw) in parts.iter().enumerate().skip(1) {
            let value = raw.trim();
            let (start, end) = if value == "*" {
                (0, max)
            } else if let Some((a, b)) = value.split_once('-') {
                if a.is_empty() {
                    return Err(PatternError(format!(
                        "RangeRemoteAddressStrategy netaddress examine scope Exception value {value} "
                    )));
                }
                let a = u32::from_str_radix(a.trim(), radix).map_err(|_| scope_err(p))?;
                let b = u32::from_str_radix(b.trim(), radix).map_err(|_| scope_err(p))?;
                if a > max || b > max || a > b {
                    return Err(PatternError(format!(
                        "RangeRemoteAddressStrategy netaddress examine scope Exception start is {a} , end is {b}"
                    )));
                }
                (a, b)
            } else {
                continue;
            };
            if end == 0 {
                continue;
            }
            // The parts before the range must be valid numbers (Java `AclUtils.verify`).
            for prefix in &parts[..index] {
                match u32::from_str_radix(prefix.trim(), radix) {
                    Ok(n) if n <= max => {}
                    _ => return Err(scope_err(p)),
                }
            }
            let head = if v6 {
                let expanded = expand_ip(&parts[..index].join(":"), index);
                format!("{expanded}:")
            } else {
                parts[..index]
                    .iter()
                    .map(|s| format!("{}.", s.trim()))
                    .collect::<String>()
            };
            return Ok(AddressPattern::Range {
                head,
                index,
                start,
                end,
                v6,
            });
        }
        Err(scope_err(p))
    }

    /// Whether `addr` (a host without port, as the broker saw the peer) matches.
    pub fn matches(&self, addr: &str) -> bool {
        match self {
            AddressPattern::Blank => false,
            AddressPattern::Any => true,
            AddressPattern::Multiple(set) => {
                let a = if is_v6(addr) {
                    expand_ip(addr, 8)
                } else {
                    addr.to_owned()
                };
                set.contains(&a)
            }
            AddressPattern::One(one) => {
                if is_v6(addr) {
                    *one == expand_ip(addr, 8)
                } else {
                    one == addr
                }
            }
            AddressPattern::Range {
                head,
                index,
                start,
                end,
                v6,
            } => {
                if !*v6 && is_v4(addr) {
                    let Some(rest) = addr.strip_prefix(head.as_str()) else {
                        return false;
                    };
                    let value = rest.split('.').next().unwrap_or_default();
                    value.parse::<u32>().is_ok_and(|v| v >= *start && v <= *end)
                } else if *v6 && is_v6(addr) {
                    let full = expand_ip(addr, 8);
                    if !full.starts_with(head.as_str()) {
                        return false;
                    }
                    let at = 5 * index;
                    full.get(at..at + 4)
                        .and_then(|g| u32::from_str_radix(g, 16).ok())
                        .is_some_and(|v| v >= *start && v <= *end)
                } else {
                    false
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> AddressPattern {
        AddressPattern::parse(Some(s)).unwrap()
    }

    #[test]
    fn any_and_blank() {
        assert!(p("*").matches("10.1.2.3"));
        assert!(p("*.*.*.*").matches("127.0.0.1"));
        assert!(!AddressPattern::parse(None).unwrap().matches("127.0.0.1"));
        assert!(!p("  ").matches("127.0.0.1"));
    }

    #[test]
    fn braces_and_commas() {
        let b = p("192.168.0.{100,101}");
        assert!(b.matches("192.168.0.100"));
        assert!(b.matches("192.168.0.101"));
        assert!(!b.matches("192.168.0.102"));
        let c = p("10.0.0.1,10.0.0.2");
        assert!(c.matches("10.0.0.2"));
        assert!(!c.matches("10.0.0.3"));
    }

    #[test]
    fn ranges() {
        let r = p("192.168.1.100-200");
        assert!(r.matches("192.168.1.100"));
        assert!(r.matches("192.168.1.200"));
        assert!(!r.matches("192.168.1.99"));
        assert!(!r.matches("192.168.2.150"));
        let s = p("192.168.*.*");
        assert!(s.matches("192.168.7.9"));
        assert!(!s.matches("192.169.7.9"));
        let t = p("127.0.0.*");
        assert!(t.matches("127.0.0.1"));
        let mid = p("10.10-20.*.*");
        assert!(mid.matches("10.15.3.4"));
        assert!(!mid.matches("10.21.3.4"));
    }

    #[test]
    fn one_address_and_v6() {
        assert!(p("127.0.0.1").matches("127.0.0.1"));
        assert!(!p("127.0.0.1").matches("127.0.0.2"));
        assert!(p("::1").matches("0:0:0:0:0:0:0:1"));
        assert_eq!(
            expand_ip("::1", 8),
            "0000:0000:0000:0000:0000:0000:0000:0001"
        );
        let r = p("1050:0:0:0:5:600:300c:*");
        assert!(r.matches("1050::5:600:300c:326b"));
    }

    #[test]
    fn bad_patterns() {
        assert!(AddressPattern::parse(Some("1.2.3")).is_err());
        assert!(AddressPattern::parse(Some("300.1.1.1")).is_err());
        assert!(AddressPattern::parse(Some("1.2.3.200-100")).is_err());
        assert!(AddressPattern::parse(Some("1.2.3.{4")).is_err());
        assert!(AddressPattern::parse(Some("1.2.{3,4}.5}")).is_err());
    }
}
