//! Offsets: a push consumer commits what it consumed (UPDATE_CONSUMER_OFFSET, and on shutdown);
//! a new consumer of the same group, started after more messages arrived, resumes from the
//! committed offsets: nothing committed is delivered again, nothing new is lost. The same for a
//! lite pull consumer without auto-commit that commits explicitly (`commit_all`).

use rocketactor_interop::client::{lite_pull_builder, poll_until, send_all, stop_producer};
use rocketactor_interop::push::{start_succeeding, stop, wait_for_distinct};
use rocketactor_interop::{check_each_once, guarded, ClientEnv, Inbox, Spec, TestBed};
use rocketmq_client_rust::DefaultLitePullConsumer;

const TOPIC: &str = "InteropResumeTopic";
const GROUP: &str = "cg-resume";
const QUEUES: i32 = 4;
const PER_BATCH: usize = 24;

#[test]
fn restarted_push_consumer_resumes_from_committed_offsets() {
    let bed = TestBed::start("resume", TOPIC, QUEUES);
    let (env, ns, cluster) = (&bed.env, bed.ns(), &bed.cluster);
    env.block_on(async {
        let producer = bed.producer("pg-interop-resume").await;
        let specs = Spec::many("resume", 2 * PER_BATCH);
        let (first, second) = specs.split_at(PER_BATCH);
        send_all(&producer, TOPIC, first).await;

        let inbox1 = Inbox::default();
        let c1 = start_succeeding(env, ns, GROUP, TOPIC, inbox1.clone()).await;
        wait_for_distinct("first batch", &inbox1, "resume", PER_BATCH).await;
        // The client commits periodically; wait until the broker holds every offset.
        cluster
            .wait_offsets_committed("offsets committed", GROUP, TOPIC, QUEUES)
            .await;
        stop(c1).await;
        assert!(
            cluster.offsets_committed(GROUP, TOPIC, QUEUES),
            "offsets still committed after shutdown: {}",
            cluster.offsets_state(GROUP, TOPIC, QUEUES)
        );
        check_each_once(&inbox1.all(), first, "first consumer got each once");

        // More messages while no consumer runs; then a new consumer of the same group.
        send_all(&producer, TOPIC, second).await;
        let inbox2 = Inbox::default();
        let c2 = start_succeeding(env, ns, GROUP, TOPIC, inbox2.clone()).await;
        wait_for_distinct("second batch", &inbox2, "resume", PER_BATCH).await;
        // Per queue, a redelivered old message would come before the new ones: by now it
        // would have been seen.
        check_each_once(
            &inbox2.all(),
            second,
            "second consumer got each new message once",
        );
        cluster
            .wait_offsets_committed("offsets committed again", GROUP, TOPIC, QUEUES)
            .await;
        stop(c2).await;
        stop_producer(producer).await;
    });
    bed.finish();
}

async fn lite_consumer(env: &ClientEnv, ns: &str) -> DefaultLitePullConsumer {
    let c = lite_pull_builder(env, ns, LITE_GROUP)
        .auto_commit(false)
        .build()
        .expect("lite pull consumer builds");
    guarded("subscribe", c.subscribe(LITE_TOPIC))
        .await
        .expect("subscribe");
    guarded("start", c.start()).await.expect("start");
    c
}

const LITE_TOPIC: &str = "InteropLiteResumeTopic";
const LITE_GROUP: &str = "cg-lite-resume";

#[test]
fn restarted_lite_pull_consumer_resumes_from_explicit_commit() {
    let bed = TestBed::start("lite-resume", LITE_TOPIC, 2);
    let (env, ns, cluster) = (&bed.env, bed.ns(), &bed.cluster);
    env.block_on(async {
        let producer = bed.producer("pg-interop-lite-resume").await;
        let specs = Spec::many("lite-resume", 2 * PER_BATCH);
        let (first, second) = specs.split_at(PER_BATCH);
        send_all(&producer, LITE_TOPIC, first).await;
        let c1 = lite_consumer(env, ns).await;
        let got = poll_until(&c1, PER_BATCH, "lite pull").await;
        check_each_once(&got, first, "each once");
        guarded("commit", c1.commit_all()).await.expect("commit");
        cluster
            .wait_offsets_committed("lite pull offsets committed", LITE_GROUP, LITE_TOPIC, 2)
            .await;
        guarded("shutdown", c1.shutdown()).await;

        send_all(&producer, LITE_TOPIC, second).await;
        let c2 = lite_consumer(env, ns).await;
        let got = poll_until(&c2, PER_BATCH, "lite pull").await;
        check_each_once(&got, second, "only the new messages, each once");
        guarded("shutdown", c2.shutdown()).await;
        stop_producer(producer).await;
    });
    bed.finish();
}
