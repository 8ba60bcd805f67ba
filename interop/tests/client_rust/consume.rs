//! Consuming: a push consumer (clustering, CONSUME_FROM_FIRST_OFFSET) receives the backlog and
//! live messages (held long polls) with every field intact, broker-side tag filtering works for
//! push and lite pull subscriptions, and the lite pull consumer reads a whole topic.

use rocketactor_interop::client::{drain_with_lite_pull, start_producer};
use rocketactor_interop::push::{always_success, start_concurrent, stop};
use rocketactor_interop::{
    check_all, guarded, wait_until, ClientEnv, Inbox, Received, ServerCluster, Spec, GUARD,
};
use rocketmq_client_rust::DefaultLitePullConsumer;
use rocketmq_model::common::consumer::consume_from_where::ConsumeFromWhere;

const TOPIC: &str = "InteropPushTopic";
const BACKLOG: usize = 30;
const LIVE: usize = 15;

fn assert_once(received: &[Received], specs: &[Spec]) {
    let counts = check_all(received, specs);
    assert!(
        counts.values().all(|&n| n == 1),
        "no duplicates without failures: {counts:?}"
    );
}

#[test]
fn push_consumer_gets_backlog_and_live_messages_with_tag_filter() {
    let cluster = ServerCluster::start();
    cluster.create_topic(TOPIC, 4);
    let env = ClientEnv::new("push");
    env.block_on(async {
        let ns = cluster.namesrv_addr.clone();
        let producer = start_producer(&env, &ns, "pg-interop-push").await;
        let specs = Spec::many("push", BACKLOG + LIVE);
        for s in &specs[..BACKLOG] {
            guarded("send", producer.send(s.message(TOPIC)))
                .await
                .expect("send ok");
        }

        let all = Inbox::default();
        let c_all = start_concurrent(
            &env,
            &ns,
            "cg-push-all",
            TOPIC,
            "*",
            all.clone(),
            always_success(),
        )
        .await;
        let tagged = Inbox::default();
        let c_tagged = start_concurrent(
            &env,
            &ns,
            "cg-push-tagged",
            TOPIC,
            "TagA || TagC",
            tagged.clone(),
            always_success(),
        )
        .await;
        wait_until(
            "the backlog",
            GUARD,
            || all.distinct_seqs("push").len() >= BACKLOG,
            || all.summary(),
        )
        .await;

        // Live messages: the consumer's pulls are held by the broker until these arrive.
        for s in &specs[BACKLOG..] {
            guarded("send", producer.send(s.message(TOPIC)))
                .await
                .expect("send ok");
        }
        wait_until(
            "live messages",
            GUARD,
            || all.distinct_seqs("push").len() >= specs.len(),
            || all.summary(),
        )
        .await;
        let want_tagged: Vec<Spec> = specs.iter().filter(|s| s.tags != "TagB").cloned().collect();
        wait_until(
            "tag-filtered messages",
            GUARD,
            || tagged.distinct_seqs("push").len() >= want_tagged.len(),
            || tagged.summary(),
        )
        .await;
        // Let any duplicate show up before checking.
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
        assert_once(&all.all(), &specs);
        assert_once(&tagged.all(), &want_tagged);

        stop(c_all).await;
        stop(c_tagged).await;
        guarded("producer shutdown", async move {
            let mut producer = producer;
            producer.shutdown().await
        })
        .await;
    });
    drop(env);
    cluster.stop();
}

#[test]
fn lite_pull_consumer_reads_everything_and_filters_by_tag() {
    let cluster = ServerCluster::start();
    cluster.create_topic(TOPIC, 3);
    let env = ClientEnv::new("lite-pull");
    env.block_on(async {
        let ns = cluster.namesrv_addr.clone();
        let producer = start_producer(&env, &ns, "pg-interop-pull").await;
        let specs = Spec::many("pull", 36);
        for s in &specs {
            guarded("send", producer.send(s.message(TOPIC)))
                .await
                .expect("send ok");
        }

        let got = drain_with_lite_pull(&env, &ns, "cg-pull-all", TOPIC, specs.len()).await;
        assert_once(&got, &specs);

        // Tag expression: the broker filters by tag hash, the client by tag string.
        let consumer = DefaultLitePullConsumer::builder(env.runtime())
            .name_server_addr(ns.clone())
            .consumer_group("cg-pull-tagb")
            .consume_from_where(ConsumeFromWhere::ConsumeFromFirstOffset)
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
        let mut tagged = Vec::new();
        let start = std::time::Instant::now();
        while tagged.len() < want.len() {
            assert!(
                start.elapsed() < GUARD,
                "TagB: {} of {}",
                tagged.len(),
                want.len()
            );
            for m in guarded("poll", consumer.poll_with_timeout(1000)).await {
                tagged.push(Received::from_ext(&m));
            }
        }
        for m in guarded("poll", consumer.poll_with_timeout(500)).await {
            tagged.push(Received::from_ext(&m));
        }
        assert_once(&tagged, &want);
        guarded("shutdown", consumer.shutdown()).await;
        guarded("producer shutdown", async move {
            let mut producer = producer;
            producer.shutdown().await
        })
        .await;
    });
    drop(env);
    cluster.stop();
}
