//! Host facts used as defaults (host name, local address, home directory) and the `host:port`
//! check shared by namesrvAddr and haMasterAddress.

use std::net::{Ipv4Addr, UdpSocket};
use std::path::PathBuf;
use std::sync::OnceLock;

/// The host name (Java's default brokerName), or `DEFAULT_BROKER` if it cannot be read.
pub(crate) fn local_hostname() -> String {
    static NAME: OnceLock<String> = OnceLock::new();
    NAME.get_or_init(|| {
        hostname::get()
            .ok()
            .and_then(|h| h.into_string().ok())
            .filter(|h| !h.is_empty())
            .unwrap_or_else(|| "DEFAULT_BROKER".to_owned())
    })
    .clone()
}

/// The address other hosts most likely reach us on (default brokerIP1).
///
/// Java walks the interfaces (first non-loopback IPv4 outside 192.168/16, else the last IPv4).
/// We ask the kernel which source address it would use for an outside destination (a UDP
/// `connect` sends nothing); without a route we fall back to 127.0.0.1. Set brokerIP1 in any
/// multi-host deployment.
pub(crate) fn local_address() -> String {
    static ADDR: OnceLock<String> = OnceLock::new();
    ADDR.get_or_init(|| {
        let probe = || -> std::io::Result<std::net::IpAddr> {
            let socket = UdpSocket::bind((Ipv4Addr::UNSPECIFIED, 0))?;
            socket.connect((Ipv4Addr::new(192, 0, 2, 1), 9))?;
            Ok(socket.local_addr()?.ip())
        };
        match probe() {
            Ok(ip) if !ip.is_unspecified() => ip.to_string(),
            _ => Ipv4Addr::LOCALHOST.to_string(),
        }
    })
    .clone()
}

/// `$HOME` (Java's `user.home`), or the current directory if unset.
pub(crate) fn home_dir() -> PathBuf {
    std::env::var_os("HOME")
        .filter(|h| !h.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("."))
}

/// Checks `host:port` the way Java's `string2SocketAddress` splits it (at the last `:`), plus a
/// valid non-zero port and a host without blanks. `Err` says what is wrong.
pub(crate) fn check_host_port(addr: &str) -> Result<(), String> {
    let Some((host, port)) = addr.rsplit_once(':') else {
        return Err(format!("`{addr}` has no `:port`"));
    };
    if host.is_empty() || host.contains(char::is_whitespace) {
        return Err(format!("`{addr}` has no valid host before the port"));
    }
    match port.parse::<u16>() {
        Ok(p) if p > 0 && port.bytes().all(|b| b.is_ascii_digit()) => Ok(()),
        _ => Err(format!("`{addr}` has no valid port (1..=65535)")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_port_checks() {
        assert!(check_host_port("rocketmq-nameserver1:9876").is_ok());
        assert!(check_host_port("::1:9876").is_ok());
        assert!(check_host_port("host").is_err());
        assert!(check_host_port(":9876").is_err());
        assert!(check_host_port("host:0").is_err());
        assert!(check_host_port("host:70000").is_err());
        assert!(check_host_port("host:+80").is_err());
    }
}
