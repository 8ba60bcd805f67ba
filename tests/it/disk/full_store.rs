//! Issue #19 at the store level, on a small real file system: with no usage guard the store
//! meets a real ENOSPC, refuses the put whole (NoSpace, not a disk failure) and recovers after a
//! crash on the full disk; a rebuild that runs out of space pauses and resumes when space
//! returns; a metadata write on a full disk fails and leaves the old file intact. Skips visibly
//! without root (see `disk_support`).

use crate::support::disk::{ballast, body, mount_or_skip, seq_of, Mount};
use std::io::Write;

#[test]
fn a_metadata_write_on_a_full_disk_fails_and_leaves_the_old_file_intact() {
    use rocketactor::broker::meta::persist::{sibling, write_atomic};
    let test = "a_metadata_write_on_a_full_disk_fails_and_leaves_the_old_file_intact";
    let Some(mount) = mount_or_skip(test, Mount::tmpfs(1)) else {
        return;
    };
    let file = mount.point.join("config").join("consumerOffset.json");
    write_atomic(&file, "{\"old\":1}").expect("first write");
    // Fill the file system to the last byte.
    let ballast = mount.point.join("ballast");
    let mut f = std::fs::File::create(&ballast).unwrap();
    let chunk = vec![0x5au8; 64 * 1024];
    for _ in 0..64 {
        if f.write_all(&chunk).is_err() {
            break;
        }
    }
    let _ = f.write_all(&[1u8; 4096]);
    drop(f);
    let big = "x".repeat(256 * 1024);
    let err = write_atomic(&file, &big).expect_err("no space for the new version");
    assert!(err.to_string().contains("consumerOffset.json"), "{err}");
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "{\"old\":1}");
    assert!(!sibling(&file, ".tmp").exists(), "temp file removed");
    // Space returns: the retry succeeds.
    std::fs::remove_file(&ballast).unwrap();
    write_atomic(&file, &big).expect("retry after space returned");
    assert_eq!(std::fs::read_to_string(&file).unwrap(), big);
    drop(mount);
}

/// Every queued message of `topic`/0 read back through the consume queue: seq list.
fn store_read_back(s: &rocketactor::store::StoreReader, topic: &str) -> Vec<usize> {
    use rocketactor::store::record::{check_record, RecordCheck};
    let mut out = Vec::new();
    let (min, max) = (
        s.min_offset_in_queue(topic, 0),
        s.max_offset_in_queue(topic, 0),
    );
    for i in min..max {
        let phys = s
            .commit_log_offset_in_queue(topic, 0, i)
            .unwrap_or_else(|| panic!("queue entry {i}"));
        let raw = s
            .look_message_by_offset(phys)
            .unwrap_or_else(|| panic!("record at {phys}"));
        match check_record(&raw, true) {
            RecordCheck::Message(r) => {
                let seq = seq_of(&r.body);
                assert_eq!(r.body.as_ref(), body(seq).as_slice(), "body of {seq}");
                assert_eq!(r.queue_offset, i);
                out.push(seq);
            }
            _ => panic!("bad record at {phys}"),
        }
    }
    out
}

#[test]
fn store_meets_enospc_refuses_puts_and_recovers_after_a_crash_on_the_full_disk() {
    use rocketactor::store::{MessageInner, MessageStore, StoreConfig};
    let test = "store_meets_enospc_refuses_puts_and_recovers_after_a_crash_on_the_full_disk";
    let Some(mount) = mount_or_skip(test, Mount::tmpfs(8)) else {
        return;
    };
    let mut cfg = StoreConfig::for_dir(mount.store());
    cfg.mapped_file_size_commit_log = 512 * 1024;
    cfg.mapped_file_size_consume_queue = 20 * 2_000;
    cfg.max_hash_slot_num = 2_000;
    cfg.max_index_num = 8_000;
    // No usage guard: the store must meet the real ENOSPC and refuse cleanly.
    cfg.disk_full_ratio = 1.5;
    let log = rocketactor::logging::test_logger();
    let mut store = MessageStore::open(cfg.clone(), &log).expect("open");
    let mut acked = Vec::new();
    let mut refusals = 0;
    for seq in 0..4_000usize {
        let mut m = MessageInner::new("T", 0, body(seq));
        m.properties = rocketactor::store::message::encode_properties([
            ("KEYS", format!("k{seq}").as_str()),
            ("UNIQ_KEY", format!("U{seq}").as_str()),
        ]);
        match store.put_message(&m) {
            Ok(_) => {
                assert_eq!(refusals, 0, "stored after a refusal");
                acked.push(seq);
            }
            Err(e) => {
                if refusals == 0 {
                    eprintln!("{test}: first refusal: {e}");
                }
                assert!(e.is_no_space(), "refused with {e}");
                assert!(!e.is_io(), "a full disk is not a disk failure: {e}");
                refusals += 1;
                if refusals == 10 {
                    break;
                }
            }
        }
    }
    eprintln!("{test}: {} stored, then {refusals} refusals", acked.len());
    assert_eq!(refusals, 10);
    assert!(acked.len() > 100);
    assert_eq!(store_read_back(&store.reader(), "T"), acked);
    let q = store
        .reader()
        .query_by_key("T", &format!("k{}", acked[7]), 4, 0, i64::MAX);
    assert_eq!(
        q.messages.len(),
        1,
        "index entry of an acknowledged message"
    );

    // A crash (no shutdown: the abort file stays) and a restart on the full disk.
    drop(store);
    let store = MessageStore::open(cfg.clone(), &log).expect("reopen on the full disk");
    assert!(store.recovery_report().abnormal);
    assert_eq!(store_read_back(&store.reader(), "T"), acked);
    let q =
        store
            .reader()
            .query_by_key("T", &format!("k{}", acked[acked.len() - 1]), 4, 0, i64::MAX);
    assert_eq!(q.messages.len(), 1, "index rebuilt on the full disk");
    drop(store);
    drop(mount);
}

#[test]
fn a_rebuild_that_runs_out_of_space_is_resumed_when_space_returns() {
    use rocketactor::store::{MessageInner, MessageStore, StoreConfig};
    let test = "a_rebuild_that_runs_out_of_space_is_resumed_when_space_returns";
    let Some(mount) = mount_or_skip(test, Mount::tmpfs(4)) else {
        return;
    };
    let mut cfg = StoreConfig::for_dir(mount.store());
    cfg.mapped_file_size_commit_log = 256 * 1024;
    cfg.mapped_file_size_consume_queue = 20 * 2_000;
    cfg.max_hash_slot_num = 500;
    cfg.max_index_num = 2_000;
    cfg.disk_full_ratio = 1.5;
    let log = rocketactor::logging::test_logger();
    let mut store = MessageStore::open(cfg.clone(), &log).expect("open");
    let acked: Vec<usize> = (0..200).collect();
    for &seq in &acked {
        store
            .put_message(&MessageInner::new("T", 0, body(seq)))
            .expect("put");
    }
    store.shutdown().expect("clean shutdown");
    drop(store);
    // The queue is lost (as after a crash that took its files); the disk is then filled, so
    // rebuilding it from the commit log finds no space.
    std::fs::remove_dir_all(mount.store().join("consumequeue").join("T")).unwrap();
    let ballast = ballast(&mount.point);
    let mut store = MessageStore::open(cfg.clone(), &log).expect("opens on the full disk");
    assert!(
        store.recovery_report().dispatch_pending_from.is_some(),
        "{:?}",
        store.recovery_report()
    );
    let e = store
        .put_message(&MessageInner::new("T", 0, body(999)))
        .expect_err("no writes while the rebuild waits for space");
    assert!(e.is_no_space(), "{e}");
    // Space returns: the next put resumes the rebuild first, then lands after it.
    std::fs::remove_file(&ballast).unwrap();
    let r = store
        .put_message(&MessageInner::new("T", 0, body(200)))
        .expect("put after space returned");
    assert_eq!(r.queue_offset, 200);
    let mut all = acked.clone();
    all.push(200);
    assert_eq!(store_read_back(&store.reader(), "T"), all);
    drop(store);
    drop(mount);
}
