//! `bench consume --tail`: long-poll wake-up latency. One queue, one message at a time: a
//! pull is parked on the queue's end (long polling, 20 s suspend), then one message is sent
//! to that queue; the time from the send's start to the parked pull's answer is recorded.
//! The pull is known to be parked before the send: a plain pull written after it on the same
//! connection is handled after it (a connection's frames are handled in order and a pull
//! parks synchronously), so its answer proves the first one is held. `--count` rounds
//! (default [`DEFAULT_ROUNDS`]) or `--duration` seconds.

use std::time::{Duration, Instant};

use super::stats::{Recorder, Summary};
use super::{body, produce, BenchArgs, BenchError, Limit, MAX_RUN};
use crate::client::consumer::PullStatus;
use crate::client::message::Message;

/// Rounds when neither `--count` nor `--duration` is given.
pub const DEFAULT_ROUNDS: u64 = 500;
/// How long each parked pull may wait (far above any wake-up).
const SUSPEND: Duration = Duration::from_secs(20);

/// Runs the tail workload; the summary's latency is send start -> parked pull answered.
pub async fn run(a: &BenchArgs) -> Result<Summary, BenchError> {
    let producer = produce::started(a, 0).await?;
    let consumer = a.consumer()?;
    let run = produce::run_id();
    // The first send creates the topic (through TBW102) and picks the queue.
    let first = producer
        .send(&a.topic, Message::new(body::encode(run, 0, a.size)))
        .await?;
    let mq = first.queue.clone();
    let (rounds, deadline) = match (a.count, a.limit()) {
        (_, Limit::Time(d)) => (u64::MAX, Instant::now() + d),
        (Some(n), _) => (n, Instant::now() + MAX_RUN),
        (None, _) => (DEFAULT_ROUNDS, Instant::now() + MAX_RUN),
    };
    let rec = Recorder::default();
    let mut offset = first.queue_offset + 1;
    // Route and connection in place: from here on a pull's first poll writes its frame.
    consumer.pull(&mq, offset, 32, "*", None).await?;
    let t0 = Instant::now();
    let mut seq = 1;
    while seq <= rounds && Instant::now() < deadline {
        let held = consumer.pull(&mq, offset, 32, "*", Some(SUSPEND));
        let mut held = Box::pin(async move { (held.await, Instant::now()) });
        // Writes the held pull's frame.
        if let std::task::Poll::Ready((r, _)) = futures::poll!(held.as_mut()) {
            rec.error(format!("held pull answered before the send: {r:?}"));
            break;
        }
        let probe = consumer.pull(&mq, offset, 32, "*", None).await?;
        if probe.status == PullStatus::Found {
            return Err(BenchError::Verify(format!(
                "queue {mq:?} grew at offset {offset} without us (another producer?)"
            )));
        }
        let msg = Message::new(body::encode(run, seq, a.size));
        let sent_at = Instant::now();
        let ((r, answered_at), sent) = futures::join!(held, producer.send_to_queue(&mq, msg));
        sent?;
        let r = r?;
        if r.status != PullStatus::Found {
            rec.error(format!("parked pull answered {:?}", r.status));
            offset = r.next_begin_offset;
            seq += 1;
            continue;
        }
        let bytes = r.messages.iter().map(|m| m.body.len() as u64).sum();
        rec.ok(
            answered_at.duration_since(sent_at),
            "FOUND",
            r.messages.len() as u64,
            bytes,
        );
        offset = r.next_begin_offset;
        seq += 1;
    }
    let elapsed = t0.elapsed();
    producer.shutdown();
    consumer.close();
    Ok(rec.summary("tail", elapsed))
}
