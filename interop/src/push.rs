//! Push consumers of the third-party client wired to an [`Inbox`]: clustering model,
//! CONSUME_FROM_FIRST_OFFSET, a concurrent or an orderly listener whose answer per message is
//! decided by the test; and the bounded wait for what such an inbox has received.

use std::sync::Arc;

use rocketmq_client_rust::{
    ConsumeConcurrentlyContext, ConsumeConcurrentlyStatus, ConsumeOrderlyContext,
    ConsumeOrderlyStatus, DefaultMQPushConsumer, MQPushConsumer,
};
use rocketmq_model::common::consumer::consume_from_where::ConsumeFromWhere;
use rocketmq_model::common::message::message_ext::MessageExt;
use rocketmq_protocol::protocol::heartbeat::message_model::MessageModel;

use crate::client::{guarded, wait_until, ClientEnv, GUARD};
use crate::messages::{Inbox, Received};

/// What a concurrent listener answers for one delivery.
pub type ConcurrentDecision = Arc<dyn Fn(&Received) -> ConsumeConcurrentlyStatus + Send + Sync>;

/// Always ConsumeSuccess.
pub fn always_success() -> ConcurrentDecision {
    Arc::new(|_| ConsumeConcurrentlyStatus::ConsumeSuccess)
}

fn builder(env: &ClientEnv, namesrv: &str, group: &str) -> DefaultMQPushConsumer {
    DefaultMQPushConsumer::builder(env.runtime())
        .name_server_addr(namesrv.to_string())
        .consumer_group(group.to_string())
        .message_model(MessageModel::Clustering)
        .consume_from_where(ConsumeFromWhere::ConsumeFromFirstOffset)
        .consume_message_batch_max_size(1)
        .build()
}

/// Starts a concurrently consuming push consumer of `group` on `topic` with tag expression
/// `expr`; every delivery is pushed into `inbox` before `decide` answers it.
pub async fn start_concurrent(
    env: &ClientEnv,
    namesrv: &str,
    group: &str,
    topic: &str,
    expr: &str,
    inbox: Inbox,
    decide: ConcurrentDecision,
) -> DefaultMQPushConsumer {
    let mut c = builder(env, namesrv, group);
    guarded("push subscribe", c.subscribe(topic, expr))
        .await
        .expect("subscribe");
    c.register_message_listener_concurrently(
        move |msgs: &[&MessageExt], _ctx: &ConsumeConcurrentlyContext| {
            let mut status = ConsumeConcurrentlyStatus::ConsumeSuccess;
            for m in msgs {
                let r = Received::from_ext(m);
                if decide(&r) == ConsumeConcurrentlyStatus::ReconsumeLater {
                    status = ConsumeConcurrentlyStatus::ReconsumeLater;
                }
                inbox.push(r);
            }
            Ok(status)
        },
    );
    guarded("push consumer start", c.start())
        .await
        .expect("push consumer starts");
    c
}

/// [`start_concurrent`] on every tag (`*`), answering every delivery with ConsumeSuccess.
pub async fn start_succeeding(
    env: &ClientEnv,
    namesrv: &str,
    group: &str,
    topic: &str,
    inbox: Inbox,
) -> DefaultMQPushConsumer {
    start_concurrent(env, namesrv, group, topic, "*", inbox, always_success()).await
}

/// Waits (bounded by [`GUARD`]) until `inbox` holds at least `count` distinct messages of the
/// run `run`; a timeout names `what` and the inbox's summary.
pub async fn wait_for_distinct(what: &str, inbox: &Inbox, run: &str, count: usize) {
    wait_until(
        what,
        GUARD,
        || inbox.distinct_seqs(run).len() >= count,
        || inbox.summary(),
    )
    .await;
}

/// What an orderly listener answers for one delivery.
pub type OrderlyDecision = Arc<dyn Fn(&Received) -> ConsumeOrderlyStatus + Send + Sync>;

/// Starts an orderly push consumer of `group` on `topic`; every delivery goes into `inbox`
/// before `decide` answers it (Success auto-commits; a suspension retries the same messages
/// after 100 ms, in order).
pub async fn start_orderly(
    env: &ClientEnv,
    namesrv: &str,
    group: &str,
    topic: &str,
    inbox: Inbox,
    decide: OrderlyDecision,
) -> DefaultMQPushConsumer {
    let mut c = builder(env, namesrv, group);
    guarded("push subscribe", c.subscribe(topic, "*"))
        .await
        .expect("subscribe");
    c.register_message_listener_orderly(
        move |msgs: &[&MessageExt], ctx: &mut ConsumeOrderlyContext| {
            ctx.set_auto_commit(true);
            let mut status = ConsumeOrderlyStatus::Success;
            for m in msgs {
                let r = Received::from_ext(m);
                if decide(&r) == ConsumeOrderlyStatus::SuspendCurrentQueueAMoment {
                    ctx.set_suspend_current_queue_time_millis(100);
                    status = ConsumeOrderlyStatus::SuspendCurrentQueueAMoment;
                }
                inbox.push(r);
            }
            Ok(status)
        },
    );
    guarded("push consumer start", c.start())
        .await
        .expect("orderly push consumer starts");
    c
}

/// Shuts a push consumer down (bounded).
pub async fn stop(mut c: DefaultMQPushConsumer) {
    guarded("push consumer shutdown", c.shutdown()).await;
}
