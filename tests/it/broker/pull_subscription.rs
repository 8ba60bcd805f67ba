//! PULL_MESSAGE without the subscription flag (how rocketmq-client-go v2 pulls) takes the
//! group's subscription from its heartbeat, and refuses like Java 4.9.7's
//! PullMessageProcessor: SUBSCRIPTION_NOT_EXIST (24) "the consumer's group info not exist" for
//! a group that never sent a heartbeat, the same code with "the consumer's subscription not
//! exist" for a topic the group does not subscribe to, SUBSCRIPTION_NOT_LATEST (25) for a pull
//! newer than the subscription, and NO_PERMISSION for a broadcasting group whose config has
//! consumeBroadcastEnable=false.

use std::time::Duration;

use crate::support::admin_env;
use rocketactor::client::remoting::RemotingClient;
use rocketactor::codec::codes::{request, response};
use rocketactor::codec::headers::PullMessageRequestHeader;
use rocketactor::codec::RemotingCommand;
use rocketactor::protocol::subscription::SubscriptionGroupConfig;
use rocketactor::protocol::topic::TopicConfig;

const GUARD: Duration = Duration::from_secs(10);

fn heartbeat(
    client_id: &str,
    group: &str,
    model: &str,
    topic: &str,
    sub_version: i64,
) -> RemotingCommand {
    let body = format!(
        r#"{{"clientID":"{client_id}","producerDataSet":[],"consumerDataSet":[{{"groupName":"{group}","consumeType":"CONSUME_PASSIVELY","messageModel":"{model}","consumeFromWhere":"CONSUME_FROM_FIRST_OFFSET","unitMode":false,"subscriptionDataSet":[{{"classFilterMode":false,"topic":"{topic}","subString":"*","tagsSet":[],"codeSet":[],"subVersion":{sub_version},"expressionType":"TAG"}}]}}]}}"#
    );
    RemotingCommand::request(request::HEART_BEAT).with_body(body)
}

/// A pull as rocketmq-client-go v2.1.2 sends it: no subscription flag, subVersion 0 unless given.
fn pull(group: &str, topic: &str, sub_version: i64) -> RemotingCommand {
    let h = PullMessageRequestHeader {
        consumer_group: group.into(),
        topic: topic.into(),
        queue_id: 0,
        queue_offset: 0,
        max_msg_nums: 32,
        sys_flag: 0,
        commit_offset: 0,
        suspend_timeout_millis: 0,
        subscription: None,
        sub_version,
        expression_type: Some("TAG".into()),
        bname: None,
    };
    let mut cmd = RemotingCommand::request(request::PULL_MESSAGE);
    h.write_to(&mut cmd);
    cmd
}

async fn code_remark(c: &RemotingClient, cmd: RemotingCommand) -> (i32, String) {
    let r = c.invoke(cmd, GUARD).await.expect("broker answers");
    (r.code, r.remark.unwrap_or_default())
}

#[actix_rt::test]
async fn pull_without_subscription_flag_checks_the_group_like_java() {
    let (_keep, _broker, addr, _ns, admin) = admin_env("broker-sub", |_| {}).await;
    for t in ["SUB_T1", "SUB_T2"] {
        admin
            .create_topic(&addr, &TopicConfig::new(t, 1, 1, 6))
            .await
            .unwrap();
    }
    let c = RemotingClient::connect(&addr, GUARD).await.unwrap();

    assert_eq!(
        code_remark(&c, pull("cg-offline", "SUB_T1", 0)).await,
        (
            response::SUBSCRIPTION_NOT_EXIST,
            "the consumer's group info not exist".into()
        )
    );

    let hb = heartbeat("127.0.0.1@sub", "cg-sub", "CLUSTERING", "SUB_T1", 100);
    assert_eq!(code_remark(&c, hb).await.0, response::SUCCESS);
    assert_eq!(
        code_remark(&c, pull("cg-sub", "SUB_T2", 0)).await,
        (
            response::SUBSCRIPTION_NOT_EXIST,
            "the consumer's subscription not exist".into()
        )
    );
    assert_eq!(
        code_remark(&c, pull("cg-sub", "SUB_T1", 200)).await,
        (
            response::SUBSCRIPTION_NOT_LATEST,
            "the consumer's subscription not latest".into()
        )
    );
    for v in [0, 100] {
        let (code, remark) = code_remark(&c, pull("cg-sub", "SUB_T1", v)).await;
        assert_eq!(code, response::PULL_NOT_FOUND, "subVersion {v}: {remark}");
    }

    let mut cfg = SubscriptionGroupConfig::new("cg-bc");
    cfg.consume_broadcast_enable = false;
    admin.create_subscription_group(&addr, &cfg).await.unwrap();
    let hb = heartbeat("127.0.0.1@bc", "cg-bc", "BROADCASTING", "SUB_T1", 1);
    assert_eq!(code_remark(&c, hb).await.0, response::SUCCESS);
    assert_eq!(
        code_remark(&c, pull("cg-bc", "SUB_T1", 0)).await,
        (
            response::NO_PERMISSION,
            "the consumer group[cg-bc] can not consume by broadcast way".into()
        )
    );
}
