//! A send to `%RETRY%<group>` for a group the broker does not know yet, as the Java broker 4.9.7
//! answers it: with `autoCreateSubscriptionGroup=true` its handleRetryAndDLQ looks the group up
//! through SubscriptionGroupManager.findSubscriptionGroupConfig, which creates it, and the
//! message is stored (SUCCESS); with auto-creation off the answer is
//! SUBSCRIPTION_GROUP_NOT_EXIST (26). Found by the interop/java ProtocolDiffTest.

use std::time::Duration;

use crate::support::Cluster;
use rocketactor::client::remoting::RemotingClient;
use rocketactor::codec::codes::{request, response};
use rocketactor::codec::RemotingCommand;
use rocketactor::config::BrokerRole;

fn send_to(topic: &str) -> RemotingCommand {
    RemotingCommand::request(request::SEND_MESSAGE)
        .with_ext("producerGroup", "pg")
        .with_ext("topic", topic)
        .with_ext("defaultTopic", "TBW102")
        .with_ext("defaultTopicQueueNums", 4)
        .with_ext("queueId", 0)
        .with_ext("sysFlag", 0)
        .with_ext("bornTimestamp", 0)
        .with_ext("flag", 0)
        .with_ext("reconsumeTimes", 0)
        .with_body(b"retry me".to_vec())
}

async fn answer(auto_create_group: bool) -> RemotingCommand {
    let dir = tempfile::tempdir().expect("tempdir");
    let cluster = Cluster::start().await;
    let mut cfg = cluster.broker_config("broker-rg", BrokerRole::AsyncMaster, dir.path());
    cfg.auto_create_subscription_group = auto_create_group;
    let broker = cluster.broker(cfg).await;
    let client = RemotingClient::connect(&broker.listen_addr.to_string(), Duration::from_secs(5))
        .await
        .expect("connect to the broker");
    let r = client
        .invoke(send_to("%RETRY%cg-new"), Duration::from_secs(5))
        .await
        .expect("a response");
    broker.stop().await;
    r
}

#[actix_rt::test]
async fn retry_topic_of_an_unknown_group_is_created_when_auto_create_is_on() {
    let r = answer(true).await;
    assert_eq!(r.code, response::SUCCESS, "remark: {:?}", r.remark);
}

#[actix_rt::test]
async fn retry_topic_of_an_unknown_group_is_refused_when_auto_create_is_off() {
    let r = answer(false).await;
    assert_eq!(r.code, response::SUBSCRIPTION_GROUP_NOT_EXIST);
    assert_eq!(
        r.remark.as_deref(),
        Some("subscription group not exist, cg-new")
    );
}
