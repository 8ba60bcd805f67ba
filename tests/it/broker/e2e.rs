//! A name server and a broker in-process, driven by the project's own client over real TCP:
//! produce with tags and keys, consume every message back, long polling, limits, errors.

use std::time::Duration;

use crate::support::{eventually, Cluster, TestCluster};
use rocketactor::client::consumer::{PullConsumer, PullStatus};
use rocketactor::client::message::Message;
use rocketactor::client::producer::Producer;
use rocketactor::client::remoting::RemotingClient;
use rocketactor::codec::codes::{request, response};
use rocketactor::codec::RemotingCommand;
use rocketactor::config::BrokerRole;

#[actix_rt::test]
async fn produce_and_consume_through_namesrv_and_broker() {
    let dir = tempfile::tempdir().unwrap();
    let cluster = Cluster::start().await;
    let broker = cluster
        .broker(cluster.broker_config("broker-a", BrokerRole::AsyncMaster, dir.path()))
        .await;
    let ns = cluster.namesrv_addr();

    let producer = Producer::new(&ns, "pg-e2e").unwrap();
    producer.start().unwrap();
    // The broker registers asynchronously; the producer retries through TBW102 once it has.
    eventually("broker registered", || async {
        producer.publish_queues("TBW102").await.is_ok()
    })
    .await;

    let mut sent = Vec::new();
    for i in 0..200 {
        let msg = Message::new(format!("body-{i}"))
            .with_tags(if i % 2 == 0 { "TagA" } else { "TagB" })
            .with_keys([format!("key-{i}")]);
        let r = producer.send("E2E_TOPIC", msg).await.expect("send ok");
        assert_eq!(r.status, rocketactor::client::message::SendStatus::SendOk);
        sent.push(r);
    }

    let consumer = PullConsumer::new(&ns, "cg-e2e").unwrap();
    eventually("topic routable", || async {
        consumer
            .fetch_queues("E2E_TOPIC")
            .await
            .is_ok_and(|q| !q.is_empty())
    })
    .await;
    let queues = consumer.fetch_queues("E2E_TOPIC").await.unwrap();
    let mut bodies = Vec::new();
    for mq in &queues {
        let mut offset = 0;
        loop {
            let r = consumer
                .pull(mq, offset, 32, "*", None)
                .await
                .expect("pull ok");
            if r.status != PullStatus::Found {
                break;
            }
            for m in &r.messages {
                assert!(m.tags.as_deref() == Some("TagA") || m.tags.as_deref() == Some("TagB"));
                bodies.push(String::from_utf8(m.body.to_vec()).unwrap());
            }
            offset = r.next_begin_offset;
        }
    }
    bodies.sort();
    let mut expected: Vec<String> = (0..200).map(|i| format!("body-{i}")).collect();
    expected.sort();
    assert_eq!(bodies, expected, "every message consumed exactly once");

    // Tag filtering on the broker: only TagA.
    let mut tag_a = 0;
    for mq in &queues {
        let mut offset = 0;
        loop {
            let r = consumer
                .pull(mq, offset, 32, "TagA", None)
                .await
                .expect("pull ok");
            match r.status {
                PullStatus::Found => {
                    assert!(r.messages.iter().all(|m| m.tags.as_deref() == Some("TagA")));
                    tag_a += r.messages.len();
                }
                PullStatus::NoMatchedMsg => {}
                _ => break,
            }
            offset = r.next_begin_offset;
        }
    }
    assert_eq!(tag_a, 100);
    broker.stop().await;
}

/// The held-pull scenario of the matrix (`crate::matrix`) on a lone ASYNC_MASTER: the pull is
/// proven held by a later pull on the same connection, not by a sleep.
#[actix_rt::test]
async fn held_long_poll_is_answered_by_a_new_message() {
    let cluster = TestCluster::builder().named("broker-lp").start().await;
    crate::matrix::held_long_poll_on(cluster).await;
}

#[actix_rt::test]
async fn limits_and_unknown_codes_get_rocketmq_errors() {
    let dir = tempfile::tempdir().unwrap();
    let cluster = Cluster::start().await;
    let mut cfg = cluster.broker_config("broker-lim", BrokerRole::AsyncMaster, dir.path());
    cfg.max_message_size = 1024;
    cfg.auto_create_topic_enable = false;
    let broker = cluster.broker(cfg).await;
    let client = RemotingClient::connect(&broker.listen_addr.to_string(), Duration::from_secs(5))
        .await
        .unwrap();

    let send = |topic: &str, body: Vec<u8>| {
        RemotingCommand::request(request::SEND_MESSAGE)
            .with_ext("producerGroup", "pg")
            .with_ext("topic", topic)
            .with_ext("defaultTopic", "TBW102")
            .with_ext("defaultTopicQueueNums", 4)
            .with_ext("queueId", 0)
            .with_ext("sysFlag", 0)
            .with_ext("bornTimestamp", 0)
            .with_ext("flag", 0)
            .with_body(body)
    };
    let r = client
        .invoke(send("NO_SUCH_TOPIC", b"x".to_vec()), Duration::from_secs(5))
        .await
        .unwrap();
    assert_eq!(r.code, response::TOPIC_NOT_EXIST);

    let r = client
        .invoke(
            send("BenchmarkTest", vec![0u8; 2048]),
            Duration::from_secs(5),
        )
        .await
        .unwrap();
    assert_eq!(r.code, response::MESSAGE_ILLEGAL, "remark: {:?}", r.remark);
    // Java 4.9.7's remark exactly (SendMessageProcessor.handlePutMessageResult, MESSAGE_ILLEGAL).
    assert_eq!(
        r.remark.as_deref(),
        Some("the message is illegal, maybe msg body or properties length not matched. msg body length limit 1024B, msg properties length limit 32KB.")
    );

    let r = client
        .invoke(RemotingCommand::request(9999), Duration::from_secs(5))
        .await
        .unwrap();
    assert_eq!(r.code, response::REQUEST_CODE_NOT_SUPPORTED);
    assert_eq!(
        r.remark.as_deref(),
        Some(" request type 9999 not supported")
    );

    // Pull on the fast channel is refused, as in Java.
    let fast = RemotingClient::connect(&broker.fast_addr.to_string(), Duration::from_secs(5))
        .await
        .unwrap();
    let r = fast
        .invoke(
            RemotingCommand::request(request::PULL_MESSAGE),
            Duration::from_secs(5),
        )
        .await
        .unwrap();
    assert_eq!(r.code, response::REQUEST_CODE_NOT_SUPPORTED);
    broker.stop().await;
}
