//! Crash recovery: a torn or corrupted commit-log tail is cut after the last intact record,
//! and consume queues and the index agree with exactly that prefix.

use crate::support::store as common;

use common::*;
use proptest::prelude::*;
use rocketactor::store::checkpoint::Checkpoint;
use rocketactor::store::message::{encode_batch_body, BatchItem};
use rocketactor::store::record::decode_record;
use rocketactor::store::{GetMessageStatus, MessageInner, MessageStore};
use std::fs::OpenOptions;
use std::io::{Read, Seek, SeekFrom, Write};

/// (phys offset, size, queue id, queue offset, uniq key, body length)
type Written = Vec<(i64, usize, i32, i64, String, usize)>;

fn write_batches(store: &mut MessageStore, batches: &[Vec<usize>]) -> Written {
    let mut out = Vec::new();
    let mut n = 0;
    for (bi, batch) in batches.iter().enumerate() {
        let qid = (bi % 3) as i32;
        if batch.len() == 1 {
            let u = format!("U{n}");
            n += 1;
            let r = store
                .put_message(&msg("P", qid, &vec![7u8; batch[0]], "tg", "kk", &u))
                .unwrap();
            out.push((
                r.wrote_offset,
                r.wrote_bytes,
                qid,
                r.queue_offset,
                u,
                batch[0],
            ));
        } else {
            let items: Vec<BatchItem> = batch
                .iter()
                .map(|len| {
                    let u = format!("U{n}");
                    n += 1;
                    BatchItem {
                        flag: 0,
                        body: vec![9u8; *len].into(),
                        properties: format!("UNIQ_KEY\u{1}{u}\u{2}KEYS\u{1}kk"),
                    }
                })
                .collect();
            let r = store
                .put_batch(&MessageInner::new("P", qid, encode_batch_body(&items)))
                .unwrap();
            let mut off = r.wrote_offset;
            for (i, (it, len)) in items.iter().zip(batch).enumerate() {
                let rec = decode_record(&store.look_message_by_offset(off).unwrap(), true).unwrap();
                let u = it.properties[9..it.properties.find('\u{2}').unwrap()].to_string();
                out.push((
                    off,
                    rec.total_size as usize,
                    qid,
                    r.queue_offset + i as i64,
                    u,
                    *len,
                ));
                off += i64::from(rec.total_size);
            }
        }
    }
    out
}

fn verify(store: &MessageStore, expect: &[(i64, usize, i32, i64, String, usize)]) {
    for qid in 0..3 {
        let want: Vec<_> = expect.iter().filter(|e| e.2 == qid).collect();
        assert_eq!(
            store.max_offset_in_queue("P", qid),
            want.len() as i64,
            "queue {qid} length"
        );
        for w in &want {
            assert_eq!(store.commit_log_offset_in_queue("P", qid, w.3), Some(w.0));
        }
        if !want.is_empty() {
            let r = store.get_message("P", qid, 0, 10_000, usize::MAX, None);
            assert_eq!(r.status, GetMessageStatus::Found);
        }
    }
    for e in expect {
        let q = store.query_by_key("P", &e.4, 64, 0, i64::MAX);
        assert_eq!(q.messages.len(), 1, "uniq key {} indexed once", e.4);
        assert_eq!(
            decode_record(&q.messages[0], true).unwrap().phys_offset,
            e.0
        );
    }
    let keys = store.query_by_key("P", "kk", 64, 0, i64::MAX);
    assert_eq!(keys.messages.len(), expect.len().min(64));
}

#[derive(Debug, Clone)]
enum Damage {
    Cut(u64),
    Flip(u64),
    /// Garbage over `len` bytes from a point chosen by `at` (every byte changed: XOR with a
    /// non-zero byte from `seed`), running on over the records behind it, up to the file end.
    Garbage {
        at: u64,
        len: u64,
        seed: u64,
    },
}

/// Where garbage may start inside a record so the damage is detectable: its size or magic
/// (bytes 0..8) or its body (from byte 88, the header of an IPv4 record). RocketMQ's CRC covers
/// only the body, so garbage starting in the topic or properties would go unnoticed there, as
/// in Java.
fn garbage_start(at: u64, body_len: usize) -> u64 {
    let choices = 8 + body_len as u64;
    let k = at % choices;
    if k < 8 {
        k
    } else {
        88 + (k - 8)
    }
}

/// The next byte of a xorshift stream, never 0.
fn nonzero_byte(state: &mut u64) -> u8 {
    loop {
        *state ^= *state << 13;
        *state ^= *state >> 7;
        *state ^= *state << 17;
        let b = (*state >> 24) as u8;
        if b != 0 {
            return b;
        }
    }
}

/// What one damaged case did: bytes changed, records written, records kept after recovery.
#[derive(Debug, Clone, Copy, Default)]
struct CaseStats {
    damaged: u64,
    written: usize,
    kept: usize,
}

/// Writes `batches`, flushes, drops the store without shutdown (the abort file stays),
/// damages one record of the last commit-log file, reopens and checks that exactly the records
/// before the damaged one survive, in the commit log, the consume queues and the index.
fn crash_damage_recover(
    batches: &[Vec<usize>],
    damage: Damage,
    late_checkpoint: bool,
) -> Result<CaseStats, TestCaseError> {
    let dir = tempfile::tempdir().unwrap();
    let cfg = small_config(dir.path());
    let written = {
        let mut store = open(&cfg);
        let w = write_batches(&mut store, batches);
        store.flush().unwrap();
        w // dropped without shutdown: the abort file stays
    };
    prop_assert!(cfg.abort_file.exists());
    if late_checkpoint {
        // Commit log and queues flushed long after every record was stored: the scan starts
        // at the last commit-log file whose first record is intact.
        let mut cp = Checkpoint::load(&cfg.checkpoint_file).unwrap();
        cp.physic_msg_timestamp = i64::MAX / 2;
        cp.logics_msg_timestamp = i64::MAX / 2;
        cp.flush().unwrap();
    }
    // Damage one record of the last commit-log file that holds data, in a way the record
    // format can detect (RocketMQ's CRC covers only the body): zero from a byte inside its
    // header or body to the file end (a torn write into a pre-sized file), or flip a byte
    // of its size, magic or body.
    let end = written.last().map(|e| e.0 + e.1 as i64).unwrap();
    let last_start = (end - 1) / 4096 * 4096;
    let in_last: Vec<_> = written.iter().filter(|e| e.0 >= last_start).collect();
    let path = cfg.commit_log_dir.join(format!("{last_start:020}"));
    let damaged: u64;
    let (victim, rel) = match damage {
        Damage::Garbage { at, len, seed } => {
            let v = in_last[(at as usize) % in_last.len()];
            let rel = garbage_start(at / in_last.len() as u64, v.5);
            let pos = (v.0 - last_start) as u64 + rel;
            let len = 1 + len % (4096 - pos);
            let mut f = OpenOptions::new()
                .read(true)
                .write(true)
                .open(&path)
                .unwrap();
            f.seek(SeekFrom::Start(pos)).unwrap();
            let mut bytes = vec![0u8; len as usize];
            f.read_exact(&mut bytes).unwrap();
            let mut state = seed | 1;
            for b in &mut bytes {
                *b ^= nonzero_byte(&mut state);
            }
            f.seek(SeekFrom::Start(pos)).unwrap();
            f.write_all(&bytes).unwrap();
            damaged = len;
            (v.0, rel)
        }
        Damage::Cut(at) => {
            let v = in_last[(at as usize) % in_last.len()];
            let rel = at % (88 + v.5 as u64);
            let pos = (v.0 - last_start) as u64 + rel;
            let mut f = OpenOptions::new().write(true).open(&path).unwrap();
            f.seek(SeekFrom::Start(pos)).unwrap();
            f.write_all(&vec![0u8; (4096 - pos) as usize]).unwrap();
            damaged = 4096 - pos;
            (v.0, rel)
        }
        Damage::Flip(at) => {
            let v = in_last[(at as usize) % in_last.len()];
            let rel = if at % 2 == 0 {
                at % 8
            } else {
                88 + at % v.5 as u64
            };
            let pos = (v.0 - last_start) as u64 + rel;
            let mut f = OpenOptions::new()
                .read(true)
                .write(true)
                .open(&path)
                .unwrap();
            f.seek(SeekFrom::Start(pos)).unwrap();
            let mut b = [0u8; 1];
            f.read_exact(&mut b).unwrap();
            f.seek(SeekFrom::Start(pos)).unwrap();
            f.write_all(&[b[0] ^ 0x5A]).unwrap();
            damaged = 1;
            (v.0, rel)
        }
    };
    let _ = rel;
    let survivors: Vec<_> = written.iter().filter(|e| e.0 < victim).cloned().collect();
    let store = open(&cfg);
    prop_assert!(store.recovery_report().abnormal);
    let expect_end = victim;
    prop_assert_eq!(store.max_phys_offset(), expect_end);
    verify(&store, &survivors);
    Ok(CaseStats {
        damaged,
        written: written.len(),
        kept: survivors.len(),
    })
}

proptest! {
    // 32 cases by default; PROPTEST_CASES=<n> runs more.
    #![proptest_config(ProptestConfig {
        cases: std::env::var("PROPTEST_CASES").ok().and_then(|c| c.parse().ok()).unwrap_or(32),
        .. ProptestConfig::default()
    })]
    #[test]
    fn abnormal_recovery_keeps_exactly_the_intact_prefix(
        batches in prop::collection::vec(prop::collection::vec(1usize..300, 1..4), 1..25),
        damage in prop_oneof![(0u64..4096).prop_map(Damage::Cut), (0u64..4096).prop_map(Damage::Flip)],
    ) {
        crash_damage_recover(&batches, damage, false)?;
    }

    /// Same, with a checkpoint that vouches for every commit-log file: only the last one is
    /// scanned, and the index must still be rebuilt for everything it lost.
    #[test]
    fn abnormal_recovery_after_a_late_checkpoint_keeps_exactly_the_intact_prefix(
        batches in prop::collection::vec(prop::collection::vec(1usize..300, 1..4), 1..25),
        damage in prop_oneof![(0u64..4096).prop_map(Damage::Cut), (0u64..4096).prop_map(Damage::Flip)],
    ) {
        crash_damage_recover(&batches, damage, true)?;
    }
}

/// Garbage of random length at random points of the commit-log tail (issue #16, chaos suite):
/// recovery keeps exactly the records before the first damaged one, and the consume queues and
/// the index agree with that prefix; with and without a checkpoint vouching for every file.
/// Prints one summary line (cases, bytes damaged, records kept) on the real stderr.
#[test]
fn garbage_over_the_commit_log_tail_keeps_exactly_the_intact_prefix() {
    use proptest::test_runner::TestRunner;
    use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(48);
    let mut runner = TestRunner::new(ProptestConfig {
        cases,
        ..ProptestConfig::default()
    });
    let [runs, damaged, written, kept] = std::array::from_fn::<_, 4, _>(|_| AtomicU64::new(0));
    let strategy = (
        prop::collection::vec(prop::collection::vec(1usize..300, 1..4), 1..25),
        (0u64..1 << 20, 0u64..4096, any::<u64>()),
        any::<bool>(),
    );
    let started = std::time::Instant::now();
    runner
        .run(&strategy, |(batches, (at, len, seed), late)| {
            let s = crash_damage_recover(&batches, Damage::Garbage { at, len, seed }, late)?;
            runs.fetch_add(1, Relaxed);
            damaged.fetch_add(s.damaged, Relaxed);
            written.fetch_add(s.written as u64, Relaxed);
            kept.fetch_add(s.kept as u64, Relaxed);
            Ok(())
        })
        .unwrap_or_else(|e| panic!("{e}"));
    let (w, k) = (written.load(Relaxed), kept.load(Relaxed));
    let _ = writeln!(
        std::io::stderr(),
        "chaos torn-writes-garbage: cases={} bytes_damaged={} records_written={w} \
         records_kept={k} records_cut={} lost_intact=0 wall_ms={}",
        runs.load(Relaxed),
        damaged.load(Relaxed),
        w - k,
        started.elapsed().as_millis()
    );
}

#[test]
fn normal_restart_after_clean_shutdown_keeps_everything() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = small_config(dir.path());
    let batches: Vec<Vec<usize>> = (0..30).map(|i| vec![10 + i * 7; 1 + i % 3]).collect();
    let written = {
        let mut store = open(&cfg);
        let w = write_batches(&mut store, &batches);
        store.shutdown().unwrap();
        w
    };
    let store = open(&cfg);
    assert!(!store.recovery_report().abnormal);
    verify(&store, &written);
}

#[test]
fn lost_consume_queue_and_index_are_rebuilt_from_the_commit_log() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = small_config(dir.path());
    let batches: Vec<Vec<usize>> = (0..20).map(|i| vec![50 + i; 1 + i % 2]).collect();
    let written = {
        let mut store = open(&cfg);
        let w = write_batches(&mut store, &batches);
        store.flush().unwrap();
        w
    };
    std::fs::remove_dir_all(&cfg.consume_queue_dir).unwrap();
    std::fs::remove_dir_all(&cfg.index_dir).unwrap();
    let store = open(&cfg);
    verify(&store, &written);
}

/// The checkpoint vouches for every commit-log file, so abnormal recovery validates only the
/// last one, yet the index file being written at the crash is dropped: the records it held,
/// most of them in earlier commit-log files, must be re-indexed from the commit log.
#[test]
fn abnormal_recovery_reindexes_the_records_of_dropped_index_files() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = small_config(dir.path());
    // Two index keys per record and 49 entries per index file: several index files, and
    // about 17 records per 4 KiB commit-log file.
    let batches: Vec<Vec<usize>> = (0..40).map(|i| vec![100 + i; 1 + i % 2]).collect();
    let written = {
        let mut store = open(&cfg);
        let w = write_batches(&mut store, &batches);
        store.flush().unwrap();
        w // dropped without shutdown: the abort file stays
    };
    assert!(std::fs::read_dir(&cfg.index_dir).unwrap().count() >= 2);
    let mut cp = Checkpoint::load(&cfg.checkpoint_file).unwrap();
    assert!(
        cp.index_msg_timestamp > 0,
        "a filled index file is checkpointed"
    );
    // Commit log and queues flushed long after every record was stored.
    cp.physic_msg_timestamp = i64::MAX / 2;
    cp.logics_msg_timestamp = i64::MAX / 2;
    cp.flush().unwrap();
    let end = written.last().map(|e| e.0 + e.1 as i64).unwrap();
    let last_start = (end - 1) / 4096 * 4096;
    let store = open(&cfg);
    let report = store.recovery_report();
    assert!(report.abnormal);
    assert_eq!(store.max_phys_offset(), end);
    assert!(
        report.reput_from < last_start,
        "re-dispatch starts before the last commit-log file: {report:?}"
    );
    verify(&store, &written);
}
