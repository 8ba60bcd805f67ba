//! Store append throughput for 1 KiB messages (no network): async flush (no per-message
//! flush), group-commit style (one flush every N appends), one fsync per message, and a raw
//! sequential `write` baseline to a plain file in the same temp dir.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use rocketactor::store::{MessageInner, MessageStore, StoreConfig};
use std::io::Write;
use std::time::Duration;

const MSG: usize = 1024;

fn store(dir: &std::path::Path) -> MessageStore {
    let mut cfg = StoreConfig::for_dir(dir);
    cfg.mapped_file_size_commit_log = 256 * 1024 * 1024;
    cfg.message_index_enable = false;
    MessageStore::open(cfg, &rocketactor::logging::discard()).expect("open store")
}

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("store_append_1KiB");
    g.throughput(Throughput::Bytes(MSG as u64));
    g.sample_size(10);
    g.measurement_time(Duration::from_secs(3));
    g.warm_up_time(Duration::from_secs(1));
    let msg = MessageInner::new("BenchTopic", 0, vec![b'x'; MSG]);

    let dir = tempfile::tempdir().expect("tempdir");
    let mut s = store(dir.path());
    g.bench_function("async_flush", |b| {
        b.iter(|| s.put_message(&msg).expect("put"))
    });
    drop(s);

    let dir = tempfile::tempdir().expect("tempdir");
    let mut s = store(dir.path());
    let mut n = 0u64;
    g.bench_function("group_commit_every_32", |b| {
        b.iter(|| {
            s.put_message(&msg).expect("put");
            n += 1;
            if n % 32 == 0 {
                s.flush_commit_log(0).expect("flush");
            }
        })
    });
    drop(s);

    let dir = tempfile::tempdir().expect("tempdir");
    let mut s = store(dir.path());
    g.bench_function("flush_per_message", |b| {
        b.iter(|| {
            s.put_message(&msg).expect("put");
            s.flush_commit_log(0).expect("flush");
        })
    });
    drop(s);

    let dir = tempfile::tempdir().expect("tempdir");
    let mut f = std::fs::File::create(dir.path().join("raw")).expect("create");
    let buf = vec![b'x'; MSG + 128];
    g.bench_function("raw_sequential_write", |b| {
        b.iter(|| f.write_all(&buf).expect("write"))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
