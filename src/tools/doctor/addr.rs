//! Address helpers of `doctor`: split `host:port`, derive the fast-channel and HA addresses the
//! way RocketMQ does, and tell loopback/private addresses from ones a remote client can use.

use std::net::IpAddr;

/// What kind of address a host is, as far as reaching it from elsewhere goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AddrClass {
    /// 127.0.0.0/8 or ::1: usable only on the broker's own machine.
    Loopback,
    /// 0.0.0.0 or ::: a bind address, never a destination.
    Unspecified,
    /// RFC 1918, carrier-grade NAT (100.64/10), link-local, IPv6 ULA: behind some NAT.
    Private,
    /// Anything else that parses as an IP address.
    Public,
    /// A host name (resolved by whoever connects).
    Name,
}

/// Splits `host:port`; `None` when there is no numeric port.
pub fn split_host_port(addr: &str) -> Option<(&str, u16)> {
    let (host, port) = addr.rsplit_once(':')?;
    let port = port.parse().ok()?;
    Some((host.trim_start_matches('[').trim_end_matches(']'), port))
}

/// `addr` with its port moved by `delta` (the fast channel is `-2`, HA is `+1`); `None` when
/// the address has no port or the result is out of range.
pub fn offset_port(addr: &str, delta: i32) -> Option<String> {
    let (host, port) = split_host_port(addr)?;
    let moved = u16::try_from(i32::from(port) + delta)
        .ok()
        .filter(|p| *p > 0)?;
    Some(join(host, moved))
}

/// `host:port`, bracketing IPv6 hosts.
pub fn join(host: &str, port: u16) -> String {
    if host.contains(':') {
        format!("[{host}]:{port}")
    } else {
        format!("{host}:{port}")
    }
}

/// Classifies a host (without port).
pub fn classify(host: &str) -> AddrClass {
    let Ok(ip) = host.parse::<IpAddr>() else {
        return AddrClass::Name;
    };
    if ip.is_loopback() {
        return AddrClass::Loopback;
    }
    if ip.is_unspecified() {
        return AddrClass::Unspecified;
    }
    let private = match ip {
        IpAddr::V4(v4) => {
            let o = v4.octets();
            v4.is_private() || v4.is_link_local() || (o[0] == 100 && (o[1] & 0xc0) == 64)
        }
        IpAddr::V6(v6) => {
            let s = v6.segments()[0];
            (s & 0xfe00) == 0xfc00 || (s & 0xffc0) == 0xfe80
        }
    };
    if private {
        AddrClass::Private
    } else {
        AddrClass::Public
    }
}

/// The HA address a master advertises, from its GET_BROKER_CONFIG lines: `brokerIP2` (else
/// `brokerIP1`) with `haAdvertisedPort` (our extension key), else `haListenPort`, else
/// `listenPort + 1`.
pub fn ha_addr_from_config(
    broker_ip1: Option<&str>,
    broker_ip2: Option<&str>,
    listen_port: Option<&str>,
    ha_listen_port: Option<&str>,
) -> Option<String> {
    ha_addr_advertised(broker_ip1, broker_ip2, listen_port, ha_listen_port, None)
}

/// [`ha_addr_from_config`] with the `haAdvertisedPort` line.
pub fn ha_addr_advertised(
    broker_ip1: Option<&str>,
    broker_ip2: Option<&str>,
    listen_port: Option<&str>,
    ha_listen_port: Option<&str>,
    ha_advertised_port: Option<&str>,
) -> Option<String> {
    let host = broker_ip2.or(broker_ip1)?;
    let port_of = |p: Option<&str>| {
        p.and_then(|p| p.trim().parse::<u16>().ok())
            .filter(|p| *p > 0)
    };
    let port = match port_of(ha_advertised_port).or(port_of(ha_listen_port)) {
        Some(p) => p,
        None => listen_port?.parse::<u16>().ok()?.checked_add(1)?,
    };
    Some(join(host, port))
}

/// The fast-channel address to probe: the registered address's host with
/// `brokerAdvertisedFastPort` when the broker's config names one.
pub fn fast_addr_advertised(addr: &str, advertised_fast_port: Option<&str>) -> Option<String> {
    let port = advertised_fast_port?
        .trim()
        .parse::<u16>()
        .ok()
        .filter(|p| *p > 0)?;
    let (host, _) = split_host_port(addr)?;
    Some(join(host, port))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ports_are_derived_like_rocketmq() {
        assert_eq!(split_host_port("1.2.3.4:10911"), Some(("1.2.3.4", 10911)));
        assert_eq!(split_host_port("[::1]:10911"), Some(("::1", 10911)));
        assert_eq!(split_host_port("nohost"), None);
        assert_eq!(offset_port("h:10911", -2).as_deref(), Some("h:10909"));
        assert_eq!(offset_port("h:10911", 1).as_deref(), Some("h:10912"));
        assert_eq!(offset_port("h:1", -2), None);
        assert_eq!(offset_port("h:65535", 1), None);
        assert_eq!(offset_port("[::1]:5", -2).as_deref(), Some("[::1]:3"));
    }

    #[test]
    fn addresses_are_classified() {
        assert_eq!(classify("127.0.0.1"), AddrClass::Loopback);
        assert_eq!(classify("0.0.0.0"), AddrClass::Unspecified);
        for p in [
            "10.1.2.3",
            "172.16.0.1",
            "192.168.107.129",
            "100.64.0.1",
            "fd00::1",
        ] {
            assert_eq!(classify(p), AddrClass::Private, "{p}");
        }
        assert_eq!(classify("198.18.0.2"), AddrClass::Public);
        assert_eq!(classify("rocketmq-master1"), AddrClass::Name);
    }

    #[test]
    fn ha_address_prefers_ip2_and_ha_listen_port() {
        let f = ha_addr_from_config;
        assert_eq!(
            f(Some("a"), Some("b"), Some("10911"), None).as_deref(),
            Some("b:10912")
        );
        assert_eq!(
            f(Some("a"), None, Some("10911"), Some("20000")).as_deref(),
            Some("a:20000")
        );
        assert_eq!(
            f(Some("a"), None, Some("10911"), Some("0")).as_deref(),
            Some("a:10912")
        );
        assert_eq!(f(None, None, Some("10911"), None), None);
    }
}
