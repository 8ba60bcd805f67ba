//! Unit tests of the producer (kept beside `producer.rs`).

use super::*;
use crate::client::ClientError;

#[test]
fn retry_policy_matches_java_codes() {
    let resp = |code| MqError::Response {
        addr: "a".into(),
        request: 310,
        code,
        remark: String::new(),
    };
    for c in [17, 14, 1, 16] {
        assert!(retryable(&resp(c)), "code {c}");
    }
    for c in [13, 2, 26, 215] {
        assert!(!retryable(&resp(c)), "code {c}");
    }
    assert!(retryable(&MqError::Remoting(ClientError::Closed {
        peer: "a".into()
    })));
    assert!(!retryable(&MqError::InvalidArgument("x".into())));
}

#[tokio::test]
async fn unstarted_and_bad_batches_are_refused_before_any_io() {
    let p = Producer::new("127.0.0.1:1", "PG").unwrap();
    let e = p.send("T", Message::new("x")).await.unwrap_err();
    assert!(matches!(e, MqError::NotRunning(_)));
    p.start().unwrap();
    let e = p.send_batch("T", vec![]).await.unwrap_err();
    assert!(matches!(e, MqError::InvalidArgument(_)));
    let e = p
        .send_batch("T", vec![Message::new("x").with_delay_level(2)])
        .await
        .unwrap_err();
    assert!(matches!(e, MqError::InvalidArgument(_)));
    assert!(Producer::new("127.0.0.1:1", "").is_err());
}

#[test]
fn batch_body_holds_each_message_with_its_own_id() {
    let msgs = [Message::new("a").with_tags("T1"), Message::new("bc")];
    let ids = ["ID-A", "ID-B"];
    let items: Vec<BatchItem> = msgs
        .iter()
        .zip(ids)
        .map(|(m, id)| BatchItem {
            flag: m.flag,
            body: m.body.clone(),
            properties: m.encode_properties(id),
        })
        .collect();
    let body = encode_batch_body(&items);
    let back = crate::store::message::decode_batch_body(&body).unwrap();
    assert_eq!(back.len(), 2);
    assert_eq!(back[1].body.as_ref(), b"bc");
    let p0 = &back[0].properties;
    assert_eq!(
        crate::store::message::property(p0, "UNIQ_KEY"),
        Some("ID-A")
    );
    assert_eq!(crate::store::message::property(p0, "TAGS"), Some("T1"));
}
