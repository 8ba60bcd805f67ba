//! The one helper for ports a test must choose before a server starts. Everything that can
//! bind port 0 itself does so and reads its address back (in-process listeners' `local_addr`,
//! processes' "listening on" log line, see [`super::procs`]); only a broker that must come
//! back on the same addresses after a restart, or whose ports stand in a fixed relation (fast
//! channel `listenPort - 2`, HA `listenPort + 1`), needs a pre-chosen port. Such a port can be
//! taken by someone else between the probe and the bind: callers retry start-up on a bind
//! failure ([`super::Cluster::broker_on_free_ports`]).

use std::net::TcpListener;

/// A listen port `p` such that `p - 2` (fast channel), `p` and `p + 1` (HA) are free on
/// 127.0.0.1 now. Probes OS-chosen ports (bounded tries).
pub fn free_port_triple() -> u16 {
    for _ in 0..200 {
        let Ok(probe) = TcpListener::bind("127.0.0.1:0") else {
            continue;
        };
        let Ok(addr) = probe.local_addr() else {
            continue;
        };
        let p = addr.port();
        drop(probe);
        if !(1026..=65000).contains(&p) {
            continue;
        }
        let all_free = [p - 2, p, p + 1]
            .iter()
            .all(|q| TcpListener::bind(("127.0.0.1", *q)).is_ok());
        if all_free {
            return p;
        }
    }
    panic!("no free port triple found on 127.0.0.1");
}

/// How many fresh port triples a start-up tries before giving up.
pub const BIND_TRIES: usize = 5;

/// Whether an error text is a bind failure on a taken port.
pub fn is_addr_in_use(text: &str) -> bool {
    let t = text.to_ascii_lowercase();
    t.contains("address already in use") || t.contains("addrinuse") || t.contains("os error 98")
}
