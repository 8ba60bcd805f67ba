//! kill -9 of a SYNC_MASTER + SYNC_FLUSH master under load (issue #16, chaos suite).
//!
//! Several producers send continuously and log every acknowledged (SEND_OK) message by its
//! unique key and sequence number. Each cycle kills the master with SIGKILL while sends are in
//! flight, reads every acknowledged message back from the slave while the master is down,
//! restarts the master on the same store and ports, waits until a send is acknowledged again
//! (the time from the kill to that is the cycle's unavailability) and reads everything back
//! from the master. Bounded: [`CYCLES`] cycles, [`PER_CYCLE`] acknowledged sends each, every
//! wait has a deadline.

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use parking_lot::Mutex;
use rocketactor::client::message::{decode_messages, Message, SendStatus};
use rocketactor::client::producer::{Producer, ProducerConfig};
use rocketactor::client::remoting::RemotingClient;
use rocketactor::codec::codes::{request, response};
use rocketactor::codec::headers::pull_request::{pull_sys_flag, PullMessageRequestHeader};
use rocketactor::codec::RemotingCommand;

use crate::support::procs::{namesrv, spawn_broker, store_env, Proc};

const TOPIC: &str = "CHAOS_KILL9";
const QUEUES: i32 = 4;
const CYCLES: usize = 10;
const LANES: usize = 3;
/// Acknowledged sends per cycle before the kill (all lanes together).
const PER_CYCLE: u64 = 60;
/// A lane never sends more than this in one cycle.
const LANE_MAX: u64 = 5_000;
const DEADLINE: Duration = Duration::from_secs(60);

/// Every acknowledged send: unique key → (lane, seq).
#[derive(Default)]
struct Ledger {
    acked: Mutex<HashMap<String, (usize, u64)>>,
    invoked: AtomicU64,
    unconfirmed: AtomicU64,
}

fn broker_env(root: &Path, port: u16, ns: &str, extra: &[(&str, String)]) -> Vec<(String, String)> {
    let mut env = store_env(root);
    env.push(("ROCKETACTOR_listenPort".into(), port.to_string()));
    env.push(("ROCKETACTOR_namesrvAddr".into(), ns.to_string()));
    for (k, v) in extra {
        env.push((format!("ROCKETACTOR_{k}"), v.clone()));
    }
    env
}

fn pull_cmd(queue_id: i32, offset: i64) -> RemotingCommand {
    let header = PullMessageRequestHeader {
        consumer_group: "cg-chaos".into(),
        topic: TOPIC.into(),
        queue_id,
        queue_offset: offset,
        max_msg_nums: 32,
        sys_flag: pull_sys_flag::SUBSCRIPTION,
        commit_offset: 0,
        suspend_timeout_millis: 0,
        subscription: Some("*".into()),
        sub_version: 0,
        expression_type: Some("TAG".into()),
        bname: None,
    };
    let mut cmd = RemotingCommand::request(request::PULL_MESSAGE);
    header.write_to(&mut cmd);
    cmd
}

/// Every message of the topic on the broker at `addr`: unique key → how many times stored.
async fn read_all(addr: &str) -> Result<HashMap<String, u32>, String> {
    let c = RemotingClient::connect(addr, Duration::from_secs(3))
        .await
        .map_err(|e| e.to_string())?;
    let mut seen = HashMap::new();
    for q in 0..QUEUES {
        let mut offset = 0i64;
        // Bounded: at most 100k pulls of 32 per queue.
        for _ in 0..100_000 {
            let r = c
                .invoke(pull_cmd(q, offset), Duration::from_secs(5))
                .await
                .map_err(|e| e.to_string())?;
            if r.code != response::SUCCESS {
                if std::env::var_os("CHAOS_DEBUG").is_some() {
                    eprintln!("{addr} q{q} @{offset}: code {} {:?}", r.code, r.remark);
                }
                break;
            }
            for m in decode_messages(&r.body)? {
                *seen.entry(m.msg_id).or_insert(0) += 1;
            }
            let next = r.ext("nextBeginOffset").and_then(|v| v.parse().ok());
            match next {
                Some(n) if n > offset => offset = n,
                _ => break,
            }
        }
    }
    Ok(seen)
}

/// Acknowledged keys not found at `addr`, retried until none is missing or the deadline.
async fn missing_at(addr: &str, ledger: &Ledger) -> (usize, HashMap<String, u32>) {
    let until = Instant::now() + DEADLINE;
    loop {
        let want: Vec<String> = ledger.acked.lock().keys().cloned().collect();
        let (missing, seen) = match read_all(addr).await {
            Ok(seen) => (want.iter().filter(|k| !seen.contains_key(*k)).count(), seen),
            Err(_) => (want.len(), HashMap::new()),
        };
        if std::env::var_os("CHAOS_DEBUG").is_some() {
            eprintln!(
                "{addr}: {missing} of {} missing, {} keys seen",
                want.len(),
                seen.len()
            );
        }
        if missing == 0 || Instant::now() >= until {
            return (missing, seen);
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

async fn lane(p: Producer, id: usize, cycle: usize, ledger: Arc<Ledger>, stop: Arc<AtomicBool>) {
    for seq in 0..LANE_MAX {
        if stop.load(Ordering::Acquire) {
            return;
        }
        ledger.invoked.fetch_add(1, Ordering::Relaxed);
        let body = format!("lane{id}-cycle{cycle}-seq{seq}");
        match p.send(TOPIC, Message::new(body)).await {
            Ok(r) if r.status == SendStatus::SendOk => {
                ledger.acked.lock().insert(r.msg_id, (id, seq));
            }
            _ => {
                ledger.unconfirmed.fetch_add(1, Ordering::Relaxed);
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        }
    }
}

/// Sends probes until one is acknowledged (the master is back with its slave).
async fn wait_available(p: &Producer, ledger: &Ledger) {
    let until = Instant::now() + DEADLINE;
    for i in 0u64.. {
        assert!(
            Instant::now() < until,
            "the master never became available again"
        );
        ledger.invoked.fetch_add(1, Ordering::Relaxed);
        match p.send(TOPIC, Message::new(format!("probe-{i}"))).await {
            Ok(r) if r.status == SendStatus::SendOk => {
                ledger.acked.lock().insert(r.msg_id, (usize::MAX, i));
                return;
            }
            other => {
                if std::env::var_os("CHAOS_DEBUG").is_some() && i % 20 == 0 {
                    eprintln!("probe {i}: {:?}", other.map(|r| r.status));
                }
                ledger.unconfirmed.fetch_add(1, Ordering::Relaxed);
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        }
    }
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
        let (missing, _) = missing_at(&slave_addr, &ledger).await;
        assert_eq!(
            missing, 0,
            "the slave serves the topic before the first kill"
        );
        let cycles = std::env::var("CHAOS_CYCLES")
            .ok()
            .and_then(|v| v.parse::<usize>().ok())
            .map_or(CYCLES, |n| n.clamp(1, 50));
        for cycle in 0..cycles {
            let before = ledger.acked.lock().len() as u64;
            let stop = Arc::new(AtomicBool::new(false));
            let lanes: Vec<_> = (0..LANES)
                .map(|id| tokio::spawn(lane(p.clone(), id, cycle, ledger.clone(), stop.clone())))
                .collect();
            let until = Instant::now() + DEADLINE;
            while (ledger.acked.lock().len() as u64) < before + PER_CYCLE {
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
            let (missing, _) = missing_at(&slave_addr, &ledger).await;
            lost_on_slave += missing;
            assert_eq!(
                missing, 0,
                "cycle {cycle}: acknowledged messages missing on the slave"
            );
            master = Proc::spawn(&master_conf, &master_env);
            wait_available(&p, &ledger).await;
            unavailable += killed.elapsed();
            let (missing, _) = missing_at(&master_addr, &ledger).await;
            assert_eq!(
                missing, 0,
                "cycle {cycle}: acknowledged messages missing on the master"
            );
            cycles_run += 1;
        }
        p.shutdown();
        missing_at(&master_addr, &ledger).await
    });
    let acked: HashSet<String> = ledger.acked.lock().keys().cloned().collect();
    let (lost, seen) = final_seen;
    let dequeued: u64 = seen.values().map(|n| u64::from(*n)).sum();
    let duplicated: u64 = seen.values().map(|n| u64::from(n.saturating_sub(1))).sum();
    println!(
        "chaos kill9-sync-master-sync-flush: cycles={cycles_run} enqueue_invoked={} enqueue_acked={} \
         unconfirmed={} dequeued={dequeued} lost={} lost_on_slave={lost_on_slave} \
         duplicated={duplicated} unavailable_ms={}",
        ledger.invoked.load(Ordering::Relaxed),
        acked.len(),
        ledger.unconfirmed.load(Ordering::Relaxed),
        lost,
        unavailable.as_millis()
    );
    assert_eq!(lost, 0, "every acknowledged message is on the master");
    assert_eq!(master.terminate(), 0);
    if let Some(mut s) = slave {
        assert_eq!(s.terminate(), 0);
    }
    assert_eq!(ns.terminate(), 0);
}
