//! The push consumer against our name server and a scripted fake broker (real TCP): it must
//! heartbeat, take every queue (it is the only member), start from the first offset when the
//! broker has none, hand pulled messages to the callback, send back the ones the callback
//! rejects, commit the consumed offset on shutdown and unregister.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use futures::{SinkExt, StreamExt};
use parking_lot::Mutex;
use rocketactor::client::{ConsumeResult, Message, PushConfig, PushConsumer, RemotingClient};
use rocketactor::codec::codes::{request, response};
use rocketactor::codec::headers::{
    ConsumerSendMsgBackRequestHeader, PullMessageRequestHeader, PullMessageResponseHeader,
};
use rocketactor::codec::{RemotingCodec, RemotingCommand};
use rocketactor::logging::test_logger;
use rocketactor::namesrv::{start_namesrv, NamesrvSettings};
use rocketactor::protocol::heartbeat::{ConsumeFromWhere, HeartbeatData};
use rocketactor::protocol::register::RegisterBrokerBody;
use rocketactor::protocol::topic::TopicConfig;
use rocketactor::store::message::MessageInner;
use rocketactor::store::record::{encode_record, RecordHead, RecordPayload};
use tokio::net::TcpListener;
use tokio::sync::mpsc;
use tokio_util::codec::Framed;

use crate::support::eventually;

const GUARD: Duration = Duration::from_secs(10);

#[derive(Default)]
struct BrokerState {
    client_ids: Vec<String>,
    /// (queueId, commitOffset) of every UPDATE_CONSUMER_OFFSET.
    commits: Vec<(i32, i64)>,
    send_backs: Vec<ConsumerSendMsgBackRequestHeader>,
    unregistered: bool,
}

/// Two records (TagA "good", TagB "bad") at queue offsets 0 and 1 of TopicP queue 0.
fn records() -> Vec<u8> {
    let mut out = Vec::new();
    for (i, (tag, body)) in [("TagA", "good"), ("TagB", "bad")].iter().enumerate() {
        let mut m = MessageInner::new("TopicP", 0, body.as_bytes().to_vec());
        m.properties = Message::new("")
            .with_tags(*tag)
            .encode_properties(&format!("ID{i}"));
        let head = RecordHead {
            queue_offset: i as i64,
            phys_offset: 5000 + out.len() as i64,
            store_timestamp: 1,
            sys_flag: 0,
        };
        let p = RecordPayload {
            flag: 0,
            body: &m.body,
            properties: &m.properties,
        };
        encode_record(&mut out, &m, head, p);
    }
    out
}

async fn answer(req: RemotingCommand, state: Arc<Mutex<BrokerState>>) -> Option<RemotingCommand> {
    let ok = RemotingCommand::response_to(&req, response::SUCCESS);
    let resp = match req.code {
        request::HEART_BEAT => {
            let hb = HeartbeatData::decode(&req.body).unwrap();
            let mut s = state.lock();
            if !s.client_ids.contains(&hb.client_id) {
                s.client_ids.push(hb.client_id);
            }
            ok
        }
        request::GET_CONSUMER_LIST_BY_GROUP => {
            let ids = state.lock().client_ids.clone();
            ok.with_body(serde_json::to_vec(&serde_json::json!({ "consumerIdList": ids })).unwrap())
        }
        request::QUERY_CONSUMER_OFFSET => {
            RemotingCommand::response_to(&req, response::QUERY_NOT_FOUND)
        }
        request::PULL_MESSAGE => {
            let h = PullMessageRequestHeader::from_command(&req).unwrap();
            let mut header = PullMessageResponseHeader {
                suggest_which_broker_id: 0,
                next_begin_offset: h.queue_offset,
                min_offset: 0,
                max_offset: 0,
            };
            if h.queue_id == 0 {
                header.max_offset = 2;
            }
            let mut r = if h.queue_id == 0 && h.queue_offset == 0 {
                header.next_begin_offset = 2;
                ok.with_body(records())
            } else {
                // Long poll: hold the pull for its suspend time, then "nothing new".
                tokio::time::sleep(Duration::from_millis(h.suspend_timeout_millis as u64)).await;
                RemotingCommand::response_to(&req, response::PULL_NOT_FOUND)
            };
            header.write_to(&mut r);
            r
        }
        request::CONSUMER_SEND_MSG_BACK => {
            state
                .lock()
                .send_backs
                .push(ConsumerSendMsgBackRequestHeader::from_command(&req).unwrap());
            ok
        }
        request::UPDATE_CONSUMER_OFFSET => {
            let q = req.header_i32("queueId").unwrap();
            let o = req.header_i64("commitOffset").unwrap();
            state.lock().commits.push((q, o));
            ok
        }
        request::UNREGISTER_CLIENT => {
            state.lock().unregistered = true;
            ok
        }
        _ => RemotingCommand::response_to(&req, response::REQUEST_CODE_NOT_SUPPORTED),
    };
    (!req.is_oneway()).then_some(resp)
}

async fn fake_broker(state: Arc<Mutex<BrokerState>>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    tokio::spawn(async move {
        while let Ok((sock, _)) = listener.accept().await {
            let state = state.clone();
            tokio::spawn(async move {
                let (mut sink, mut stream) = Framed::new(sock, RemotingCodec::default()).split();
                let (tx, mut rx) = mpsc::channel::<RemotingCommand>(64);
                tokio::spawn(async move {
                    while let Some(r) = rx.recv().await {
                        if sink.send(r).await.is_err() {
                            break;
                        }
                    }
                });
                while let Some(Ok(req)) = stream.next().await {
                    let (state, tx) = (state.clone(), tx.clone());
                    // Each request on its own task: a held pull must not block the heartbeat.
                    tokio::spawn(async move {
                        if let Some(resp) = answer(req, state).await {
                            let _ = tx.send(resp).await;
                        }
                    });
                }
            });
        }
    });
    addr
}

#[actix_rt::test]
async fn push_consumer_consumes_sends_back_and_commits() {
    let ns = start_namesrv(
        NamesrvSettings {
            listen: "127.0.0.1:0".parse().unwrap(),
            scan_interval: Duration::from_secs(3600),
            ..Default::default()
        },
        test_logger(),
    )
    .await
    .unwrap();
    let state = Arc::new(Mutex::new(BrokerState::default()));
    let broker = fake_broker(state.clone()).await;
    let mut body = RegisterBrokerBody::default();
    body.topic_config_serialize_wrapper
        .topic_config_table
        .insert("TopicP".into(), TopicConfig::new("TopicP", 2, 2, 6));
    let reg = RemotingClient::connect(&ns.local_addr().to_string(), GUARD)
        .await
        .unwrap();
    let r = reg
        .invoke(
            RemotingCommand::request(request::REGISTER_BROKER)
                .with_ext("clusterName", "C")
                .with_ext("brokerName", "broker-a")
                .with_ext("brokerAddr", &broker)
                .with_ext("brokerId", 0)
                .with_ext("haServerAddr", &broker)
                .with_body(body.encode_json().unwrap()),
            GUARD,
        )
        .await
        .unwrap();
    assert_eq!(r.code, response::SUCCESS);

    let mut cfg = PushConfig::new(ns.local_addr().to_string(), "PG");
    cfg.suspend = Duration::from_millis(100);
    cfg.consume_from = ConsumeFromWhere::FirstOffset;
    let mut consumer = PushConsumer::with_config(cfg, test_logger()).unwrap();
    consumer.subscribe("TopicP", "*").unwrap();
    let seen: Arc<Mutex<BTreeMap<String, String>>> = Arc::default();
    let seen2 = seen.clone();
    consumer
        .start(move |m| {
            let body = String::from_utf8_lossy(&m.body).to_string();
            seen2.lock().insert(m.msg_id.clone(), body.clone());
            if body == "bad" {
                ConsumeResult::ReconsumeLater
            } else {
                ConsumeResult::Success
            }
        })
        .unwrap();

    // Bounded wait for the one batch to be consumed and the failure sent back.
    eventually("both messages consumed and the failure sent back", || {
        std::future::ready(seen.lock().len() == 2 && state.lock().send_backs.len() == 1)
    })
    .await;
    assert_eq!(
        consumer.assigned_queues().len(),
        2,
        "sole member owns both queues"
    );
    assert_eq!(seen.lock().get("ID0").map(String::as_str), Some("good"));
    {
        let s = state.lock();
        let sb = &s.send_backs[0];
        assert_eq!(sb.group, "PG");
        assert_eq!(sb.origin_msg_id.as_deref(), Some("ID1"));
        assert_eq!(sb.origin_topic.as_deref(), Some("TopicP"));
        assert!(sb.offset >= 5000);
        assert_eq!(
            s.client_ids,
            vec![consumer.pull_consumer().client_id().to_owned()]
        );
    }

    tokio::time::timeout(GUARD, consumer.shutdown())
        .await
        .expect("shutdown finishes");
    let s = state.lock();
    assert!(
        s.commits.contains(&(0, 2)),
        "offset 2 committed for queue 0: {:?}",
        s.commits
    );
    assert!(s.unregistered);
    drop(s);
    ns.stop();
}
