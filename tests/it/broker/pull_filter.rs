//! Broker-side tag filtering of a pull without a subscription (push consumers): the broker uses
//! the subscription from the group's heartbeat. rocketmq-client-rust 1.0.0 sends a codeSet of
//! the *untrimmed* tags of `TagA || TagC` ("TagA ", " TagC") with a correct tagsSet; the broker
//! must still deliver TagA and TagC (regression test for the interop suite of issue 5).

use std::collections::BTreeSet;
use std::time::Duration;

use crate::support::{eventually, Cluster};
use rocketactor::client::message::{decode_messages, Message};
use rocketactor::client::producer::Producer;
use rocketactor::client::remoting::RemotingClient;
use rocketactor::codec::codes::{request, response};
use rocketactor::codec::RemotingCommand;
use rocketactor::config::BrokerRole;
use rocketactor::protocol::heartbeat::{
    java_string_hash, ConsumeFromWhere, ConsumeType, ConsumerData, HeartbeatData, MessageModel,
    SubscriptionData,
};

const TOPIC: &str = "FILTER_TOPIC";
const GROUP: &str = "cg-filter";

#[actix_rt::test]
async fn heartbeat_subscription_with_untrimmed_codes_still_matches_its_tags() {
    let dir = tempfile::tempdir().unwrap();
    let cluster = Cluster::start().await;
    let broker = cluster
        .broker(cluster.broker_config("broker-f", BrokerRole::AsyncMaster, dir.path()))
        .await;
    let producer = Producer::new(&cluster.namesrv_addr(), "pg-filter").unwrap();
    producer.start().unwrap();
    eventually("broker registered", || async {
        producer.publish_queues("TBW102").await.is_ok()
    })
    .await;
    let first = producer
        .send(TOPIC, Message::new("a").with_tags("TagA"))
        .await
        .expect("send");
    let mq = first.queue.clone();
    for (body, tag) in [("b", "TagB"), ("c", "TagC"), ("a2", "TagA")] {
        producer
            .send_to_queue(&mq, Message::new(body).with_tags(tag))
            .await
            .expect("send");
    }

    let client = RemotingClient::connect(&broker.listen_addr.to_string(), Duration::from_secs(5))
        .await
        .unwrap();
    let subscription = SubscriptionData {
        class_filter_mode: false,
        code_set: ["TagA ", " TagC"]
            .iter()
            .map(|t| java_string_hash(t))
            .collect(),
        expression_type: "TAG".into(),
        sub_string: "TagA || TagC".into(),
        sub_version: 1,
        tags_set: ["TagA", "TagC"].iter().map(|t| t.to_string()).collect(),
        topic: TOPIC.into(),
    };
    let hb = HeartbeatData {
        client_id: "127.0.0.1@filter".into(),
        consumer_data_set: vec![ConsumerData {
            consume_from_where: ConsumeFromWhere::FirstOffset,
            consume_type: ConsumeType::Passively,
            group_name: GROUP.into(),
            message_model: MessageModel::Clustering,
            subscription_data_set: vec![subscription],
            unit_mode: false,
        }],
        producer_data_set: Vec::new(),
    };
    let r = client
        .invoke(
            RemotingCommand::request(request::HEART_BEAT).with_body(hb.encode()),
            Duration::from_secs(5),
        )
        .await
        .unwrap();
    assert_eq!(r.code, response::SUCCESS);

    // sysFlag 0: no subscription in the request, the heartbeat's is used.
    let pull = RemotingCommand::request(request::PULL_MESSAGE)
        .with_ext("consumerGroup", GROUP)
        .with_ext("topic", TOPIC)
        .with_ext("queueId", mq.queue_id)
        .with_ext("queueOffset", first.queue_offset)
        .with_ext("maxMsgNums", 32)
        .with_ext("sysFlag", 0)
        .with_ext("commitOffset", 0)
        .with_ext("suspendTimeoutMillis", 0)
        .with_ext("subVersion", 1);
    let r = client.invoke(pull, Duration::from_secs(5)).await.unwrap();
    assert_eq!(r.code, response::SUCCESS, "remark: {:?}", r.remark);
    let got: BTreeSet<String> = decode_messages(&r.body)
        .unwrap()
        .into_iter()
        .map(|m| String::from_utf8(m.body.to_vec()).unwrap())
        .collect();
    let want: BTreeSet<String> = ["a", "c", "a2"].iter().map(|s| s.to_string()).collect();
    assert_eq!(got, want);
    broker.stop().await;
}
