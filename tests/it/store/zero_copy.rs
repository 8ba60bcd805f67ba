//! Zero-copy pulls (issue #17, `src/store/mapped_bytes.rs`): records leave the mapped commit
//! log in place, across file boundaries, and stay valid after their file is deleted.

use crate::support::store as common;

use common::*;
use rocketactor::store::record::decode_record;
use rocketactor::store::time::now_ms;
use rocketactor::store::{FixedUsage, GetMessageStatus, MessageStore};
use std::sync::Arc;

/// Body of message `i`: its number in the first bytes, then a pattern that depends on it.
fn body_of(i: usize) -> Vec<u8> {
    let mut b = format!("m{i:05}:").into_bytes();
    b.extend((0..250 + i % 7 * 10).map(|k| (i * 31 + k) as u8));
    b
}

/// A store of 4 KiB commit-log files (about ten records each) and 100-entry queue files.
fn filled(dir: &std::path::Path, n: usize) -> (rocketactor::store::StoreConfig, MessageStore) {
    let mut cfg = small_config(dir);
    cfg.mapped_file_size_consume_queue = 20 * 100;
    let mut store =
        MessageStore::open_with_usage(cfg.clone(), &rocketactor::logging::test_logger(), {
            Arc::new(FixedUsage::new(0.1))
        })
        .expect("open store");
    for i in 0..n {
        store
            .put_message(&msg(
                "Z",
                0,
                &body_of(i),
                "",
                &format!("k{i}"),
                &format!("u{i}"),
            ))
            .expect("put");
    }
    (cfg, store)
}

#[test]
fn a_pull_across_commit_log_files_returns_every_record_byte_for_byte() {
    let dir = tempfile::tempdir().unwrap();
    let (cfg, store) = filled(dir.path(), 60);
    let file_size = cfg.mapped_file_size_commit_log as i64;
    assert!(store.commit_log().files().len() >= 5);
    let res = store.get_message("Z", 0, 0, 32, 1 << 20, None);
    assert_eq!(res.status, GetMessageStatus::Found);
    assert_eq!(res.messages.len(), 32);
    assert_eq!(res.next_begin_offset, 32);
    let files: std::collections::BTreeSet<i64> = (0..32)
        .map(|q| store.commit_log_offset_in_queue("Z", 0, q).unwrap() / file_size)
        .collect();
    assert!(files.len() >= 3, "one pull spans {} files", files.len());
    for (k, m) in res.messages.iter().enumerate() {
        let phys = store.commit_log_offset_in_queue("Z", 0, k as i64).unwrap();
        // The copying read of the same record (VIEW_MESSAGE_BY_ID) agrees byte for byte.
        assert_eq!(Some(m.clone()), store.look_message_by_offset(phys));
        let rec = decode_record(m, true).unwrap();
        assert_eq!(rec.body.as_ref(), body_of(k).as_slice());
        assert_eq!(rec.queue_offset, k as i64);
        assert_eq!(rec.phys_offset, phys);
    }
    assert_eq!(
        res.total_bytes,
        res.messages.iter().map(|m| m.len()).sum::<usize>()
    );
    // In place: the same record read twice is the same memory (the mapping), not two copies.
    let again = store.get_message("Z", 0, 5, 1, 1 << 20, None);
    assert_eq!(again.messages[0].as_ptr(), res.messages[5].as_ptr());
    // The rest of the queue, then the end.
    let rest = store.get_message("Z", 0, 32, 32, 1 << 20, None);
    assert_eq!(rest.messages.len(), 28);
    let rec = decode_record(&rest.messages[27], true).unwrap();
    assert_eq!(rec.body.as_ref(), body_of(59).as_slice());
    assert_eq!(
        store.get_message("Z", 0, 60, 32, 1 << 20, None).status,
        GetMessageStatus::OffsetOverflowOne
    );
}

#[test]
fn a_tag_filter_still_scans_past_the_first_window() {
    let dir = tempfile::tempdir().unwrap();
    let (_cfg, store) = filled(dir.path(), 60);
    // Nothing matches: the scan goes on past the first window (4 entries, the pull's size).
    let none = |_code: i64| false;
    let res = store.get_message("Z", 0, 0, 4, 1 << 20, Some(&none));
    assert_eq!(res.status, GetMessageStatus::NoMatchedMessage);
    // The whole published queue file was scanned (60 entries, under Java's window of 800).
    assert_eq!(res.next_begin_offset, 60);
}

#[test]
fn pulled_records_stay_valid_after_their_file_is_deleted_and_the_store_closed() {
    let dir = tempfile::tempdir().unwrap();
    let (_cfg, mut store) = filled(dir.path(), 60);
    let res = store.get_message("Z", 0, 0, 8, 1 << 20, None);
    assert_eq!(res.messages.len(), 8);
    let copies: Vec<Vec<u8>> = res.messages.iter().map(|m| m.to_vec()).collect();
    let first_file = store.commit_log().files().files()[0].path().to_path_buf();
    assert!(first_file.exists());
    // 73 h later cleanup deletes every commit-log file but the last one.
    let r = store.run_cleanup(now_ms() + 73 * 3_600_000, true).unwrap();
    assert!(r.commit_log_files_deleted >= 4);
    assert!(!first_file.exists());
    assert!(store.min_phys_offset() > 0);
    assert_eq!(
        store.get_message("Z", 0, 0, 8, 1 << 20, None).status,
        GetMessageStatus::OffsetTooSmall
    );
    for (m, c) in res.messages.iter().zip(&copies) {
        assert_eq!(m.as_ref(), c.as_slice());
    }
    store.shutdown().unwrap();
    drop(store);
    for (k, (m, c)) in res.messages.iter().zip(&copies).enumerate() {
        assert_eq!(m.as_ref(), c.as_slice());
        let rec = decode_record(m, true).unwrap();
        assert_eq!(rec.body.as_ref(), body_of(k).as_slice());
    }
}
