//! CLONE_GROUP_OFFSET (314), QUERY_CONSUME_TIME_SPAN (303), QUERY_CORRECTION_OFFSET (308) and
//! the offline refusal of INVOKE_BROKER_TO_GET_CONSUMER_STATUS (223) against a real broker over TCP, with offsets committed through UPDATE_CONSUMER_OFFSET.

use std::collections::BTreeMap;

use crate::support::{admin_env, eventually};
use rocketactor::client::{Message, NameServerClient, Producer};
use rocketactor::codec::codes::{request, response};
use rocketactor::codec::RemotingCommand;
use rocketactor::protocol::message_queue::MessageQueue;
use rocketactor::protocol::topic::TopicConfig;

#[actix_rt::test]
async fn clone_offsets_time_span_and_correction_offsets() {
    let (_keep, _broker, addr, ns, admin) = admin_env("broker-group-offsets", |_| {}).await;
    admin
        .create_topic(&addr, &TopicConfig::new("GO_T", 2, 2, 6))
        .await
        .unwrap();
    let nsc = NameServerClient::new(&ns).unwrap();
    eventually("GO_T routed", || async {
        nsc.topic_route("GO_T").await.is_ok()
    })
    .await;
    let producer = Producer::new(&ns, "pg-go").unwrap();
    producer.start().unwrap();
    let mut per_queue: BTreeMap<i32, i64> = BTreeMap::new();
    for i in 0..10 {
        let sent = producer
            .send("GO_T", Message::new(format!("m{i}")))
            .await
            .unwrap();
        *per_queue.entry(sent.queue.queue_id).or_default() += 1;
    }
    let broker_name = {
        let r = nsc.topic_route("GO_T").await.unwrap();
        r.broker_datas[0].broker_name.clone()
    };
    let mq = |qid| MessageQueue::new("GO_T".to_string(), broker_name.clone(), qid);
    // cg-a consumed 2 on every queue, cg-b 1.
    for qid in 0..2 {
        admin
            .update_consumer_offset(&addr, "cg-a", &mq(qid), 2)
            .await
            .unwrap();
        admin
            .update_consumer_offset(&addr, "cg-b", &mq(qid), 1)
            .await
            .unwrap();
    }

    // 314: cg-a's offsets copied to cg-c (offline: no subscription check).
    let cmd = RemotingCommand::request(request::CLONE_GROUP_OFFSET)
        .with_ext("srcGroup", "cg-a")
        .with_ext("destGroup", "cg-c")
        .with_ext("topic", "GO_T")
        .with_ext("offline", true);
    let resp = admin.call(&addr, cmd).await.unwrap();
    assert_eq!(resp.code, response::SUCCESS);
    for qid in 0..2 {
        assert_eq!(
            admin
                .consumer_offset(&addr, "cg-c", &mq(qid))
                .await
                .unwrap(),
            Some(2)
        );
    }

    // 303: times of the oldest, newest and last consumed message; cg-a lags on every queue.
    let cmd = RemotingCommand::request(request::QUERY_CONSUME_TIME_SPAN)
        .with_ext("topic", "GO_T")
        .with_ext("group", "cg-a");
    let resp = admin.call(&addr, cmd).await.unwrap();
    assert_eq!(resp.code, response::SUCCESS);
    let body: serde_json::Value = serde_json::from_slice(&resp.body).unwrap();
    let set = body["consumeTimeSpanSet"].as_array().unwrap();
    assert_eq!(set.len(), 2);
    for span in set {
        let (min, max, consumed) = (
            span["minTimeStamp"].as_i64().unwrap(),
            span["maxTimeStamp"].as_i64().unwrap(),
            span["consumeTimeStamp"].as_i64().unwrap(),
        );
        assert!(min > 0 && min <= consumed && consumed <= max, "{span}");
        assert_eq!(span["messageQueue"]["topic"], "GO_T");
        let qid = span["messageQueue"]["queueId"].as_i64().unwrap() as i32;
        if per_queue.get(&qid).copied().unwrap_or(0) > 2 {
            assert!(span["delayTime"].as_i64().unwrap() >= 0, "{span}");
        }
    }
    let cmd = RemotingCommand::request(request::QUERY_CONSUME_TIME_SPAN)
        .with_ext("topic", "GO_NONE")
        .with_ext("group", "cg-a");
    let resp = admin.call(&addr, cmd).await;
    let err = resp.unwrap_err().to_string();
    assert!(err.contains("topic[GO_NONE] not exist"), "{err}");

    // 308: the smallest committed offset per queue (cg-b's 1); comparing with cg-b itself
    // keeps it, filtering cg-b out leaves cg-a/cg-c's 2, and a group behind that → MAX.
    let correction = |filter: &'static str, compare: &'static str| {
        let admin = &admin;
        let addr = &addr;
        async move {
            let cmd = RemotingCommand::request(request::QUERY_CORRECTION_OFFSET)
                .with_ext("topic", "GO_T")
                .with_ext("compareGroup", compare)
                .with_ext("filterGroups", filter);
            let resp = admin.call(addr, cmd).await.unwrap();
            let body: serde_json::Value = serde_json::from_slice(&resp.body).unwrap();
            body["correctionOffsets"].clone()
        }
    };
    assert_eq!(
        correction("", "cg-b").await,
        serde_json::json!({"0": 1, "1": 1})
    );
    assert_eq!(
        correction("cg-b", "cg-a").await,
        serde_json::json!({"0": 2, "1": 2})
    );
    assert_eq!(
        correction("cg-b", "cg-b").await,
        serde_json::json!({"0": i64::MAX, "1": i64::MAX})
    );

    // 223 for a group without an online consumer: Java's refusal (the online case is the Java
    // interop suite's MqAdminOffsetTest.getConsumeStatusFromTheClient).
    let cmd = RemotingCommand::request(request::INVOKE_BROKER_TO_GET_CONSUMER_STATUS)
        .with_ext("topic", "GO_T")
        .with_ext("group", "cg-a");
    let err = admin.call(&addr, cmd).await.unwrap_err().to_string();
    assert!(
        err.contains("No Any Consumer online in the consumer group: [cg-a]"),
        "{err}"
    );
}
