//! The consume and roundtrip workloads: pull loops per queue (`--pulls`, each over its own slice
//! of the stored offsets), every body checked against its
//! checksum; roundtrip runs a produce beside it and demands that every acknowledged message is
//! read back exactly once.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use parking_lot::Mutex;

use super::progress::progress;
use super::stats::{Recorder, Summary};
use super::{body, produce, BenchArgs, BenchError, Limit, MAX_RUN};
use crate::client::consumer::{PullConsumer, PullStatus};
use crate::protocol::message_queue::MessageQueue;

/// A consumer that saw nothing new for this long after its target is stops.
const IDLE_STOP: Duration = Duration::from_secs(5);
const PULL_BATCH: i32 = 32;

/// What the pull loops saw (roundtrip): seq -> times read, plus corrupted bodies.
#[derive(Default)]
struct Seen {
    counts: HashMap<u64, u32>,
    corrupt: u64,
}

async fn queues(c: &PullConsumer, a: &BenchArgs) -> Result<Vec<MessageQueue>, BenchError> {
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        if let Ok(q) = c.fetch_queues(&a.topic).await {
            if !q.is_empty() {
                return Ok(q);
            }
        }
        if Instant::now() > deadline {
            return Err(BenchError::NoRoute {
                topic: a.topic.clone(),
                namesrv: a.namesrv.clone(),
                waited: Duration::from_secs(15),
            });
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

struct Loop {
    consumer: PullConsumer,
    rec: Arc<Recorder>,
    seen: Arc<Mutex<Seen>>,
    /// Only bodies of this run count (roundtrip); `None` counts every intact body.
    run: Option<u32>,
    /// Stop once this many messages were read in all (`None`: until `done` says so).
    target: Option<u64>,
    done: Arc<AtomicBool>,
    deadline: Instant,
}

impl Loop {
    /// Pulls `mq` from `offset` up to `end` (exclusive; `None`: no end).
    async fn queue(self: Arc<Self>, mq: MessageQueue, mut offset: i64, end: Option<i64>) {
        let mut last_data = Instant::now();
        while Instant::now() < self.deadline && end.is_none_or(|e| offset < e) {
            let reached = self.target.is_some_and(|t| self.rec.messages() >= t);
            if reached || (self.done.load(Ordering::Relaxed) && last_data.elapsed() > IDLE_STOP) {
                return;
            }
            let t0 = Instant::now();
            let r = self
                .consumer
                .pull(
                    &mq,
                    offset,
                    end.map_or(PULL_BATCH, |e| {
                        (e - offset).clamp(1, PULL_BATCH as i64) as i32
                    }),
                    "*",
                    Some(Duration::from_millis(500)),
                )
                .await;
            match r {
                Ok(r) if r.status == PullStatus::Found => {
                    last_data = Instant::now();
                    let (mut n, mut bytes) = (0u64, 0u64);
                    let mut seen = self.seen.lock();
                    for m in &r.messages {
                        match body::decode(&m.body) {
                            Some((run, seq)) if self.run.is_none_or(|r| r == run) => {
                                // Only roundtrip checks counts; a plain consume just reads.
                                if self.run.is_some() {
                                    *seen.counts.entry(seq).or_default() += 1;
                                }
                                n += 1;
                                bytes += m.body.len() as u64;
                            }
                            Some(_) => {}
                            None => seen.corrupt += 1,
                        }
                    }
                    drop(seen);
                    self.rec.ok(t0.elapsed(), "FOUND", n, bytes);
                    offset = r.next_begin_offset;
                }
                Ok(r) => {
                    if r.status == PullStatus::OffsetIllegal || r.status == PullStatus::NoMatchedMsg
                    {
                        offset = r.next_begin_offset;
                    }
                    if self.target.is_some() && last_data.elapsed() > IDLE_STOP {
                        return; // the topic holds fewer messages than asked for
                    }
                }
                Err(e) => {
                    self.rec.error(e.to_string());
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            }
        }
    }
}

/// Where each pull loop starts and stops: one open-ended loop per queue from its end
/// (`from_end`), or `pulls` loops per queue over equal slices of what is stored now, the last
/// slice open-ended.
async fn start_offsets(
    c: &PullConsumer,
    qs: &[MessageQueue],
    from_end: bool,
    pulls: usize,
) -> Vec<(MessageQueue, i64, Option<i64>)> {
    let mut out = Vec::new();
    for mq in qs {
        let max = c.max_offset(mq).await.unwrap_or(0);
        if from_end {
            out.push((mq.clone(), max, None));
            continue;
        }
        let min = c.min_offset(mq).await.unwrap_or(0).min(max);
        out.extend(slices(min, max, pulls).map(|(b, e)| (mq.clone(), b, e)));
    }
    out
}

/// `pulls` slices of `min..max` (at least one message each), the last one without an end.
fn slices(min: i64, max: i64, pulls: usize) -> impl Iterator<Item = (i64, Option<i64>)> {
    let n = (pulls as i64).clamp(1, (max - min).max(1));
    let step = (max - min) / n;
    (0..n).map(move |i| {
        let begin = min + i * step;
        (begin, (i + 1 < n).then(|| begin + step))
    })
}

fn spawn_loops(
    l: &Arc<Loop>,
    offsets: Vec<(MessageQueue, i64, Option<i64>)>,
) -> Vec<tokio::task::JoinHandle<()>> {
    offsets
        .into_iter()
        .map(|(mq, o, end)| tokio::spawn(l.clone().queue(mq, o, end)))
        .collect()
}

/// Reads the topic from its first offsets; `--count` (default) or `--duration` bounds it.
pub async fn run(a: &BenchArgs, _: Option<()>) -> Result<Summary, BenchError> {
    let consumer = a.consumer()?;
    let qs = queues(&consumer, a).await?;
    let limit = a.limit();
    let (target, deadline) = match limit {
        Limit::Count(n) => (Some(n), Instant::now() + MAX_RUN),
        Limit::Time(d) => (None, Instant::now() + d),
    };
    let rec = Arc::new(Recorder::default());
    let l = Arc::new(Loop {
        consumer: consumer.clone(),
        rec: rec.clone(),
        seen: Arc::default(),
        run: None,
        target,
        done: Arc::new(AtomicBool::new(false)),
        deadline,
    });
    let offsets = start_offsets(&consumer, &qs, false, a.pulls).await;
    let bar = progress(a, limit, rec.clone());
    let t0 = Instant::now();
    for t in spawn_loops(&l, offsets) {
        let _ = t.await;
    }
    let elapsed = t0.elapsed();
    bar.finish();
    consumer.close();
    let mut s = rec.summary("consume", elapsed);
    let corrupt = l.seen.lock().corrupt;
    if corrupt > 0 {
        s.errors += corrupt;
        s.first_error
            .get_or_insert(format!("{corrupt} corrupted bodies"));
    }
    Ok(s)
}

/// Produces and consumes at once; `Err(Verify)` unless every acknowledged message was read
/// exactly once with an intact body.
pub async fn roundtrip(a: &BenchArgs) -> Result<Summary, BenchError> {
    let consumer = a.consumer()?;
    let run = produce::run_id();
    let acked: produce::Acked = Arc::default();
    // Make sure the topic exists before reading where it ends.
    let mut warm = a.clone();
    (
        warm.count,
        warm.duration,
        warm.inflight,
        warm.producers,
        warm.quiet,
    ) = (Some(1), None, 1, 1, true);
    let qs = match queues(&consumer, a).await {
        Ok(q) => q,
        Err(_) => {
            produce::run(&warm, None).await?;
            queues(&consumer, a).await?
        }
    };
    let offsets = start_offsets(&consumer, &qs, true, 1).await;
    let rec = Arc::new(Recorder::default());
    let done = Arc::new(AtomicBool::new(false));
    let l = Arc::new(Loop {
        consumer: consumer.clone(),
        rec: rec.clone(),
        seen: Arc::default(),
        run: Some(run),
        target: None,
        done: done.clone(),
        deadline: Instant::now() + MAX_RUN,
    });
    let loops = spawn_loops(&l, offsets);
    let sent = produce::run(a, Some((run, acked.clone()))).await?;
    let want = acked.lock().len() as u64;
    // The consumers stop once they have everything, or after IDLE_STOP without new data.
    let waited = Instant::now();
    while rec.messages() < want && waited.elapsed() < IDLE_STOP * 6 {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    done.store(true, Ordering::Relaxed);
    for t in loops {
        t.abort();
        let _ = t.await;
    }
    consumer.close();
    let seen = l.seen.lock();
    let acked = acked.lock();
    let missing = acked
        .iter()
        .filter(|s| !seen.counts.contains_key(s))
        .count();
    let dup = seen.counts.values().filter(|n| **n > 1).count();
    let unexpected = seen.counts.keys().filter(|s| !acked.contains(s)).count();
    let mut s = sent;
    s.workload = "roundtrip".into();
    // A message stored although its send reported an error is legal (at-least-once): it is
    // counted, not failed.
    let ok = missing == 0 && dup == 0 && seen.corrupt == 0;
    s.verified = Some(ok);
    if !ok {
        s.first_error = Some(format!(
            "{missing} missing, {dup} duplicated, {} corrupted, {unexpected} never acknowledged",
            seen.corrupt
        ));
    }
    Ok(s)
}

#[cfg(test)]
mod tests {
    use super::slices;

    #[test]
    fn slices_cover_the_range_once_and_leave_the_last_open() {
        let v: Vec<_> = slices(10, 110, 4).collect();
        assert_eq!(
            v,
            [(10, Some(35)), (35, Some(60)), (60, Some(85)), (85, None)]
        );
        // Fewer messages than loops: one loop per message, the last one open.
        let v: Vec<_> = slices(0, 2, 4).collect();
        assert_eq!(v, [(0, Some(1)), (1, None)]);
        // An empty queue: one open loop from its end.
        let v: Vec<_> = slices(7, 7, 4).collect();
        assert_eq!(v, [(7, None)]);
    }
}
