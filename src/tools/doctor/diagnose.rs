//! The rules of `doctor`: turn [`Observations`] into a [`Report`]. Pure functions, no I/O.
//!
//! Name servers must answer and agree on every broker's address; every broker's advertised
//! address and its fast channel (port - 2) must answer a real request and belong to the broker
//! the name servers say; the HA side is judged in `ha`.

use std::collections::{BTreeMap, BTreeSet};

use super::addr::{classify, split_host_port, AddrClass};
use super::ha;
use super::observe::{BrokerObs, Observations, Outcome};
use super::report::{BrokerRow, Cell, Finding, Level, NamesrvRow, Report};

/// Diagnoses everything observed.
pub fn diagnose(obs: &Observations) -> Report {
    let mut r = Report::default();
    namesrvs(obs, &mut r);
    agreement(obs, &mut r);
    for b in &obs.brokers {
        let row = broker_row(obs, b, &mut r.findings);
        r.brokers.push(row);
    }
    r
}

fn namesrvs(obs: &Observations, r: &mut Report) {
    if obs.namesrvs.is_empty() {
        r.findings.push(Finding {
            level: Level::Fail,
            subject: "name servers".into(),
            problem: "no name server address given".into(),
            cause: "--namesrv is empty".into(),
            fix: "give --namesrv HOST:PORT[;HOST:PORT] (or NAMESRV_ADDR)".into(),
        });
    }
    for n in &obs.namesrvs {
        match &n.cluster {
            Ok(info) => {
                let brokers: usize = info
                    .broker_addr_table
                    .values()
                    .map(|b| b.broker_addrs.len())
                    .sum();
                r.namesrvs.push(NamesrvRow {
                    addr: n.addr.clone(),
                    level: Level::Ok,
                    text: format!(
                        "{brokers} broker address(es) in {} cluster(s)",
                        info.cluster_addr_table.len()
                    ),
                });
            }
            Err(e) => {
                r.namesrvs.push(NamesrvRow {
                    addr: n.addr.clone(),
                    level: Level::Fail,
                    text: e.clone(),
                });
                r.findings.push(Finding {
                    level: Level::Fail,
                    subject: format!("name server {}", n.addr),
                    problem: format!("GET_BROKER_CLUSTER_INFO failed: {e}"),
                    cause: "the name server is down, the address is wrong, or its port is not \
                            forwarded to it"
                        .into(),
                    fix: format!(
                        "start it or correct the address; behind NAT forward port {} to the name \
                         server (and, for brokers behind the same NAT, enable hairpin NAT)",
                        split_host_port(&n.addr).map_or(9876, |(_, p)| p)
                    ),
                });
            }
        }
    }
}

/// Each reachable name server must list the same address for every (cluster, name, id).
fn agreement(obs: &Observations, r: &mut Report) {
    let reachable: Vec<&str> = obs
        .namesrvs
        .iter()
        .filter(|n| n.cluster.is_ok())
        .map(|n| n.addr.as_str())
        .collect();
    let mut by_key: BTreeMap<(&str, &str, i64), BTreeMap<&str, &str>> = BTreeMap::new();
    for b in &obs.brokers {
        let per_ns = by_key
            .entry((b.cluster.as_str(), b.name.as_str(), b.id))
            .or_default();
        for ns in &b.listed_by {
            per_ns.insert(ns.as_str(), b.addr.as_str());
        }
    }
    for ((_, name, id), per_ns) in &by_key {
        let addrs: BTreeSet<&str> = per_ns.values().copied().collect();
        let missing: Vec<&str> = reachable
            .iter()
            .copied()
            .filter(|ns| !per_ns.contains_key(ns))
            .collect();
        if addrs.len() <= 1 && missing.is_empty() {
            continue;
        }
        let says: Vec<String> = reachable
            .iter()
            .map(|ns| format!("{ns}: {}", per_ns.get(ns).copied().unwrap_or("(absent)")))
            .collect();
        let (cause, fix) = if addrs.len() > 1 {
            (
                "two brokers share this name and id, or the broker re-registered under a new \
                 brokerIP1/listenPort (the stale entry expires after 120 s)"
                    .to_owned(),
                "give every broker a unique brokerName/brokerId pair and a fixed brokerIP1"
                    .to_owned(),
            )
        } else {
            (
                format!(
                    "the broker cannot register with {}: it cannot reach that name server from \
                     where it runs (a broker behind NAT reaches a name server behind the same NAT \
                     only through hairpin NAT or by its private address), or it is not in the \
                     broker's namesrvAddr",
                    missing.join(", ")
                ),
                "check the broker's namesrvAddr and that every name server is reachable from \
                 the broker's host"
                    .to_owned(),
            )
        };
        r.findings.push(Finding {
            level: Level::Fail,
            subject: format!("{name}/{id}"),
            problem: format!("name servers disagree: {}", says.join("; ")),
            cause,
            fix,
        });
    }
    // A broker name with slaves but no master: sends to it fail.
    let mut masters: BTreeMap<(&str, &str), bool> = BTreeMap::new();
    for b in &obs.brokers {
        *masters.entry((&b.cluster, &b.name)).or_default() |= b.id == 0;
    }
    for ((_, name), has_master) in masters {
        if !has_master {
            r.findings.push(Finding {
                level: Level::Warn,
                subject: name.to_owned(),
                problem: "no master registered: sends to this broker fail, consumers read from \
                          its slaves"
                    .into(),
                cause: "the master is down or cannot reach the name servers".into(),
                fix: "start the master (brokerId=0) or fix its namesrvAddr".into(),
            });
        }
    }
}

fn broker_row(obs: &Observations, b: &BrokerObs, findings: &mut Vec<Finding>) -> BrokerRow {
    let subject = format!("{} {}", b.label(), b.addr);
    let client = client_cell(b, &subject, findings);
    let fast = fast_cell(b, &subject, findings);
    identity(b, &subject, findings);
    let ha = ha::cell(obs, b, &subject, findings);
    let role = b
        .runtime_value("brokerRole")
        .map(str::to_owned)
        .unwrap_or_else(|| if b.id == 0 { "MASTER?" } else { "SLAVE?" }.to_owned());
    let mine = findings
        .iter()
        .filter(|f| f.subject == subject)
        .map(|f| f.level);
    let verdict = [client.level, fast.level, ha.level]
        .into_iter()
        .chain(mine)
        .max()
        .unwrap_or(Level::Ok);
    BrokerRow {
        cluster: b.cluster.clone(),
        name: b.name.clone(),
        id: b.id,
        role,
        addr: b.addr.clone(),
        client,
        fast,
        ha,
        verdict,
    }
}

fn client_cell(b: &BrokerObs, subject: &str, findings: &mut Vec<Finding>) -> Cell {
    let Some(outcome) = &b.client else {
        return Cell::new(Level::Fail, "bad address");
    };
    if outcome.is_ok() {
        return Cell::new(Level::Ok, "ok");
    }
    let (host, port) = split_host_port(&b.addr).unwrap_or((b.addr.as_str(), 0));
    let (cause, fix) = match (classify(host), outcome) {
        (AddrClass::Loopback | AddrClass::Unspecified, _) => (
            format!("brokerIP1 is {host}: the broker advertises an address only it can use"),
            "set brokerIP1 to the address clients connect to (behind NAT: the router's public \
             address, with listenPort forwarded)"
                .to_owned(),
        ),
        (AddrClass::Private, o) if o.is_unreachable() => (
            format!("brokerIP1 {host} is a private address not reachable from here"),
            format!(
                "set brokerIP1 to the public address clients reach and forward port {port} to the \
                 broker's listenPort"
            ),
        ),
        (_, Outcome::Refused) => (
            format!(
                "nothing accepts connections at {}: the broker is down, or the NAT has no \
                 forward for port {port}",
                b.addr
            ),
            format!("start the broker, or forward {host}:{port} to the broker's listenPort"),
        ),
        (_, Outcome::BadAnswer(_)) => (
            format!(
                "{} accepts connections but does not answer as a RocketMQ broker",
                b.addr
            ),
            format!("check that port {port} is forwarded to the broker's listenPort, not to another service"),
        ),
        _ => (
            format!("{host} is not reachable from here (routing or a firewall)"),
            format!("open or forward port {port} to the broker, or correct brokerIP1"),
        ),
    };
    findings.push(Finding {
        level: Level::Fail,
        subject: subject.to_owned(),
        problem: format!("{port} (listenPort, client address) not usable: {outcome}"),
        cause,
        fix,
    });
    Cell::new(Level::Fail, outcome.short())
}

fn fast_cell(b: &BrokerObs, subject: &str, findings: &mut Vec<Finding>) -> Cell {
    let Some(outcome) = &b.fast else {
        return Cell::na("n/a");
    };
    if outcome.is_ok() {
        return Cell::new(Level::Ok, "ok");
    }
    let client_ok = b.client.as_ref().is_some_and(Outcome::is_ok);
    if client_ok {
        let (host, port) = split_host_port(&b.addr).unwrap_or((b.addr.as_str(), 2));
        let fast = port.saturating_sub(2);
        findings.push(Finding {
            level: Level::Fail,
            subject: subject.to_owned(),
            problem: format!(
                "{fast} (fast channel, listenPort-2) not reachable at {host}:{fast}: {outcome}"
            ),
            cause: format!(
                "clients with the VIP channel on (the Java 4.x default) send and administer \
                 through port {fast}; only {port} is forwarded or listening"
            ),
            fix: format!(
                "forward listenPort-2 ({host}:{fast}) to the broker like listenPort, or have \
                 clients disable the VIP channel (Java: setVipChannelEnabled(false) or \
                 -Dcom.rocketmq.sendMessageWithVIPChannel=false)"
            ),
        });
    }
    // When the client address fails too, its finding already says the broker is unreachable.
    Cell::new(Level::Fail, outcome.short())
}

/// The address must answer as the broker the name servers list there (a forward to the wrong
/// VM, or two brokers sharing a brokerIP1:listenPort behind a NAT, shows up here).
fn identity(b: &BrokerObs, subject: &str, findings: &mut Vec<Finding>) {
    let (Some(name), Some(id)) = (b.config_value("brokerName"), b.config_value("brokerId")) else {
        return;
    };
    if name == b.name && id.parse::<i64>().ok() == Some(b.id) {
        return;
    }
    let port = split_host_port(&b.addr).map_or(0, |(_, p)| p);
    findings.push(Finding {
        level: Level::Fail,
        subject: subject.to_owned(),
        problem: format!(
            "{} answers as {name}/{id}, but the name servers list it as {}",
            b.addr,
            b.label()
        ),
        cause: "the port forward (or brokerIP1:listenPort) points at another broker".into(),
        fix: format!(
            "forward port {port} to {}'s listenPort, and give each broker behind one NAT its own \
             listenPort",
            b.label()
        ),
    });
}
