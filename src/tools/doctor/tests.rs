//! The rules on made-up observations of the seed's topology (host1 public, three VMs behind
//! host2's NAT): healthy, then one misconfiguration at a time.

use std::collections::BTreeMap;

use super::*;
use crate::protocol::cluster::ClusterInfo;
use crate::protocol::route::BrokerData;

const NS1: &str = "202.199.6.118:9876";
const NS2: &str = "219.216.64.216:9876";

fn map(kv: &[(&str, &str)]) -> BTreeMap<String, String> {
    kv.iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn broker(name: &str, id: i64, addr: &str, ip2: &str, port: &str, role: &str) -> BrokerObs {
    let mut runtime = map(&[("brokerRole", role), ("commitLogMaxOffset", "1000")]);
    if id == 0 {
        runtime.insert("haSlaveNum".into(), "1".into());
    } else {
        runtime.insert("haConnected".into(), "true".into());
        runtime.insert("haLocalMaxOffset".into(), "1000".into());
    }
    let ip1 = addr.split(':').next().unwrap_or_default();
    let id_s = id.to_string();
    BrokerObs {
        cluster: "rocketmq-cluster".into(),
        name: name.into(),
        id,
        addr: addr.into(),
        listed_by: vec![NS1.into(), NS2.into()],
        client: Some(Outcome::Answered),
        fast: Some(Outcome::Answered),
        runtime: Some(runtime),
        config: Some(map(&[
            ("brokerName", name),
            ("brokerId", &id_s),
            ("brokerIP1", ip1),
            ("brokerIP2", ip2),
            ("listenPort", port),
            ("haListenPort", ""),
        ])),
        ha: None,
    }
}

fn cluster_info(brokers: &[BrokerObs]) -> ClusterInfo {
    let mut info = ClusterInfo::default();
    for b in brokers {
        info.broker_addr_table
            .entry(b.name.clone())
            .or_insert_with(|| BrokerData::new(&b.cluster, &b.name))
            .broker_addrs
            .insert(b.id, b.addr.clone());
        info.cluster_addr_table
            .entry(b.cluster.clone())
            .or_default()
            .insert(b.name.clone());
    }
    info
}

/// The seed, healthy: master-b's brokerIP2 is private (not reachable from the operator) but its
/// slave replicates over the private network.
fn seed() -> Observations {
    let mut a = broker(
        "broker-a",
        0,
        "202.199.6.118:10911",
        "202.199.6.118",
        "10911",
        "SYNC_MASTER",
    );
    a.ha = Some(HaObs {
        addr: "202.199.6.118:10912".into(),
        outcome: Outcome::Answered,
    });
    let mut a_s = broker(
        "broker-a",
        1,
        "219.216.64.216:11913",
        "192.168.107.128",
        "11913",
        "SLAVE",
    );
    a_s.runtime
        .as_mut()
        .unwrap()
        .insert("haMasterAddr".into(), "202.199.6.118:10912".into());
    let mut b = broker(
        "broker-b",
        0,
        "219.216.64.216:10911",
        "192.168.107.129",
        "10911",
        "SYNC_MASTER",
    );
    b.ha = Some(HaObs {
        addr: "192.168.107.129:10912".into(),
        outcome: Outcome::Unreachable("Network is unreachable".into()),
    });
    let mut b_s = broker(
        "broker-b",
        1,
        "219.216.64.216:12915",
        "192.168.107.130",
        "12915",
        "SLAVE",
    );
    b_s.runtime
        .as_mut()
        .unwrap()
        .insert("haMasterAddr".into(), "192.168.107.129:10912".into());
    let brokers = vec![a, a_s, b, b_s];
    let info = cluster_info(&brokers);
    Observations {
        namesrvs: vec![
            NamesrvObs {
                addr: NS1.into(),
                cluster: Ok(info.clone()),
            },
            NamesrvObs {
                addr: NS2.into(),
                cluster: Ok(info),
            },
        ],
        brokers,
    }
}

fn find<'a>(obs: &'a mut Observations, name: &str, id: i64) -> &'a mut BrokerObs {
    obs.brokers
        .iter_mut()
        .find(|b| b.name == name && b.id == id)
        .expect("broker in the fixture")
}

fn text_of(r: &Report) -> String {
    r.findings
        .iter()
        .map(|f| {
            format!(
                "{} {} | {} | {} | {}",
                f.level.as_str(),
                f.subject,
                f.problem,
                f.cause,
                f.fix
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn the_healthy_seed_passes_with_a_private_replication_network() {
    let r = diagnose(&seed());
    assert!(r.findings.is_empty(), "{}", text_of(&r));
    assert!(!r.failed());
    assert_eq!(r.brokers.len(), 4);
    assert!(r.brokers.iter().all(|b| b.verdict == Level::Ok));
    let b = r.broker("broker-b", 0).unwrap();
    assert!(
        b.ha.text.contains("192.168.107.129:10912 (not from here)"),
        "{}",
        b.ha.text
    );
    let s = r.broker("broker-b", 1).unwrap();
    assert_eq!(s.ha.text, "<- 192.168.107.129:10912 lag 0");
    let text = r.render();
    assert!(text.contains("broker-a/1"), "{text}");
    assert!(text.contains("verdict: OK"), "{text}");
}

#[test]
fn a_missing_fast_channel_forward_is_named_with_both_fixes() {
    let mut obs = seed();
    find(&mut obs, "broker-b", 0).fast = Some(Outcome::Refused);
    let r = diagnose(&obs);
    assert!(r.failed());
    let row = r.broker("broker-b", 0).unwrap();
    assert_eq!(
        (row.verdict, row.fast.text.as_str()),
        (Level::Fail, "refused")
    );
    assert_eq!(r.findings.len(), 1, "{}", text_of(&r));
    let f = &r.findings[0];
    assert!(
        f.problem.starts_with(
            "10909 (fast channel, listenPort-2) not reachable at 219.216.64.216:10909"
        ),
        "{}",
        f.problem
    );
    assert!(f.fix.contains("forward listenPort-2"), "{}", f.fix);
    assert!(f.fix.contains("disable the VIP channel"), "{}", f.fix);
    assert!(r.render().contains("verdict: FAIL"));
}

#[test]
fn a_slave_that_cannot_reach_a_private_brokerip2_is_explained() {
    let mut obs = seed();
    // broker-b's slave sits outside the private network.
    let s = find(&mut obs, "broker-b", 1);
    s.runtime
        .as_mut()
        .unwrap()
        .insert("haConnected".into(), "false".into());
    find(&mut obs, "broker-b", 0)
        .runtime
        .as_mut()
        .unwrap()
        .insert("haSlaveNum".into(), "0".into());
    let r = diagnose(&obs);
    let t = text_of(&r);
    assert!(
        t.contains("brokerIP2 192.168.107.129 is a private address not reachable from the slave"),
        "{t}"
    );
    assert!(t.contains("SYNC_MASTER without a connected slave"), "{t}");
    assert_eq!(r.broker("broker-b", 1).unwrap().verdict, Level::Fail);
    assert_eq!(r.broker("broker-b", 0).unwrap().verdict, Level::Fail);
    assert_eq!(r.broker("broker-a", 0).unwrap().verdict, Level::Ok);
}

#[test]
fn an_unreachable_public_ha_port_asks_for_the_listenport_plus_one_forward() {
    let mut obs = seed();
    let a = find(&mut obs, "broker-a", 0);
    a.ha.as_mut().unwrap().outcome = Outcome::Refused;
    let s = find(&mut obs, "broker-a", 1);
    s.runtime
        .as_mut()
        .unwrap()
        .insert("haConnected".into(), "false".into());
    let t = text_of(&diagnose(&obs));
    assert!(
        t.contains("forward listenPort+1 (10912) to the master"),
        "{t}"
    );
}

#[test]
fn name_servers_must_answer_and_agree() {
    let mut obs = seed();
    obs.namesrvs[1].cluster = Err("connecting to 219.216.64.216:9876 failed".into());
    let r = diagnose(&obs);
    assert_eq!(r.namesrvs[1].level, Level::Fail);
    assert!(text_of(&r).contains("name server 219.216.64.216:9876"));

    let mut obs = seed();
    let mut partial = cluster_info(&obs.brokers);
    partial
        .broker_addr_table
        .get_mut("broker-a")
        .unwrap()
        .broker_addrs
        .remove(&1);
    obs.namesrvs[1].cluster = Ok(partial);
    find(&mut obs, "broker-a", 1).listed_by = vec![NS1.into()];
    let r = diagnose(&obs);
    let t = text_of(&r);
    assert!(t.contains("name servers disagree"), "{t}");
    assert!(t.contains(&format!("{NS2}: (absent)")), "{t}");
    assert!(r.failed());
}

#[test]
fn a_forward_to_the_wrong_broker_and_a_loopback_brokerip1_fail() {
    let mut obs = seed();
    let b = find(&mut obs, "broker-b", 1);
    b.config
        .as_mut()
        .unwrap()
        .insert("brokerName".into(), "broker-a".into());
    let t = text_of(&diagnose(&obs));
    assert!(
        t.contains("answers as broker-a/1, but the name servers list it as broker-b/1"),
        "{t}"
    );

    let mut obs = seed();
    let b = find(&mut obs, "broker-a", 0);
    b.addr = "127.0.0.1:10911".into();
    b.client = Some(Outcome::Refused);
    b.fast = Some(Outcome::Refused);
    let r = diagnose(&obs);
    let t = text_of(&r);
    assert!(t.contains("brokerIP1 is 127.0.0.1"), "{t}");
    // One finding for the address, not a second one for its fast channel.
    assert_eq!(t.matches("broker-a/0 127.0.0.1:10911").count(), 1, "{t}");
}

#[test]
fn a_dead_master_leaves_a_warning_and_its_slave_explains() {
    let mut obs = seed();
    obs.brokers.retain(|b| !(b.name == "broker-b" && b.id == 0));
    let s = find(&mut obs, "broker-b", 1);
    s.runtime
        .as_mut()
        .unwrap()
        .insert("haConnected".into(), "false".into());
    let r = diagnose(&obs);
    let t = text_of(&r);
    assert!(t.contains("WARN broker-b | no master registered"), "{t}");
    assert!(t.contains("the master is not running"), "{t}");
}

#[test]
fn no_name_server_means_failure() {
    let r = diagnose(&Observations::default());
    assert!(r.failed());
    assert!(r.render().contains("no broker registered"));
}
