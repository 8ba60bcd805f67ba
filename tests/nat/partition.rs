//! A network partition between a SYNC_MASTER + SYNC_FLUSH master and its slave, in network
//! namespaces (issue #16, chaos suite).
//!
//! The seed's broker-a pair of the NAT topology ([`super::Topology`]): the master on host1
//! (198.18.0.1), its slave on vm1 behind host2's NAT (its HA connection reaches host1 from
//! 198.18.0.2), the client on the public segment. Under load from several producers, host1
//! drops every packet to and from 198.18.0.2 (an nft table of its own) for [`PARTITIONED`],
//! then the table is removed. Same expectations as SIGSTOP of the slave: every send invoked
//! after the cut and answered before the heal is answered FLUSH_SLAVE_TIMEOUT or
//! SLAVE_NOT_AVAILABLE, never SEND_OK;
//! after the heal SEND_OK comes back (bounded wait); every acknowledged message is read back
//! from the master. Prints `chaos partition-master-slave-netns: ...`.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use rocketactor::client::NameServerClient;

use crate::chaos_log::{
    answer_counts, lane, missing_at, probe_until_acked, Answer, Ledger, ResultLine, Timeline,
    READ_DEADLINE,
};
use crate::nat::{Topology, HOST1, HOST2};
use crate::support::eventually_within;

const TOPIC: &str = "CHAOS_PARTITION";
const QUEUES: i32 = 4;
const LANES: usize = 3;
const BEFORE: u64 = 60;
const PARTITIONED: Duration = Duration::from_secs(8);
const RESUME_LIMIT: Duration = Duration::from_secs(60);
const TABLE: &str = "chaos_partition";
/// Shorter HA timeouts than Java's defaults so the scenario stays short: the master answers
/// FLUSH_SLAVE_TIMEOUT after 1 s and drops a silent slave after 3 s; the slave reports every
/// 500 ms and reconnects after 3 s of silence.
const MASTER_EXTRA: &str =
    "slaveTimeout=1000\nhaHousekeepingInterval=3000\nmapedFileSizeCommitLog=16777216";
const SLAVE_EXTRA: &str =
    "haSendHeartbeatInterval=500\nhaHousekeepingInterval=3000\nmapedFileSizeCommitLog=16777216";

/// Waits until name server 1 lists broker-a's master and, when `slave`, its slave too.
async fn wait_registered(slave: bool) {
    let client = NameServerClient::new(&format!("{HOST1}:9876")).expect("ns client");
    eventually_within(
        "broker-a registered on name server 1",
        Duration::from_secs(40),
        || async {
            let info = client.cluster_info().await.ok()?;
            let b = info.broker_addr_table.get("broker-a")?;
            (b.broker_addrs.contains_key(&0) && (!slave || b.broker_addrs.contains_key(&1)))
                .then_some(())
        },
    )
    .await;
}

/// The scenario; runs inside the client's namespace.
pub async fn scenario(topo: &mut Topology) {
    let began = Instant::now();
    topo.start_namesrv("namesrv1", "host1");
    topo.start_broker_with("broker-a.properties", "host1", MASTER_EXTRA);
    wait_registered(false).await;
    topo.start_broker_with("broker-a-s.properties", "vm1", SLAVE_EXTRA);
    wait_registered(true).await;
    let mut cfg = rocketactor::client::producer::ProducerConfig::new(
        format!("{HOST1}:9876"),
        "pg-chaos-partition",
    );
    cfg.send_timeout = Duration::from_secs(3);
    let p =
        rocketactor::client::producer::Producer::with_config(cfg, rocketactor::logging::discard())
            .expect("producer");
    p.start().expect("producer start");
    let ledger = Arc::new(Ledger::default());
    assert!(
        probe_until_acked(&p, TOPIC, &ledger, Duration::from_secs(60)).await,
        "the pair never acknowledged a send\n{}",
        topo.all_logs()
    );
    let timeline = Arc::new(Timeline::default());
    let stop = Arc::new(AtomicBool::new(false));
    let lanes: Vec<_> = (0..LANES)
        .map(|id| {
            tokio::spawn(lane(
                p.clone(),
                TOPIC,
                "part".into(),
                id,
                100_000,
                ledger.clone(),
                stop.clone(),
                timeline.observer(),
            ))
        })
        .collect();
    let until = Instant::now() + Duration::from_secs(60);
    while ledger.acked_len() < BEFORE {
        assert!(Instant::now() < until, "load never acknowledged");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let acked_at_cut = ledger.acked_len();
    topo.partition("host1", HOST2, TABLE);
    let cut = Instant::now();
    tokio::time::sleep(PARTITIONED).await;
    let acked_at_heal = ledger.acked_len();
    topo.heal("host1", TABLE);
    let healed = Instant::now();
    let until = healed + RESUME_LIMIT;
    let first_ok = loop {
        if let Some(t) = timeline.first_ok_after(healed) {
            break t;
        }
        assert!(
            Instant::now() < until,
            "no SEND_OK within {RESUME_LIMIT:?} of the heal: {}\n{}",
            answer_counts(&timeline.answered(healed, Instant::now())),
            topo.all_logs()
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    let after = ledger.acked_len();
    let until = Instant::now() + Duration::from_secs(30);
    while ledger.acked_len() < after + 20 && Instant::now() < until {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    stop.store(true, Ordering::Release);
    for l in lanes {
        let _ = l.await;
    }
    let during = timeline.within(cut, healed);
    let in_flight = timeline.spanning(cut);
    let master = format!("{HOST1}:10911");
    let (lost, seen) = missing_at(&master, TOPIC, QUEUES, &ledger, READ_DEADLINE).await;
    p.shutdown();
    ResultLine::new("partition-master-slave-netns")
        .field("partitioned_ms", PARTITIONED.as_millis())
        .counters(&ledger, &seen, lost)
        .field("unavailable_ms", (first_ok - cut).as_millis())
        .field("recovered_ms_after_heal", (first_ok - healed).as_millis())
        .field("acked_while_partitioned", acked_at_heal - acked_at_cut)
        .field("answers_in_flight", answer_counts(&in_flight))
        .field("answers_while_partitioned", answer_counts(&during))
        .field("wall_ms", began.elapsed().as_millis())
        .print();
    assert_eq!(lost, 0, "every acknowledged message is on the master");
    assert_eq!(
        during.get(&Answer::SendOk),
        None,
        "no SEND_OK while partitioned"
    );
    let refused = during.get(&Answer::FlushSlaveTimeout).unwrap_or(&0)
        + during.get(&Answer::SlaveNotAvailable).unwrap_or(&0);
    assert!(refused > 0, "sends were answered while partitioned");
    let other: usize = during
        .iter()
        .filter(|(a, _)| !matches!(a, Answer::FlushSlaveTimeout | Answer::SlaveNotAvailable))
        .map(|(_, n)| n)
        .sum();
    assert_eq!(
        other,
        0,
        "only FLUSH_SLAVE_TIMEOUT / SLAVE_NOT_AVAILABLE: {}",
        answer_counts(&during)
    );
}
