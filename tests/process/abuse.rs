//! Connection abuse against a real broker process (issue #16, chaos suite).
//!
//! While [`ACTIVE`] well-behaved producers (one connection each) keep sending, the broker is
//! given [`IDLE`] idle connections, a slow-loris client (one byte of a frame a second), frames
//! announcing 2 GiB, and random garbage on every port (client, fast = listenPort-2, HA =
//! listenPort+1, name server). Checks: every send of every well-behaved client is
//! acknowledged during the abuse, the 2 GiB frames get their connection closed, the broker and
//! name server stay up, every acknowledged message is read back, and the broker's RssAnon
//! (from /proc/PID/status; printed before, at its highest during, and after the idle
//! connections closed) stays under [`RSS_BOUND_KIB`]. Whether memory drops back afterwards is
//! reported, not asserted (issue #17). The test raises its soft open-files limit to the hard
//! one when it is below what it needs (the broker inherits it).

use std::io::Write as _;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use rocketactor::client::message::SendStatus;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::chaos_log::{broker_env, missing_at, send_logged, Ledger, ResultLine, READ_DEADLINE};
use crate::ha_pair::producer;
use crate::support::procs::{namesrv, spawn_broker};

const TOPIC: &str = "CHAOS_ABUSE";
const QUEUES: i32 = 4;
const IDLE: usize = 1000;
const ACTIVE: usize = 100;
/// How long the abuse lasts.
const ABUSE: Duration = Duration::from_secs(10);
/// A generous bound for the broker's anonymous memory.
const RSS_BOUND_KIB: u64 = 512 * 1024;
/// File descriptors the test needs: idle + active + abusers + the processes' own.
const FDS_NEEDED: u64 = 4096;

/// `RssAnon` of process `pid` in KiB (0 when unreadable).
fn rss_anon_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with("RssAnon:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

/// Raises the soft RLIMIT_NOFILE to the hard limit when it is below [`FDS_NEEDED`]; returns
/// (soft before, soft now).
fn raise_nofile() -> (u64, u64) {
    let mut lim = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: a valid pointer to an rlimit the call fills.
    if unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim) } != 0 {
        return (0, 0);
    }
    let before = lim.rlim_cur;
    if before < FDS_NEEDED {
        lim.rlim_cur = lim.rlim_max;
        // SAFETY: a valid rlimit; raising the soft limit up to the hard one is always allowed.
        unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &lim) };
        // SAFETY: as above.
        unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim) };
    }
    (before, lim.rlim_cur)
}

/// Pseudo-random bytes (xorshift) for the garbage.
fn garbage(seed: u64, len: usize) -> Vec<u8> {
    let mut s = seed | 1;
    (0..len)
        .map(|_| {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            (s >> 32) as u8
        })
        .collect()
}

/// Waits (bounded) until the peer closes `s`; true when it did.
async fn closed_by_peer(s: &mut TcpStream, limit: Duration) -> bool {
    let mut buf = [0u8; 4096];
    let until = Instant::now() + limit;
    while Instant::now() < until {
        match tokio::time::timeout(Duration::from_millis(200), s.read(&mut buf)).await {
            Ok(Ok(0)) | Ok(Err(_)) => return true,
            _ => {}
        }
    }
    false
}

/// A frame announcing 2 GiB (length 0x7FFF_FFFF, then a few bytes); true when the peer closed.
async fn big_frame(addr: &str) -> bool {
    let Ok(mut s) = TcpStream::connect(addr).await else {
        return true; // refused outright: nothing was held
    };
    let mut frame = 0x7FFF_FFFFu32.to_be_bytes().to_vec();
    frame.extend_from_slice(&[0, 0, 0, 16]);
    frame.extend_from_slice(&garbage(7, 1024));
    if s.write_all(&frame).await.is_err() {
        return true;
    }
    closed_by_peer(&mut s, Duration::from_secs(5)).await
}

/// Connections writing random garbage to `addr` until `stop`; returns how many were opened.
async fn spray(addr: String, seed: u64, stop: Arc<AtomicBool>) -> u64 {
    let mut n = 0;
    while !stop.load(Ordering::Acquire) {
        if let Ok(mut s) = TcpStream::connect(&addr).await {
            n += 1;
            let _ = s.write_all(&garbage(seed + n, 16 * 1024)).await;
            let _ = closed_by_peer(&mut s, Duration::from_millis(300)).await;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    n
}

pub fn run() {
    let began = Instant::now();
    let (nofile_before, nofile_now) = raise_nofile();
    assert!(
        nofile_now >= FDS_NEEDED,
        "open-files limit {nofile_now} (hard limit too low for {FDS_NEEDED})"
    );
    if nofile_before != nofile_now {
        let _ = writeln!(
            std::io::stderr(),
            "connection abuse: raised the soft open-files limit from {nofile_before} to {nofile_now}"
        );
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let (mut ns, ns_addr) = namesrv(dir.path());
    let root = dir.path().join("broker");
    let (mut broker, port) = spawn_broker(
        &["--config", "conf/2m-noslave/broker-a.properties"],
        |p| broker_env(&root, p, &ns_addr, &[]),
        |p| vec![p, p - 2, p + 1],
    );
    let pid = broker.pid();
    let addr = format!("127.0.0.1:{port}");
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let ledger = Arc::new(Ledger::default());
    let failed = Arc::new(AtomicU64::new(0));
    let report = rt.block_on(async {
        // The producers, each with its own connection; every one sends once before the abuse.
        let producers: Vec<_> = (0..ACTIVE)
            .map(|i| producer(&ns_addr, &format!("pg-abuse-{i}"), Duration::from_secs(5)))
            .collect();
        let until = Instant::now() + Duration::from_secs(60);
        for (i, p) in producers.iter().enumerate() {
            loop {
                let r = send_logged(p, TOPIC, format!("warm-{i}"), i, 0, &ledger).await;
                if matches!(r, Ok(ref o) if o.status == SendStatus::SendOk) {
                    break;
                }
                assert!(Instant::now() < until, "producer {i} never got SEND_OK");
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
        let rss_before = rss_anon_kib(pid);

        // Well-behaved load during the whole abuse.
        let stop_load = Arc::new(AtomicBool::new(false));
        let served: Vec<Arc<AtomicU64>> =
            (0..ACTIVE).map(|_| Arc::new(AtomicU64::new(0))).collect();
        let load: Vec<_> = producers
            .iter()
            .enumerate()
            .map(|(i, p)| {
                let (p, ledger, stop, ok, failed) = (
                    p.clone(),
                    ledger.clone(),
                    stop_load.clone(),
                    served[i].clone(),
                    failed.clone(),
                );
                tokio::spawn(async move {
                    for seq in 1u64.. {
                        if stop.load(Ordering::Acquire) {
                            break;
                        }
                        let r =
                            send_logged(&p, TOPIC, format!("c{i}-{seq}"), i, seq, &ledger).await;
                        match r {
                            Ok(o) if o.status == SendStatus::SendOk => {
                                ok.fetch_add(1, Ordering::Relaxed)
                            }
                            _ => failed.fetch_add(1, Ordering::Relaxed),
                        };
                        tokio::time::sleep(Duration::from_millis(200)).await;
                    }
                })
            })
            .collect();

        // The idle connections.
        let mut idle = Vec::with_capacity(IDLE);
        for _ in 0..IDLE {
            idle.push(TcpStream::connect(&addr).await.expect("idle connection"));
        }
        // The slow loris: a frame header announcing 64 bytes, one byte a second.
        let stop_abuse = Arc::new(AtomicBool::new(false));
        let loris = {
            let (addr, stop) = (addr.clone(), stop_abuse.clone());
            tokio::spawn(async move {
                let mut s = TcpStream::connect(&addr).await.expect("slow loris");
                let mut bytes = 64u32.to_be_bytes().to_vec();
                bytes.extend_from_slice(&garbage(3, 64));
                for (i, b) in bytes.iter().enumerate() {
                    if stop.load(Ordering::Acquire) {
                        return ("held", i);
                    }
                    if s.write_all(&[*b]).await.is_err() {
                        return ("closed", i);
                    }
                    let mut buf = [0u8; 64];
                    match tokio::time::timeout(Duration::from_secs(1), s.read(&mut buf)).await {
                        Ok(Ok(0)) | Ok(Err(_)) => return ("closed", i + 1),
                        _ => {}
                    }
                }
                ("held", bytes.len())
            })
        };
        // Garbage on every port, and 2 GiB frames on the client, fast and name-server ports.
        let ports = [
            addr.clone(),
            format!("127.0.0.1:{}", port - 2),
            format!("127.0.0.1:{}", port + 1),
            ns_addr.clone(),
        ];
        let sprays: Vec<_> = ports
            .iter()
            .enumerate()
            .map(|(i, a)| tokio::spawn(spray(a.clone(), 1000 * i as u64, stop_abuse.clone())))
            .collect();
        let mut big_closed = 0;
        let big_targets = [ports[0].clone(), ports[1].clone(), ports[3].clone()];
        for a in &big_targets {
            if big_frame(a).await {
                big_closed += 1;
            }
        }
        let abuse_started = Instant::now();
        let mut rss_during = rss_anon_kib(pid);
        while abuse_started.elapsed() < ABUSE {
            tokio::time::sleep(Duration::from_millis(250)).await;
            rss_during = rss_during.max(rss_anon_kib(pid));
        }
        let served_during: Vec<u64> = served.iter().map(|s| s.load(Ordering::Relaxed)).collect();
        stop_abuse.store(true, Ordering::Release);
        let mut garbage_conns = 0;
        for s in sprays {
            garbage_conns += s.await.unwrap_or(0);
        }
        let (loris_state, loris_bytes) = loris.await.unwrap_or(("?", 0));
        drop(idle);
        // Memory after the idle connections are gone (reported: whether it drops is #17's).
        tokio::time::sleep(Duration::from_secs(2)).await;
        let rss_after = rss_anon_kib(pid);
        stop_load.store(true, Ordering::Release);
        for l in load {
            let _ = l.await;
        }
        let (lost, seen) = missing_at(&addr, TOPIC, QUEUES, &ledger, READ_DEADLINE).await;
        for p in &producers {
            p.shutdown();
        }
        (
            rss_before,
            rss_during,
            rss_after,
            served_during,
            garbage_conns,
            big_closed,
            big_targets.len(),
            (loris_state, loris_bytes),
            lost,
            seen,
        )
    });
    let (before, during, after, served, garbage_conns, big_closed, big_n, loris, lost, seen) =
        report;
    let alive = broker.is_running() && ns.is_running();
    ResultLine::new("connection-abuse")
        .field("idle", IDLE)
        .field("active", ACTIVE)
        .counters(&ledger, &seen, lost)
        .field("sends_failed", failed.load(Ordering::Relaxed))
        .field(
            "min_sends_per_client_during_abuse",
            served.iter().min().unwrap_or(&0),
        )
        .field("garbage_conns", garbage_conns)
        .field("big_frames_closed", format!("{big_closed}/{big_n}"))
        .field("slowloris", format!("{}@{}B", loris.0, loris.1))
        .field("rss_anon_kib_before", before)
        .field("rss_anon_kib_during_max", during)
        .field("rss_anon_kib_after", after)
        .field("nofile_soft", nofile_now)
        .field("wall_ms", began.elapsed().as_millis())
        .print();
    assert!(alive, "broker and name server still run");
    assert_eq!(lost, 0, "every acknowledged message is read back");
    assert_eq!(
        failed.load(Ordering::Relaxed),
        0,
        "every well-behaved send acknowledged"
    );
    assert!(
        served.iter().all(|n| *n > 0),
        "every well-behaved client was served during the abuse: {served:?}"
    );
    assert_eq!(
        big_closed, big_n,
        "a frame announcing 2 GiB closes its connection"
    );
    assert!(during > 0 && during < RSS_BOUND_KIB, "RssAnon {during} KiB");
    rt.shutdown_timeout(Duration::from_secs(1));
    assert_eq!(broker.terminate(), 0);
    assert_eq!(ns.terminate(), 0);
}
