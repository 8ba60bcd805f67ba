//! Expired-file deletion, disk-full refusal and resume, index lookups, HA raw append.

use crate::support::store as common;

use common::*;
use rocketactor::store::record::decode_record;
use rocketactor::store::time::now_ms;
use rocketactor::store::{FixedUsage, GetMessageStatus, MessageStore, StoreError};
use std::sync::Arc;

fn open_with(cfg: &rocketactor::store::StoreConfig, usage: Arc<FixedUsage>) -> MessageStore {
    MessageStore::open_with_usage(cfg.clone(), &rocketactor::logging::test_logger(), usage).unwrap()
}

fn fill(store: &mut MessageStore, n: usize) {
    for i in 0..n {
        store
            .put_message(&msg(
                "E",
                0,
                &[3u8; 300],
                "",
                &format!("k{i}"),
                &format!("u{i}"),
            ))
            .unwrap();
    }
}

#[test]
fn expired_files_are_deleted_but_never_the_last() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = small_config(dir.path());
    let usage = Arc::new(FixedUsage::new(0.1));
    let mut store = open_with(&cfg, usage);
    fill(&mut store, 60);
    let files_before = store.commit_log().files().len();
    assert!(files_before >= 5);
    // Not expired yet: a manual pass deletes nothing.
    let r = store.run_cleanup(now_ms(), true).unwrap();
    assert_eq!(r.commit_log_files_deleted, 0);
    // 73 h later everything but the last file is expired (at most 10 per pass).
    let later = now_ms() + 73 * 3_600_000;
    let r = store.run_cleanup(later, true).unwrap();
    assert_eq!(r.commit_log_files_deleted, files_before - 1);
    assert_eq!(store.commit_log().files().len(), 1);
    assert!(r.consume_queue_files_deleted > 0);
    let min_phys = store.min_phys_offset();
    assert!(min_phys > 0);
    // The queue's min offset moved to the first message still on disk.
    let min_q = store.min_offset_in_queue("E", 0);
    assert!(min_q > 0);
    assert_eq!(
        store
            .commit_log_offset_in_queue("E", 0, min_q)
            .map(|p| p >= min_phys),
        Some(true)
    );
    let res = store.get_message("E", 0, 0, 4, 1 << 20, None);
    assert_eq!(res.status, GetMessageStatus::OffsetTooSmall);
    assert_eq!(res.next_begin_offset, min_q);
    assert_eq!(
        store.get_message("E", 0, min_q, 4, 1 << 20, None).status,
        GetMessageStatus::Found
    );
    // Not the delete hour and not manual: nothing happens.
    let mut cfg2 = cfg.clone();
    cfg2.delete_when = "99".into();
    drop(store);
    let store = open_with(&cfg2, Arc::new(FixedUsage::new(0.1)));
    assert_eq!(
        store
            .run_cleanup(later, false)
            .unwrap()
            .commit_log_files_deleted,
        0
    );
}

#[test]
fn disk_full_refuses_puts_cleans_forcibly_and_resumes() {
    let dir = tempfile::tempdir().unwrap();
    let mut cfg = small_config(dir.path());
    cfg.delete_when = "99".into();
    let usage = Arc::new(FixedUsage::new(0.5));
    let mut store = open_with(&cfg, usage.clone());
    fill(&mut store, 40);
    let files_before = store.commit_log().files().len();
    usage.set(0.95);
    let r = store.run_cleanup(now_ms(), false).unwrap();
    assert!(r.decision.disk_full && r.decision.force);
    // Forcible clean: old (non-expired) files go, oldest first, never the last.
    assert_eq!(r.commit_log_files_deleted, files_before - 1);
    match store.put_message(&msg("E", 0, b"x", "", "", "")) {
        Err(StoreError::DiskFull { path, ratio, limit }) => {
            assert_eq!(path, cfg.commit_log_dir);
            assert!(ratio > 0.94 && limit < ratio);
        }
        other => panic!("expected DiskFull, got {other:?}"),
    }
    usage.set(0.6);
    store.check_disk_space().unwrap();
    assert!(store.disk_full_error().is_none());
    store.put_message(&msg("E", 0, b"x", "", "", "")).unwrap();
}

#[test]
fn index_lookup_by_key_and_unique_key_with_time_range() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = small_config(dir.path());
    let mut store = open(&cfg);
    let mut ts = Vec::new();
    for i in 0..80 {
        let r = store
            .put_message(&msg(
                "I",
                0,
                b"b",
                "",
                &format!("order{} shared", i % 4),
                &format!("UNIQ{i}"),
            ))
            .unwrap();
        ts.push((r.wrote_offset, r.store_timestamp));
    }
    assert!(
        store
            .query_by_key("I", "shared", 100, 0, i64::MAX)
            .messages
            .len()
            == 64,
        "capped at 64"
    );
    let o1 = store.query_by_key("I", "order1", 64, 0, i64::MAX);
    assert_eq!(o1.messages.len(), 20);
    for m in &o1.messages {
        assert!(decode_record(m, true)
            .unwrap()
            .properties
            .contains("order1 shared"));
    }
    let u = store.query_by_key("I", "UNIQ42", 64, 0, i64::MAX);
    assert_eq!(u.messages.len(), 1);
    assert_eq!(
        decode_record(&u.messages[0], true).unwrap().phys_offset,
        ts[42].0
    );
    assert!(store
        .query_by_key("Other", "UNIQ42", 64, 0, i64::MAX)
        .messages
        .is_empty());
    // A time window entirely before the messages finds nothing.
    let before = ts[0].1 - 10_000_000;
    assert!(store
        .query_by_key("I", "UNIQ42", 64, before - 1000, before)
        .messages
        .is_empty());
    assert!(u.index_last_update_phyoffset >= ts[79].0 - 1);
    // Several index files exist (50 entries each) and the lookups crossed them.
    assert!(dir.path().join("index").read_dir().unwrap().count() >= 3);
}

/// Streams the master's commit log into `slave` in `chunk`-byte frames that never cross a file
/// end (records get cut between frames, as the HA master sends them), keeping the unconsumed
/// rest for the next call exactly as the HA slave does. Returns how many calls closed a file.
fn replicate(master: &MessageStore, slave: &mut MessageStore, chunk: usize) -> usize {
    let mut closed = 0;
    let mut offset = 0i64;
    let mut pending: Vec<u8> = Vec::new();
    let mut pending_at = 0i64;
    for _ in 0..1000 {
        if offset >= master.max_phys_offset() {
            break;
        }
        let bytes = master.commit_log().read_raw(offset, chunk).unwrap();
        if pending.is_empty() {
            pending_at = offset;
        }
        pending.extend_from_slice(&bytes);
        offset += bytes.len() as i64;
        // Bounded: one call per record or blank at most.
        for _ in 0..1000 {
            if pending.is_empty() {
                break;
            }
            let r = slave.append_raw(pending_at, &pending).unwrap();
            pending.drain(..r.consumed);
            pending_at += r.consumed as i64;
            closed += usize::from(r.closed_file);
            if r.consumed == 0 || !r.closed_file {
                break;
            }
        }
    }
    assert!(
        pending.is_empty(),
        "{} bytes left unconsumed",
        pending.len()
    );
    closed
}

/// The slave's commit log holds exactly the master's bytes, file by file.
fn assert_same_bytes(master: &MessageStore, slave: &MessageStore, file_size: usize, what: &str) {
    assert_eq!(slave.max_phys_offset(), master.max_phys_offset());
    let mut off = 0i64;
    while off < master.max_phys_offset() {
        let m = master.commit_log().read_raw(off, file_size).unwrap();
        let s = slave.commit_log().read_raw(off, file_size).unwrap();
        assert!(!m.is_empty());
        assert!(
            m == s,
            "{what}: commit-log bytes differ in the file at {off}"
        );
        off += m.len() as i64;
    }
}

#[test]
fn ha_raw_append_replicates_and_dispatches() {
    // 700-byte frames cut records; whole-file frames carry records and the end-of-file blank
    // in one piece (the case where the records before the blank used to be lost).
    for chunk in [700usize, 4096] {
        let master_dir = tempfile::tempdir().unwrap();
        let slave_dir = tempfile::tempdir().unwrap();
        let cfg = small_config(master_dir.path());
        let mut master = open(&cfg);
        for i in 0..30 {
            master
                .put_message(&msg("H", i % 2, &[5u8; 200], "t", "", &format!("h{i}")))
                .unwrap();
        }
        assert!(
            master.max_phys_offset() > 2 * cfg.mapped_file_size_commit_log as i64,
            "several files, so blanks are replicated"
        );
        let mut slave = open(&small_config(slave_dir.path()));
        let files = master.max_phys_offset() / cfg.mapped_file_size_commit_log as i64;
        let closed = replicate(&master, &mut slave, chunk);
        assert!(
            closed as i64 >= files,
            "every full file was closed by a blank: {closed}"
        );
        assert_same_bytes(
            &master,
            &slave,
            cfg.mapped_file_size_commit_log as usize,
            &format!("{chunk}-byte frames"),
        );
        for q in 0..2 {
            assert_eq!(slave.max_offset_in_queue("H", q), 15);
            // Every queue entry points at the same record on both sides.
            for i in 0..15 {
                let at = slave.commit_log_offset_in_queue("H", q, i).unwrap();
                assert_eq!(Some(at), master.commit_log_offset_in_queue("H", q, i));
                let rec =
                    decode_record(&slave.commit_log().read_record_at(at).unwrap(), true).unwrap();
                assert_eq!(rec.phys_offset, at, "chunk {chunk}, queue {q}, offset {i}");
            }
        }
        assert_eq!(
            slave.query_by_key("H", "h7", 4, 0, i64::MAX).messages.len(),
            1
        );
        assert!(matches!(
            slave.append_raw(5, b"xx"),
            Err(StoreError::RawOffsetMismatch { .. })
        ));
    }
}
