//! Message queries: queryMsgById, queryMsgByKey, queryMsgByUniqueKey, queryMsgByOffset,
//! printMsg.

use super::*;

#[actix_rt::test]
async fn query_msg_by_id() {
    let e = env().await;
    e.topic("QI_T", 1).await;
    let sent = e.send("QI_T", 2, 1).await;
    let o = e.ok("queryMsgById", &["-i", &sent[1].offset_msg_id]).await;
    assert_eq!(field(&o, "OffsetID:"), sent[1].offset_msg_id);
    assert_eq!(field(&o, "Topic:"), "QI_T");
    assert_eq!(field(&o, "Keys:"), "[key-1]");
    assert_eq!(field(&o, "Tags:"), "[TagA]");
    assert_eq!(field(&o, "Queue ID:"), "0");
    assert_eq!(field(&o, "Queue Offset:"), "1");
    assert_eq!(field(&o, "Store Host:"), e.addr);
    let path = field(&o, "Message Body Path:").to_owned();
    assert_eq!(std::fs::read_to_string(path).unwrap(), "body-1");
    assert!(o.contains("WARN: No Consumer"), "{o}");
    // -g -d goes through the broker (309) to that consumer: ours answers it does not do it.
    let mut push = e.push("cg-qi", "QI_T").await;
    let id = push.pull_consumer().client_id().to_owned();
    let d = e
        .raw(
            "queryMsgById",
            &["-i", &sent[1].offset_msg_id, "-g", "cg-qi", "-d", &id],
        )
        .await;
    assert!(
        d.err
            .contains("CODE: 3  DESC: request code 309 not supported by this client"),
        "{d:?}"
    );
    push.shutdown().await;
}

#[actix_rt::test]
async fn query_msg_by_key() {
    let e = env().await;
    e.topic("QK_T", 2).await;
    let sent = e.send("QK_T", 4, 2).await;
    let admin = e.admin.clone();
    let addr = e.addr.clone();
    eventually("indexed", || async {
        let q = rocketactor::client::admin::MessageQuery::by_key("QK_T", "key-3");
        admin
            .query_message(&addr, &q)
            .await
            .is_ok_and(|m| !m.is_empty())
    })
    .await;
    let o = e.ok("queryMsgByKey", &["-t", "QK_T", "-k", "key-3"]).await;
    assert_eq!(row(&o, &sent[3].msg_id)[1..], ["1", "1"], "{o}");
    assert_eq!(o.lines().count(), 2, "{o}");
}

#[actix_rt::test]
async fn query_msg_by_unique_key() {
    let e = env().await;
    e.topic("QU_T", 1).await;
    let sent = e.send("QU_T", 3, 1).await;
    let o = e
        .ok(
            "queryMsgByUniqueKey",
            &["-t", "QU_T", "-i", &sent[2].msg_id],
        )
        .await;
    assert_eq!(field(&o, "Topic:"), "QU_T");
    assert_eq!(field(&o, "Keys:"), "[key-2]");
    let path = field(&o, "Message Body Path:").to_owned();
    assert_eq!(std::fs::read_to_string(path).unwrap(), "body-2");
}

#[actix_rt::test]
async fn query_msg_by_offset() {
    let e = env().await;
    e.topic("QO_T", 2).await;
    e.send("QO_T", 4, 2).await;
    let o = e
        .ok(
            "queryMsgByOffset",
            &["-t", "QO_T", "-b", "broker-a", "-i", "1", "-o", "1"],
        )
        .await;
    assert_eq!(field(&o, "Keys:"), "[key-3]");
    let path = field(&o, "Message Body Path:").to_owned();
    assert_eq!(std::fs::read_to_string(path).unwrap(), "body-3");
}

#[actix_rt::test]
async fn print_msg() {
    let e = env().await;
    e.topic("PM_T", 2).await;
    e.send("PM_T", 4, 2).await;
    let o = e.ok("printMsg", &["-t", "PM_T"]).await;
    for i in 0..4 {
        assert!(o.contains(&format!("BODY: body-{i}\n")), "{o}");
    }
    assert!(
        o.contains(
            "minOffset=0, maxOffset=2, MessageQueue [topic=PM_T, brokerName=broker-a, queueId=1]"
        ),
        "{o}"
    );
    let nobody = e.ok("printMsg", &["-t", "PM_T", "-d", "false"]).await;
    assert_eq!(nobody.matches("NOT PRINT BODY").count(), 4, "{nobody}");
}
