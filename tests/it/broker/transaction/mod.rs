//! Transactional messages over real sockets (Java 4.9.7 semantics): a committed half message is
//! delivered exactly once, a rolled-back one never, an unknown one after the broker's check-back
//! is answered; a new producer instance of the group answers for a dead one; the half message
//! survives a broker restart; a message checked `transactionCheckMax` times is discarded to
//! `TRANS_CHECK_MAX_TIME_TOPIC` and RESUME_CHECK_HALF_MESSAGE brings it back. The project's
//! `TransactionProducer` and `PullConsumer` drive an in-process name server and broker; waits
//! are on conditions (the check's own progress offsets), never fixed sleeps.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use crate::support::{code_of, eventually, free_port_triple, Cluster};
use parking_lot::Mutex;
use rocketactor::broker::BrokerHandle;
use rocketactor::client::message::MessageExt;
use rocketactor::client::{
    Admin, LocalTransactionState, Message, ProducerConfig, PullConsumer, PullStatus, SendResult,
    TransactionListener, TransactionProducer,
};
use rocketactor::codec::codes::{request, response};
use rocketactor::codec::headers::EndTransactionRequestHeader;
use rocketactor::codec::RemotingCommand;
use rocketactor::config::{BrokerConfig, BrokerRole};
use rocketactor::logging::test_logger;
use rocketactor::protocol::message_queue::MessageQueue;
use rocketactor::protocol::topic::TopicConfig;
use rocketactor::store::message::offset_msg_id;

mod refusals;

const TOPIC: &str = "TX_TOPIC";
const HALF: &str = "RMQ_SYS_TRANS_HALF_TOPIC";
const OP: &str = "RMQ_SYS_TRANS_OP_HALF_TOPIC";
const MAX_TIME: &str = "TRANS_CHECK_MAX_TIME_TOPIC";

use LocalTransactionState::{CommitMessage, RollbackMessage, Unknow};

/// Answers by message body: what the local transaction says, and what a check says.
#[derive(Default)]
struct Answers {
    local: Mutex<HashMap<String, LocalTransactionState>>,
    check: Mutex<HashMap<String, LocalTransactionState>>,
    /// Checks received, by body.
    checked: Mutex<HashMap<String, usize>>,
    /// The last checked message, by body.
    last_checked: Mutex<HashMap<String, MessageExt>>,
}

impl Answers {
    fn set(&self, body: &str, local: LocalTransactionState, check: LocalTransactionState) {
        self.local.lock().insert(body.into(), local);
        self.check.lock().insert(body.into(), check);
    }
    fn checks(&self, body: &str) -> usize {
        self.checked.lock().get(body).copied().unwrap_or(0)
    }
}

impl TransactionListener for Answers {
    fn execute_local(&self, msg: &Message, _: &SendResult) -> LocalTransactionState {
        let body = String::from_utf8_lossy(&msg.body).into_owned();
        self.local.lock().get(&body).copied().unwrap_or(Unknow)
    }
    fn check_local(&self, msg: &MessageExt) -> LocalTransactionState {
        let body = String::from_utf8_lossy(&msg.body).into_owned();
        *self.checked.lock().entry(body.clone()).or_default() += 1;
        self.last_checked.lock().insert(body.clone(), msg.clone());
        self.check.lock().get(&body).copied().unwrap_or(Unknow)
    }
}

struct Env {
    _dir: tempfile::TempDir,
    cluster: Cluster,
    cfg: BrokerConfig,
    broker: BrokerHandle,
    addr: String,
    ns: String,
    consumer: PullConsumer,
}

fn tx_config(cluster: &Cluster, dir: &std::path::Path) -> BrokerConfig {
    let mut cfg = cluster.broker_config("broker-tx", BrokerRole::AsyncMaster, dir);
    cfg.transaction_time_out = 300;
    cfg.transaction_check_interval = 100;
    cfg
}

async fn env(tweak: impl FnOnce(&mut BrokerConfig)) -> Env {
    let dir = tempfile::tempdir().unwrap();
    let cluster = Cluster::start().await;
    let mut cfg = tx_config(&cluster, dir.path());
    tweak(&mut cfg);
    let broker = cluster.broker(cfg.clone()).await;
    let addr = broker.client_addr();
    let ns = cluster.namesrv_addr();
    Admin::new(&ns)
        .unwrap()
        .create_topic(&addr, &TopicConfig::new(TOPIC, 1, 1, 6))
        .await
        .unwrap();
    let consumer = PullConsumer::new(&ns, "cg-tx").unwrap();
    routed(&consumer, &addr).await;
    Env {
        _dir: dir,
        cluster,
        cfg,
        broker,
        addr,
        ns,
        consumer,
    }
}

async fn routed(consumer: &PullConsumer, addr: &str) {
    eventually("TX_TOPIC routed", || async {
        match consumer.fetch_queues(TOPIC).await {
            Ok(qs) if !qs.is_empty() => consumer.master_addr(&qs[0]).await.is_ok_and(|a| a == addr),
            _ => false,
        }
    })
    .await;
}

fn producer(ns: &str, answers: &Arc<Answers>) -> TransactionProducer {
    let p = TransactionProducer::new(
        ProducerConfig::new(ns, "pg-tx"),
        answers.clone(),
        Duration::from_millis(200),
        test_logger(),
    )
    .unwrap();
    p.start().unwrap();
    p
}

/// Every message of the real topic (bounded: 100 pulls).
async fn delivered(consumer: &PullConsumer) -> Vec<MessageExt> {
    let mq = MessageQueue::new(TOPIC, "broker-tx", 0);
    let mut out = Vec::new();
    let mut offset = 0;
    for _ in 0..100 {
        let r = consumer.pull(&mq, offset, 32, "*", None).await.unwrap();
        if r.status != PullStatus::Found {
            break;
        }
        offset = r.next_begin_offset;
        out.extend(r.messages);
    }
    out
}

fn bodies(msgs: &[MessageExt]) -> Vec<String> {
    let mut v: Vec<String> = msgs
        .iter()
        .map(|m| String::from_utf8_lossy(&m.body).into_owned())
        .collect();
    v.sort();
    v
}

/// The check's progress offset on `topic` queue 0 (group CID_RMQ_SYS_TRANS; the queue's
/// first offset until the check stores one, as Java's check reads it).
fn check_offset(b: &BrokerHandle, topic: &str) -> i64 {
    let stored = b
        .broker
        .meta
        .lock()
        .offsets
        .query("CID_RMQ_SYS_TRANS", topic, 0);
    stored.unwrap_or_else(|| b.broker.store.reader().min_offset_in_queue(topic, 0))
}

fn max_offset(b: &BrokerHandle, topic: &str) -> i64 {
    b.broker.store.reader().max_offset_in_queue(topic, 0)
}

/// Waits until the check has walked past every half message and every op message written so
/// far: from then on nothing more can come of the transactions sent before.
async fn check_caught_up(b: &BrokerHandle) {
    eventually("check caught up with the half and op queues", || async {
        check_offset(b, HALF) == max_offset(b, HALF) && check_offset(b, OP) == max_offset(b, OP)
    })
    .await;
}

#[actix_rt::test]
async fn commit_is_delivered_once_rollback_never() {
    let e = env(|_| {}).await;
    let answers = Arc::new(Answers::default());
    answers.set("commit-me", CommitMessage, RollbackMessage);
    answers.set("roll-me-back", RollbackMessage, CommitMessage);
    let p = producer(&e.ns, &answers);
    let c = p
        .send_in_transaction(TOPIC, Message::new("commit-me").with_tags("TagA"))
        .await
        .unwrap();
    let r = p
        .send_in_transaction(TOPIC, Message::new("roll-me-back"))
        .await
        .unwrap();
    // The half messages went to the half topic, answered with the requested queue.
    assert_eq!(
        (c.send.queue.topic.as_str(), c.send.queue.queue_id),
        (TOPIC, 0)
    );
    assert_eq!((c.send.queue_offset, r.send.queue_offset), (0, 1));
    eventually("commit delivered", || async {
        !delivered(&e.consumer).await.is_empty()
    })
    .await;
    check_caught_up(&e.broker).await;
    let msgs = delivered(&e.consumer).await;
    assert_eq!(bodies(&msgs), ["commit-me"]);
    let m = &msgs[0];
    assert_eq!(m.msg_id, c.send.msg_id, "UNIQ_KEY kept");
    assert_eq!(m.tags.as_deref(), Some("TagA"));
    assert_eq!(m.property("TRAN_MSG"), Some("true"));
    assert_eq!(m.property("PGROUP"), Some("pg-tx"));
    assert_eq!(m.property("REAL_TOPIC"), Some(TOPIC));
    assert_eq!(m.sys_flag & 0xC, 0x8, "COMMIT type");
    // Two op messages, one per finished transaction; nobody was asked.
    assert_eq!(max_offset(&e.broker, OP), 2);
    assert_eq!(
        answers.checks("commit-me") + answers.checks("roll-me-back"),
        0
    );
    p.shutdown();
    e.broker.stop().await;
}

#[actix_rt::test]
async fn unknown_is_committed_by_the_check_back() {
    let e = env(|_| {}).await;
    let answers = Arc::new(Answers::default());
    answers.set("unknown", Unknow, CommitMessage);
    answers.set("unknown-rb", Unknow, RollbackMessage);
    let p = producer(&e.ns, &answers);
    p.send_in_transaction(TOPIC, Message::new("unknown"))
        .await
        .unwrap();
    p.send_in_transaction(TOPIC, Message::new("unknown-rb"))
        .await
        .unwrap();
    assert!(
        delivered(&e.consumer).await.is_empty(),
        "a half message is never visible in the real topic"
    );
    eventually("check-back delivered", || async {
        !delivered(&e.consumer).await.is_empty() && answers.checks("unknown-rb") > 0
    })
    .await;
    check_caught_up(&e.broker).await;
    assert_eq!(bodies(&delivered(&e.consumer).await), ["unknown"]);
    assert_eq!(
        (answers.checks("unknown"), answers.checks("unknown-rb")),
        (1, 1)
    );
    // The check body is the message with its real topic and the check count.
    let checked = answers.last_checked.lock()["unknown"].clone();
    assert_eq!(checked.topic, TOPIC);
    assert_eq!(checked.property("TRANSACTION_CHECK_TIMES"), Some("1"));
    p.shutdown();
    e.broker.stop().await;
}

#[actix_rt::test]
async fn a_new_producer_instance_answers_for_a_dead_one() {
    let e = env(|_| {}).await;
    let first = Arc::new(Answers::default());
    first.set("orphan", Unknow, Unknow);
    let p1 = producer(&e.ns, &first);
    p1.send_in_transaction(TOPIC, Message::new("orphan"))
        .await
        .unwrap();
    // The producer dies before it commits: its connection drops.
    p1.shutdown();
    drop(p1);
    let second = Arc::new(Answers::default());
    second.set("orphan", RollbackMessage, CommitMessage);
    let p2 = producer(&e.ns, &second);
    p2.producer().heartbeat_to(&e.addr).await.unwrap();
    eventually("the new instance committed", || async {
        !delivered(&e.consumer).await.is_empty()
    })
    .await;
    check_caught_up(&e.broker).await;
    assert_eq!(bodies(&delivered(&e.consumer).await), ["orphan"]);
    assert_eq!(first.checks("orphan"), 0);
    assert_eq!(second.checks("orphan"), 1);
    p2.shutdown();
    e.broker.stop().await;
}

#[actix_rt::test]
async fn half_messages_survive_a_broker_restart() {
    let port = free_port_triple();
    let e = env(|c| {
        c.listen_port = port;
        c.transaction_time_out = 1000;
    })
    .await;
    let answers = Arc::new(Answers::default());
    // "explicit" is committed by its producer after the restart; "checked" by the check.
    answers.set("explicit", Unknow, Unknow);
    answers.set("checked", Unknow, CommitMessage);
    let p = producer(&e.ns, &answers);
    let explicit = p
        .send_in_transaction(TOPIC, Message::new("explicit"))
        .await
        .unwrap();
    p.send_in_transaction(TOPIC, Message::new("checked"))
        .await
        .unwrap();
    e.broker.stop().await;
    let broker = e.cluster.broker(e.cfg.clone()).await;
    assert_eq!(broker.client_addr(), e.addr);
    assert_eq!(max_offset(&broker, HALF), 2, "half messages kept");
    p.end_transaction(&explicit.send, CommitMessage)
        .await
        .unwrap();
    eventually("both delivered after the restart", || async {
        delivered(&e.consumer).await.len() == 2
    })
    .await;
    check_caught_up(&broker).await;
    assert_eq!(
        bodies(&delivered(&e.consumer).await),
        ["checked", "explicit"]
    );
    p.shutdown();
    broker.stop().await;
}

#[actix_rt::test]
async fn check_max_discards_and_resume_brings_back() {
    let e = env(|c| c.transaction_check_max = 2).await;
    let answers = Arc::new(Answers::default());
    answers.set("never-sure", Unknow, Unknow);
    let p = producer(&e.ns, &answers);
    p.send_in_transaction(TOPIC, Message::new("never-sure"))
        .await
        .unwrap();
    eventually("discarded to TRANS_CHECK_MAX_TIME_TOPIC", || async {
        max_offset(&e.broker, MAX_TIME) == 1
    })
    .await;
    eventually("two checks answered", || async {
        answers.checks("never-sure") == 2
    })
    .await;
    check_caught_up(&e.broker).await;
    assert!(delivered(&e.consumer).await.is_empty());
    assert_eq!(answers.checks("never-sure"), 2);
    // The discarded copy is the last re-put one (checked twice).
    let reader = e.broker.broker.store.reader();
    let phys = reader.commit_log_offset_in_queue(MAX_TIME, 0, 0).unwrap();
    let raw = reader.look_message_by_offset(phys).unwrap();
    let discarded = rocketactor::client::message::decode_messages(&raw).unwrap();
    assert_eq!(discarded[0].property("TRANSACTION_CHECK_TIMES"), Some("2"));
    assert_eq!(discarded[0].property("REAL_TOPIC"), Some(TOPIC));

    // mqadmin resumeCheckHalfMessage: checked again from zero, now committed.
    answers.set("never-sure", Unknow, CommitMessage);
    let admin = Admin::new(&e.ns).unwrap();
    let id = offset_msg_id(&discarded[0].store_host, phys);
    admin
        .call(
            &e.addr,
            RemotingCommand::request(request::RESUME_CHECK_HALF_MESSAGE).with_ext("msgId", id),
        )
        .await
        .unwrap();
    eventually("resumed and committed", || async {
        !delivered(&e.consumer).await.is_empty()
    })
    .await;
    check_caught_up(&e.broker).await;
    assert_eq!(bodies(&delivered(&e.consumer).await), ["never-sure"]);
    p.shutdown();
    e.broker.stop().await;
}
