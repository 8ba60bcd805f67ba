//! Unit tests of the topic queue registry and its release rules, against a fake store (the
//! broker-level tests are tests/it/broker/topic_queues.rs): idle retirement and recreation on
//! the next use, no wake-up for a queue nothing waits on, a park given back when the queue grew,
//! the tag and offset checks of a wake-up and the sweep's deadline.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use parking_lot::Mutex;

use super::{ArbiterPool, Parked, QueueReads, TopicQueues, TOPIC_QUEUES_COMPONENT};
use crate::actors::remoting::Reply;
use crate::actors::supervisor::RestartBook;
use crate::broker::processors::pull_job::{PullJob, TagFilter};
use crate::codec::codes::{request, response};
use crate::codec::headers::PullMessageRequestHeader;
use crate::codec::RemotingCommand;
use crate::protocol::heartbeat::java_string_hash;

/// Queue max offsets set by the test; a pull finds a message when its queue is past it.
#[derive(Default)]
struct FakeStore(Mutex<HashMap<(String, i32), i64>>);

impl FakeStore {
    fn set(&self, topic: &str, queue_id: i32, max: i64) {
        self.0.lock().insert((topic.to_owned(), queue_id), max);
    }
}

impl QueueReads for FakeStore {
    fn execute(&self, job: &PullJob) -> RemotingCommand {
        let h = &job.header;
        let code = if self.max_offset_in_queue(&h.topic, h.queue_id) > h.queue_offset {
            response::SUCCESS
        } else {
            response::PULL_NOT_FOUND
        };
        RemotingCommand::response_to(&job.req, code)
    }

    fn max_offset_in_queue(&self, topic: &str, queue_id: i32) -> i64 {
        self.0
            .lock()
            .get(&(topic.to_owned(), queue_id))
            .copied()
            .unwrap_or(0)
    }
}

fn job(topic: &str, queue_id: i32, offset: i64, tags: &str) -> PullJob {
    PullJob {
        req: RemotingCommand::request(request::PULL_MESSAGE),
        header: PullMessageRequestHeader {
            topic: topic.to_owned(),
            queue_id,
            queue_offset: offset,
            ..Default::default()
        },
        filter: TagFilter::from_expression(tags),
        sql: None,
        suggest_broker_id: 0,
    }
}

fn parked(job: PullJob, wait: Duration) -> (Parked, Reply) {
    let (responder, reply) = Reply::channel();
    let p = Parked {
        job,
        responder,
        deadline: Instant::now() + wait,
    };
    (p, reply)
}

async fn answer(reply: Reply) -> Option<i32> {
    match reply {
        Reply::Now(c) => c.map(|c| c.code),
        Reply::Later(f) => f.await.map(|c| c.code),
    }
}

/// Polls `cond` every 10 ms, at most 10 s (a deadlock guard, not a timing assertion).
async fn until(what: &str, cond: impl Fn() -> bool) {
    let end = Instant::now() + Duration::from_secs(10);
    while !cond() {
        assert!(Instant::now() < end, "timed out waiting for {what}");
        actix_rt::time::sleep(Duration::from_millis(10)).await;
    }
}

fn registry(store: &Arc<FakeStore>, idle: Duration) -> (TopicQueues, RestartBook) {
    let book = RestartBook::default();
    let q = TopicQueues::with_idle_after(book.clone(), crate::logging::discard(), idle);
    let weak: std::sync::Weak<dyn QueueReads> = Arc::downgrade(store) as std::sync::Weak<FakeStore>;
    q.bind(weak, ArbiterPool::start(2));
    (q, book)
}

#[actix_rt::test]
async fn an_idle_topic_actor_retires_and_the_next_park_recreates_it() {
    let store = Arc::new(FakeStore::default());
    let (q, book) = registry(&store, Duration::from_millis(200));
    assert!(q.is_started());
    assert_eq!(q.stats("T"), None);

    // Parked until its suspend time ends: the sweep answers PULL_NOT_FOUND.
    let (p, reply) = parked(job("T", 0, 0, "*"), Duration::from_millis(50));
    assert!(q.park(p).is_ok());
    let s = q.stats("T").expect("stats");
    assert_eq!((s.starts, s.parked, s.running), (1, 1, true));
    assert_eq!(answer(reply).await, Some(response::PULL_NOT_FOUND));

    until("the idle actor retired", || {
        q.stats("T").is_some_and(|s| !s.running)
    })
    .await;
    assert_eq!(q.running(), 0);
    assert_eq!(
        book.count(TOPIC_QUEUES_COMPONENT),
        0,
        "retiring is no restart"
    );

    // The next park starts a new incarnation; an arrival answers it.
    let (p, reply) = parked(job("T", 0, 0, "*"), Duration::from_secs(30));
    assert!(q.park(p).is_ok());
    store.set("T", 0, 1);
    q.arrived("T", 0, 1, &[]);
    assert_eq!(answer(reply).await, Some(response::SUCCESS));
    // The sweep may answer first (the queue grew); the wake-up is handled all the same.
    until("the wake-up handled", || {
        q.stats("T").is_some_and(|s| s.wakeups == 1)
    })
    .await;
    let s = q.stats("T").expect("stats");
    assert_eq!((s.starts, s.restarts, s.wakeups, s.answered), (2, 0, 1, 2));
    q.stop();
}

#[actix_rt::test]
async fn arrivals_reach_only_queues_with_a_parked_pull_and_a_grown_queue_answers_at_once() {
    let store = Arc::new(FakeStore::default());
    let (q, _) = registry(&store, Duration::from_secs(60));
    // No entry for a topic nobody parked on.
    q.arrived("NONE", 0, 5, &[]);
    assert_eq!(q.stats("NONE"), None);

    let (p, _reply) = parked(job("T", 1, 0, "*"), Duration::from_secs(30));
    assert!(q.park(p).is_ok());
    // Another queue of the same topic: no wake-up message.
    q.arrived("T", 0, 1, &[]);
    assert_eq!(q.stats("T").map(|s| (s.wakeups, s.parked)), Some((0, 1)));

    // The queue grew between the read and the park: the pull comes back to be answered.
    store.set("T", 2, 3);
    let (p, _reply) = parked(job("T", 2, 1, "*"), Duration::from_secs(30));
    let back = q.park(p).expect_err("given back");
    assert_eq!(back.job.header.queue_id, 2);
    assert_eq!(q.stats("T").map(|s| s.parked), Some(1));
    q.stop();
}

#[test]
fn a_wake_up_checks_the_offset_and_the_tags_and_the_sweep_the_deadline() {
    use super::parked::ParkedQueues;
    let code = |t: &str| i64::from(java_string_hash(t));
    let mut pq = ParkedQueues::default();
    let (p, _r1) = parked(job("T", 0, 4, "A || B"), Duration::from_secs(30));
    pq.push(p);
    let (p, _r2) = parked(job("T", 0, 9, "*"), Duration::from_secs(30));
    pq.push(p);
    // Not past offset 4 yet.
    assert!(pq.take_arrived(0, 4, &[code("A")]).is_empty());
    // Past 4 but tag C is not in `A || B`; the `*` pull waits for offset 9.
    assert!(pq.take_arrived(0, 5, &[code("C")]).is_empty());
    let due = pq.take_arrived(0, 5, &[code("B")]);
    assert_eq!(due.len(), 1);
    assert_eq!(due[0].job.header.queue_offset, 4);
    // Unknown tags (replicated or re-dispatched records) wake every pull past its offset.
    assert_eq!(pq.take_arrived(0, 10, &[]).len(), 1);
    assert!(pq.is_empty());

    let (p, _r3) = parked(job("T", 3, 0, "*"), Duration::ZERO);
    pq.push(p);
    let (p, _r4) = parked(job("T", 4, 0, "*"), Duration::from_secs(30));
    pq.push(p);
    let swept = pq.take_swept(Instant::now(), |_, _| 0);
    assert_eq!(swept.len(), 1, "only the expired pull");
    assert_eq!(swept[0].job.header.queue_id, 3);
    let swept = pq.take_swept(Instant::now(), |_, q| if q == 4 { 1 } else { 0 });
    assert_eq!(swept.len(), 1, "its queue grew");
    assert!(pq.is_empty());
}
