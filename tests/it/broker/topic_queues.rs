//! The per-topic queue actors (src/broker/queues/): a topic's actor is created by the first
//! pull that parks on it; a send wakes only the parked pulls of its own topic (observed
//! through the registry's per-topic wake-up counter, no timing); a topic actor crashed while a
//! pull is parked (stop or panic) is restarted and that pull is still answered by the next
//! message; 200 topics with one parked pull each are all answered.

use std::time::Duration;

use crate::support::{eventually, Cluster};
use rocketactor::actors::supervisor::InjectFailure;
use rocketactor::broker::queues::TopicQueueStats;
use rocketactor::broker::BrokerHandle;
use rocketactor::client::consumer::{PullConsumer, PullStatus};
use rocketactor::client::message::Message;
use rocketactor::client::producer::Producer;
use rocketactor::client::Admin;
use rocketactor::config::BrokerRole;
use rocketactor::protocol::message_queue::MessageQueue;
use rocketactor::protocol::topic::{perm, TopicConfig};

/// Far longer than any test waits: a pull answered earlier was answered by an arrival.
const SUSPEND: Duration = Duration::from_secs(25);

struct Env {
    cluster: Cluster,
    broker: BrokerHandle,
    producer: Producer,
    consumer: PullConsumer,
    _dir: tempfile::TempDir,
}

async fn env(name: &str) -> Env {
    let dir = tempfile::tempdir().expect("temp dir");
    let cluster = Cluster::start().await;
    let broker = cluster
        .broker(cluster.broker_config(name, BrokerRole::AsyncMaster, dir.path()))
        .await;
    let producer = Producer::new(&cluster.namesrv_addr(), "pg-topic-queues").expect("producer");
    producer.start().expect("start producer");
    let consumer = PullConsumer::new(&cluster.namesrv_addr(), "cg-topic-queues").expect("consumer");
    Env {
        cluster,
        broker,
        producer,
        consumer,
        _dir: dir,
    }
}

impl Env {
    /// Creates `topic` with one queue on the broker and waits until both clients route it.
    async fn topic(&self, topic: &str) -> MessageQueue {
        let admin = Admin::brokers_only();
        let tc = TopicConfig::new(topic, 1, 1, perm::READ | perm::WRITE);
        admin
            .create_topic(&self.broker.client_addr(), &tc)
            .await
            .expect("create topic");
        let queues = eventually("topic routable", || async {
            match (
                self.consumer.fetch_queues(topic).await,
                self.producer.publish_queues(topic).await,
            ) {
                (Ok(q), Ok(_)) if !q.is_empty() => Some(q),
                _ => None,
            }
        })
        .await;
        queues[0].clone()
    }

    fn stats(&self, topic: &str) -> Option<TopicQueueStats> {
        self.broker.broker.queues.stats(topic)
    }

    async fn parked(&self, topic: &str, n: usize) {
        eventually(&format!("{n} pull(s) parked on {topic}"), || {
            std::future::ready(
                self.stats(topic)
                    .is_some_and(|s| s.parked == n && s.running),
            )
        })
        .await;
    }

    /// Waits until `topic`'s actor handled `n` wake-ups (a wake-up sent for a parked pull is
    /// handled even when the 100 ms sweep answered that pull first).
    async fn woken(&self, topic: &str, n: u64) {
        eventually(&format!("{n} wake-up(s) on {topic}"), || {
            std::future::ready(self.stats(topic).is_some_and(|s| s.wakeups == n))
        })
        .await;
    }

    async fn send(&self, mq: &MessageQueue, body: &str) {
        self.producer
            .send_to_queue(mq, Message::new(body.to_owned()))
            .await
            .expect("send");
    }

    async fn stop(self) {
        self.producer.shutdown();
        self.consumer.close();
        self.broker.stop().await;
        self.cluster.namesrv.stop();
    }
}

#[actix_rt::test]
async fn a_topic_actor_is_created_by_the_first_parked_pull() {
    let e = env("broker-tq1").await;
    let mq = e.topic("TQ_FIRST_USE").await;
    // A plain pull reads the store directly: no actor for the topic yet.
    let r = e.consumer.pull(&mq, 0, 32, "*", None).await.expect("pull");
    assert_eq!(r.status, PullStatus::NoNewMsg);
    assert_eq!(e.stats("TQ_FIRST_USE"), None);
    assert_eq!(e.broker.broker.queues.running(), 0);

    let held = e.consumer.pull(&mq, 0, 32, "*", Some(SUSPEND));
    let check = async {
        e.parked("TQ_FIRST_USE", 1).await;
        let s = e.stats("TQ_FIRST_USE").expect("stats");
        assert_eq!((s.starts, s.restarts, s.wakeups), (1, 0, 0));
        assert_eq!(e.broker.broker.queues.running(), 1);
        e.send(&mq, "first").await;
    };
    let (r, ()) = futures::join!(held, check);
    let r = r.expect("held pull");
    assert_eq!(r.status, PullStatus::Found);
    assert_eq!(r.messages[0].body.as_ref(), b"first");
    e.woken("TQ_FIRST_USE", 1).await;
    let s = e.stats("TQ_FIRST_USE").expect("stats");
    assert_eq!((s.starts, s.wakeups, s.answered, s.parked), (1, 1, 1, 0));
    e.stop().await;
}

#[actix_rt::test]
async fn a_send_wakes_the_parked_pulls_of_its_own_topic_only() {
    let e = env("broker-tq2").await;
    let (a, b) = (e.topic("TQ_WAKE_A").await, e.topic("TQ_WAKE_B").await);
    let held_a = {
        let (c, mq) = (e.consumer.clone(), a.clone());
        actix_rt::spawn(async move { c.pull(&mq, 0, 32, "*", Some(SUSPEND)).await })
    };
    let held_b = e.consumer.pull(&b, 0, 32, "*", Some(SUSPEND));
    let send_b = async {
        e.parked("TQ_WAKE_A", 1).await;
        e.parked("TQ_WAKE_B", 1).await;
        // The arrival hook runs before the send is acknowledged.
        e.send(&b, "to-b").await;
    };
    let (r_b, ()) = futures::join!(held_b, send_b);
    let r_b = r_b.expect("pull on B");
    assert_eq!(r_b.status, PullStatus::Found);
    assert_eq!(r_b.messages[0].body.as_ref(), b"to-b");
    e.woken("TQ_WAKE_B", 1).await;
    let (sa, sb) = (e.stats("TQ_WAKE_A").unwrap(), e.stats("TQ_WAKE_B").unwrap());
    assert_eq!(sa.wakeups, 0, "a send to B never reaches A's actor");
    assert_eq!(sa.parked, 1, "A's pull is still parked");
    assert_eq!((sb.wakeups, sb.answered, sb.parked), (1, 1, 0));
    assert!(!held_a.is_finished(), "A's pull still waits");

    e.send(&a, "to-a").await;
    let r_a = held_a.await.expect("task").expect("pull on A");
    assert_eq!(r_a.status, PullStatus::Found);
    assert_eq!(r_a.messages[0].body.as_ref(), b"to-a");
    e.woken("TQ_WAKE_A", 1).await;
    let (sa, sb) = (e.stats("TQ_WAKE_A").unwrap(), e.stats("TQ_WAKE_B").unwrap());
    assert_eq!((sa.wakeups, sa.answered, sa.parked), (1, 1, 0));
    assert_eq!(sb.wakeups, 1, "a send to A never reaches B's actor");
    e.stop().await;
}

/// Parks a pull, crashes the topic's actor, waits for its restart, then sends: the pull
/// parked before the crash is answered with the message.
async fn restart_keeps_parked_pull(failure: InjectFailure, name: &str) {
    let e = env(name).await;
    let topic = "TQ_RESTART";
    let mq = e.topic(topic).await;
    let held = e.consumer.pull(&mq, 0, 32, "*", Some(SUSPEND));
    let crash_then_send = async {
        e.parked(topic, 1).await;
        let before = e.broker.broker.book.count("topic-queues");
        let first = e.broker.broker.queues.addr(topic).expect("actor address");
        first.do_send(failure);
        drop(first);
        eventually("topic actor restarted", || {
            std::future::ready(
                e.stats(topic)
                    .is_some_and(|s| s.restarts == 1 && s.running && s.parked == 1),
            )
        })
        .await;
        assert_eq!(e.broker.broker.book.count("topic-queues"), before + 1);
        e.send(&mq, "after-restart").await;
    };
    let (r, ()) = futures::join!(held, crash_then_send);
    let r = r.expect("held pull");
    assert_eq!(r.status, PullStatus::Found);
    assert_eq!(r.messages[0].body.as_ref(), b"after-restart");
    let s = e.stats(topic).expect("stats");
    assert_eq!((s.answered, s.parked), (1, 0));
    e.stop().await;
}

#[actix_rt::test]
async fn a_topic_actor_stopped_with_a_parked_pull_still_answers_it() {
    restart_keeps_parked_pull(InjectFailure::Stop, "broker-tq3").await;
}

#[actix_rt::test]
async fn a_topic_actor_that_panicked_with_a_parked_pull_is_rebuilt_and_answers_it() {
    restart_keeps_parked_pull(InjectFailure::Panic, "broker-tq4").await;
}

#[actix_rt::test]
async fn two_hundred_topics_each_with_a_parked_pull_are_all_answered() {
    const TOPICS: usize = 200;
    let e = env("broker-tq5").await;
    let mut queues = Vec::new();
    for i in 0..TOPICS {
        queues.push(e.topic(&format!("TQ_MANY_{i:03}")).await);
    }
    let held = futures::future::join_all(
        queues
            .iter()
            .map(|mq| e.consumer.pull(mq, 0, 32, "*", Some(SUSPEND))),
    );
    let send_all = async {
        eventually("every topic has its pull parked", || {
            std::future::ready((0..TOPICS).all(|i| {
                e.stats(&format!("TQ_MANY_{i:03}"))
                    .is_some_and(|s| s.parked == 1)
            }))
        })
        .await;
        assert_eq!(e.broker.broker.queues.running(), TOPICS);
        for (i, mq) in queues.iter().enumerate() {
            e.send(mq, &format!("m{i:03}")).await;
        }
    };
    let (results, ()) = futures::join!(held, send_all);
    for (i, r) in results.into_iter().enumerate() {
        let r = r.unwrap_or_else(|err| panic!("pull on topic {i}: {err}"));
        assert_eq!(r.status, PullStatus::Found, "topic {i}");
        assert_eq!(r.messages.len(), 1, "topic {i}");
        assert_eq!(r.messages[0].body.as_ref(), format!("m{i:03}").as_bytes());
        let s = e.stats(&format!("TQ_MANY_{i:03}")).expect("stats");
        assert_eq!((s.starts, s.answered, s.parked), (1, 1, 0), "topic {i}");
        // Its own send's wake-up only (the sweep may have answered the pull first).
        e.woken(&format!("TQ_MANY_{i:03}"), 1).await;
    }
    e.stop().await;
}
