//! The demo's output: the per-broker table (role, addresses, messages stored, replication
//! offset and lag, restarts) and the list of checks with the final PASS/FAIL line.

use std::time::Duration;

use rocketactor::broker::node::replica::HaStatus;

use crate::nodes::Node;
use crate::traffic::TOPIC;

/// A master with a slave that reported an offset, or a slave (nothing to wait for).
pub fn attached_or_slave(n: &Node) -> bool {
    match n.handle.as_ref().map(|h| h.ha_status()) {
        Some(HaStatus::Master { slaves }) => slaves.iter().any(|s| s.acked_offset >= 0),
        Some(HaStatus::Slave(_)) => true,
        None => false,
    }
}

fn max_phys(n: &Node) -> Option<i64> {
    n.handle
        .as_ref()
        .map(|h| h.broker.store.reader().max_phys_offset())
}

/// Every running slave's commit log ends where its running master's does.
pub fn replicas_in_sync(nodes: &[Node]) -> bool {
    nodes.iter().filter(|n| n.cfg.broker_id != 0).all(|s| {
        let master = nodes
            .iter()
            .find(|m| m.cfg.broker_id == 0 && m.cfg.broker_name == s.cfg.broker_name);
        match (master.and_then(max_phys), max_phys(s)) {
            (Some(m), Some(sl)) => m == sl,
            _ => true,
        }
    })
}

fn stored(n: &Node) -> i64 {
    n.handle.as_ref().map_or(0, |h| {
        let r = h.broker.store.reader();
        (0..8).map(|q| r.max_offset_in_queue(TOPIC, q).max(0)).sum()
    })
}

pub fn print_table(nodes: &[Node]) {
    println!();
    println!(
        "{:<10} {:<11} {:<16} {:<19} {:>7} {:>12} {:>6} {:>8}",
        "broker", "role", "client addr", "HA addr", "stored", "repl offset", "lag", "restarts"
    );
    for n in nodes {
        let Some(h) = n.handle.as_ref() else {
            println!("{:<10} (stopped)", n.label);
            continue;
        };
        let (ha_addr, offset, lag) = match h.ha_status() {
            HaStatus::Master { slaves } => {
                let best = slaves.iter().map(|s| s.acked_offset).max().unwrap_or(-1);
                let lag = slaves
                    .iter()
                    .map(|s| s.lag)
                    .min()
                    .map_or("-".into(), |l| l.to_string());
                (
                    format!("{}:{}", n.cfg.effective_broker_ip2(), n.cfg.ha_port()),
                    best,
                    lag,
                )
            }
            HaStatus::Slave(s) => {
                let master = nodes
                    .iter()
                    .find(|m| m.cfg.broker_id == 0 && m.cfg.broker_name == n.cfg.broker_name)
                    .and_then(max_phys);
                let lag =
                    master.map_or("-".into(), |m| (m - s.local_max_offset).max(0).to_string());
                (
                    format!("-> {}", s.master_addr.unwrap_or_default()),
                    s.local_max_offset,
                    lag,
                )
            }
        };
        println!(
            "{:<10} {:<11} {:<16} {:<19} {:>7} {:>12} {:>6} {:>8}",
            n.label,
            n.cfg.broker_role.as_str(),
            h.client_addr(),
            ha_addr,
            stored(n),
            offset,
            lag,
            n.restarts()
        );
    }
}

/// The demo's checks, printed as they are made.
#[derive(Default)]
pub struct Checks {
    failed: Vec<String>,
    passed: usize,
}

impl Checks {
    pub fn expect(&mut self, ok: bool, what: String) {
        println!("  [{}] {what}", if ok { " ok " } else { "FAIL" });
        if ok {
            self.passed += 1;
        } else {
            self.failed.push(what);
        }
    }

    pub fn fail(&mut self, what: String) {
        self.expect(false, what);
    }

    /// Prints the verdict; true on PASS.
    pub fn report(&self, elapsed: Duration) -> bool {
        println!();
        if self.failed.is_empty() && self.passed > 0 {
            println!(
                "PASS: {} checks in {:.1} s",
                self.passed,
                elapsed.as_secs_f64()
            );
            true
        } else {
            println!(
                "FAIL: {} of {} checks failed in {:.1} s",
                self.failed.len(),
                self.failed.len() + self.passed,
                elapsed.as_secs_f64()
            );
            false
        }
    }
}
