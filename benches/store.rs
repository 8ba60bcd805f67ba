//! Store append throughput for 1 KiB messages (no network), in two groups:
//!
//! - `append_1KiB` (bytes/s of whole records): the store with async flush (append + dispatch
//!   to the consume queue, nothing waits for the disk) against a raw sequential `write` of the
//!   same number of bytes per message to a plain file in the same kind of directory.
//! - `sync_flush_1KiB` (messages/s): SYNC_FLUSH group commit, where one commit-log flush
//!   covers a group of appends (what the group-commit service achieves under concurrent
//!   producers; groups of [`GROUPS`]), against one flush (msync, i.e. fsync of the range) per
//!   message.
//!
//! Files live under Cargo's target tmp dir (a real disk, not a tmpfs `/tmp`). The append
//! benches start a fresh store (or file) once [`RECYCLE_BYTES`] have been written, outside the
//! timed region, so disk use stays bounded however many iterations Criterion asks for.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use rocketactor::store::message::encode_properties;
use rocketactor::store::{MessageInner, MessageStore, StoreConfig};
use std::hint::black_box;
use std::io::Write;
use std::time::{Duration, Instant};
use tempfile::TempDir;

/// Body size.
const MSG: usize = 1024;
/// Appends covered by one flush in the group-commit benches.
const GROUPS: [usize; 2] = [32, 128];
/// Bytes written to one store (or raw file) before the bench starts a fresh one.
const RECYCLE_BYTES: i64 = 512 * 1024 * 1024;

/// A store in its own temp dir (field order: the store drops before its directory).
struct BenchStore {
    store: MessageStore,
    _dir: TempDir,
}

impl BenchStore {
    fn new() -> BenchStore {
        let dir = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).expect("tempdir");
        let mut cfg = StoreConfig::for_dir(dir.path());
        cfg.mapped_file_size_commit_log = 256 * 1024 * 1024;
        cfg.message_index_enable = false;
        let store = MessageStore::open(cfg, &rocketactor::logging::discard()).expect("open store");
        BenchStore { store, _dir: dir }
    }
}

/// A 1 KiB message with the properties a Java producer sets.
fn message() -> MessageInner {
    let mut m = MessageInner::new("BenchTopic", 0, vec![b'x'; MSG]);
    m.properties = encode_properties([
        ("UNIQ_KEY", "7F0000011A2B18B4AAC2000000000000"),
        ("WAIT", "true"),
        ("TAGS", "TagA"),
    ]);
    m
}

/// Runs `iters` timed calls of `op`, calling `recycle` (untimed) whenever `used()` reaches
/// [`RECYCLE_BYTES`]. `per_op` is the bytes one call adds.
fn timed_recycling<S>(
    state: &mut S,
    iters: u64,
    per_op: i64,
    used: impl Fn(&S) -> i64,
    recycle: impl Fn(&mut S),
    mut op: impl FnMut(&mut S),
) -> Duration {
    let mut total = Duration::ZERO;
    let mut left = iters;
    while left > 0 {
        if used(state) + per_op > RECYCLE_BYTES {
            recycle(state);
        }
        let room = ((RECYCLE_BYTES - used(state)) / per_op).max(1) as u64;
        let n = left.min(room);
        let t = Instant::now();
        for _ in 0..n {
            op(state);
        }
        total += t.elapsed();
        left -= n;
    }
    total
}

fn append(c: &mut Criterion, msg: &MessageInner, record: usize) {
    let mut g = c.benchmark_group("append_1KiB");
    g.throughput(Throughput::Bytes(record as u64));
    g.sample_size(10);
    g.measurement_time(Duration::from_secs(6));
    g.warm_up_time(Duration::from_secs(1));

    let mut s = BenchStore::new();
    g.bench_function("store_async_flush", |b| {
        b.iter_custom(|iters| {
            timed_recycling(
                &mut s,
                iters,
                record as i64,
                |s| s.store.max_phys_offset(),
                |s| *s = BenchStore::new(),
                |s| {
                    black_box(s.store.put_message(msg).expect("put"));
                },
            )
        })
    });
    drop(s);

    // The same bytes per message as the store's record, one `write` call each.
    let dir = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).expect("tempdir");
    let path = dir.path().join("raw");
    let open = || std::fs::File::create(&path).expect("create raw file");
    let buf = vec![b'x'; record];
    let mut f = (open(), 0i64);
    g.bench_function("raw_sequential_write", |b| {
        b.iter_custom(|iters| {
            timed_recycling(
                &mut f,
                iters,
                record as i64,
                |f| f.1,
                |f| *f = (open(), 0),
                |f| {
                    f.0.write_all(&buf).expect("write");
                    f.1 += record as i64;
                },
            )
        })
    });
    g.finish();
}

fn sync_flush(c: &mut Criterion, msg: &MessageInner) {
    let mut g = c.benchmark_group("sync_flush_1KiB");
    g.sample_size(10);
    g.measurement_time(Duration::from_secs(6));
    g.warm_up_time(Duration::from_secs(1));

    for group in GROUPS {
        let mut s = BenchStore::new();
        g.throughput(Throughput::Elements(group as u64));
        g.bench_function(BenchmarkId::new("group_commit", group), |b| {
            b.iter(|| {
                for _ in 0..group {
                    black_box(s.store.put_message(msg).expect("put"));
                }
                s.store.flush_commit_log(0).expect("flush")
            })
        });
    }

    let mut s = BenchStore::new();
    g.throughput(Throughput::Elements(1));
    g.bench_function("flush_per_message", |b| {
        b.iter(|| {
            black_box(s.store.put_message(msg).expect("put"));
            s.store.flush_commit_log(0).expect("flush")
        })
    });
    drop(s);
    g.finish();
}

fn bench(c: &mut Criterion) {
    let msg = message();
    // The record size on disk, for bytes/s comparable with the raw baseline.
    let record = {
        let mut s = BenchStore::new();
        s.store.put_message(&msg).expect("put").wrote_bytes
    };
    append(c, &msg, record);
    sync_flush(c, &msg);
}

criterion_group!(benches, bench);
criterion_main!(benches);
