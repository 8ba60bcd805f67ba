//! Append/read round trips across file boundaries, record byte layout, restart, checkpoint.

use crate::support::store as common;

use common::*;
use rocketactor::store::checkpoint::Checkpoint;
use rocketactor::store::message::{decode_offset_msg_id, encode_batch_body, java_hash, BatchItem};
use rocketactor::store::record::{decode_record, BLANK_MAGIC_CODE, MESSAGE_MAGIC_CODE};
use rocketactor::store::{GetMessageStatus, MessageInner, StoreError};
use std::net::SocketAddr;

#[test]
fn record_byte_layout_matches_the_java_layout() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = open(&small_config(dir.path()));
    let mut m = msg("TopicA", 3, b"hello", "TagA", "k1", "U1");
    m.flag = 7;
    m.born_timestamp = 0x0102_0304_0506;
    m.born_host = "10.0.0.1:5555".parse().unwrap();
    m.store_host = "10.0.0.2:10911".parse().unwrap();
    m.reconsume_times = 2;
    m.prepared_transaction_offset = 99;
    let r = store.put_message(&m).unwrap();
    let rec = store.look_message_by_offset(r.wrote_offset).unwrap();
    let props = m.properties.as_bytes();
    assert_eq!(rec.len(), 91 + 5 + 6 + props.len());
    let i32_at = |o: usize| i32::from_be_bytes(rec[o..o + 4].try_into().unwrap());
    let i64_at = |o: usize| i64::from_be_bytes(rec[o..o + 8].try_into().unwrap());
    assert_eq!(i32_at(0) as usize, rec.len());
    assert_eq!(i32_at(4), MESSAGE_MAGIC_CODE);
    assert_eq!(i32_at(4), -626_843_481);
    assert_eq!(i32_at(8), (crc32fast::hash(b"hello") & 0x7FFF_FFFF) as i32);
    assert_eq!(i32_at(12), 3);
    assert_eq!(i32_at(16), 7);
    assert_eq!(i64_at(20), 0); // queue offset
    assert_eq!(i64_at(28), r.wrote_offset);
    assert_eq!(i32_at(36), 0); // sysFlag: IPv4 both
    assert_eq!(i64_at(40), 0x0102_0304_0506);
    assert_eq!(&rec[48..52], &[10, 0, 0, 1]);
    assert_eq!(i32_at(52), 5555);
    assert_eq!(i64_at(56), r.store_timestamp);
    assert_eq!(&rec[64..68], &[10, 0, 0, 2]);
    assert_eq!(i32_at(68), 10911);
    assert_eq!(i32_at(72), 2);
    assert_eq!(i64_at(76), 99);
    assert_eq!(i32_at(84), 5);
    assert_eq!(&rec[88..93], b"hello");
    assert_eq!(rec[93], 6);
    assert_eq!(&rec[94..100], b"TopicA");
    assert_eq!(
        i16::from_be_bytes([rec[100], rec[101]]) as usize,
        props.len()
    );
    assert_eq!(&rec[102..], props);
    // offsetMsgId = store host + physical offset
    let id = &r.msg_ids[0];
    assert_eq!(id.len(), 32);
    let host: SocketAddr = "10.0.0.2:10911".parse().unwrap();
    assert_eq!(decode_offset_msg_id(id), Some((host, r.wrote_offset)));
    // CQ entry: tag hash
    let res = store.get_message("TopicA", 3, 0, 32, 1 << 20, None);
    assert_eq!(res.status, GetMessageStatus::Found);
    let cq = store.commit_log_offset_in_queue("TopicA", 3, 0);
    assert_eq!(cq, Some(r.wrote_offset));
    let f = |code: i64| code == i64::from(java_hash("TagA"));
    assert_eq!(
        store
            .get_message("TopicA", 3, 0, 32, 1 << 20, Some(&f))
            .messages
            .len(),
        1
    );
    let g = |code: i64| code == i64::from(java_hash("TagB"));
    let none = store.get_message("TopicA", 3, 0, 32, 1 << 20, Some(&g));
    assert_eq!(none.status, GetMessageStatus::NoMatchedMessage);
    assert_eq!(none.next_begin_offset, 1);
}

#[test]
fn ipv6_hosts_grow_the_record_and_set_sysflag_bits() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = open(&small_config(dir.path()));
    let mut m = MessageInner::new("T6", 0, b"x".to_vec());
    m.born_host = "[::1]:1".parse().unwrap();
    m.store_host = "[fe80::2]:10911".parse().unwrap();
    let r = store.put_message(&m).unwrap();
    assert_eq!(r.wrote_bytes, 91 + 1 + 2 + 24);
    assert_eq!(r.msg_ids[0].len(), 56);
    let rec = decode_record(&store.look_message_by_offset(r.wrote_offset).unwrap(), true).unwrap();
    assert_eq!(rec.sys_flag & 0x30, 0x30);
    assert_eq!(rec.store_host, m.store_host);
    assert_eq!(rec.born_host, m.born_host);
}

#[test]
fn round_trip_across_file_boundaries_and_restart() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = small_config(dir.path());
    let mut store = open(&cfg);
    let mut offsets = Vec::new();
    for i in 0..120 {
        let body = vec![b'a' + (i % 26) as u8; 50 + (i % 7) as usize * 30];
        let r = store
            .put_message(&msg(
                "T",
                i % 2,
                &body,
                "t",
                &format!("k{i}"),
                &format!("u{i}"),
            ))
            .unwrap();
        assert_eq!(r.queue_offset, i64::from(i / 2));
        offsets.push((r.wrote_offset, body));
    }
    assert!(
        store.commit_log().files().len() > 3,
        "several commit-log files"
    );
    // No record crosses a file boundary; blanks close files.
    for (off, _) in &offsets {
        assert_eq!(off / 4096, (off + 1) / 4096);
    }
    let first_file = store.commit_log().read_raw(0, 4096).unwrap();
    assert_eq!(first_file.len(), 4096);
    let check = |store: &rocketactor::store::MessageStore| {
        for q in 0..2 {
            assert_eq!(store.max_offset_in_queue("T", q), 60);
            let mut next = 0;
            let mut got = Vec::new();
            for _ in 0..100 {
                let r = store.get_message("T", q, next, 7, 1 << 20, None);
                if r.status != GetMessageStatus::Found {
                    assert_eq!(r.status, GetMessageStatus::OffsetOverflowOne);
                    break;
                }
                got.extend(r.messages.iter().map(|m| decode_record(m, true).unwrap()));
                next = r.next_begin_offset;
            }
            assert_eq!(got.len(), 60);
            for (k, rec) in got.iter().enumerate() {
                let i = k * 2 + q as usize;
                assert_eq!(rec.phys_offset, offsets[i].0);
                assert_eq!(rec.body.as_ref(), offsets[i].1.as_slice());
                assert_eq!(rec.queue_offset, k as i64);
            }
        }
    };
    check(&store);
    let max = store.max_phys_offset();
    store.shutdown().unwrap();
    assert!(!cfg.abort_file.exists());
    drop(store);
    let mut store = open(&cfg);
    assert!(!store.recovery_report().abnormal);
    assert_eq!(store.max_phys_offset(), max);
    check(&store);
    let r = store
        .put_message(&msg("T", 0, b"after", "t", "", ""))
        .unwrap();
    assert_eq!(r.queue_offset, 60);
    assert!(cfg.abort_file.exists());
}

#[test]
fn batch_is_stored_as_consecutive_records_never_split() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = open(&small_config(dir.path()));
    // Fill most of the first file.
    let mut end = 0;
    for _ in 0..6 {
        end = store
            .put_message(&msg("B", 0, &[1u8; 500], "", "", ""))
            .unwrap()
            .next_offset();
    }
    let items: Vec<BatchItem> = (0..4)
        .map(|i| BatchItem {
            flag: i,
            body: vec![b'b'; 200].into(),
            properties: format!("UNIQ_KEY\u{1}B{i}"),
        })
        .collect();
    let mut m = MessageInner::new("B", 0, encode_batch_body(&items));
    m.properties = "CLUSTER\u{1}c".into();
    let r = store.put_batch(&m).unwrap();
    assert_eq!(r.msg_num, 4);
    assert_eq!(r.queue_offset, 6);
    assert_eq!(r.wrote_offset, 4096, "whole batch moved to the next file");
    let blank = store.commit_log().read_raw(end, 8).unwrap();
    assert_eq!(
        i32::from_be_bytes(blank[4..8].try_into().unwrap()),
        BLANK_MAGIC_CODE
    );
    let got = store.get_message("B", 0, 6, 32, 1 << 20, None);
    assert_eq!(got.messages.len(), 4);
    for (i, m) in got.messages.iter().enumerate() {
        let rec = decode_record(m, true).unwrap();
        assert_eq!(rec.flag, i as i32);
        assert_eq!(
            rec.properties,
            format!("UNIQ_KEY\u{1}B{i}\u{2}CLUSTER\u{1}c")
        );
        assert_eq!(rec.queue_offset, 6 + i as i64);
    }
    assert_eq!(r.msg_id_header().split(',').count(), 4);
}

#[test]
fn limits_are_enforced() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = open(&small_config(dir.path()));
    let big = MessageInner::new("T", 0, vec![0u8; 1025]);
    assert!(matches!(
        store.put_message(&big),
        Err(StoreError::MessageIllegal(_))
    ));
    let long_topic = MessageInner::new("x".repeat(128), 0, b"a".to_vec());
    assert!(matches!(
        store.put_message(&long_topic),
        Err(StoreError::MessageIllegal(_))
    ));
    let mut props = MessageInner::new("T", 0, b"a".to_vec());
    props.properties = "a".repeat(32768);
    assert!(matches!(
        store.put_message(&props),
        Err(StoreError::PropertiesSizeExceeded { .. })
    ));
    assert_eq!(store.max_phys_offset(), 0);
}

#[test]
fn get_message_statuses() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = open(&small_config(dir.path()));
    assert_eq!(
        store.get_message("Q", 0, 0, 1, 1000, None).status,
        GetMessageStatus::NoMatchedLogicQueue
    );
    for i in 0..3 {
        store
            .put_message(&msg("Q", 0, format!("m{i}").as_bytes(), "", "", ""))
            .unwrap();
    }
    assert_eq!(
        store.get_message("Q", 0, 3, 1, 1000, None).status,
        GetMessageStatus::OffsetOverflowOne
    );
    let bad = store.get_message("Q", 0, 9, 1, 1000, None);
    assert_eq!(bad.status, GetMessageStatus::OffsetOverflowBadly);
    assert_eq!(bad.max_offset, 3);
    // Java 4.9.7 DefaultMessageStore.getMessage: offset > maxOffset corrects to maxOffset
    // (on a master), whatever the min offset.
    assert_eq!(bad.next_begin_offset, 3);
    let one = store.get_message("Q", 0, 0, 2, 1000, None);
    assert_eq!((one.messages.len(), one.next_begin_offset), (2, 2));
}

#[test]
fn checkpoint_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("checkpoint");
    let mut cp = Checkpoint::load(&path).unwrap();
    assert_eq!(cp.physic_msg_timestamp, 0);
    cp.physic_msg_timestamp = 111_000;
    cp.logics_msg_timestamp = 222_000;
    cp.index_msg_timestamp = 333;
    cp.flush().unwrap();
    let raw = std::fs::read(&path).unwrap();
    assert_eq!(raw.len(), 4096);
    assert_eq!(i64::from_be_bytes(raw[0..8].try_into().unwrap()), 111_000);
    assert_eq!(i64::from_be_bytes(raw[8..16].try_into().unwrap()), 222_000);
    assert_eq!(i64::from_be_bytes(raw[16..24].try_into().unwrap()), 333);
    assert!(raw[24..].iter().all(|b| *b == 0));
    let back = Checkpoint::load(&path).unwrap();
    assert_eq!(back.min_timestamp(), 108_000);
    assert_eq!(back.index_msg_timestamp, 333);

    // The store writes it on shutdown with the last message's store time.
    let mut store = open(&small_config(dir.path()));
    let r = store.put_message(&msg("C", 0, b"x", "", "", "")).unwrap();
    store.shutdown().unwrap();
    let cp = Checkpoint::load(&dir.path().join("checkpoint")).unwrap();
    assert_eq!(cp.physic_msg_timestamp, r.store_timestamp);
    assert_eq!(cp.logics_msg_timestamp, r.store_timestamp);
}
