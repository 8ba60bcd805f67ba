//! I/O faults under a running broker (feature `failpoints`, armed for the broker's temp dir):
//! a failed dispatch after the append still answers SEND_OK and the writer's retry delivers the
//! record to a held pull; a failed metadata write is retried and counted; the maintenance thread
//! that writes metadata is supervised and comes back after a crash.

use std::sync::atomic::Ordering;
use std::time::Duration;

use crate::support::{eventually, Cluster};
use rocketactor::actors::supervisor::InjectFailure;
use rocketactor::client::consumer::{PullConsumer, PullStatus};
use rocketactor::client::message::{Message, SendStatus};
use rocketactor::client::producer::Producer;
use rocketactor::config::BrokerRole;
use rocketactor::failpoint::{self, names, Action};

#[actix_rt::test]
async fn failed_dispatch_answers_send_ok_and_the_retry_wakes_the_held_pull() {
    let dir = tempfile::tempdir().unwrap();
    let cluster = Cluster::start().await;
    let broker = cluster
        .broker(cluster.broker_config("broker-fd", BrokerRole::AsyncMaster, dir.path()))
        .await;
    let ns = cluster.namesrv_addr();
    let producer = Producer::new(&ns, "pg-fd").unwrap();
    producer.start().unwrap();
    eventually("broker registered", || async {
        producer.publish_queues("TBW102").await.is_ok()
    })
    .await;
    let first = producer
        .send("FD_TOPIC", Message::new("first"))
        .await
        .expect("send");
    let mq = first.queue.clone();
    let consumer = PullConsumer::new(&ns, "cg-fd").unwrap();
    eventually("topic routable", || async {
        consumer.fetch_queues("FD_TOPIC").await.is_ok()
    })
    .await;

    let fp = failpoint::arm(names::DISPATCH, dir.path(), Action::Fail(u64::MAX));
    let second = producer
        .send_to_queue(&mq, Message::new("second"))
        .await
        .expect("stored in the commit log: SEND_OK, not an error");
    assert_eq!(second.status, SendStatus::SendOk);
    assert_eq!(second.queue_offset, first.queue_offset + 1);
    let reader = broker.broker.store.reader();
    assert!(fp.hits() >= 1);
    assert_eq!(reader.dispatch_backlog(), 1);
    assert!(reader.dispatch_failures() >= 1);
    // Not dispatched: a pull finds nothing new and is held.
    let pull = {
        let (consumer, mq) = (consumer.clone(), mq.clone());
        let at = second.queue_offset;
        actix_rt::spawn(async move {
            consumer
                .pull(&mq, at, 32, "*", Some(Duration::from_secs(20)))
                .await
        })
    };
    // The writer's timer keeps retrying while the fault lasts.
    let hits = fp.hits();
    eventually("the dispatch is retried", || async { fp.hits() > hits }).await;
    assert!(
        !pull.is_finished(),
        "nothing to deliver while the dispatch fails"
    );
    fp.disarm();
    // No further send: the timer's retry dispatches the record and wakes the held pull.
    let r = pull.await.unwrap().expect("pull ok");
    assert_eq!(r.status, PullStatus::Found);
    assert_eq!(r.messages.len(), 1);
    assert_eq!(r.messages[0].body.as_ref(), b"second");
    assert_eq!(reader.dispatch_backlog(), 0);
    // The store stayed writable.
    let third = producer
        .send_to_queue(&mq, Message::new("third"))
        .await
        .expect("send");
    assert_eq!(third.queue_offset, second.queue_offset + 1);
    broker.stop().await;
}

#[actix_rt::test]
async fn failed_metadata_write_is_retried_and_counted() {
    let dir = tempfile::tempdir().unwrap();
    let cluster = Cluster::start().await;
    let broker = cluster
        .broker(cluster.broker_config("broker-md", BrokerRole::AsyncMaster, dir.path()))
        .await;
    let topics = dir.path().join("config").join("topics.json");
    let fp = failpoint::arm(names::METADATA_WRITE, &topics, Action::Fail(2));
    let ns = cluster.namesrv_addr();
    let producer = Producer::new(&ns, "pg-md").unwrap();
    producer.start().unwrap();
    eventually("broker registered", || async {
        producer.publish_queues("TBW102").await.is_ok()
    })
    .await;
    // Auto-creates the topic: topics.json is dirty.
    producer
        .send("MD_TOPIC", Message::new("x"))
        .await
        .expect("send");
    eventually("topics.json written after the failed attempts", || async {
        std::fs::read_to_string(&topics).is_ok_and(|t| t.contains("MD_TOPIC"))
    })
    .await;
    assert_eq!(fp.hits(), 2, "two writes failed before the one that landed");
    assert!(
        broker
            .broker
            .stats
            .metadata_write_failures
            .load(Ordering::Acquire)
            >= 2
    );
    broker.stop().await;
}

#[actix_rt::test]
async fn maintenance_thread_is_restarted_after_a_crash() {
    let dir = tempfile::tempdir().unwrap();
    let cluster = Cluster::start().await;
    let broker = cluster
        .broker(cluster.broker_config("broker-mt", BrokerRole::AsyncMaster, dir.path()))
        .await;
    assert_eq!(cluster.book.count("maintenance"), 0);
    broker.inject_maintenance_failure(InjectFailure::Panic);
    eventually("maintenance restart counted", || async {
        cluster.book.count("maintenance") >= 1
    })
    .await;
    broker.inject_maintenance_failure(InjectFailure::Stop);
    eventually("second restart counted", || async {
        cluster.book.count("maintenance") >= 2
    })
    .await;
    // The restarted thread still writes metadata.
    let topics = dir.path().join("config").join("topics.json");
    let ns = cluster.namesrv_addr();
    let producer = Producer::new(&ns, "pg-mt").unwrap();
    producer.start().unwrap();
    eventually("broker registered", || async {
        producer.publish_queues("TBW102").await.is_ok()
    })
    .await;
    producer
        .send("MT_TOPIC", Message::new("x"))
        .await
        .expect("send");
    eventually("topics.json written by the new thread", || async {
        std::fs::read_to_string(&topics).is_ok_and(|t| t.contains("MT_TOPIC"))
    })
    .await;
    broker.stop().await;
}
