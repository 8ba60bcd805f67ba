//! The third-party client's runtime for one test: a `rocketmq_runtime::RuntimeOwner` (which owns
//! the tokio runtime the client's tasks run on) and the `ClientRuntime` every producer and
//! consumer of the test is built from, producer helpers (start, send a batch of specs, stop),
//! lite-pull helpers (a builder, a bounded poll loop, a drain), and bounded waits.
//! `INTEROP_CLIENT_LOG=<filter>` sends the client's tracing output to stderr.

use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

use rocketmq_client_rust::{
    ClientRuntime, ClientRuntimeConfig, DefaultLitePullConsumer, DefaultLitePullConsumerBuilder,
    DefaultMQProducer, TelemetryHandle,
};
use rocketmq_model::common::consumer::consume_from_where::ConsumeFromWhere;
use rocketmq_runtime::{RuntimeConfig, RuntimeOwner};

use crate::messages::{Received, Spec};

/// Deadlock guard for any single wait of a test (start-up, a send, a consumption).
pub const GUARD: Duration = Duration::from_secs(30);

/// The client side of a test.
pub struct ClientEnv {
    owner: Option<RuntimeOwner>,
    runtime: Arc<ClientRuntime>,
}

impl ClientEnv {
    /// A fresh client runtime whose threads are named after `scope`.
    pub fn new(scope: &str) -> ClientEnv {
        init_client_log();
        let owner = RuntimeOwner::plan(RuntimeConfig {
            thread_name: format!("interop-{scope}"),
            ..Default::default()
        })
        .expect("runtime plan")
        .build()
        .expect("runtime owner");
        let runtime = ClientRuntime::try_new(
            owner.root_context().component("client"),
            ClientRuntimeConfig {
                shutdown_timeout: Duration::from_secs(10),
                ..Default::default()
            },
            TelemetryHandle::noop(),
        )
        .expect("client runtime");
        ClientEnv {
            owner: Some(owner),
            runtime,
        }
    }

    /// The runtime to build producers and consumers from.
    pub fn runtime(&self) -> Arc<ClientRuntime> {
        self.runtime.clone()
    }

    /// Runs a test body on the client's tokio runtime.
    pub fn block_on<F: Future>(&self, f: F) -> F::Output {
        self.owner
            .as_ref()
            .expect("runtime owner present until drop")
            .block_on(f)
    }
}

impl Drop for ClientEnv {
    fn drop(&mut self) {
        let runtime = self.runtime.clone();
        if let Some(owner) = self.owner.take() {
            owner.block_on(async move {
                let _ = tokio::time::timeout(GUARD, runtime.shutdown()).await;
            });
            let _ = owner.shutdown_background();
        }
    }
}

/// With `INTEROP_CLIENT_LOG` set (an `EnvFilter` such as `rocketmq_client_rust=debug`), the
/// client's tracing output goes to stderr.
fn init_client_log() {
    if let Ok(filter) = std::env::var("INTEROP_CLIENT_LOG") {
        let _ = tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::new(filter))
            .with_writer(std::io::stderr)
            .try_init();
    }
}

/// Awaits `f`, failing the test with `what` if it takes longer than [`GUARD`].
pub async fn guarded<F: Future>(what: &str, f: F) -> F::Output {
    match tokio::time::timeout(GUARD, f).await {
        Ok(v) => v,
        Err(_) => panic!("timed out after {GUARD:?}: {what}"),
    }
}

/// Polls `cond` every 50 ms until it holds; panics with `what` (and the last `state`) after
/// `limit`. A deadlock guard, never a performance assertion.
pub async fn wait_until(
    what: &str,
    limit: Duration,
    mut cond: impl FnMut() -> bool,
    state: impl Fn() -> String,
) {
    let start = Instant::now();
    while !cond() {
        if start.elapsed() > limit {
            panic!(
                "timed out after {limit:?} waiting for {what}; state: {}",
                state()
            );
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// A started producer of `group` talking to the name server at `namesrv`.
pub async fn start_producer(env: &ClientEnv, namesrv: &str, group: &str) -> DefaultMQProducer {
    let mut p = DefaultMQProducer::builder(env.runtime())
        .producer_group(group.to_string())
        .name_server_addr(namesrv.to_string())
        .build();
    guarded("producer start", p.start())
        .await
        .expect("producer starts");
    p
}

/// Sends every spec of `specs` to `topic` with a sync send, each bounded by [`GUARD`].
pub async fn send_all(producer: &DefaultMQProducer, topic: &str, specs: &[Spec]) {
    for s in specs {
        guarded("send", producer.send(s.message(topic)))
            .await
            .expect("send ok");
    }
}

/// Shuts a producer down (bounded).
pub async fn stop_producer(mut producer: DefaultMQProducer) {
    guarded("producer shutdown", producer.shutdown()).await;
}

/// A lite pull consumer builder of `group` talking to the name server at `namesrv`, reading
/// from the first offset; the caller adds its own settings and builds.
pub fn lite_pull_builder(
    env: &ClientEnv,
    namesrv: &str,
    group: &str,
) -> DefaultLitePullConsumerBuilder {
    DefaultLitePullConsumer::builder(env.runtime())
        .name_server_addr(namesrv.to_string())
        .consumer_group(group.to_string())
        .consume_from_where(ConsumeFromWhere::ConsumeFromFirstOffset)
}

/// Polls `consumer` until `count` messages arrived (bounded by [`GUARD`], failing with `what`),
/// then once more briefly so that extra copies would be seen too. Returns everything received.
pub async fn poll_until(
    consumer: &DefaultLitePullConsumer,
    count: usize,
    what: &str,
) -> Vec<Received> {
    let mut got = Vec::new();
    let start = Instant::now();
    while got.len() < count {
        assert!(
            start.elapsed() < GUARD,
            "{what}: {} of {count} messages after {GUARD:?}",
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

/// Reads `topic` from its first offset with a fresh lite pull consumer of `group` until `count`
/// messages arrived (see [`poll_until`]), then shuts the consumer down. Returns everything
/// received.
pub async fn drain_with_lite_pull(
    env: &ClientEnv,
    namesrv: &str,
    group: &str,
    topic: &str,
    count: usize,
) -> Vec<Received> {
    let consumer = lite_pull_builder(env, namesrv, group)
        .pull_batch_size(16)
        .build()
        .expect("lite pull consumer builds");
    guarded("lite pull subscribe", consumer.subscribe(topic))
        .await
        .expect("subscribe");
    guarded("lite pull start", consumer.start())
        .await
        .expect("lite pull consumer starts");
    let got = poll_until(&consumer, count, "lite pull").await;
    guarded("lite pull shutdown", consumer.shutdown()).await;
    got
}
