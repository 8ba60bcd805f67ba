//! Broker-wide admin views against a real broker over TCP, checked against Java 4.9.7's
//! `AdminBrokerProcessor`: GET_BROKER_CONSUME_STATS (317) with its grouping, `isOrder` filter
//! and `totalDiff`; QUERY_CONSUME_QUEUE (321) units against the stored messages, its
//! not-exist answers and the offline-group filter data; GET_ALL_PRODUCER_INFO (328).

use crate::support::{admin_env, code_of, eventually};
use rocketactor::client::{Message, NameServerClient, Producer};
use rocketactor::codec::codes::{request, response};
use rocketactor::codec::RemotingCommand;
use rocketactor::protocol::admin_broker::{
    ConsumeStatsList, ProducerTableInfo, QueryConsumeQueueResponseBody,
};
use rocketactor::protocol::message_queue::MessageQueue;
use rocketactor::protocol::subscription::SubscriptionGroupConfig;
use rocketactor::protocol::topic::TopicConfig;
use rocketactor::store::message::decode_offset_msg_id;

fn consume_stats_cmd(is_order: Option<bool>) -> RemotingCommand {
    let cmd = RemotingCommand::request(request::GET_BROKER_CONSUME_STATS);
    match is_order {
        Some(o) => cmd.with_ext("isOrder", o),
        None => cmd,
    }
}

fn query_cq(topic: &str, queue: i32, index: i64, count: i32) -> RemotingCommand {
    RemotingCommand::request(request::QUERY_CONSUME_QUEUE)
        .with_ext("topic", topic)
        .with_ext("queueId", queue)
        .with_ext("index", index)
        .with_ext("count", count)
}

#[actix_rt::test]
async fn broker_consume_stats_consume_queue_and_producer_table() {
    let (_keep, _broker, addr, ns, admin) =
        admin_env("broker-views", |cfg| cfg.auto_create_topic_enable = false).await;
    let name = "broker-views";
    admin
        .create_topic(&addr, &TopicConfig::new("BV_PLAIN", 1, 1, 6))
        .await
        .unwrap();
    let mut order = TopicConfig::new("BV_ORDER", 2, 2, 6);
    order.order = true;
    admin.create_topic(&addr, &order).await.unwrap();
    admin
        .create_subscription_group(&addr, &SubscriptionGroupConfig::new("cg-bv"))
        .await
        .unwrap();

    // The topics' routes first: a send before the re-registration would fall back to TBW102.
    let nsc = NameServerClient::new(&ns).unwrap();
    for t in ["BV_PLAIN", "BV_ORDER"] {
        eventually(&format!("{t} routed"), || async {
            nsc.topic_route(t).await.is_ok()
        })
        .await;
    }
    let producer = Producer::new(&ns, "pg-bv").unwrap();
    producer.start().unwrap();
    let mut sent = Vec::new();
    for i in 0..5 {
        sent.push(
            producer
                .send("BV_PLAIN", Message::new(format!("m{i}")))
                .await
                .unwrap(),
        );
    }
    for i in 0..4 {
        producer
            .send("BV_ORDER", Message::new(format!("o{i}")))
            .await
            .unwrap();
    }
    let plain_q = |q| MessageQueue::new("BV_PLAIN", name, q);
    let order_q = |q| MessageQueue::new("BV_ORDER", name, q);
    admin
        .update_consumer_offset(&addr, "cg-bv", &plain_q(0), 2)
        .await
        .unwrap();
    admin
        .update_consumer_offset(&addr, "cg-bv", &order_q(1), 1)
        .await
        .unwrap();
    let order_max = [
        admin.max_offset(&addr, "BV_ORDER", 0).await.unwrap(),
        admin.max_offset(&addr, "BV_ORDER", 1).await.unwrap(),
    ];
    assert_eq!(order_max[0] + order_max[1], 4);

    // 317, all topics: one map per subscription group, cg-bv's topics with every write queue.
    let resp = admin
        .call(&addr, consume_stats_cmd(Some(false)))
        .await
        .unwrap();
    let list = ConsumeStatsList::decode(std::str::from_utf8(&resp.body).unwrap()).unwrap();
    assert_eq!(list.broker_addr, addr);
    let ours: Vec<_> = list
        .consume_stats_list
        .iter()
        .filter_map(|m| m.get("cg-bv"))
        .collect();
    assert_eq!(ours.len(), 1, "one entry for cg-bv");
    assert_eq!(ours[0].len(), 2, "BV_PLAIN and BV_ORDER");
    let all_queues: Vec<_> = ours[0].iter().flat_map(|s| s.offset_table.iter()).collect();
    assert_eq!(all_queues.len(), 3);
    let plain = ours[0]
        .iter()
        .find_map(|s| s.offset_table.get(&plain_q(0)))
        .unwrap();
    assert_eq!((plain.broker_offset, plain.consumer_offset), (5, 2));
    assert!(plain.last_timestamp > 0, "the store time of message 1");
    let expected_diff = (5 - 2) + order_max[0] + (order_max[1] - 1);
    assert_eq!(list.total_diff, expected_diff);
    // Built-in groups without offsets are listed with no topics.
    assert!(list
        .consume_stats_list
        .iter()
        .any(|m| m.get("TOOLS_CONSUMER").is_some_and(|v| v.is_empty())));

    // isOrder=true keeps only the order topic.
    let resp = admin
        .call(&addr, consume_stats_cmd(Some(true)))
        .await
        .unwrap();
    let list = ConsumeStatsList::decode(std::str::from_utf8(&resp.body).unwrap()).unwrap();
    let ours = list
        .consume_stats_list
        .iter()
        .find_map(|m| m.get("cg-bv"))
        .unwrap();
    assert_eq!(ours.len(), 1);
    assert!(ours[0].offset_table.keys().all(|mq| mq.topic == "BV_ORDER"));
    assert_eq!(list.total_diff, order_max[0] + order_max[1] - 1);
    // isOrder is @CFNotNull.
    let (code, remark) = code_of(admin.call(&addr, consume_stats_cmd(None)).await);
    assert_eq!(code, response::SYSTEM_ERROR);
    assert!(remark.contains("isOrder"), "{remark}");

    // 321: three units from index 1, matching the stored records.
    let resp = admin
        .call(&addr, query_cq("BV_PLAIN", 0, 1, 3))
        .await
        .unwrap();
    let body: QueryConsumeQueueResponseBody = serde_json::from_slice(&resp.body).unwrap();
    assert_eq!((body.min_queue_index, body.max_queue_index), (0, 5));
    assert_eq!(body.subscription_data, None);
    assert_eq!(body.filter_data, None);
    let units = body.queue_data.unwrap();
    assert_eq!(units.len(), 3);
    let phys: Vec<i64> = sent
        .iter()
        .map(|s| decode_offset_msg_id(&s.offset_msg_id).unwrap().1)
        .collect();
    for (i, unit) in (1..).zip(&units) {
        assert_eq!(unit.physic_offset, phys[i]);
        // BV_PLAIN's records were stored back to back.
        assert_eq!(i64::from(unit.physic_size), phys[i + 1] - phys[i]);
        let m = admin.view_message(&sent[i].offset_msg_id).await.unwrap();
        assert_eq!(m.commit_log_offset, unit.physic_offset);
        assert!(!unit.eval);
    }
    // Count beyond the end stops at the last unit.
    let resp = admin
        .call(&addr, query_cq("BV_PLAIN", 0, 3, 10))
        .await
        .unwrap();
    let body: QueryConsumeQueueResponseBody = serde_json::from_slice(&resp.body).unwrap();
    assert_eq!(body.queue_data.unwrap().len(), 2);
    // An offline group: its subscription is absent and filterData says so.
    let cmd = query_cq("BV_PLAIN", 0, 0, 1).with_ext("consumerGroup", "cg-bv");
    let resp = admin.call(&addr, cmd).await.unwrap();
    let body: QueryConsumeQueueResponseBody = serde_json::from_slice(&resp.body).unwrap();
    assert_eq!(
        body.filter_data.as_deref(),
        Some("cg-bv@BV_PLAIN is not online!")
    );
    // An index past the end: SUCCESS with Java's remark and no body.
    let resp = admin
        .call(&addr, query_cq("BV_PLAIN", 0, 9, 1))
        .await
        .unwrap();
    assert_eq!(
        resp.remark.as_deref(),
        Some("Index 9 of 0@BV_PLAIN is not exist!")
    );
    assert!(resp.body.is_empty());
    // No such queue: SYSTEM_ERROR.
    let (code, remark) = code_of(admin.call(&addr, query_cq("BV_PLAIN", 7, 0, 1)).await);
    assert_eq!(
        (code, remark.as_str()),
        (response::SYSTEM_ERROR, "7@BV_PLAIN is not exist!")
    );

    // 328: the producer's heartbeat put it into the table.
    let client_id = producer.client_id().to_string();
    let table = eventually("pg-bv in the producer table", || {
        let (admin, addr, client_id) = (&admin, &addr, &client_id);
        async move {
            let cmd = RemotingCommand::request(request::GET_ALL_PRODUCER_INFO);
            let resp = admin.call(addr, cmd).await.ok()?;
            let t: ProducerTableInfo = serde_json::from_slice(&resp.body).ok()?;
            t.data
                .get("pg-bv")
                .is_some_and(|v| v.iter().any(|p| &p.client_id == client_id))
                .then_some(t)
        }
    })
    .await;
    let p = &table.data["pg-bv"][0];
    assert_eq!(p.language, "JAVA", "our client heartbeats as JAVA");
    assert!(p.remote_ip.starts_with("/127.0.0.1:"), "{}", p.remote_ip);
    assert!(p.last_update_timestamp > 0);
}
