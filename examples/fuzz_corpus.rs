//! Writes the seed corpus of the fuzz targets (`fuzz/corpus/<target>/`) with the project's own
//! encoders: real commit-log records from a store in a temp dir, HA frames and hellos, the JSON
//! bodies in both the legacy (fastjson, bare integer keys) and the standard form, and the
//! shipped broker.properties files. Run from the repository root:
//! `cargo run --example fuzz_corpus` (docs/architecture.md "Fuzzing").

use std::collections::BTreeMap;
use std::path::Path;

use rocketactor::broker::ha::auth::prove;
use rocketactor::broker::ha::protocol::{
    encode_frame_header, encode_hello_with, encode_report, Hello,
};
use rocketactor::protocol::fastjson::to_vec;
use rocketactor::protocol::heartbeat::{
    ConsumerData, HeartbeatData, ProducerData, SubscriptionData,
};
use rocketactor::protocol::offset::ConsumerOffsetWrapper;
use rocketactor::protocol::register::RegisterBrokerBody;
use rocketactor::protocol::subscription::{SubscriptionGroupConfig, SubscriptionGroupWrapper};
use rocketactor::protocol::topic::{TopicConfig, TopicConfigSerializeWrapper};
use rocketactor::store::message::encode_properties;
use rocketactor::store::{MessageInner, MessageStore, StoreConfig};

type Error = Box<dyn std::error::Error>;

fn write(target: &str, name: &str, bytes: &[u8]) -> Result<(), Error> {
    let dir = Path::new("fuzz/corpus").join(target);
    std::fs::create_dir_all(&dir)?;
    std::fs::write(dir.join(name), bytes)?;
    Ok(())
}

/// The commit-log bytes of a few real puts (plain, with keys and tags, a batch-sized body).
fn records() -> Result<Vec<u8>, Error> {
    let dir = tempfile::tempdir()?;
    let mut cfg = StoreConfig::for_dir(dir.path());
    cfg.mapped_file_size_commit_log = 64 * 1024;
    let mut store = MessageStore::open(cfg.clone(), &rocketactor::logging::test_logger())?;
    for (i, body) in [&b"hello"[..], b"", &[0xA5; 300][..]].iter().enumerate() {
        let mut m = MessageInner::new("FUZZ_TOPIC", i as i32, body.to_vec());
        m.properties = encode_properties([
            ("TAGS", "tagA"),
            ("KEYS", "k1 k2"),
            ("UNIQ_KEY", "7F00000100002A9F0000000000000001"),
        ]);
        store.put_message(&m)?;
    }
    let end = store.reader().max_phys_offset() as usize;
    store.reader().flush()?;
    let file = std::fs::read(cfg.commit_log_dir.join(format!("{:020}", 0)))?;
    Ok(file[..end].to_vec())
}

fn main() -> Result<(), Error> {
    // Properties: the shipped configs and the Java syntax corners.
    for (name, path) in [
        ("broker-a", "conf/2m-2s-sync/broker-a.properties"),
        ("broker-a-s", "conf/2m-2s-async/broker-a-s.properties"),
        ("namesrv", "conf/namesrv.properties"),
    ] {
        write("properties", name, &std::fs::read(path)?)?;
    }
    write(
        "properties",
        "syntax",
        b"# comment\n! bang\nbrokerName = b\\\n  roker-x\nlistenPort:10911\n\
          brokerClusterName\\u0020x=c\\u00e9\r\nflushDiskType\tSYNC_FLUSH\nempty=\n  \\\n",
    )?;

    // Commit-log records, whole and cut.
    let recs = records()?;
    write("commit_log_record", "three_records", &recs)?;
    write("commit_log_record", "cut", &recs[..recs.len() / 2])?;
    let mut blank = recs.clone();
    blank.extend_from_slice(&rocketactor::store::record::blank_header(64));
    write("commit_log_record", "with_blank", &blank)?;

    // HA: master -> slave frames (data, heartbeat); slave -> master hello (+ proof) and reports.
    let mut frames = encode_frame_header(0, recs.len()).to_vec();
    frames.extend_from_slice(&recs);
    frames.extend_from_slice(&encode_frame_header(recs.len() as i64, 0));
    write("ha_frames", "frames", &frames)?;
    let hello = Hello {
        broker_name: "broker-a".into(),
        cluster: "DefaultCluster".into(),
        broker_id: 1,
    };
    let mut up = encode_hello_with(&hello, None).to_vec();
    up.extend_from_slice(&encode_report(0));
    up.extend_from_slice(&encode_report(recs.len() as i64));
    write("ha_frames", "hello_reports", &up)?;
    let proof = prove(&hello, "secret", 1_700_000_000_000);
    write(
        "ha_frames",
        "hello_auth",
        &encode_hello_with(&hello, Some(&proof)),
    )?;

    // JSON bodies, legacy (fastjson) and standard forms.
    let mut topics = TopicConfigSerializeWrapper::default();
    for (name, q) in [("TopicTest", 4), ("%RETRY%cg", 1)] {
        topics
            .topic_config_table
            .insert(name.into(), TopicConfig::new(name, q, q, 6));
    }
    let register = RegisterBrokerBody {
        filter_server_list: vec!["127.0.0.1:30000".into()],
        topic_config_serialize_wrapper: topics.clone(),
    };
    write("json_bodies", "register", &register.encode_json()?)?;
    write(
        "json_bodies",
        "register_zlib",
        &register.encode_compressed()?,
    )?;
    write("json_bodies", "topics_legacy", &to_vec(&topics, false)?)?;
    let mut offsets = ConsumerOffsetWrapper::default();
    offsets
        .offset_table
        .insert("TopicTest@cg".into(), BTreeMap::from([(0, 12), (3, 7)]));
    write("json_bodies", "offsets_legacy", &to_vec(&offsets, false)?)?;
    write("json_bodies", "offsets_standard", &to_vec(&offsets, true)?)?;
    let mut groups = SubscriptionGroupWrapper::default();
    groups
        .subscription_group_table
        .insert("cg".into(), SubscriptionGroupConfig::new("cg"));
    write("json_bodies", "groups", &to_vec(&groups, false)?)?;
    let heartbeat = HeartbeatData {
        client_id: "127.0.0.1@4242#1".into(),
        consumer_data_set: vec![ConsumerData {
            consume_from_where: Default::default(),
            consume_type: Default::default(),
            group_name: "cg".into(),
            message_model: Default::default(),
            subscription_data_set: vec![SubscriptionData::build_tag("TopicTest", "a || b", 1)],
            unit_mode: false,
        }],
        producer_data_set: vec![ProducerData {
            group_name: "pg".into(),
        }],
    };
    write("json_bodies", "heartbeat", &heartbeat.encode())?;
    // As the Java 4.9.7 client writes it (fastjson: quoted numbers accepted, nulls).
    write(
        "json_bodies",
        "heartbeat_java",
        br#"{"clientID":"10.0.0.1@1234","consumerDataSet":[{"consumeFromWhere":"CONSUME_FROM_LAST_OFFSET","consumeType":"CONSUME_PASSIVELY","groupName":"cg","messageModel":"CLUSTERING","subscriptionDataSet":[{"classFilterMode":false,"codeSet":[97],"expressionType":"TAG","subString":"a","subVersion":1700000000000,"tagsSet":["a"],"topic":"TopicTest"}],"unitMode":false}],"producerDataSet":[{"groupName":"CLIENT_INNER_PRODUCER"}]}"#,
    )?;
    println!("corpus written under fuzz/corpus/");
    Ok(())
}
