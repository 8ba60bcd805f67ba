//! The replication rules of `doctor`. A master's HA address (`brokerIP2:listenPort+1`) only has
//! to be reachable from its slaves, which may sit on a private network the operator cannot see,
//! so the slave's own report (GET_BROKER_RUNTIME_INFO: `haConnected`, `haMasterAddr`,
//! `haLocalMaxOffset`) is the authority; the connect from here explains a failure.

use super::addr::{classify, split_host_port, AddrClass};
use super::observe::{BrokerObs, Observations};
use super::report::{Cell, Finding, Level};

/// The HA cell of `b`'s row, pushing findings about it.
pub fn cell(obs: &Observations, b: &BrokerObs, subject: &str, findings: &mut Vec<Finding>) -> Cell {
    if b.id == 0 {
        master(obs, b, subject, findings)
    } else {
        slave(obs, b, subject, findings)
    }
}

fn slaves_of<'a>(obs: &'a Observations, m: &BrokerObs) -> Vec<&'a BrokerObs> {
    let mut v: Vec<&BrokerObs> = obs
        .brokers
        .iter()
        .filter(|s| s.cluster == m.cluster && s.name == m.name && s.id != 0)
        .collect();
    v.dedup_by_key(|s| s.id);
    v
}

fn master_of<'a>(obs: &'a Observations, s: &BrokerObs) -> Option<&'a BrokerObs> {
    obs.brokers
        .iter()
        .find(|m| m.cluster == s.cluster && m.name == s.name && m.id == 0)
}

fn connected(s: &BrokerObs) -> bool {
    s.runtime_value("haConnected") == Some("true")
}

fn master(obs: &Observations, m: &BrokerObs, subject: &str, findings: &mut Vec<Finding>) -> Cell {
    let slaves = slaves_of(obs, m);
    let slave_num = m.runtime_value("haSlaveNum").unwrap_or("?");
    if m.runtime_value("brokerRole") == Some("SYNC_MASTER") && slave_num == "0" {
        let none_registered = slaves.is_empty();
        findings.push(Finding {
            level: if none_registered {
                Level::Warn
            } else {
                Level::Fail
            },
            subject: subject.to_owned(),
            problem: "SYNC_MASTER without a connected slave: sends answer SLAVE_NOT_AVAILABLE"
                .into(),
            cause: if none_registered {
                "no slave of this broker is registered".into()
            } else {
                "its slaves cannot reach the master's HA address (see the slave's problem)".into()
            },
            fix: "start a slave that can reach brokerIP2:listenPort+1, or make it ASYNC_MASTER"
                .into(),
        });
    }
    let Some(ha) = &m.ha else {
        return Cell::na("unknown");
    };
    if ha.outcome.is_ok() {
        return Cell::new(Level::Ok, format!("{} ok, slaves {slave_num}", ha.addr));
    }
    if slaves.iter().any(|s| connected(s)) {
        // Private replication network: fine as long as the slaves get there.
        return Cell::new(
            Level::Ok,
            format!("{} (not from here), slaves {slave_num}", ha.addr),
        );
    }
    if !slaves.is_empty() {
        // The slave's finding explains it.
        return Cell::new(Level::Fail, format!("{} {}", ha.addr, ha.outcome.short()));
    }
    let port = split_host_port(&ha.addr).map_or(0, |(_, p)| p);
    findings.push(Finding {
        level: Level::Warn,
        subject: subject.to_owned(),
        problem: format!(
            "HA address {} not reachable from here: {}",
            ha.addr, ha.outcome
        ),
        cause: "no slave is registered to say whether it reaches it".into(),
        fix: format!(
            "a slave elsewhere needs brokerIP2 set to an address it can reach, with port {port} \
             (listenPort+1) forwarded"
        ),
    });
    Cell::new(Level::Warn, format!("{} {}", ha.addr, ha.outcome.short()))
}

fn slave(obs: &Observations, s: &BrokerObs, subject: &str, findings: &mut Vec<Finding>) -> Cell {
    let Some(state) = s.runtime_value("haConnected") else {
        return Cell::na(if s.runtime.is_some() { "unknown" } else { "?" });
    };
    let master = master_of(obs, s);
    let ha_addr = s.runtime_value("haMasterAddr").unwrap_or("");
    if state == "true" {
        let master_max = master
            .and_then(|m| m.runtime_value("commitLogMaxOffset"))
            .and_then(|v| v.parse::<i64>().ok());
        let local = s
            .runtime_value("haLocalMaxOffset")
            .and_then(|v| v.parse::<i64>().ok());
        let lag = match (master_max, local) {
            (Some(m), Some(l)) => format!("lag {}", (m - l).max(0)),
            _ => "lag ?".to_owned(),
        };
        if let Some(expected) = master.and_then(|m| m.ha.as_ref()).map(|h| &h.addr) {
            if expected != ha_addr {
                findings.push(Finding {
                    level: Level::Warn,
                    subject: subject.to_owned(),
                    problem: format!(
                        "replicates from {ha_addr}, but the master advertises {expected}"
                    ),
                    cause: "haMasterAddress is fixed in the slave's configuration, or the \
                            master's brokerIP2 changed"
                        .into(),
                    fix: "remove haMasterAddress from the slave or make it match".into(),
                });
            }
        }
        return Cell::new(Level::Ok, format!("<- {ha_addr} {lag}"));
    }
    let (cause, fix) = not_replicating(master, ha_addr);
    findings.push(Finding {
        level: Level::Fail,
        subject: subject.to_owned(),
        problem: format!(
            "slave is not replicating (haConnected={state}, master HA address {})",
            if ha_addr.is_empty() {
                "unknown"
            } else {
                ha_addr
            }
        ),
        cause,
        fix,
    });
    let target = if ha_addr.is_empty() { "?" } else { ha_addr };
    Cell::new(Level::Fail, format!("<- {target} down"))
}

/// The likely cause and fix of a slave that is not connected to `ha_addr`.
fn not_replicating(master: Option<&BrokerObs>, ha_addr: &str) -> (String, String) {
    let master_up = master.is_some_and(|m| m.client.as_ref().is_some_and(|o| o.is_ok()));
    if ha_addr.is_empty() {
        return (
            "the slave has not learned its master's HA address: the master is down, not \
             registered on the slave's name servers, or registered after the slave (a slave \
             learns it at its next registration, every 30 s)"
                .into(),
            "start the master and check both brokers' namesrvAddr; start masters before their \
             slaves"
                .into(),
        );
    }
    if !master_up {
        return (
            "the master is not running or not reachable".into(),
            "start the master; the slave reconnects by itself".into(),
        );
    }
    let (host, port) = split_host_port(ha_addr).unwrap_or((ha_addr, 0));
    let from_here = master.and_then(|m| m.ha.as_ref()).map(|h| &h.outcome);
    match (classify(host), from_here) {
        (AddrClass::Loopback | AddrClass::Unspecified, _) => (
            format!("brokerIP2 of the master is {host}, usable only on the master's machine"),
            "set the master's brokerIP2 to an address the slave can reach".into(),
        ),
        (AddrClass::Private, _) => (
            format!("brokerIP2 {host} is a private address not reachable from the slave"),
            format!(
                "set the master's brokerIP2 to an address the slave can reach (behind NAT: the \
                 public address, with listenPort+1 ({port}) forwarded), or put the slave on the \
                 master's private network"
            ),
        ),
        (_, Some(o)) if !o.is_ok() => (
            format!("the master's HA address {ha_addr} is not reachable (from here either: {o})"),
            format!(
                "forward listenPort+1 ({port}) to the master, or set brokerIP2 to an address the \
                 slave can reach"
            ),
        ),
        _ => (
            format!("{ha_addr} is reachable from here but apparently not from the slave"),
            format!("check the route and firewall from the slave's host to {ha_addr}"),
        ),
    }
}
