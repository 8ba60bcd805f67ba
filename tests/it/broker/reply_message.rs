//! SEND_REPLY_MESSAGE (324/325) as Java 4.9.7's ReplyMessageProcessor answers it, spoken in raw
//! commands: a reply naming a producer that sent a heartbeat is pushed to it as
//! PUSH_REPLY_MESSAGE_TO_CLIENT (326) with the reply's body and properties, then stored; the
//! push's outcome decides the code (SUCCESS, or SYSTEM_ERROR with Java's remark when the
//! requester is unknown or REPLY_TO_CLIENT is missing), the store fills in msgId/queueOffset;
//! with `storeReplyMessageEnable=false` the reply is pushed only.
//! The Java and Go suites run the whole request-reply flow with their clients.

use std::time::Duration;

use crate::support::Cluster;
use rocketactor::client::remoting::RemotingClient;
use rocketactor::codec::codes::{request, response};
use rocketactor::codec::RemotingCommand;
use rocketactor::config::BrokerRole;

const WAIT: Duration = Duration::from_secs(10);
const REQUESTER: &str = "127.0.0.1@requester#1";

fn reply(code: i32, topic: &str, properties: &str) -> RemotingCommand {
    RemotingCommand::request(code)
        .with_ext("producerGroup", "replier")
        .with_ext("topic", topic)
        .with_ext("defaultTopic", "TBW102")
        .with_ext("defaultTopicQueueNums", 4)
        .with_ext("queueId", 0)
        .with_ext("sysFlag", 0)
        .with_ext("bornTimestamp", 1)
        .with_ext("flag", 0)
        .with_ext("properties", properties)
        .with_ext("reconsumeTimes", 0)
        .with_body(b"the answer".to_vec())
}

fn props(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| format!("{k}\u{1}{v}\u{2}"))
        .collect()
}

#[actix_rt::test]
async fn reply_is_pushed_to_the_requesting_producer_then_stored() {
    reply_round(true).await;
}

#[actix_rt::test]
async fn with_store_reply_message_enable_off_the_reply_is_pushed_and_not_stored() {
    reply_round(false).await;
}

/// One reply pushed to its requester; stored only when `store` (storeReplyMessageEnable).
async fn reply_round(store: bool) {
    let dir = tempfile::tempdir().expect("tempdir");
    let cluster = Cluster::start().await;
    let mut cfg = cluster.broker_config("broker-rr", BrokerRole::AsyncMaster, dir.path());
    cfg.store_reply_message_enable = store;
    let reply_topic = format!("{}_REPLY_TOPIC", cfg.broker_cluster_name);
    let broker = cluster.broker(cfg).await;
    let addr = broker.listen_addr.to_string();

    // The requester: a producer heartbeat, then it answers the broker's push.
    let requester = RemotingClient::connect(&addr, WAIT)
        .await
        .expect("connect requester");
    let mut pushed = requester.take_server_requests().expect("server requests");
    let hb = format!(
        r#"{{"clientID":"{REQUESTER}","producerDataSet":[{{"groupName":"rr_req"}}],"consumerDataSet":[]}}"#
    );
    let r = requester
        .invoke(
            RemotingCommand::request(request::HEART_BEAT).with_body(hb.into_bytes()),
            WAIT,
        )
        .await
        .expect("heartbeat answered");
    assert_eq!(r.code, response::SUCCESS, "heartbeat: {:?}", r.remark);

    let replier = RemotingClient::connect(&addr, WAIT)
        .await
        .expect("connect replier");
    let properties = props(&[
        ("CORRELATION_ID", "corr-1"),
        ("REPLY_TO_CLIENT", REQUESTER),
        ("MSG_TYPE", "reply"),
    ]);
    let sent = replier.invoke(
        reply(request::SEND_REPLY_MESSAGE, &reply_topic, &properties),
        WAIT,
    );
    let push = async {
        let cmd = tokio::time::timeout(WAIT, pushed.recv())
            .await
            .expect("the push arrives in time")
            .expect("a push");
        requester
            .respond(RemotingCommand::response_to(&cmd, response::SUCCESS))
            .await
            .expect("answer the push");
        cmd
    };
    let (answer, cmd) = tokio::join!(sent, push);
    let answer = answer.expect("reply answered");

    assert_eq!(cmd.code, request::PUSH_REPLY_MESSAGE_TO_CLIENT);
    assert_eq!(&cmd.body[..], b"the answer");
    assert_eq!(cmd.ext("topic"), Some(reply_topic.as_str()));
    assert_eq!(cmd.ext("producerGroup"), Some("replier"));
    let pushed_props = cmd.ext("properties").unwrap_or_default();
    assert!(
        pushed_props.contains("CORRELATION_ID\u{1}corr-1\u{2}"),
        "{pushed_props:?}"
    );
    assert!(
        pushed_props.contains("PUSH_REPLY_TIME\u{1}"),
        "{pushed_props:?}"
    );
    assert!(cmd
        .ext("bornHost")
        .is_some_and(|h| h.starts_with("127.0.0.1:")));
    assert!(cmd.ext("storeTimestamp").is_some());

    assert_eq!(
        answer.code,
        response::SUCCESS,
        "remark: {:?}",
        answer.remark
    );
    assert_eq!(
        answer.ext("queueOffset"),
        Some("0"),
        "stored as the first reply, or nothing stored"
    );
    let max = replier
        .invoke(
            RemotingCommand::request(request::GET_MAX_OFFSET)
                .with_ext("topic", &reply_topic)
                .with_ext("queueId", 0),
            WAIT,
        )
        .await
        .expect("max offset answered");
    if store {
        assert!(
            answer.ext("msgId").is_some_and(|id| id.len() == 32),
            "the stored record's offset message id: {:?}",
            answer.ext("msgId")
        );
        assert_eq!(max.ext("offset"), Some("1"), "the reply is stored");
    } else {
        assert_eq!(
            answer.ext("msgId"),
            Some("0"),
            "nothing stored: Java's \"0\""
        );
        assert_eq!(max.ext("offset"), Some("0"), "the reply is not stored");
    }
    broker.stop().await;
}

#[actix_rt::test]
async fn reply_without_a_reachable_requester_is_system_error_with_javas_remark() {
    let dir = tempfile::tempdir().expect("tempdir");
    let cluster = Cluster::start().await;
    let cfg = cluster.broker_config("broker-rr2", BrokerRole::AsyncMaster, dir.path());
    let reply_topic = format!("{}_REPLY_TOPIC", cfg.broker_cluster_name);
    let broker = cluster.broker(cfg).await;
    let replier = RemotingClient::connect(&broker.listen_addr.to_string(), WAIT)
        .await
        .expect("connect replier");

    // Each refusal: the reply's properties, and Java's SYSTEM_ERROR remark.
    let refuse = |properties: String, remark: &'static str| {
        let replier = &replier;
        let reply_topic = &reply_topic;
        async move {
            let r = replier
                .invoke(
                    reply(request::SEND_REPLY_MESSAGE, reply_topic, &properties),
                    WAIT,
                )
                .await
                .expect("answered");
            assert_eq!(r.code, response::SYSTEM_ERROR);
            assert_eq!(r.remark.as_deref(), Some(remark));
            r
        }
    };
    refuse(
        props(&[("CORRELATION_ID", "c")]),
        "reply message properties[REPLY_TO_CLIENT] is null",
    )
    .await;
    let r = refuse(
        props(&[("CORRELATION_ID", "c"), ("REPLY_TO_CLIENT", "nobody@x#1")]),
        "push reply message fail, channel of <nobody@x#1> not found.",
    )
    .await;
    // Stored all the same (storeReplyMessageEnable): the second reply is offset 1.
    assert_eq!(r.ext("queueOffset"), Some("1"));
    broker.stop().await;
}
