//! I/O faults on a running broker's write path (feature `failpoints`, armed for the broker's
//! temp dir): a failed msync of the commit log turns SYNC_FLUSH sends into FLUSH_DISK_TIMEOUT
//! (never SEND_OK) and the broker serves SEND_OK again once the disk recovers; a failed
//! commit-log append answers Java's SYSTEM_ERROR "UNKNOWN_ERROR" and leaves the store as it was
//! (the next put succeeds, a restart recovers exactly the stored records).

use std::time::Duration;

use crate::support::{code_of, eventually, Cluster};
use rocketactor::client::consumer::{PullConsumer, PullStatus};
use rocketactor::client::message::{Message, SendStatus};
use rocketactor::client::producer::Producer;
use rocketactor::codec::codes::response;
use rocketactor::config::{BrokerConfig, BrokerRole, FlushDiskType};
use rocketactor::failpoint::{self, names, Action};
use rocketactor::protocol::message_queue::MessageQueue;

async fn started_producer(ns: &str, group: &str) -> Producer {
    let p = Producer::new(ns, group).expect("producer");
    p.start().expect("start producer");
    eventually("TBW102 routable", || async {
        p.publish_queues("TBW102").await.is_ok()
    })
    .await;
    p
}

/// Every body on `mq` from offset 0, in order, through the broker's pull path (routed by the
/// name server to the broker at `addr`).
async fn bodies(consumer: &PullConsumer, mq: &MessageQueue, addr: &str) -> Vec<String> {
    eventually("queue routed to the broker", || async {
        consumer.fetch_queues(&mq.topic).await.is_ok()
            && consumer.master_addr(mq).await.is_ok_and(|a| a == addr)
    })
    .await;
    let mut out = Vec::new();
    let mut at = 0;
    // Bounded: each round moves past at least one message or ends.
    for _ in 0..1000 {
        let r = consumer.pull(mq, at, 32, "*", None).await.expect("pull");
        if r.status != PullStatus::Found || r.messages.is_empty() {
            break;
        }
        out.extend(
            r.messages
                .iter()
                .map(|m| String::from_utf8_lossy(&m.body).into_owned()),
        );
        at = r.next_begin_offset;
    }
    out
}

fn sync_flush_config(c: &Cluster, name: &str, dir: &std::path::Path) -> BrokerConfig {
    let mut cfg = c.broker_config(name, BrokerRole::AsyncMaster, dir);
    cfg.flush_disk_type = FlushDiskType::SyncFlush;
    cfg.sync_flush_timeout = 5_000;
    cfg
}

#[actix_rt::test]
async fn failed_msync_answers_flush_disk_timeout_and_the_broker_recovers() {
    let dir = tempfile::tempdir().unwrap();
    let c = Cluster::start().await;
    let cfg = sync_flush_config(&c, "broker-ff", dir.path());
    let broker = c.broker(cfg.clone()).await;
    let p = started_producer(&c.namesrv_addr(), "pg-ff").await;
    let first = p.send("FF_TOPIC", Message::new("m0")).await.expect("send");
    assert_eq!(first.status, SendStatus::SendOk);
    let mq = first.queue.clone();

    // Every msync of a commit-log file fails until disarmed.
    let fp = failpoint::arm(
        names::MAPPED_FILE_MSYNC,
        &broker.broker.store.reader().config().commit_log_dir,
        Action::Fail(u64::MAX),
    );
    for i in 1..=3 {
        let r = p
            .send_to_queue(&mq, Message::new(format!("m{i}")))
            .await
            .expect("stored: a FLUSH_DISK_TIMEOUT answer, not an error");
        assert_eq!(
            r.status,
            SendStatus::FlushDiskTimeout,
            "send {i} during the fault must never be SEND_OK"
        );
        assert_eq!(r.queue_offset, first.queue_offset + i);
    }
    assert!(fp.hits() >= 3, "every send's flush hit the failpoint");
    let flush = &broker.broker.store.flush;
    assert!(flush.failures() >= 3, "failures counted");
    // The flush thread keeps trying on its own (no send needed) and is still the same one.
    let before = flush.failures();
    eventually("the flush is retried", || async {
        flush.failures() > before
    })
    .await;
    assert_eq!(
        c.book
            .count(rocketactor::broker::store_actors::FLUSH_COMPONENT),
        0
    );
    assert!(
        broker.broker.store.read_only.reason().is_none(),
        "a failed msync does not make the store read-only"
    );

    fp.disarm();
    let ok = p
        .send_to_queue(&mq, Message::new("m4"))
        .await
        .expect("send after the fault");
    assert_eq!(ok.status, SendStatus::SendOk, "SEND_OK once the disk works");
    let reader = broker.broker.store.reader();
    assert!(reader.flushed_offset() >= reader.max_phys_offset());
    drop(reader);

    let want: Vec<String> = (0..=4).map(|i| format!("m{i}")).collect();
    let consumer = PullConsumer::new(&c.namesrv_addr(), "cg-ff").unwrap();
    assert_eq!(bodies(&consumer, &mq, &broker.client_addr()).await, want);
    broker.stop().await;

    // Everything acknowledged (and the FLUSH_DISK_TIMEOUT ones, stored too) survives a restart.
    let broker = c.broker(cfg).await;
    assert_eq!(bodies(&consumer, &mq, &broker.client_addr()).await, want);
    broker.stop().await;
}

#[actix_rt::test]
async fn failed_append_answers_unknown_error_and_leaves_the_store_undamaged() {
    let dir = tempfile::tempdir().unwrap();
    let c = Cluster::start().await;
    let cfg = sync_flush_config(&c, "broker-fa", dir.path());
    let broker = c.broker(cfg.clone()).await;
    let p = started_producer(&c.namesrv_addr(), "pg-fa").await;
    let first = p.send("FA_TOPIC", Message::new("a0")).await.expect("send");
    let mq = first.queue.clone();
    let max_before = broker.broker.store.reader().max_phys_offset();

    let fp = failpoint::arm(
        names::MAPPED_FILE_APPEND,
        &broker.broker.store.reader().config().commit_log_dir,
        Action::Fail(1),
    );
    let (code, remark) = code_of(p.send_to_queue(&mq, Message::new("lost")).await);
    // Java 4.9.7: AppendMessageStatus.UNKNOWN_ERROR -> PutMessageStatus.UNKNOWN_ERROR ->
    // SYSTEM_ERROR with the remark "UNKNOWN_ERROR" (SendMessageProcessor.handlePutMessageResult).
    assert_eq!(
        (code, remark.as_str()),
        (response::SYSTEM_ERROR, "UNKNOWN_ERROR")
    );
    assert_eq!(fp.hits(), 1);
    let reader = broker.broker.store.reader();
    assert_eq!(reader.max_phys_offset(), max_before, "nothing was written");
    assert_eq!(
        reader.max_offset_in_queue(&mq.topic, mq.queue_id),
        first.queue_offset + 1,
        "the queue offset did not advance"
    );
    drop(reader);
    assert!(broker.broker.store.read_only.reason().is_none());

    let next = p
        .send_to_queue(&mq, Message::new("a1"))
        .await
        .expect("the next put succeeds");
    assert_eq!(next.status, SendStatus::SendOk);
    assert_eq!(next.queue_offset, first.queue_offset + 1, "no gap");
    let consumer = PullConsumer::new(&c.namesrv_addr(), "cg-fa").unwrap();
    let want = vec!["a0".to_string(), "a1".to_string()];
    assert_eq!(bodies(&consumer, &mq, &broker.client_addr()).await, want);
    broker.stop().await;

    let broker = c.broker(cfg).await;
    assert_eq!(bodies(&consumer, &mq, &broker.client_addr()).await, want);
    tokio::time::timeout(Duration::from_secs(10), broker.stop())
        .await
        .expect("clean stop");
}
