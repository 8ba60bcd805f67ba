//! Retries: a message whose listener answers RECONSUME_LATER is sent back
//! (CONSUMER_SEND_MSG_BACK), parked for delay level 3 (10 s), delivered to `%RETRY%<group>` and
//! consumed again, intact, with reconsumeTimes 1 and its original topic restored by the client;
//! messages answered CONSUME_SUCCESS are not redelivered.

use std::collections::BTreeMap;
use std::sync::Arc;

use rocketactor_interop::client::{send_all, stop_producer};
use rocketactor_interop::push::{start_concurrent, stop};
use rocketactor_interop::{check_all, wait_until, Inbox, Received, Spec, TestBed, GUARD};
use rocketmq_client_rust::ConsumeConcurrentlyStatus;

const TOPIC: &str = "InteropRetryTopic";
const GROUP: &str = "cg-retry";
const COUNT: usize = 6;
/// Delay level 3 of the default `messageDelayLevel`.
const RETRY_DELAY_MS: i64 = 10_000;

fn fails_first_time(r: &Received) -> bool {
    r.seq().is_some_and(|s| s % 2 == 0) && r.reconsume_times == 0
}

#[test]
fn reconsume_later_redelivers_through_the_retry_topic() {
    let bed = TestBed::start("retry", TOPIC, 2);
    let (env, ns, cluster) = (&bed.env, bed.ns(), &bed.cluster);
    env.block_on(async {
        let producer = bed.producer("pg-interop-retry").await;
        let specs = Spec::many("retry", COUNT);
        send_all(&producer, TOPIC, &specs).await;
        let inbox = Inbox::default();
        let decide = Arc::new(|r: &Received| {
            if fails_first_time(r) {
                ConsumeConcurrentlyStatus::ReconsumeLater
            } else {
                ConsumeConcurrentlyStatus::ConsumeSuccess
            }
        });
        let consumer = start_concurrent(env, ns, GROUP, TOPIC, "*", inbox.clone(), decide).await;
        let retried = specs.iter().filter(|s| s.seq % 2 == 0).count();
        let want = COUNT + retried;
        let limit = GUARD + std::time::Duration::from_millis(RETRY_DELAY_MS as u64);
        wait_until(
            "first deliveries and redeliveries",
            limit,
            || inbox.len() >= want,
            || inbox.summary(),
        )
        .await;
        // No duplicate can still arrive once the group committed the ends of the topic and of
        // its retry topic: nothing is left in flight on either.
        cluster
            .wait_offsets_committed("topic offsets at the end", GROUP, TOPIC, 2)
            .await;
        cluster
            .wait_offsets_committed(
                "retry-topic offsets at the end",
                GROUP,
                &format!("%RETRY%{GROUP}"),
                1,
            )
            .await;
        let all = inbox.all();
        let counts = check_all(&all, &specs);

        let mut by_seq: BTreeMap<usize, Vec<&Received>> = BTreeMap::new();
        for r in &all {
            by_seq.entry(r.seq().expect("seq")).or_default().push(r);
        }
        for s in &specs {
            let got = &by_seq[&s.seq];
            if s.seq % 2 == 1 {
                assert_eq!(
                    got.len(),
                    1,
                    "message {} succeeded and is not redelivered",
                    s.seq
                );
                assert_eq!(got[0].reconsume_times, 0);
                continue;
            }
            assert_eq!(
                got.len(),
                2,
                "message {} delivered then redelivered once: {counts:?}",
                s.seq
            );
            let (first, again) = (got[0], got[1]);
            assert_eq!(first.reconsume_times, 0);
            assert_eq!(
                again.reconsume_times, 1,
                "the redelivery counts one reconsume"
            );
            assert_eq!(again.topic, TOPIC, "the client restores the original topic");
            assert_eq!(
                again.props.get("RETRY_TOPIC").map(String::as_str),
                Some(TOPIC),
                "the broker records where the retry comes from"
            );
            assert!(
                again.received_ms >= first.received_ms + RETRY_DELAY_MS,
                "message {} came back {} ms after its first delivery, before its retry delay",
                s.seq,
                again.received_ms - first.received_ms
            );
        }
        assert_eq!(
            cluster.max_offset(&format!("%RETRY%{GROUP}"), 0),
            retried as i64,
            "the redeliveries went through the group's retry topic"
        );
        stop(consumer).await;
        stop_producer(producer).await;
    });
    bed.finish();
}
