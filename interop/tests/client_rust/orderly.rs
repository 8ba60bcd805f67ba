//! Orderly consumption: messages sent with a queue selector (order key → queue) are consumed by
//! a MessageListenerOrderly consumer in per-queue order; the consumer holds the broker's
//! rebalance locks (LOCK_BATCH_MQ) on its queues; a suspended batch is retried in place without
//! letting later messages of its queue overtake it.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use rocketactor_interop::client::stop_producer;
use rocketactor_interop::push::{start_orderly, stop, wait_for_distinct};
use rocketactor_interop::{check_all, guarded, wait_until, Inbox, Received, Spec, TestBed, GUARD};
use rocketmq_client_rust::ConsumeOrderlyStatus;
use rocketmq_model::common::message::message_queue::MessageQueue;

const TOPIC: &str = "InteropOrderTopic";
const GROUP: &str = "cg-orderly";
const QUEUES: i32 = 4;
const COUNT: usize = 40;
/// The message answered SUSPEND_CURRENT_QUEUE_A_MOMENT on its first delivery.
const SUSPENDED_SEQ: usize = 9;

#[test]
fn orderly_consumer_keeps_per_queue_order_under_locks() {
    let bed = TestBed::start("orderly", TOPIC, QUEUES);
    let (env, ns, cluster) = (&bed.env, bed.ns(), &bed.cluster);
    env.block_on(async {
        let producer = bed.producer("pg-interop-orderly").await;
        let specs = Spec::many("orderly", COUNT);
        let mut queue_of = BTreeMap::new();
        for s in &specs {
            let key = s.seq % QUEUES as usize;
            let r = guarded(
                "send with selector",
                producer.send_with_selector(
                    s.message(TOPIC),
                    |mqs: &[MessageQueue], _m, key: &usize| {
                        mqs.iter().find(|q| q.queue_id() as usize == *key).cloned()
                    },
                    key,
                ),
            )
            .await
            .expect("send ok")
            .expect("sync result");
            let mq = r.message_queue.expect("queue");
            assert_eq!(mq.queue_id() as usize, key, "the selector's queue is used");
            queue_of.insert(s.seq, mq.queue_id());
        }

        let inbox = Inbox::default();
        let suspended_once = Arc::new(AtomicBool::new(false));
        let decide = {
            let suspended_once = suspended_once.clone();
            Arc::new(move |r: &Received| {
                if r.seq() == Some(SUSPENDED_SEQ) && !suspended_once.swap(true, Ordering::SeqCst) {
                    ConsumeOrderlyStatus::SuspendCurrentQueueAMoment
                } else {
                    ConsumeOrderlyStatus::Success
                }
            })
        };
        let consumer = start_orderly(env, ns, GROUP, TOPIC, inbox.clone(), decide).await;
        wait_for_distinct("every message", &inbox, "orderly", COUNT).await;
        let locks = || {
            (0..QUEUES)
                .map(|q| cluster.lock_owner(GROUP, TOPIC, q))
                .collect::<Vec<_>>()
        };
        wait_until(
            "broker-side queue locks",
            GUARD,
            || {
                let l = locks();
                l.iter().all(Option::is_some) && l.windows(2).all(|w| w[0] == w[1])
            },
            || format!("{:?}", locks()),
        )
        .await;

        let all = inbox.all();
        let counts = check_all(&all, &specs);
        assert!(suspended_once.load(Ordering::SeqCst));
        assert_eq!(
            counts[&SUSPENDED_SEQ], 2,
            "the suspended message is delivered again"
        );
        // Per queue: deliveries in send order; a repeat only right after itself (the retry).
        let mut per_queue: BTreeMap<i32, Vec<usize>> = BTreeMap::new();
        for r in &all {
            let seq = r.seq().expect("seq");
            assert_eq!(
                r.queue_id, queue_of[&seq],
                "message {seq} consumed from its queue"
            );
            let q = per_queue.entry(r.queue_id).or_default();
            if q.last() != Some(&seq) {
                q.push(seq);
            }
        }
        for (q, seqs) in &per_queue {
            let want: Vec<usize> = specs
                .iter()
                .map(|s| s.seq)
                .filter(|s| queue_of[s] == *q)
                .collect();
            assert_eq!(seqs, &want, "queue {q} consumed in send order");
        }
        for (seq, n) in &counts {
            if *seq != SUSPENDED_SEQ {
                assert_eq!(*n, 1, "message {seq} delivered once");
            }
        }
        stop(consumer).await;
        stop_producer(producer).await;
    });
    bed.finish();
}
