//! The produce workload: `--producers` producers, each with `--inflight` senders looping until
//! the shared count or the deadline is reached; every acknowledged request is timed.

use std::collections::HashSet;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use parking_lot::Mutex;

use super::stats::{Recorder, Summary};
use super::{body, BenchArgs, BenchError, Limit, MAX_RUN};
use crate::client::message::{Message, SendStatus};
use crate::client::producer::{Producer, ProducerConfig};

/// Sequence numbers the broker acknowledged (for roundtrip).
pub type Acked = Arc<Mutex<HashSet<u64>>>;

pub fn status_name(s: SendStatus) -> &'static str {
    match s {
        SendStatus::SendOk => "SEND_OK",
        SendStatus::FlushDiskTimeout => "FLUSH_DISK_TIMEOUT",
        SendStatus::FlushSlaveTimeout => "FLUSH_SLAVE_TIMEOUT",
        SendStatus::SlaveNotAvailable => "SLAVE_NOT_AVAILABLE",
    }
}

/// A run id that differs between runs (so roundtrip ignores older messages of the topic).
pub fn run_id() -> u32 {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    (nanos as u32) ^ std::process::id().rotate_left(16)
}

pub(crate) async fn started(a: &BenchArgs, i: usize) -> Result<Producer, BenchError> {
    let mut cfg = ProducerConfig::new(a.namesrv.clone(), format!("{}_producer", a.group));
    cfg.send_timeout = Duration::from_secs(10);
    let mut p = Producer::with_config(cfg, crate::logging::discard())?;
    if let Some(t) = a.client_tls()? {
        p = p.with_tls(t);
    }
    p.start()?;
    // The topic may not exist yet: the first send creates it through TBW102.
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        if p.publish_queues(&a.topic).await.is_ok() || p.publish_queues("TBW102").await.is_ok() {
            return Ok(p);
        }
        if Instant::now() > deadline {
            return Err(BenchError::NoRoute {
                topic: a.topic.clone(),
                namesrv: format!("{} (producer {i})", a.namesrv),
                waited: Duration::from_secs(15),
            });
        }
        // Short: `bench-vs-reference.sh` times broker start-up to the first send with this.
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

fn message(a: &BenchArgs, run: u32, seq: u64) -> Message {
    let mut m = Message::new(body::encode(run, seq, a.size));
    if !a.tags.is_empty() {
        m = m.with_tags(a.tags[(seq as usize) % a.tags.len()].clone());
    }
    m
}

/// Claims the next `n` sequence numbers, or `None` when the run is over.
fn claim(
    next: &AtomicU64,
    n: u64,
    limit: Limit,
    deadline: Instant,
) -> Option<std::ops::Range<u64>> {
    if Instant::now() >= deadline {
        return None;
    }
    let start = next.fetch_add(n, Ordering::Relaxed);
    match limit {
        Limit::Count(total) if start >= total => None,
        Limit::Count(total) => Some(start..(start + n).min(total)),
        Limit::Time(_) => Some(start..start + n),
    }
}

/// Runs the produce workload; `acked` collects acknowledged sequence numbers when given.
pub async fn run(a: &BenchArgs, acked: Option<(u32, Acked)>) -> Result<Summary, BenchError> {
    let run = acked.as_ref().map_or_else(run_id, |(r, _)| *r);
    let mut producers = Vec::new();
    for i in 0..a.producers {
        producers.push(started(a, i).await?);
    }
    let limit = a.limit();
    let deadline = Instant::now()
        + match limit {
            Limit::Time(d) => d,
            Limit::Count(_) => MAX_RUN,
        };
    let rec = Arc::new(Recorder::default());
    let next = Arc::new(AtomicU64::new(0));
    let progress = super::progress::progress(a, limit, rec.clone());
    let started_at = Instant::now();
    let mut tasks = Vec::new();
    for p in &producers {
        for _ in 0..a.inflight {
            let (p, a, rec, next, acked) = (
                p.clone(),
                a.clone(),
                rec.clone(),
                next.clone(),
                acked.clone(),
            );
            tasks.push(tokio::spawn(async move {
                while let Some(seqs) = claim(&next, a.batch as u64, limit, deadline) {
                    if a.rate > 0 {
                        // Paced: message `seq` is due `seq / rate` seconds after the start.
                        let due =
                            started_at + Duration::from_secs_f64(seqs.start as f64 / a.rate as f64);
                        tokio::time::sleep_until(due.into()).await;
                    }
                    let n = seqs.end - seqs.start;
                    let t0 = Instant::now();
                    let result = if a.batch == 1 {
                        p.send(&a.topic, message(&a, run, seqs.start)).await
                    } else {
                        let msgs = seqs.clone().map(|s| message(&a, run, s)).collect();
                        p.send_batch(&a.topic, msgs).await
                    };
                    match result {
                        Ok(r) => {
                            rec.ok(t0.elapsed(), status_name(r.status), n, n * a.size as u64);
                            if let Some((_, set)) = &acked {
                                set.lock().extend(seqs);
                            }
                        }
                        Err(e) => {
                            rec.error(e.to_string());
                            // Do not spin on a broker that refuses everything.
                            tokio::time::sleep(Duration::from_millis(10)).await;
                        }
                    }
                }
            }));
        }
    }
    for t in tasks {
        let _ = t.await;
    }
    let elapsed = started_at.elapsed();
    progress.finish();
    for p in &producers {
        p.shutdown();
    }
    Ok(rec.summary("produce", elapsed))
}
