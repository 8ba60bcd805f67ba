//! kill -9 of a SYNC_MASTER + SYNC_FLUSH master under load (issue #16, chaos suite).
//!
//! Several producers send continuously and log every acknowledged (SEND_OK) message by its
//! unique key and sequence number. Each cycle kills the master with SIGKILL while sends are in
//! flight, reads every acknowledged message back from the slave while the master is down,
//! restarts the master on the same store and ports, waits until a send is acknowledged again
//! (the time from the kill to that is the cycle's unavailability) and reads everything back
//! from the master. Bounded: [`CYCLES`] cycles, [`PER_CYCLE`] acknowledged sends each, every
//! wait has a deadline.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use rocketactor::client::producer::{Producer, ProducerConfig};

use crate::chaos_log::{
    broker_env, lane, missing_at, probe_until_acked, Ledger, ResultLine, READ_DEADLINE,
};
use crate::support::procs::{namesrv, spawn_broker, Proc};

const TOPIC: &str = "CHAOS_KILL9";
const QUEUES: i32 = 4;
const CYCLES: usize = 10;
const LANES: usize = 3;
/// Acknowledged sends per cycle before the kill (all lanes together).
const PER_CYCLE: u64 = 60;
/// A lane never sends more than this in one cycle.
const LANE_MAX: u64 = 5_000;
const DEADLINE: Duration = Duration::from_secs(60);

/// Sends probes until one is acknowledged (the master is back with its slave).
async fn wait_available(p: &Producer, ledger: &Ledger) {
    assert!(
        probe_until_acked(p, TOPIC, ledger, DEADLINE).await,
        "the master never became available again"
    );
}

pub fn run() {
    let dir = tempfile::tempdir().unwrap();
    let (mut ns, ns_addr) = namesrv(dir.path());
    let master_conf = ["--config", "conf/2m-2s-sync/broker-a.properties"];
    let slave_conf = ["--config", "conf/2m-2s-sync/broker-a-s.properties"];
    let master_root = dir.path().join("master");
    let (mut master, mport) = spawn_broker(
        &master_conf,
        |p| broker_env(&master_root, p, &ns_addr, &[]),
        |p| vec![p, p - 2, p + 1],
    );
    // The restarts come back on the same ports.
    let master_env = broker_env(&master_root, mport, &ns_addr, &[]);
    let master_addr = format!("127.0.0.1:{mport}");
    let mut slave: Option<Proc> = None;

    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let ledger = Arc::new(Ledger::default());
    let mut unavailable = Duration::ZERO;
    let mut lost_on_slave = 0usize;
    let mut cycles_run = 0;
    let final_seen = rt.block_on(async {
        let mut cfg = ProducerConfig::new(&ns_addr, "pg-chaos");
        cfg.send_timeout = Duration::from_secs(2);
        let p = Producer::with_config(cfg, rocketactor::logging::discard()).unwrap();
        p.start().unwrap();
        // Deployment order: the master is registered before its slave starts, so the slave's
        // registration names its master (Java's slave learns `masterAddr` the same way, then
        // syncs topics from it).
        let until = Instant::now() + DEADLINE;
        while p.publish_queues("TBW102").await.is_err() {
            assert!(Instant::now() < until, "the master never registered");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let slave_root = dir.path().join("slave");
        let (started, sport) = spawn_broker(
            &slave_conf,
            |p| {
                let ha = format!("127.0.0.1:{}", mport + 1);
                broker_env(&slave_root, p, &ns_addr, &[("haMasterAddress", ha)])
            },
            |p| vec![p, p - 2],
        );
        slave = Some(started);
        let slave_addr = format!("127.0.0.1:{sport}");
        wait_available(&p, &ledger).await;
        let (missing, _) = missing_at(&slave_addr, TOPIC, QUEUES, &ledger, READ_DEADLINE).await;
        assert_eq!(
            missing, 0,
            "the slave serves the topic before the first kill"
        );
        let cycles = std::env::var("CHAOS_CYCLES")
            .ok()
            .and_then(|v| v.parse::<usize>().ok())
            .map_or(CYCLES, |n| n.clamp(1, 50));
        for cycle in 0..cycles {
            let before = ledger.acked_len();
            let stop = Arc::new(AtomicBool::new(false));
            let lanes: Vec<_> = (0..LANES)
                .map(|id| {
                    tokio::spawn(lane(
                        p.clone(),
                        TOPIC,
                        format!("cycle{cycle}"),
                        id,
                        LANE_MAX,
                        ledger.clone(),
                        stop.clone(),
                        Arc::new(|_, _, _| {}),
                    ))
                })
                .collect();
            let until = Instant::now() + DEADLINE;
            while ledger.acked_len() < before + PER_CYCLE {
                assert!(
                    Instant::now() < until,
                    "cycle {cycle}: load never acknowledged"
                );
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
            // Sends are in flight right now.
            let killed = Instant::now();
            if std::env::var_os("CHAOS_DEBUG").is_some() {
                let t = std::fs::read_to_string(dir.path().join("master/config/topics.json"));
                eprintln!(
                    "cycle {cycle}: topics.json has the topic: {:?}",
                    t.map(|t| t.contains(TOPIC))
                );
            }
            master.kill9();
            tokio::time::sleep(Duration::from_millis(300)).await;
            stop.store(true, Ordering::Release);
            for l in lanes {
                let _ = l.await;
            }
            let (missing, _) = missing_at(&slave_addr, TOPIC, QUEUES, &ledger, READ_DEADLINE).await;
            lost_on_slave += missing;
            assert_eq!(
                missing, 0,
                "cycle {cycle}: acknowledged messages missing on the slave"
            );
            master = Proc::spawn(&master_conf, &master_env);
            wait_available(&p, &ledger).await;
            unavailable += killed.elapsed();
            let (missing, _) =
                missing_at(&master_addr, TOPIC, QUEUES, &ledger, READ_DEADLINE).await;
            assert_eq!(
                missing, 0,
                "cycle {cycle}: acknowledged messages missing on the master"
            );
            cycles_run += 1;
        }
        p.shutdown();
        missing_at(&master_addr, TOPIC, QUEUES, &ledger, READ_DEADLINE).await
    });
    let (lost, seen) = final_seen;
    ResultLine::new("kill9-sync-master-sync-flush")
        .field("cycles", cycles_run)
        .counters(&ledger, &seen, lost)
        .field("lost_on_slave", lost_on_slave)
        .field("unavailable_ms", unavailable.as_millis())
        .print();
    assert_eq!(lost, 0, "every acknowledged message is on the master");
    assert_eq!(master.terminate(), 0);
    if let Some(mut s) = slave {
        assert_eq!(s.terminate(), 0);
    }
    assert_eq!(ns.terminate(), 0);
}
