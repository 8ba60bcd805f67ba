//! Consuming: a push consumer (clustering, CONSUME_FROM_FIRST_OFFSET) receives the backlog and
//! live messages (held long polls) with every field intact, broker-side tag filtering works for
//! push and lite pull subscriptions, and the lite pull consumer reads a whole topic.

use rocketactor_interop::client::{
    drain_with_lite_pull, lite_pull_builder, poll_until, send_all, stop_producer,
};
use rocketactor_interop::push::{
    always_success, start_concurrent, start_succeeding, stop, wait_for_distinct,
};
use rocketactor_interop::{check_each_once, guarded, Inbox, Received, Spec, TestBed};

const TOPIC: &str = "InteropPushTopic";
const BACKLOG: usize = 30;
const LIVE: usize = 15;

fn assert_once(received: &[Received], specs: &[Spec]) {
    check_each_once(received, specs, "no duplicates without failures");
}

#[test]
fn push_consumer_gets_backlog_and_live_messages_with_tag_filter() {
    let bed = TestBed::start("push", TOPIC, 4);
    let (env, ns) = (&bed.env, bed.ns());
    env.block_on(async {
        let producer = bed.producer("pg-interop-push").await;
        let specs = Spec::many("push", BACKLOG + LIVE);
        send_all(&producer, TOPIC, &specs[..BACKLOG]).await;

        let all = Inbox::default();
        let c_all = start_succeeding(env, ns, "cg-push-all", TOPIC, all.clone()).await;
        let tagged = Inbox::default();
        let c_tagged = start_concurrent(
            env,
            ns,
            "cg-push-tagged",
            TOPIC,
            "TagA || TagC",
            tagged.clone(),
            always_success(),
        )
        .await;
        wait_for_distinct("the backlog", &all, "push", BACKLOG).await;

        // Live messages: the consumer's pulls are held by the broker until these arrive.
        send_all(&producer, TOPIC, &specs[BACKLOG..]).await;
        wait_for_distinct("live messages", &all, "push", specs.len()).await;
        let want_tagged: Vec<Spec> = specs.iter().filter(|s| s.tags != "TagB").cloned().collect();
        wait_for_distinct("tag-filtered messages", &tagged, "push", want_tagged.len()).await;
        // No duplicate can still arrive once both groups committed every queue's end: nothing
        // is left in flight, and a re-pull would start from those offsets.
        for group in ["cg-push-all", "cg-push-tagged"] {
            bed.cluster
                .wait_offsets_committed(&format!("{group} committed the ends"), group, TOPIC, 4)
                .await;
        }
        assert_once(&all.all(), &specs);
        assert_once(&tagged.all(), &want_tagged);

        stop(c_all).await;
        stop(c_tagged).await;
        stop_producer(producer).await;
    });
    bed.finish();
}

#[test]
fn lite_pull_consumer_reads_everything_and_filters_by_tag() {
    let bed = TestBed::start("lite-pull", TOPIC, 3);
    let (env, ns) = (&bed.env, bed.ns());
    env.block_on(async {
        let producer = bed.producer("pg-interop-pull").await;
        let specs = Spec::many("pull", 36);
        send_all(&producer, TOPIC, &specs).await;

        let got = drain_with_lite_pull(env, ns, "cg-pull-all", TOPIC, specs.len()).await;
        assert_once(&got, &specs);

        // Tag expression: the broker filters by tag hash, the client by tag string.
        let consumer = lite_pull_builder(env, ns, "cg-pull-tagb")
            .build()
            .expect("lite pull consumer builds");
        guarded(
            "subscribe",
            consumer.subscribe_with_expression(TOPIC, "TagB"),
        )
        .await
        .expect("subscribe");
        guarded("start", consumer.start()).await.expect("start");
        let want: Vec<Spec> = specs.iter().filter(|s| s.tags == "TagB").cloned().collect();
        let tagged = poll_until(&consumer, want.len(), "TagB").await;
        assert_once(&tagged, &want);
        guarded("shutdown", consumer.shutdown()).await;
        stop_producer(producer).await;
    });
    bed.finish();
}
