//! Offsets: a push consumer commits what it consumed (UPDATE_CONSUMER_OFFSET, and on shutdown);
//! a new consumer of the same group, started after more messages arrived, resumes from the
//! committed offsets: nothing committed is delivered again, nothing new is lost. The same for a
//! lite pull consumer without auto-commit that commits explicitly (`commit_all`).

use rocketactor_interop::client::start_producer;
use rocketactor_interop::push::{always_success, start_concurrent, stop};
use rocketactor_interop::{
    check_all, guarded, wait_until, ClientEnv, Inbox, Received, ServerCluster, Spec, GUARD,
};
use rocketmq_client_rust::DefaultLitePullConsumer;
use rocketmq_model::common::consumer::consume_from_where::ConsumeFromWhere;

const TOPIC: &str = "InteropResumeTopic";
const GROUP: &str = "cg-resume";
const QUEUES: i32 = 4;
const PER_BATCH: usize = 24;

#[test]
fn restarted_push_consumer_resumes_from_committed_offsets() {
    let cluster = ServerCluster::start();
    cluster.create_topic(TOPIC, QUEUES);
    let env = ClientEnv::new("resume");
    env.block_on(async {
        let ns = cluster.namesrv_addr.clone();
        let producer = start_producer(&env, &ns, "pg-interop-resume").await;
        let specs = Spec::many("resume", 2 * PER_BATCH);
        let (first, second) = specs.split_at(PER_BATCH);
        for s in first {
            guarded("send", producer.send(s.message(TOPIC)))
                .await
                .expect("send ok");
        }

        let inbox1 = Inbox::default();
        let c1 = start_concurrent(
            &env,
            &ns,
            GROUP,
            TOPIC,
            "*",
            inbox1.clone(),
            always_success(),
        )
        .await;
        wait_until(
            "first batch",
            GUARD,
            || inbox1.distinct_seqs("resume").len() >= PER_BATCH,
            || inbox1.summary(),
        )
        .await;
        // The client commits periodically; wait until the broker holds every offset.
        let committed_all = || {
            (0..QUEUES).all(|q| {
                cluster.committed_offset(GROUP, TOPIC, q) == Some(cluster.max_offset(TOPIC, q))
            })
        };
        let state = || {
            (0..QUEUES)
                .map(|q| {
                    format!(
                        "q{q}: {:?}/{}",
                        cluster.committed_offset(GROUP, TOPIC, q),
                        cluster.max_offset(TOPIC, q)
                    )
                })
                .collect::<Vec<_>>()
                .join(", ")
        };
        wait_until("offsets committed", GUARD, committed_all, state).await;
        stop(c1).await;
        assert!(
            committed_all(),
            "offsets still committed after shutdown: {}",
            state()
        );
        let counts = check_all(&inbox1.all(), first);
        assert!(
            counts.values().all(|&n| n == 1),
            "first consumer got each once: {counts:?}"
        );

        // More messages while no consumer runs; then a new consumer of the same group.
        for s in second {
            guarded("send", producer.send(s.message(TOPIC)))
                .await
                .expect("send ok");
        }
        let inbox2 = Inbox::default();
        let c2 = start_concurrent(
            &env,
            &ns,
            GROUP,
            TOPIC,
            "*",
            inbox2.clone(),
            always_success(),
        )
        .await;
        wait_until(
            "second batch",
            GUARD,
            || inbox2.distinct_seqs("resume").len() >= PER_BATCH,
            || inbox2.summary(),
        )
        .await;
        // Per queue, a redelivered old message would come before the new ones: by now it
        // would have been seen.
        let counts = check_all(&inbox2.all(), second);
        assert!(
            counts.values().all(|&n| n == 1),
            "second consumer got each new message once: {counts:?}"
        );
        wait_until("offsets committed again", GUARD, committed_all, state).await;
        stop(c2).await;
        guarded("producer shutdown", async move {
            let mut producer = producer;
            producer.shutdown().await
        })
        .await;
    });
    drop(env);
    cluster.stop();
}

/// Polls `consumer` until `count` messages arrived (bounded), then once more briefly so that
/// extra copies would show.
async fn poll_n(consumer: &DefaultLitePullConsumer, count: usize) -> Vec<Received> {
    let mut got = Vec::new();
    let start = std::time::Instant::now();
    while got.len() < count {
        assert!(
            start.elapsed() < GUARD,
            "lite pull: {} of {count} after {GUARD:?}",
            got.len()
        );
        for m in guarded("poll", consumer.poll_with_timeout(1000)).await {
            got.push(Received::from_ext(&m));
        }
    }
    for m in guarded("poll", consumer.poll_with_timeout(500)).await {
        got.push(Received::from_ext(&m));
    }
    got
}

async fn lite_consumer(env: &ClientEnv, ns: &str) -> DefaultLitePullConsumer {
    let c = DefaultLitePullConsumer::builder(env.runtime())
        .name_server_addr(ns.to_string())
        .consumer_group(LITE_GROUP)
        .consume_from_where(ConsumeFromWhere::ConsumeFromFirstOffset)
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
    let cluster = ServerCluster::start();
    cluster.create_topic(LITE_TOPIC, 2);
    let env = ClientEnv::new("lite-resume");
    env.block_on(async {
        let ns = cluster.namesrv_addr.clone();
        let producer = start_producer(&env, &ns, "pg-interop-lite-resume").await;
        let specs = Spec::many("lite-resume", 2 * PER_BATCH);
        let (first, second) = specs.split_at(PER_BATCH);
        for s in first {
            guarded("send", producer.send(s.message(LITE_TOPIC)))
                .await
                .expect("send ok");
        }
        let c1 = lite_consumer(&env, &ns).await;
        let got = poll_n(&c1, PER_BATCH).await;
        let counts = check_all(&got, first);
        assert!(counts.values().all(|&n| n == 1), "each once: {counts:?}");
        guarded("commit", c1.commit_all()).await.expect("commit");
        let committed_all = || {
            (0..2).all(|q| {
                cluster.committed_offset(LITE_GROUP, LITE_TOPIC, q)
                    == Some(cluster.max_offset(LITE_TOPIC, q))
            })
        };
        let state = || {
            (0..2)
                .map(|q| {
                    format!(
                        "q{q}: {:?}/{}",
                        cluster.committed_offset(LITE_GROUP, LITE_TOPIC, q),
                        cluster.max_offset(LITE_TOPIC, q)
                    )
                })
                .collect::<Vec<_>>()
                .join(", ")
        };
        wait_until("lite pull offsets committed", GUARD, committed_all, state).await;
        guarded("shutdown", c1.shutdown()).await;

        for s in second {
            guarded("send", producer.send(s.message(LITE_TOPIC)))
                .await
                .expect("send ok");
        }
        let c2 = lite_consumer(&env, &ns).await;
        let got = poll_n(&c2, PER_BATCH).await;
        let counts = check_all(&got, second);
        assert!(
            counts.values().all(|&n| n == 1),
            "only the new messages, each once: {counts:?}"
        );
        guarded("shutdown", c2.shutdown()).await;
        guarded("producer shutdown", async move {
            let mut producer = producer;
            producer.shutdown().await
        })
        .await;
    });
    drop(env);
    cluster.stop();
}
