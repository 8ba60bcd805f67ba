//! Delayed messages: a message sent with delayTimeLevel 2 (5 s) reaches the consumer intact and
//! not before its send time plus its delay (a correctness bound, not a benchmark); a message
//! without a delay sent at the same time is not held back with it.

use rocketactor_interop::client::stop_producer;
use rocketactor_interop::push::{start_succeeding, stop, wait_for_distinct};
use rocketactor_interop::{
    check_each_once, guarded, now_ms, wait_until, Inbox, Spec, TestBed, GUARD,
};

const TOPIC: &str = "InteropDelayTopic";
const LEVEL: i32 = 2;
/// Level 2 of the default `messageDelayLevel` ("1s 5s 10s ...").
const DELAY_MS: i64 = 5_000;
const DELAYED: usize = 4;

#[test]
fn delayed_message_arrives_not_before_its_delay() {
    let bed = TestBed::start("delay", TOPIC, 2);
    bed.env.block_on(async {
        let inbox = Inbox::default();
        let consumer = start_succeeding(&bed.env, bed.ns(), "cg-delay", TOPIC, inbox.clone()).await;
        let producer = bed.producer("pg-interop-delay").await;
        let specs = Spec::many("delay", DELAYED + 1);
        let (delayed, plain) = specs.split_at(DELAYED);
        let mut sent_ms = Vec::new();
        for s in delayed {
            let mut msg = s.message(TOPIC);
            msg.set_delay_time_level(LEVEL);
            sent_ms.push(now_ms());
            guarded("send delayed", producer.send(msg))
                .await
                .expect("send ok");
        }
        guarded("send plain", producer.send(plain[0].message(TOPIC)))
            .await
            .expect("send ok");

        wait_until(
            "the undelayed message",
            GUARD,
            || inbox.distinct_seqs("delay").contains(&plain[0].seq),
            || inbox.summary(),
        )
        .await;
        wait_for_distinct("delayed messages", &inbox, "delay", specs.len()).await;
        let all = inbox.all();
        check_each_once(&all, &specs, "each once");
        for r in &all {
            let seq = r.seq().expect("seq");
            if seq >= DELAYED {
                continue;
            }
            assert!(
                r.received_ms >= sent_ms[seq] + DELAY_MS,
                "delayed message {seq} arrived {} ms after its send, before its delay",
                r.received_ms - sent_ms[seq]
            );
            assert_eq!(r.topic, TOPIC);
            assert_eq!(r.props.get("REAL_TOPIC").map(String::as_str), Some(TOPIC));
        }
        stop(consumer).await;
        stop_producer(producer).await;
    });
    bed.finish();
}
