//! Sending: sync, async (callback), oneway and batch sends with tags, keys and user properties
//! to a topic the broker auto-creates from TBW102; every message is then read back with the
//! client's lite pull consumer and checked field by field, exactly once each.

use std::sync::{Arc, Mutex};

use rocketactor_interop::client::{drain_with_lite_pull, start_producer, stop_producer};
use rocketactor_interop::{
    check_each_once, guarded, wait_until, ClientEnv, ServerCluster, Spec, GUARD,
};
use rocketmq_client_rust::SendStatus;

const TOPIC: &str = "InteropSendTopic";
const PER_MODE: usize = 10;

#[test]
fn sync_async_oneway_and_batch_sends_arrive_intact() {
    let cluster = ServerCluster::start();
    let env = ClientEnv::new("produce");
    env.block_on(async {
        let producer = start_producer(&env, &cluster.namesrv_addr, "pg-interop-send").await;
        let specs = Spec::many("send", 4 * PER_MODE);
        let (sync, rest) = specs.split_at(PER_MODE);
        let (async_, rest) = rest.split_at(PER_MODE);
        let (oneway, batch) = rest.split_at(PER_MODE);

        // Sync: the first one also creates the topic on the broker (TBW102 route).
        let mut offsets = Vec::new();
        for s in sync {
            let r = guarded("sync send", producer.send(s.message(TOPIC)))
                .await
                .expect("sync send ok")
                .expect("sync send has a result");
            assert_eq!(r.send_status, SendStatus::SendOk);
            assert!(r.msg_id.as_ref().is_some_and(|id| !id.is_empty()));
            assert!(r.offset_msg_id.as_ref().is_some_and(|id| !id.is_empty()));
            let mq = r.message_queue.clone().expect("queue in result");
            assert_eq!(mq.topic_str(), TOPIC);
            offsets.push((mq.queue_id(), r.queue_offset));
        }
        offsets.sort_unstable();
        offsets.dedup();
        assert_eq!(
            offsets.len(),
            PER_MODE,
            "each sync send got its own queue offset"
        );

        // Async: results arrive through the callback.
        let results: Arc<Mutex<Vec<Result<SendStatus, String>>>> = Arc::default();
        for s in async_ {
            let results = results.clone();
            guarded(
                "async send",
                producer.send_with_callback(s.message(TOPIC), move |r, e| {
                    let v = match (r, e) {
                        (Some(r), _) => Ok(r.send_status),
                        (None, Some(e)) => Err(e.to_string()),
                        (None, None) => Err("no result and no error".into()),
                    };
                    results.lock().expect("results lock").push(v);
                }),
            )
            .await
            .expect("async send accepted");
        }
        wait_until(
            "async send callbacks",
            GUARD,
            || results.lock().expect("results lock").len() == PER_MODE,
            || format!("{:?}", results.lock().expect("results lock")),
        )
        .await;
        for r in results.lock().expect("results lock").iter() {
            assert_eq!(r.as_ref(), Ok(&SendStatus::SendOk));
        }

        // Oneway: no answer, checked by reading back below.
        for s in oneway {
            guarded("oneway send", producer.send_oneway(s.message(TOPIC)))
                .await
                .expect("oneway send ok");
        }

        // Batch: one request, one result naming every message.
        let msgs = batch.iter().map(|s| s.message(TOPIC)).collect::<Vec<_>>();
        let r = guarded("batch send", producer.send_batch(msgs))
            .await
            .expect("batch send ok");
        assert_eq!(r.send_status, SendStatus::SendOk);
        let ids = r.msg_id.as_ref().map(|s| s.to_string()).unwrap_or_default();
        assert_eq!(
            ids.split(',').count(),
            PER_MODE,
            "batch msgId lists every message: {ids}"
        );

        let got = drain_with_lite_pull(
            &env,
            &cluster.namesrv_addr,
            "cg-interop-send-check",
            TOPIC,
            specs.len(),
        )
        .await;
        check_each_once(&got, &specs, "each message stored once");
        stop_producer(producer).await;
    });
    drop(env);
    cluster.stop();
}
