//! Transactions refused or recovered the way Java does: END_TRANSACTION errors, a topic that
//! rejects transaction messages, a crashed check actor restarted, a slave that never checks
//! (fixtures in the parent module).

use super::*;

fn end_request(h: &EndTransactionRequestHeader) -> RemotingCommand {
    let mut cmd = RemotingCommand::request(request::END_TRANSACTION);
    h.write_to(&mut cmd);
    cmd
}

#[actix_rt::test]
async fn end_transaction_errors_are_javas() {
    let e = env(|c| c.transaction_time_out = 60_000).await;
    let answers = Arc::new(Answers::default());
    answers.set("x", Unknow, Unknow);
    let p = producer(&e.ns, &answers);
    let sent = p
        .send_in_transaction(TOPIC, Message::new("x"))
        .await
        .unwrap()
        .send;
    let phys = rocketactor::store::message::decode_offset_msg_id(&sent.offset_msg_id)
        .unwrap()
        .1;
    let good = EndTransactionRequestHeader {
        producer_group: "pg-tx".into(),
        tran_state_table_offset: sent.queue_offset,
        commit_log_offset: phys,
        commit_or_rollback: 8,
        from_transaction_check: false,
        msg_id: sent.msg_id.clone(),
        transaction_id: None,
    };
    let admin = Admin::new(&e.ns).unwrap();
    let cases = [
        (
            EndTransactionRequestHeader {
                producer_group: "other".into(),
                ..good.clone()
            },
            "The producer group wrong",
        ),
        (
            EndTransactionRequestHeader {
                tran_state_table_offset: 5,
                ..good.clone()
            },
            "The transaction state table offset wrong",
        ),
        (
            EndTransactionRequestHeader {
                commit_log_offset: phys + 1_000_000,
                ..good.clone()
            },
            "Find prepared transaction message failed",
        ),
    ];
    for (h, remark) in cases {
        let (code, got) = code_of(admin.call(&e.addr, end_request(&h)).await);
        assert_eq!((code, got.as_str()), (response::SYSTEM_ERROR, remark));
    }
    let mut missing = end_request(&good);
    missing.ext_fields.remove("msgId");
    let (code, remark) = code_of(admin.call(&e.addr, missing).await);
    assert_eq!(code, response::SYSTEM_ERROR);
    assert!(remark.contains("msgId"), "{remark}");
    // A real commit answers SUCCESS when not sent oneway.
    admin.call(&e.addr, end_request(&good)).await.unwrap();
    eventually("committed", || async {
        !delivered(&e.consumer).await.is_empty()
    })
    .await;
    p.shutdown();
    e.broker.stop().await;
}

#[actix_rt::test]
async fn reject_transaction_message_is_no_permission() {
    let e = env(|c| c.reject_transaction_message = true).await;
    let answers = Arc::new(Answers::default());
    let p = producer(&e.ns, &answers);
    let err = p
        .send_in_transaction(TOPIC, Message::new("no"))
        .await
        .unwrap_err();
    let remark = crate::support::response_remark(&err, &e.addr, response::NO_PERMISSION);
    assert_eq!(
        remark,
        format!(
            "the broker[{}] sending transaction message is forbidden",
            e.cfg.broker_ip1
        )
    );
    p.shutdown();
    e.broker.stop().await;
}

#[actix_rt::test]
async fn a_crashed_check_actor_is_restarted_and_checks_again() {
    use rocketactor::broker::transaction::check::{InjectFailure, COMPONENT};
    let e = env(|_| {}).await;
    let check = e
        .broker
        .transaction_check
        .as_ref()
        .expect("a master checks");
    check.get().send(InjectFailure::Panic).await.ok();
    eventually("check actor restarted", || async {
        e.cluster.book.count(COMPONENT) == 1
    })
    .await;
    let answers = Arc::new(Answers::default());
    answers.set("after-crash", Unknow, CommitMessage);
    let p = producer(&e.ns, &answers);
    p.send_in_transaction(TOPIC, Message::new("after-crash"))
        .await
        .unwrap();
    eventually("checked back after the restart", || async {
        !delivered(&e.consumer).await.is_empty()
    })
    .await;
    check_caught_up(&e.broker).await;
    assert_eq!(bodies(&delivered(&e.consumer).await), ["after-crash"]);
    p.shutdown();
    e.broker.stop().await;
}

#[actix_rt::test]
async fn a_slave_never_checks_and_refuses_end_transaction() {
    let dir = tempfile::tempdir().unwrap();
    let cluster = Cluster::start().await;
    let mut cfg = cluster.broker_config("broker-tx-s", BrokerRole::Slave, dir.path());
    cfg.broker_id = 1;
    cfg.transaction_check_interval = 100;
    let slave = cluster.broker(cfg).await;
    assert!(slave.transaction_check.is_none());
    let h = EndTransactionRequestHeader {
        producer_group: "pg".into(),
        tran_state_table_offset: 0,
        commit_log_offset: 0,
        commit_or_rollback: 8,
        from_transaction_check: false,
        msg_id: "m".into(),
        transaction_id: None,
    };
    let admin = Admin::new(&cluster.namesrv_addr()).unwrap();
    let (code, _) = code_of(admin.call(&slave.client_addr(), end_request(&h)).await);
    assert_eq!(code, response::SLAVE_NOT_AVAILABLE);
    slave.stop().await;
}
