//! A request without a required header field, over a real socket: the broker answers
//! SYSTEM_ERROR (1) with the remark "the custom field <name> is null" (docs/protocol.md §1.6),
//! in both header encodings, and keeps serving the connection.

use rocketactor::codec::codes::{request, response};
use rocketactor::codec::{RemotingCommand, SerializeType};

use crate::support::admin_env;
use crate::support::raw::Client;

fn refused(resp: &RemotingCommand, field: &str) {
    assert_eq!(resp.code, response::SYSTEM_ERROR, "{resp:?}");
    assert_eq!(
        resp.remark.as_deref(),
        Some(format!("the custom field <{field}> is null").as_str())
    );
}

#[actix_rt::test]
async fn a_missing_required_field_answers_system_error_with_javas_remark() {
    let (_keep, _broker, addr, _ns, _admin) = admin_env("broker-missing-header", |_| {}).await;
    let mut c = Client::connect(addr.parse().unwrap()).await;

    for st in [SerializeType::Json, SerializeType::RocketMq] {
        let mut max = RemotingCommand::request(request::GET_MAX_OFFSET).with_ext("topic", "T");
        max.serialize_type = st;
        refused(&c.call(max).await, "queueId");

        let mut query = RemotingCommand::request(request::QUERY_MESSAGE)
            .with_ext("topic", "T")
            .with_ext("maxNum", 1)
            .with_ext("beginTimestamp", 0)
            .with_ext("endTimestamp", i64::MAX);
        query.serialize_type = st;
        refused(&c.call(query).await, "key");

        let mut stats = RemotingCommand::request(request::GET_BROKER_CONSUME_STATS);
        stats.serialize_type = st;
        refused(&c.call(stats).await, "isOrder");

        let mut resume = RemotingCommand::request(request::RESUME_CHECK_HALF_MESSAGE);
        resume.serialize_type = st;
        refused(&c.call(resume).await, "msgId");
    }

    // The same connection still serves a complete request; numbers may come padded.
    let ok = c
        .call(
            RemotingCommand::request(request::GET_MAX_OFFSET)
                .with_ext("topic", "T")
                .with_ext("queueId", " 0 "),
        )
        .await;
    assert_eq!(ok.code, response::SUCCESS, "{ok:?}");
    assert_eq!(ok.ext("offset"), Some("0"));
}
