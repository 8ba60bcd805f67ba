//! SIGSTOP of the slave, and of the master, of a SYNC_MASTER + SYNC_FLUSH pair under load
//! (issue #16, chaos suite).
//!
//! Several producers send continuously; the paused process is stopped for [`STOPPED`], then
//! continued. Slave paused: every send invoked after the SIGSTOP and answered before the
//! SIGCONT (no grace time: its record was appended after the slave stopped, so no ack of the
//! slave can cover it) is answered FLUSH_SLAVE_TIMEOUT (the master waited `slaveTimeout` for an
//! ack) or SLAVE_NOT_AVAILABLE (the master's HA housekeeping dropped the silent slave), never SEND_OK;
//! after SIGCONT SEND_OK comes back (bounded wait). Master paused: clients get no answer
//! (timeouts), nothing is acknowledged while it is stopped, and after SIGCONT sends are
//! acknowledged again. Either way every acknowledged message is read back from the master.
//! Sends answered FLUSH_SLAVE_TIMEOUT are stored on the master without being acknowledged:
//! they count in `dequeued`, not in `enqueue_acked`. A producer retries a send that timed out
//! with the same unique key, so a paused master can leave `duplicated` > 0 (both copies were
//! stored; neither was acknowledged twice).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use nix::sys::signal::Signal;

use crate::chaos_log::{
    answer_counts, lane, missing_at, probe_until_acked, Answer, Ledger, ResultLine, Timeline,
    READ_DEADLINE,
};
use crate::ha_pair::{producer, HaPair};

const QUEUES: i32 = 4;
const LANES: usize = 4;
const LANE_MAX: u64 = 100_000;
/// Acknowledged sends before the pause.
const BEFORE: u64 = 80;
/// How long the process stays stopped.
const STOPPED: Duration = Duration::from_secs(10);
/// The master's wait for the slave's ack (Java's `slaveTimeout`, 3000 by default: as long as
/// the producer's own timeout, so a send could time out on both sides and be retried).
const SLAVE_TIMEOUT_MS: u64 = 1000;
/// A silent slave is dropped after this (Java's `haHousekeepingInterval`, shortened).
const HOUSEKEEPING_MS: u64 = 3000;
const RESUME_LIMIT: Duration = Duration::from_secs(45);

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Target {
    Slave,
    Master,
}

pub fn run(target: Target) {
    let (name, topic) = match target {
        Target::Slave => ("sigstop-slave-sync-master", "CHAOS_STOP_SLAVE"),
        Target::Master => ("sigstop-master-sync-master", "CHAOS_STOP_MASTER"),
    };
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let began = Instant::now();
    rt.block_on(async {
        let pair = HaPair::start(
            &[
                ("slaveTimeout", SLAVE_TIMEOUT_MS.to_string()),
                ("haHousekeepingInterval", HOUSEKEEPING_MS.to_string()),
            ],
            // Reports often enough that housekeeping never drops a live slave.
            &[("haSendHeartbeatInterval", "500".to_string())],
        )
        .await;
        let p = producer(&pair.ns_addr, "pg-chaos-stop", Duration::from_secs(3));
        let ledger = Arc::new(Ledger::default());
        assert!(
            probe_until_acked(&p, topic, &ledger, Duration::from_secs(60)).await,
            "the pair never acknowledged a send"
        );
        let timeline = Arc::new(Timeline::default());
        let stop = Arc::new(AtomicBool::new(false));
        let lanes: Vec<_> = (0..LANES)
            .map(|id| {
                tokio::spawn(lane(
                    p.clone(),
                    topic,
                    "stop".into(),
                    id,
                    LANE_MAX,
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
        let victim = match target {
            Target::Slave => &pair.slave,
            Target::Master => &pair.master,
        };
        let acked_at_stop = ledger.acked_len();
        victim.signal(Signal::SIGSTOP);
        let stopped = Instant::now();
        tokio::time::sleep(STOPPED).await;
        let acked_at_cont = ledger.acked_len();
        victim.signal(Signal::SIGCONT);
        let resumed = Instant::now();
        let until = resumed + RESUME_LIMIT;
        let first_ok = loop {
            if let Some(t) = timeline.first_ok_after(resumed) {
                break t;
            }
            assert!(
                Instant::now() < until,
                "no SEND_OK within {RESUME_LIMIT:?} of SIGCONT; answers since: {}",
                answer_counts(&timeline.answered(resumed, Instant::now()))
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        };
        // A little load after the recovery, then the lanes stop.
        let after = ledger.acked_len();
        let until = Instant::now() + Duration::from_secs(30);
        while ledger.acked_len() < after + 20 && Instant::now() < until {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        stop.store(true, Ordering::Release);
        for l in lanes {
            let _ = l.await;
        }
        let paused = timeline.within(stopped, resumed);
        let in_flight = timeline.spanning(stopped);
        let (lost, seen) =
            missing_at(&pair.master_addr, topic, QUEUES, &ledger, READ_DEADLINE).await;
        p.shutdown();
        if crate::chaos_log::debug() {
            let acked = ledger.acked.lock();
            for (k, n) in seen.iter().filter(|(_, n)| **n > 1) {
                eprintln!("{name}: {k} stored {n} times, acked as {:?}", acked.get(k));
            }
        }
        ResultLine::new(name)
            .field("stopped_ms", STOPPED.as_millis())
            .counters(&ledger, &seen, lost)
            .field("unavailable_ms", (first_ok - stopped).as_millis())
            .field("recovered_ms_after_cont", (first_ok - resumed).as_millis())
            .field("acked_while_stopped", acked_at_cont - acked_at_stop)
            .field("answers_in_flight", answer_counts(&in_flight))
            .field("answers_while_stopped", answer_counts(&paused))
            .field("wall_ms", began.elapsed().as_millis())
            .print();
        assert_eq!(lost, 0, "every acknowledged message is on the master");
        assert_eq!(
            paused.get(&Answer::SendOk),
            None,
            "no SEND_OK while the {} is stopped",
            if target == Target::Slave {
                "slave"
            } else {
                "master"
            }
        );
        if target == Target::Slave {
            let refused = paused.get(&Answer::FlushSlaveTimeout).unwrap_or(&0)
                + paused.get(&Answer::SlaveNotAvailable).unwrap_or(&0);
            assert!(
                refused > 0,
                "sends were answered while the slave was stopped"
            );
            let other: usize = paused
                .iter()
                .filter(|(a, _)| {
                    !matches!(a, Answer::FlushSlaveTimeout | Answer::SlaveNotAvailable)
                })
                .map(|(_, n)| n)
                .sum();
            assert_eq!(
                other,
                0,
                "only FLUSH_SLAVE_TIMEOUT / SLAVE_NOT_AVAILABLE: {}",
                answer_counts(&paused)
            );
        }
        pair.stop();
    });
}
