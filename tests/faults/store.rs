//! I/O faults on the store's dispatch path (feature `failpoints`, armed per temp dir): a record
//! that reached the commit log is a stored record, whatever happens to its consume-queue entry,
//! index keys or the checkpoint afterwards. The put answers success; the dispatch is retried
//! (before the next put, or by `retry_dispatch`) in commit-log order, and reads see the record
//! once it is dispatched.

use crate::support::store as common;

use common::*;
use rocketactor::failpoint::{self, names, Action};
use rocketactor::store::checkpoint::Checkpoint;
use rocketactor::store::record::decode_record;
use rocketactor::store::{GetMessageStatus, MessageStore};

/// Bodies of every message of (topic, queue) from logical offset 0, with their offsets.
fn read_all(store: &MessageStore, topic: &str, q: i32) -> Vec<(i64, Vec<u8>)> {
    let r = store.get_message(topic, q, 0, 64, 1 << 20, None);
    if r.status != GetMessageStatus::Found {
        return Vec::new();
    }
    r.queue_offsets
        .iter()
        .zip(&r.messages)
        .map(|(o, m)| (*o, decode_record(m, true).unwrap().body.to_vec()))
        .collect()
}

#[test]
fn failed_dispatch_is_not_a_failed_put_and_is_retried_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = open(&small_config(dir.path()));
    store
        .put_message(&msg("F", 0, b"m0", "t", "", "u0"))
        .unwrap();
    let fp = failpoint::arm(names::DISPATCH, dir.path(), Action::Fail(u64::MAX));
    let r1 = store
        .put_message(&msg("F", 0, b"m1", "t", "", "u1"))
        .expect("the record is in the commit log: the put succeeded");
    let r2 = store
        .put_message(&msg("F", 0, b"m2", "t", "", "u2"))
        .expect("a later put succeeds too");
    assert!(fp.hits() >= 2, "the failpoint was hit");
    assert_eq!((r1.queue_offset, r2.queue_offset), (1, 2));
    // Not dispatched yet: readers do not see the records (like Java's reput lagging behind).
    assert_eq!(store.max_offset_in_queue("F", 0), 1);
    assert_eq!(store.dispatch_backlog(), 2);
    assert!(store.dispatch_failures() >= 2);
    assert!(store.retry_dispatch().is_err(), "still failing");
    fp.disarm();
    assert_eq!(store.retry_dispatch().unwrap(), 2);
    assert_eq!(store.dispatch_backlog(), 0);
    let r3 = store
        .put_message(&msg("F", 0, b"m3", "t", "", "u3"))
        .unwrap();
    assert_eq!(r3.queue_offset, 3);
    let got = read_all(&store, "F", 0);
    let want: Vec<(i64, Vec<u8>)> = (0..4).map(|i| (i, format!("m{i}").into_bytes())).collect();
    assert_eq!(got, want, "every record once, at its offset, in order");
    assert_eq!(
        store.query_by_key("F", "u1", 4, 0, i64::MAX).messages.len(),
        1
    );
}

#[test]
fn the_next_put_dispatches_the_backlog_first() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = open(&small_config(dir.path()));
    let fp = failpoint::arm(names::DISPATCH, dir.path(), Action::Fail(3));
    for i in 0..3 {
        store
            .put_message(&msg("N", i % 2, format!("n{i}").as_bytes(), "", "", ""))
            .expect("stored");
    }
    assert_eq!(fp.hits(), 3);
    assert_eq!(store.max_offset_in_queue("N", 0), 0);
    // The failpoint is spent: this put dispatches the three earlier records, then its own.
    store.put_message(&msg("N", 1, b"n3", "", "", "")).unwrap();
    assert_eq!(store.dispatch_backlog(), 0);
    let q0: Vec<Vec<u8>> = read_all(&store, "N", 0).into_iter().map(|m| m.1).collect();
    let q1: Vec<Vec<u8>> = read_all(&store, "N", 1).into_iter().map(|m| m.1).collect();
    assert_eq!(q0, vec![b"n0".to_vec(), b"n2".to_vec()]);
    assert_eq!(q1, vec![b"n1".to_vec(), b"n3".to_vec()]);
}

#[test]
fn failed_consume_queue_append_is_reported_and_retried() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = open(&small_config(dir.path()));
    let fp = failpoint::arm(names::CQ_APPEND, dir.path(), Action::Fail(1));
    store.put_message(&msg("C", 0, b"c0", "", "", "")).unwrap();
    store.put_message(&msg("C", 0, b"c1", "", "", "")).unwrap();
    assert_eq!(fp.hits(), 1);
    assert!(store.dispatch_failures() >= 1, "the failure was counted");
    store.retry_dispatch().unwrap();
    let got = read_all(&store, "C", 0);
    assert_eq!(got, vec![(0, b"c0".to_vec()), (1, b"c1".to_vec())]);
}

#[test]
fn failed_checkpoint_write_is_retried_and_does_not_fail_puts() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = small_config(dir.path());
    let mut store = open(&cfg);
    let fp = failpoint::arm(names::CHECKPOINT_FLUSH, dir.path(), Action::Fail(u64::MAX));
    // 50 entries per index file: keyed messages fill several, and each fill writes the
    // checkpoint (its index time).
    for i in 0..120 {
        store
            .put_message(&msg("K", 0, b"k", "", &format!("key{i}"), ""))
            .expect("stored and dispatched; only the checkpoint write failed");
    }
    assert!(fp.hits() >= 1, "an index file filled");
    assert_eq!(store.max_offset_in_queue("K", 0), 120);
    assert_eq!(
        Checkpoint::load(&cfg.checkpoint_file)
            .unwrap()
            .index_msg_timestamp,
        0
    );
    fp.disarm();
    store.retry_dispatch().unwrap();
    assert!(
        Checkpoint::load(&cfg.checkpoint_file)
            .unwrap()
            .index_msg_timestamp
            > 0
    );
}
