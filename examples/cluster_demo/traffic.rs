//! The demo's client side, built on the project's own client: a producer sending numbered
//! messages with tags and keys, and a pull consumer that keeps its offsets in memory (as Java's
//! `RemoteBrokerOffsetStore` does) and commits them to whichever broker serves the queue.

use std::collections::BTreeMap;
use std::ops::Range;
use std::time::{Duration, Instant};

use parking_lot::Mutex;
use rocketactor::client::admin::Admin;
use rocketactor::client::consumer::{PullConsumer, PullStatus};
use rocketactor::client::message::{Message, SendStatus};
use rocketactor::client::producer::Producer;
use rocketactor::protocol::message_queue::MessageQueue;
use rocketactor::protocol::topic::{perm, TopicConfig};

use crate::nodes::Node;

pub const TOPIC: &str = "DemoTopic";
const QUEUES: i32 = 4;
const LANES: usize = 16;

pub struct Traffic {
    producer: Producer,
    consumer: PullConsumer,
    offsets: Mutex<BTreeMap<MessageQueue, i64>>,
}

/// What a produce phase got back.
#[derive(Debug, Default)]
pub struct Sent {
    pub ok: usize,
    pub not_ok: usize,
    pub by_broker: BTreeMap<String, usize>,
}

/// What a consume phase read: body -> (tags, keys, broker name, broker id read from).
#[derive(Debug, Default)]
pub struct Got {
    seen: BTreeMap<String, (String, Vec<String>, String, i64)>,
    duplicates: usize,
}

fn body(i: usize) -> String {
    format!("demo-message-{i:06}")
}

fn tags(i: usize) -> &'static str {
    if i % 3 == 0 {
        "TagA"
    } else {
        "TagB"
    }
}

impl Got {
    pub fn count(&self) -> usize {
        self.seen.len()
    }

    pub fn count_from(&self, broker: &str, id: i64) -> usize {
        self.seen
            .values()
            .filter(|v| v.2 == broker && v.3 == id)
            .count()
    }

    /// Exactly the messages of `range`, each once, with its tags and keys.
    pub fn verify(&self, range: Range<usize>) -> Result<(), String> {
        if self.duplicates > 0 {
            return Err(format!("{} duplicates", self.duplicates));
        }
        if self.seen.len() != range.len() {
            return Err(format!(
                "{} read, {} expected",
                self.seen.len(),
                range.len()
            ));
        }
        for i in range {
            let Some((t, k, _, _)) = self.seen.get(&body(i)) else {
                return Err(format!("message {i} missing"));
            };
            if t != tags(i) || k != &vec![format!("key-{i}")] {
                return Err(format!("message {i} has tags {t:?} keys {k:?}"));
            }
        }
        Ok(())
    }
}

async fn bounded<F, Fut>(what: &str, within: Duration, mut f: F) -> Result<(), String>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = Instant::now() + within;
    while Instant::now() < deadline {
        if f().await {
            return Ok(());
        }
        actix_rt::time::sleep(Duration::from_millis(100)).await;
    }
    Err(format!("timed out after {within:?} waiting for {what}"))
}

impl Traffic {
    pub async fn start(ns: &str) -> Result<Traffic, String> {
        let producer = Producer::new(ns, "demo-producer").map_err(|e| e.to_string())?;
        producer.start().map_err(|e| e.to_string())?;
        let consumer = PullConsumer::new(ns, "demo-consumer").map_err(|e| e.to_string())?;
        Ok(Traffic {
            producer,
            consumer,
            offsets: Mutex::default(),
        })
    }

    /// Creates the topic with 4 queues on both masters and waits until both are routable.
    pub async fn create_topic(&self, nodes: &[Node]) -> Result<(), String> {
        let admin = Admin::brokers_only();
        let tc = TopicConfig::new(TOPIC, QUEUES, QUEUES, perm::READ | perm::WRITE);
        for n in nodes.iter().filter(|n| n.cfg.broker_id == 0) {
            let h = n.handle.as_ref().ok_or("master not running")?;
            admin
                .create_topic(&h.client_addr(), &tc)
                .await
                .map_err(|e| format!("create topic on {}: {e}", n.label))?;
        }
        bounded(
            "the topic on both masters",
            Duration::from_secs(15),
            || async {
                self.producer.routes().refresh(TOPIC).await.is_ok()
                    && self
                        .producer
                        .publish_queues(TOPIC)
                        .await
                        .is_ok_and(|q| q.len() == 2 * QUEUES as usize)
            },
        )
        .await
    }

    pub async fn refresh(&self) {
        let _ = self.producer.routes().refresh(TOPIC).await;
        let _ = self.consumer.fetch_queues(TOPIC).await;
    }

    /// Sends the messages of `range` over `LANES` concurrent senders.
    pub async fn produce(&self, range: Range<usize>) -> Result<Sent, String> {
        let ids: Vec<usize> = range.collect();
        let per = ids.len().div_ceil(LANES).max(1);
        let lanes = ids.chunks(per).map(|chunk| async move {
            let mut out = Vec::new();
            for &i in chunk {
                let msg = Message::new(body(i))
                    .with_tags(tags(i))
                    .with_keys([format!("key-{i}")]);
                out.push(self.producer.send(TOPIC, msg).await);
            }
            out
        });
        let mut sent = Sent::default();
        for r in futures::future::join_all(lanes).await.into_iter().flatten() {
            let r = r.map_err(|e| format!("send failed: {e}"))?;
            if r.status == SendStatus::SendOk {
                sent.ok += 1;
            } else {
                sent.not_ok += 1;
            }
            *sent
                .by_broker
                .entry(r.queue.broker_name.clone())
                .or_default() += 1;
        }
        println!(
            "    produced {} messages: {:?}",
            sent.ok + sent.not_ok,
            sent.by_broker
        );
        Ok(sent)
    }

    /// Reads every queue from the consumer's offsets to its end, then commits the offsets.
    pub async fn consume_all(&self) -> Result<Got, String> {
        let queues = self
            .consumer
            .fetch_queues(TOPIC)
            .await
            .map_err(|e| format!("route of {TOPIC}: {e}"))?;
        let mut got = Got::default();
        let mut per_source: BTreeMap<String, usize> = BTreeMap::new();
        for mq in queues {
            let known = self.offsets.lock().get(&mq).copied();
            let mut offset = match known {
                Some(o) => o,
                None => self
                    .consumer
                    .query_offset(&mq)
                    .await
                    .ok()
                    .flatten()
                    .unwrap_or(0),
            };
            let (id, addr) = self
                .consumer
                .read_addr(&mq)
                .await
                .map_err(|e| e.to_string())?;
            for _ in 0..100_000 {
                let r = self
                    .consumer
                    .pull(&mq, offset, 32, "*", None)
                    .await
                    .map_err(|e| {
                        format!("pull {}:{} from {addr}: {e}", mq.broker_name, mq.queue_id)
                    })?;
                if r.status != PullStatus::Found {
                    break;
                }
                for m in &r.messages {
                    let b = String::from_utf8_lossy(&m.body).into_owned();
                    let v = (
                        m.tags.clone().unwrap_or_default(),
                        m.keys.clone(),
                        mq.broker_name.clone(),
                        id,
                    );
                    if got.seen.insert(b, v).is_some() {
                        got.duplicates += 1;
                    }
                    *per_source
                        .entry(format!(
                            "{}[{}]",
                            mq.broker_name,
                            if id == 0 { "master" } else { "slave" }
                        ))
                        .or_default() += 1;
                }
                offset = r.next_begin_offset;
            }
            self.offsets.lock().insert(mq.clone(), offset);
            // Committed where the queue is served now (the slave while the master is down).
            let _ = self.consumer.commit_offset(&mq, offset).await;
        }
        println!("    consumed {} messages: {:?}", got.count(), per_source);
        Ok(got)
    }

    /// Waits until each slave has the topic's config and its master's commit-log end.
    pub async fn wait_slaves_have_topic(&self, nodes: &[Node]) -> Result<(), String> {
        bounded(
            "slaves to hold the topic",
            Duration::from_secs(20),
            || async {
                crate::report::replicas_in_sync(nodes)
                    && nodes.iter().filter(|n| n.cfg.broker_id != 0).all(|n| {
                        n.handle
                            .as_ref()
                            .is_some_and(|h| h.broker.meta.lock().topics.select(TOPIC).is_some())
                    })
            },
        )
        .await
    }

    pub fn shutdown(&self) {
        self.producer.shutdown();
        self.consumer.close();
    }
}
