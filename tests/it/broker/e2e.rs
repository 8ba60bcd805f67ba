//! A name server and a broker in-process, driven by the project's own client over real TCP:
//! produce with tags and keys, consume every message back, long polling, limits, errors.

use std::time::Duration;

use crate::support::{Cluster, TestCluster};
use rocketactor::client::remoting::RemotingClient;
use rocketactor::codec::codes::{request, response};
use rocketactor::codec::RemotingCommand;
use rocketactor::config::BrokerRole;

/// The produce/consume scenario of the matrix (`crate::matrix`) on a lone ASYNC_MASTER.
#[actix_rt::test]
async fn produce_and_consume_through_namesrv_and_broker() {
    let cluster = TestCluster::builder().named("broker-a").start().await;
    crate::matrix::produce_consume_on(cluster).await;
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
