//! Entry points of the fuzz targets (`fuzz/fuzz_targets/`, docs/architecture.md "Fuzzing"): each
//! feeds arbitrary bytes to one family of decoders that read untrusted input, and checks the
//! invariants that must hold whatever the input. The cargo-fuzz targets and their stable proptest
//! stand-ins (`tests/it/codec/fuzz_props.rs`) call the same functions, so CI exercises exactly
//! what the fuzzer does. A panic (or a failed `assert!`) here is a finding.
//!
//! Inputs are decoders of: broker.properties text, commit-log records, HA frames in both
//! directions (master → slave frames, slave → master hello and reports) and the JSON bodies read
//! with fastjson leniency.

use std::collections::BTreeMap;

use crate::broker::ha::protocol::{read_frame, read_hello_auth};
use crate::config::properties::parse_properties;
use crate::config::BrokerConfig;
use crate::protocol::fastjson::{from_lenient_slice, requote_int_keys, to_vec};
use crate::protocol::heartbeat::HeartbeatData;
use crate::protocol::offset::{ConsumerOffsetWrapper, DelayOffsetWrapper};
use crate::protocol::register::RegisterBrokerBody;
use crate::protocol::subscription::SubscriptionGroupWrapper;
use crate::protocol::topic::{DataVersion, TopicConfigSerializeWrapper};
use crate::store::record::{check_record, decode_record, peek_total_size, RecordCheck};

/// broker.properties text: the Java-compatible parser, then the typed broker config built from
/// its pairs (fix-ups and checks included). Errors are fine; panics are not.
pub fn properties(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let Ok(props) = parse_properties(&text) else {
        return;
    };
    for e in &props.entries {
        assert!(props.get(&e.key).is_some(), "every parsed key is found");
    }
    let _ = BrokerConfig::from_pairs(props.entries.iter().map(|e| (&e.key, &e.value)));
}

/// Commit-log bytes: records scanned one after the other the way recovery does (total size,
/// magic, CRC), and the single-record decoder with and without the CRC check.
pub fn commit_log_record(data: &[u8]) {
    let _ = decode_record(data, true);
    let _ = decode_record(data, false);
    let _ = crate::store::record::record_properties(data);
    let mut at = 0usize;
    // Bounded: every step moves forward by a positive record size or stops.
    while at < data.len() {
        let rest = &data[at..];
        match check_record(rest, true) {
            RecordCheck::Message(r) => {
                let size = peek_total_size(rest).unwrap_or(0);
                assert!(size > 0, "a decoded record has a positive size");
                let size = size as usize;
                assert!(size <= rest.len(), "a decoded record lies inside the input");
                assert_eq!(r.total_size as usize, size);
                at += size;
            }
            RecordCheck::Blank | RecordCheck::Invalid(_) => break,
        }
    }
}

/// HA bytes in both directions: master → slave frames read one after another (heartbeats and
/// commit-log chunks), and slave → master: a hello (with its optional proof) followed by
/// 8-byte offset reports.
pub fn ha_frames(data: &[u8]) {
    futures::executor::block_on(async {
        let mut r = data;
        // Bounded: every frame consumes at least its 12-byte header.
        for _ in 0..=data.len() / 12 {
            match read_frame(&mut r, "fuzz").await {
                Ok(f) => assert!(f.offset >= 0, "a frame offset is never negative"),
                Err(_) => break,
            }
        }
        let mut r = data;
        if read_hello_auth(&mut r, "fuzz").await.is_ok() {
            let mut report = [0u8; 8];
            while tokio::io::AsyncReadExt::read_exact(&mut r, &mut report)
                .await
                .is_ok()
            {
                let _ = i64::from_be_bytes(report);
            }
        }
    });
}

/// JSON bodies read with fastjson leniency (bare integer keys, quoted numbers, nulls): the
/// register body (JSON and zlib forms), heartbeat, topic config table, subscription groups,
/// consumer and delay offsets, data version. What decodes must encode again, and the encoding
/// must decode (we write what we read).
pub fn json_bodies(data: &[u8]) {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = requote_int_keys(text);
        if let Ok(w) = ConsumerOffsetWrapper::decode(text) {
            let again = ConsumerOffsetWrapper::decode(&w.encode(false));
            assert!(again.is_ok(), "consumer offsets re-decode: {again:?}");
        }
        if let Ok(w) = DelayOffsetWrapper::decode(text) {
            let again = DelayOffsetWrapper::decode(&w.encode(false));
            assert!(again.is_ok(), "delay offsets re-decode: {again:?}");
        }
    }
    if let Ok(b) = RegisterBrokerBody::decode(data, false) {
        let json = b.encode_json().expect("a decoded register body encodes");
        assert!(RegisterBrokerBody::decode(&json, false).is_ok());
        let z = b
            .encode_compressed()
            .expect("a decoded register body compresses");
        // The compressed form (Java `TopicConfig.encode`/`decode`) separates fields with spaces,
        // so it cannot carry a topic name with a space; such names never reach a broker's
        // table (`TopicValidator`), and Java's decode fails on them just as ours does.
        let plain_names = b
            .topic_config_serialize_wrapper
            .topic_config_table
            .values()
            .all(|t| !t.topic_name.contains(' '));
        let again = RegisterBrokerBody::decode(&z, true);
        assert!(
            !plain_names || again.is_ok(),
            "compressed re-decode: {again:?}"
        );
    }
    let _ = RegisterBrokerBody::decode(data, true);
    if let Ok(h) = HeartbeatData::decode(data) {
        assert!(
            HeartbeatData::decode(&h.encode()).is_ok(),
            "heartbeat re-decodes"
        );
    }
    round_trip::<TopicConfigSerializeWrapper>(data);
    round_trip::<SubscriptionGroupWrapper>(data);
    round_trip::<DataVersion>(data);
    round_trip::<BTreeMap<String, String>>(data);
}

/// Lenient decode; what decodes encodes in both forms (legacy: bare integer keys; standard),
/// and both decode again.
fn round_trip<T: serde::de::DeserializeOwned + serde::Serialize>(data: &[u8]) {
    let Ok(v) = from_lenient_slice::<T>(data) else {
        return;
    };
    for standard in [false, true] {
        let out = to_vec(&v, standard).expect("a decoded body encodes");
        assert!(
            from_lenient_slice::<T>(&out).is_ok(),
            "re-decodes (standard: {standard}): {}",
            String::from_utf8_lossy(&out)
        );
    }
}
