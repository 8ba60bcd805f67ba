//! Disk full as a chaos scenario (issue #16): a real broker process whose store is on a small
//! tmpfs (the mount helper of `tests/it/disk/`), filled by several producers under load.
//!
//! A ballast file takes part of the tmpfs first; the producers fill the rest. Once the usage
//! crosses `diskMaxUsedSpaceRatio` (the seed's 88) every send is refused with
//! SERVICE_NOT_AVAILABLE (14) and Java's remark ("... the broker's disk is full [CL: ...]"),
//! never acknowledged (judged: every send invoked after the first refusal arrived and answered
//! before space is given back); the ballast is then deleted (space returns without the store losing
//! anything) and sends must be acknowledged again within a bounded wait. Every acknowledged
//! message is read back. Needs root for the mount: skipped visibly without it, a failure when
//! `ROCKETACTOR_REQUIRE_DISK_TESTS` is set (CI).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use parking_lot::Mutex;
use rocketactor::client::MqError;
use rocketactor::codec::codes::response;

use crate::chaos_log::{
    answer_counts, broker_env, lane, missing_at, probe_until_acked, Answer, Ledger, ResultLine,
    Timeline, READ_DEADLINE,
};
use crate::ha_pair::producer;
use crate::support::disk::{mount_or_skip, usage, Mount};
use crate::support::procs::{namesrv, spawn_broker};

const TOPIC: &str = "CHAOS_DISK_FULL";
const QUEUES: i32 = 4;
const LANES: usize = 3;
const TMPFS_MIB: u64 = 48;
const BALLAST_MIB: usize = 24;
/// Bodies of 4 KiB: the commit log grows fast.
const BODY: usize = 4096;
/// Refusals counted before space is given back.
const REFUSALS: usize = 30;
/// How long the disk stays full (after the first refusal) before space is given back.
const FULL_FOR: Duration = Duration::from_secs(2);
const FILL_LIMIT: Duration = Duration::from_secs(90);
const RESUME_LIMIT: Duration = Duration::from_secs(30);

const REMARK_START: &str = "service not available now. It may be caused by one of the following \
                            reasons: the broker's disk is full [CL: ";
const REMARK_END: &str = "], messages are put to the slave, message store has been shut down, etc.";

fn write_ballast(path: &std::path::Path) {
    let chunk = vec![0x5au8; 1024 * 1024];
    let mut f = std::fs::File::create(path).expect("ballast");
    for _ in 0..BALLAST_MIB {
        std::io::Write::write_all(&mut f, &chunk).expect("ballast write");
    }
}

pub fn run() {
    let Some(mount) = mount_or_skip("disk_full_chaos", Mount::tmpfs(TMPFS_MIB)) else {
        return;
    };
    let began = Instant::now();
    let ballast = mount.point.join("ballast");
    write_ballast(&ballast);
    let dir = tempfile::tempdir().expect("temp dir");
    let (mut ns, ns_addr) = namesrv(dir.path());
    let store = mount.store();
    let extra = [
        ("mappedFileSizeCommitLog", (1024 * 1024).to_string()),
        ("mappedFileSizeConsumeQueue", (20 * 4_000).to_string()),
        ("maxHashSlotNum", "4000".to_string()),
        ("maxIndexNum", "16000".to_string()),
        ("maxMessageSize", (2 * BODY).to_string()),
        ("diskMaxUsedSpaceRatio", "88".to_string()),
        // Nothing acknowledged may disappear by itself.
        ("cleanFileForciblyEnable", "false".to_string()),
    ];
    let (mut broker, port) = spawn_broker(
        &["--config", "conf/2m-noslave/broker-a.properties"],
        |p| broker_env(&store, p, &ns_addr, &extra),
        |p| vec![p, p - 2],
    );
    let addr = format!("127.0.0.1:{port}");
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let ledger = Arc::new(Ledger::default());
    let timeline = Arc::new(Timeline::default());
    let remark: Arc<Mutex<Option<String>>> = Arc::default();
    let r = rt.block_on(async {
        let p = producer(&ns_addr, "pg-chaos-disk", Duration::from_secs(5));
        assert!(
            probe_until_acked(&p, TOPIC, &ledger, Duration::from_secs(60)).await,
            "the broker never acknowledged a send"
        );
        let observe = {
            let (t, remark) = (timeline.observer(), remark.clone());
            Arc::new(move |out: &_, invoked, answered| {
                if let Err(MqError::Response {
                    code, remark: r, ..
                }) = out
                {
                    if *code == response::SERVICE_NOT_AVAILABLE {
                        remark.lock().get_or_insert_with(|| r.clone());
                    }
                }
                t(out, invoked, answered)
            })
        };
        let stop = Arc::new(AtomicBool::new(false));
        let pad = "x".repeat(BODY);
        let lanes: Vec<_> = (0..LANES)
            .map(|id| {
                tokio::spawn(lane(
                    p.clone(),
                    TOPIC,
                    format!("disk-{pad}"),
                    id,
                    u64::MAX,
                    ledger.clone(),
                    stop.clone(),
                    observe.clone(),
                ))
            })
            .collect();
        let started = Instant::now();
        let refused = Answer::Refused(response::SERVICE_NOT_AVAILABLE);
        let first_refusal = loop {
            let counts = timeline.answered(started, Instant::now());
            if counts.get(&refused).copied().unwrap_or(0) >= 1 {
                break Instant::now();
            }
            assert!(
                started.elapsed() < FILL_LIMIT,
                "no refusal within {FILL_LIMIT:?}: {} (usage {:.3})",
                answer_counts(&counts),
                usage(&mount.point)
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        };
        let usage_full = usage(&mount.point);
        // The disk stays full: refusals keep coming for a while.
        let judged_from = first_refusal;
        let until = Instant::now() + FILL_LIMIT;
        loop {
            let now = Instant::now();
            let n = if now > judged_from {
                timeline
                    .within(judged_from, now)
                    .get(&refused)
                    .copied()
                    .unwrap_or(0)
            } else {
                0
            };
            if n >= REFUSALS && now >= judged_from + FULL_FOR {
                break;
            }
            assert!(now < until, "refusals stopped coming");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        let freed = Instant::now();
        let while_full = timeline.within(first_refusal, freed);
        let acked_full = ledger.acked_len();
        std::fs::remove_file(&ballast).expect("remove ballast");
        let until = freed + RESUME_LIMIT;
        let first_ok = loop {
            if let Some(t) = timeline.first_ok_after(freed) {
                break t;
            }
            assert!(
                Instant::now() < until,
                "no SEND_OK within {RESUME_LIMIT:?} of freeing space (usage {:.3}): {}",
                usage(&mount.point),
                answer_counts(&timeline.answered(freed, Instant::now()))
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        };
        stop.store(true, Ordering::Release);
        for l in lanes {
            let _ = l.await;
        }
        let (lost, seen) = missing_at(&addr, TOPIC, QUEUES, &ledger, READ_DEADLINE).await;
        p.shutdown();
        (
            usage_full,
            first_refusal,
            freed,
            first_ok,
            while_full,
            acked_full,
            lost,
            seen,
        )
    });
    let (usage_full, first_refusal, freed, first_ok, while_full, acked_full, lost, seen) = r;
    let alive = broker.is_running();
    ResultLine::new("disk-full")
        .field("tmpfs_mib", TMPFS_MIB)
        .counters(&ledger, &seen, lost)
        .field("acked_before_full", acked_full)
        .field("usage_at_refusal", format!("{usage_full:.3}"))
        .field("answers_while_full", answer_counts(&while_full))
        .field("refused_ms", (freed - first_refusal).as_millis())
        .field("unavailable_ms", (first_ok - first_refusal).as_millis())
        .field("recovered_ms_after_free", (first_ok - freed).as_millis())
        .field("wall_ms", began.elapsed().as_millis())
        .print();
    assert!(alive, "the broker survives a full disk");
    assert_eq!(lost, 0, "every acknowledged message is read back");
    assert!(
        usage_full >= 0.87,
        "refused only near the ratio: {usage_full:.3}"
    );
    let judged: usize = while_full.values().sum();
    assert!(judged > 0, "sends were answered while the disk was full");
    assert_eq!(
        while_full.get(&Answer::Refused(response::SERVICE_NOT_AVAILABLE)),
        Some(&judged),
        "every send refused with SERVICE_NOT_AVAILABLE while full: {}",
        answer_counts(&while_full)
    );
    let remark = remark.lock().clone().unwrap_or_default();
    assert!(
        remark.starts_with(REMARK_START) && remark.ends_with(REMARK_END),
        "Java's remark: {remark}"
    );
    rt.shutdown_timeout(Duration::from_secs(1));
    assert_eq!(broker.terminate(), 0);
    assert_eq!(ns.terminate(), 0);
}
