//! ACL 1.0 against a real broker (docs/acl.md): `aclEnable=true` with a plain_acl.yml in a temp
//! dir (our `aclPlainFile` key, so no process-wide ROCKETMQ_HOME is needed), our producer,
//! consumer and admin signing as Java's `AclClientRPCHook`, and each refusal answered as Java
//! 4.9.7 answers it: SYSTEM_ERROR (1) with the AclException's simple description.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use crate::support::{eventually, Cluster};
use rocketactor::acl::SessionCredentials;
use rocketactor::broker::BrokerHandle;
use rocketactor::client::consumer::PullStatus;
use rocketactor::client::message::Message;
use rocketactor::client::remoting::RemotingClient;
use rocketactor::client::{
    Admin, ConsumeResult, MqError, Producer, PullConsumer, PushConfig, PushConsumer,
};
use rocketactor::codec::codes::{request, response};
use rocketactor::codec::RemotingCommand;
use rocketactor::config::BrokerRole;
use rocketactor::protocol::heartbeat::ConsumeFromWhere;
use rocketactor::protocol::topic::TopicConfig;

const ACL: &str = r#"globalWhiteRemoteAddresses:
  - 10.10.*.*

accounts:
  - accessKey: rocketmq2
    secretKey: 12345678
    admin: true
  - accessKey: RocketMQ
    secretKey: 12345678
    defaultTopicPerm: DENY
    defaultGroupPerm: SUB
    topicPerms:
      - topicA=PUB|SUB
      - topicSubOnly=SUB
    groupPerms:
      - groupDenied=DENY
  - accessKey: farAway1
    secretKey: 12345678
    whiteRemoteAddress: 10.1.1.*
  - accessKey: localOne
    secretKey: 12345678
    whiteRemoteAddress: 127.0.0.1
"#;

fn admin_creds() -> SessionCredentials {
    SessionCredentials::new("rocketmq2", "12345678")
}

fn user_creds() -> SessionCredentials {
    SessionCredentials::new("RocketMQ", "12345678")
}

struct Env {
    _dir: tempfile::TempDir,
    _cluster: Cluster,
    broker: BrokerHandle,
    addr: String,
    ns: String,
    acl_file: PathBuf,
}

async fn start(yml: &str) -> Env {
    let dir = tempfile::tempdir().unwrap();
    let acl_file = dir.path().join("plain_acl.yml");
    std::fs::write(&acl_file, yml).unwrap();
    let cluster = Cluster::start().await;
    let mut cfg = cluster.broker_config(
        "broker-acl",
        BrokerRole::AsyncMaster,
        &dir.path().join("store"),
    );
    cfg.acl_enable = true;
    cfg.acl_plain_file = Some(acl_file.clone());
    let broker = cluster.broker(cfg).await;
    let addr = broker.client_addr();
    let ns = cluster.namesrv_addr();
    Env {
        _dir: dir,
        _cluster: cluster,
        broker,
        addr,
        ns,
        acl_file,
    }
}

/// Creates `topics` with the admin account and waits until the name server routes them.
async fn create_topics(env: &Env, topics: &[&str]) {
    let admin = Admin::new(&env.ns).unwrap().with_credentials(admin_creds());
    for t in topics {
        admin
            .create_topic(&env.addr, &TopicConfig::new(*t, 1, 1, 6))
            .await
            .expect("the admin account creates topics");
    }
    let probe = PullConsumer::new(&env.ns, "probe").unwrap();
    for t in topics {
        eventually("topic routable", || async {
            probe.fetch_queues(t).await.is_ok_and(|q| !q.is_empty())
        })
        .await;
    }
}

/// The code and remark of a broker's refusal.
fn refusal<T: std::fmt::Debug>(r: Result<T, MqError>) -> (i32, String) {
    match r {
        Err(MqError::Response { code, remark, .. }) => (code, remark),
        other => panic!("expected a refusal, got {other:?}"),
    }
}

fn java_remark(message: &str, frame: &str) -> String {
    format!(
        "org.apache.rocketmq.acl.common.AclException: {message}, org.apache.rocketmq.acl.plain.PlainPermissionManager.{frame}"
    )
}

async fn send(creds: SessionCredentials, ns: &str, topic: &str) -> Result<(), MqError> {
    let p = Producer::new(ns, "pg-acl")?.with_credentials(creds);
    p.start()?;
    let r = p.send(topic, Message::new("hello acl")).await.map(|_| ());
    p.shutdown();
    r
}

#[actix_rt::test]
async fn valid_account_sends_and_consumes() {
    let env = start(ACL).await;
    create_topics(&env, &["topicA"]).await;
    send(user_creds(), &env.ns, "topicA")
        .await
        .expect("PUB on topicA");
    let consumer = PullConsumer::new(&env.ns, "groupOk")
        .unwrap()
        .with_credentials(user_creds());
    let queues = consumer.fetch_queues("topicA").await.unwrap();
    let mut found = 0;
    for mq in &queues {
        let r = consumer
            .pull(mq, 0, 32, "*", None)
            .await
            .expect("SUB on topicA and groupOk");
        if r.status == PullStatus::Found {
            found += r.messages.len();
        }
    }
    assert_eq!(found, 1);

    // A push consumer: its heartbeat (group and subscriptions SUB), pulls and offset commits.
    let mut cfg = PushConfig::new(&env.ns, "groupPush");
    cfg.consume_from = ConsumeFromWhere::FirstOffset;
    let mut push = PushConsumer::with_config(cfg, rocketactor::logging::discard())
        .unwrap()
        .with_credentials(user_creds());
    push.subscribe("topicA", "*").unwrap();
    let got = Arc::new(AtomicUsize::new(0));
    let seen = got.clone();
    push.start(move |_| {
        seen.fetch_add(1, Ordering::SeqCst);
        ConsumeResult::Success
    })
    .unwrap();
    eventually("push consumer receives the message", || async {
        got.load(Ordering::SeqCst) >= 1
    })
    .await;
    push.shutdown().await;
    env.broker.stop().await;
}

#[actix_rt::test]
async fn refusals_answer_with_java_code_and_remark() {
    let env = start(ACL).await;
    create_topics(&env, &["topicA", "topicSubOnly"]).await;

    let wrong = SessionCredentials::new("RocketMQ", "not-the-secret");
    let (code, remark) = refusal(send(wrong, &env.ns, "topicA").await);
    assert_eq!(code, response::SYSTEM_ERROR);
    assert_eq!(
        remark,
        java_remark(
            "Check signature failed for accessKey=RocketMQ",
            "validate(PlainPermissionManager.java:683)"
        )
    );

    let unknown = SessionCredentials::new("nobody12", "12345678");
    let (_, remark) = refusal(send(unknown, &env.ns, "topicA").await);
    assert!(
        remark.contains("AclException: No acl config for nobody12,"),
        "{remark}"
    );

    let (code, remark) = refusal(send(user_creds(), &env.ns, "topicSubOnly").await);
    assert_eq!(code, response::SYSTEM_ERROR);
    assert_eq!(
        remark,
        java_remark(
            "No default permission for topic:topicSubOnly",
            "checkPerm(PlainPermissionManager.java:610)"
        )
    );

    let denied = PullConsumer::new(&env.ns, "groupDenied")
        .unwrap()
        .with_credentials(user_creds());
    let mq = denied.fetch_queues("topicA").await.unwrap().remove(0);
    let (code, remark) = refusal(denied.pull(&mq, 0, 32, "*", None).await);
    assert_eq!(code, response::SYSTEM_ERROR);
    assert!(
        remark.contains("AclException: No default permission for group:groupDenied,"),
        "{remark}"
    );

    let admin_as_user = Admin::new(&env.ns).unwrap().with_credentials(user_creds());
    let (code, remark) = refusal(
        admin_as_user
            .create_topic(&env.addr, &TopicConfig::new("topicNew", 1, 1, 6))
            .await,
    );
    assert_eq!(code, response::SYSTEM_ERROR);
    assert_eq!(
        remark,
        java_remark(
            "Need admin permission for request code=17, but accessKey=RocketMQ is not",
            "checkPerm(PlainPermissionManager.java:580)"
        )
    );
    env.broker.stop().await;
}

/// A raw request: no AccessKey at all, or an AccessKey without a Signature.
#[actix_rt::test]
async fn missing_signature_and_white_addresses() {
    let env = start(ACL).await;
    let client = RemotingClient::connect(&env.addr, Duration::from_secs(5))
        .await
        .unwrap();
    let call = |cmd: RemotingCommand| {
        let client = client.clone();
        async move { client.invoke(cmd, Duration::from_secs(5)).await.unwrap() }
    };
    let bare = || RemotingCommand::request(request::GET_BROKER_RUNTIME_INFO).with_ext("x", "1");

    // No account, and 127.0.0.1 is outside the global white list (10.10.*.*).
    let r = call(bare()).await;
    assert_eq!(r.code, response::SYSTEM_ERROR);
    assert_eq!(
        r.remark.as_deref(),
        Some(
            java_remark(
                "No accessKey is configured",
                "validate(PlainPermissionManager.java:663)"
            )
            .as_str()
        )
    );
    // An account but no signature.
    let r = call(bare().with_ext("AccessKey", "RocketMQ")).await;
    assert!(r
        .remark
        .unwrap_or_default()
        .contains("Check signature failed for accessKey=RocketMQ"));
    // The account's white address does not contain us: the signature is still checked.
    let r = call(bare().with_ext("AccessKey", "farAway1")).await;
    assert!(r
        .remark
        .unwrap_or_default()
        .contains("Check signature failed for accessKey=farAway1"));
    // An account whose white address is ours is let in without a signature (Java).
    let r = call(bare().with_ext("AccessKey", "localOne")).await;
    assert_eq!(r.code, response::SUCCESS, "{:?}", r.remark);
    // A signed request of the admin passes.
    let mut signed = bare();
    admin_creds().sign_request(&mut signed);
    assert_eq!(call(signed).await.code, response::SUCCESS);

    // Our address joins the global white list: unsigned requests pass, after a hot reload.
    std::fs::write(&env.acl_file, ACL.replace("  - 10.10.*.*", "  - 127.0.0.*")).unwrap();
    eventually("global white list reloaded", || async {
        call(bare()).await.code == response::SUCCESS
    })
    .await;
    env.broker.stop().await;
}

#[actix_rt::test]
async fn an_edit_of_the_file_takes_effect_without_restart() {
    let env = start(ACL).await;
    create_topics(&env, &["topicSubOnly"]).await;
    assert!(send(user_creds(), &env.ns, "topicSubOnly").await.is_err());

    std::fs::write(
        &env.acl_file,
        ACL.replace("topicSubOnly=SUB", "topicSubOnly=PUB"),
    )
    .unwrap();
    eventually("PUB granted by the edited file", || async {
        send(user_creds(), &env.ns, "topicSubOnly").await.is_ok()
    })
    .await;
    env.broker.stop().await;
}

fn signed(code: i32, fields: &[(&str, &str)]) -> RemotingCommand {
    let mut cmd = RemotingCommand::request(code);
    for (k, v) in fields {
        cmd = cmd.with_ext(*k, *v);
    }
    admin_creds().sign_request(&mut cmd);
    cmd
}

fn file_has(path: &Path, needle: &str) -> bool {
    std::fs::read_to_string(path).unwrap().contains(needle)
}

#[actix_rt::test]
async fn acl_admin_commands_rewrite_the_file() {
    let env = start(ACL).await;
    let client = RemotingClient::connect(&env.addr, Duration::from_secs(5))
        .await
        .unwrap();
    let call = |cmd: RemotingCommand| {
        let client = client.clone();
        async move { client.invoke(cmd, Duration::from_secs(5)).await.unwrap() }
    };

    // 50: create an account; it can sign at once.
    let r = call(signed(
        request::UPDATE_AND_CREATE_ACL_CONFIG,
        &[
            ("accessKey", "newAccount"),
            ("secretKey", "secret12345"),
            ("whiteRemoteAddress", "10.9.9.9"),
            ("admin", "false"),
            ("defaultTopicPerm", "PUB"),
            ("topicPerms", "topicX=SUB,topicY=PUB|SUB"),
        ],
    ))
    .await;
    assert_eq!(r.code, response::SUCCESS, "{:?}", r.remark);
    assert!(file_has(&env.acl_file, "newAccount"));
    assert!(file_has(&env.acl_file, "dataVersion"));
    let mut probe = RemotingCommand::request(request::GET_BROKER_RUNTIME_INFO).with_ext("x", "1");
    SessionCredentials::new("newAccount", "secret12345").sign_request(&mut probe);
    assert_eq!(call(probe).await.code, response::SUCCESS);

    // 50 with a bad permission: Java's text and code.
    let r = call(signed(
        request::UPDATE_AND_CREATE_ACL_CONFIG,
        &[
            ("accessKey", "newAccount"),
            ("secretKey", "secret12345"),
            ("topicPerms", "t=READ"),
        ],
    ))
    .await;
    assert_eq!(r.code, response::UPDATE_AND_CREATE_ACL_CONFIG_FAILED);
    assert!(r
        .remark
        .unwrap_or_default()
        .starts_with("Parse resource permission error for t=READ."));

    // 54: every account and the global white list.
    let r = call(signed(request::GET_BROKER_CLUSTER_ACL_CONFIG, &[])).await;
    assert_eq!(r.code, response::SUCCESS);
    let body: serde_json::Value = serde_json::from_slice(&r.body).unwrap();
    assert_eq!(body["globalWhiteAddrs"], serde_json::json!(["10.10.*.*"]));
    let keys: Vec<&str> = body["plainAccessConfigs"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|a| a["accessKey"].as_str())
        .collect();
    assert!(
        keys.contains(&"newAccount") && keys.contains(&"rocketmq2"),
        "{keys:?}"
    );

    // 52: versions, the default file's counter advanced by the edit.
    let r = call(signed(request::GET_BROKER_CLUSTER_ACL_INFO, &[])).await;
    assert_eq!(r.code, response::SUCCESS);
    let version: serde_json::Value = serde_json::from_str(r.ext("version").unwrap()).unwrap();
    assert_eq!(version["counter"], 1);
    assert_eq!(r.ext("brokerName"), Some("broker-acl"));
    assert!(r
        .ext("allAclFileVersion")
        .unwrap()
        .contains("plain_acl.yml"));

    // 53: without aclFileFullPath the default file is changed (as the 4.9.7 broker does), with
    // it the named file; without globalWhiteAddrs Java's failure.
    let r = call(signed(
        request::UPDATE_GLOBAL_WHITE_ADDRS_CONFIG,
        &[("globalWhiteAddrs", "10.20.*.*")],
    ))
    .await;
    assert_eq!(r.code, response::SUCCESS, "{:?}", r.remark);
    assert!(file_has(&env.acl_file, "10.20.*.*"));
    let r = call(signed(
        request::UPDATE_GLOBAL_WHITE_ADDRS_CONFIG,
        &[("x", "1")],
    ))
    .await;
    assert_eq!(r.code, response::UPDATE_GLOBAL_WHITE_ADDRS_CONFIG_FAILED);
    assert_eq!(
        r.remark.as_deref(),
        Some("The globalWhiteAddresses[null] has been updated failed.")
    );
    let path = env.acl_file.display().to_string();
    let r = call(signed(
        request::UPDATE_GLOBAL_WHITE_ADDRS_CONFIG,
        &[
            ("globalWhiteAddrs", "10.20.*.*,10.30.*.*"),
            ("aclFileFullPath", path.as_str()),
        ],
    ))
    .await;
    assert_eq!(r.code, response::SUCCESS, "{:?}", r.remark);
    assert!(file_has(&env.acl_file, "10.30.*.*"));

    // 51: delete, then the account is unknown; deleting again fails as Java.
    let r = call(signed(
        request::DELETE_ACL_CONFIG,
        &[("accessKey", "newAccount")],
    ))
    .await;
    assert_eq!(r.code, response::SUCCESS, "{:?}", r.remark);
    assert!(!file_has(&env.acl_file, "newAccount"));
    let r = call(signed(
        request::DELETE_ACL_CONFIG,
        &[("accessKey", "newAccount")],
    ))
    .await;
    assert_eq!(r.code, response::DELETE_ACL_CONFIG_FAILED);
    assert_eq!(
        r.remark.as_deref(),
        Some("The accesskey[newAccount] corresponding to accessConfig has been deleted failed.")
    );

    // The admin codes themselves are ordinary requests for the ACL: unsigned ones are refused.
    let r =
        call(RemotingCommand::request(request::GET_BROKER_CLUSTER_ACL_CONFIG).with_ext("x", "1"))
            .await;
    assert_eq!(r.code, response::SYSTEM_ERROR);
    env.broker.stop().await;
}

#[actix_rt::test]
async fn a_bad_acl_file_stops_the_start_with_file_line_and_key() {
    let dir = tempfile::tempdir().unwrap();
    let acl_file = dir.path().join("plain_acl.yml");
    std::fs::write(&acl_file, "accounts:\n  - accessKey: longEnough\n    secretKey: 12345678\n    whiteRemoteAddress: 1.2.3\n").unwrap();
    let cluster = Cluster::start().await;
    let mut cfg = cluster.broker_config(
        "broker-bad-acl",
        BrokerRole::AsyncMaster,
        &dir.path().join("store"),
    );
    cfg.acl_enable = true;
    cfg.acl_plain_file = Some(acl_file.clone());
    let started = rocketactor::broker::start_broker(
        cfg,
        &cluster.root,
        cluster.book.clone(),
        rocketactor::logging::test_logger(),
    )
    .await;
    let Err(err) = started else {
        panic!("a bad ACL file must stop the start");
    };
    let text = err.to_string();
    assert!(text.contains(&acl_file.display().to_string()), "{text}");
    assert!(
        text.contains("line 2") && text.contains("`whiteRemoteAddress`"),
        "{text}"
    );
}
