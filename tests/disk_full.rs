//! Issue #19: a full disk must not kill the broker and must refuse writes as Java does. Each
//! test puts a broker's store on a small real file system (tmpfs with `size=`, or a
//! loop-mounted ext4 image), fills it through the broker with the project's client, and checks:
//! every send past the threshold is refused with SERVICE_NOT_AVAILABLE (14) and Java's remark,
//! the broker stays up, every acknowledged message is read back exactly once with its body,
//! the broker restarts on the full disk and serves everything again, and sends succeed again
//! once expired files are removed. A slave whose disk fills stops acknowledging: its
//! SYNC_MASTER answers FLUSH_SLAVE_TIMEOUT or SLAVE_NOT_AVAILABLE, never SEND_OK.
//!
//! Mounting needs root (CI runs as root). Without it each test prints `SKIPPED <name>: <why>`
//! on stderr and returns; set `ROCKETACTOR_REQUIRE_DISK_TESTS=1` to make that a failure.

mod support;

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, SystemTime};

use rocketactor::actors::broker::BrokerHandle;
use rocketactor::client::admin::MessageQuery;
use rocketactor::client::consumer::{PullConsumer, PullStatus};
use rocketactor::client::message::{Message, SendStatus};
use rocketactor::client::producer::Producer;
use rocketactor::client::{Admin, MqError};
use rocketactor::codec::codes::response;
use rocketactor::config::{BrokerConfig, BrokerRole, FlushDiskType};
use rocketactor::protocol::message_queue::MessageQueue;
use support::{eventually, Cluster};

const TOPIC: &str = "DISK_FULL_TOPIC";
const BODY: usize = 4096;
const QUEUES: i32 = 4;

/// A small file system mounted under a temp dir; unmounted on drop (also on panic).
struct Mount {
    point: PathBuf,
    _dir: tempfile::TempDir,
}

impl Mount {
    fn tmpfs(size_mib: u64) -> Result<Mount, String> {
        let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
        let point = dir.path().join("mnt");
        std::fs::create_dir(&point).map_err(|e| e.to_string())?;
        run(
            "mount",
            &[
                "-t",
                "tmpfs",
                "-o",
                &format!("size={size_mib}m"),
                "tmpfs",
                &point.to_string_lossy(),
            ],
        )?;
        Ok(Mount { point, _dir: dir })
    }

    fn ext4(size_mib: u64) -> Result<Mount, String> {
        let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
        let image = dir.path().join("fs.img");
        let f = std::fs::File::create(&image).map_err(|e| e.to_string())?;
        f.set_len(size_mib << 20).map_err(|e| e.to_string())?;
        drop(f);
        run(
            "mkfs.ext4",
            &["-q", "-F", "-b", "4096", &image.to_string_lossy()],
        )?;
        let point = dir.path().join("mnt");
        std::fs::create_dir(&point).map_err(|e| e.to_string())?;
        run(
            "mount",
            &[
                "-o",
                "loop",
                &image.to_string_lossy(),
                &point.to_string_lossy(),
            ],
        )?;
        Ok(Mount { point, _dir: dir })
    }

    fn store(&self) -> PathBuf {
        self.point.join("store")
    }
}

impl Drop for Mount {
    fn drop(&mut self) {
        let p = self.point.to_string_lossy().to_string();
        if run("umount", &[&p]).is_err() {
            // Still busy (a mapping not yet dropped): detach now, freed when the last user goes.
            let _ = run("umount", &["-l", &p]);
        }
    }
}

fn run(cmd: &str, args: &[&str]) -> Result<(), String> {
    let out = Command::new(cmd)
        .args(args)
        .output()
        .map_err(|e| format!("`{cmd}` cannot run: {e}"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "`{cmd} {}` failed: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr).trim()
        ))
    }
}

/// The mount, or a visible skip (a failure when `ROCKETACTOR_REQUIRE_DISK_TESTS` is set).
fn mount_or_skip(test: &str, m: Result<Mount, String>) -> Option<Mount> {
    match m {
        Ok(m) => Some(m),
        Err(why) => {
            if std::env::var_os("ROCKETACTOR_REQUIRE_DISK_TESTS").is_some() {
                panic!("{test}: cannot mount a small file system: {why}");
            }
            let _ = writeln!(
                std::io::stderr(),
                "\nSKIPPED {test}: {why} (needs root to mount tmpfs / a loop ext4 image)\n"
            );
            None
        }
    }
}

/// Used fraction of the file system at `p`, as Java computes it.
fn usage(p: &Path) -> f64 {
    let st = nix::sys::statvfs::statvfs(p).expect("statvfs");
    let unit = st.fragment_size() as f64;
    let used = (st.blocks() - st.blocks_free()) as f64 * unit;
    used / (used + st.blocks_available() as f64 * unit)
}

fn body(seq: usize) -> Vec<u8> {
    let mut b = format!("{seq:010}:").into_bytes();
    b.extend((0..BODY - b.len()).map(|i| b'a' + ((seq * 7 + i) % 26) as u8));
    b
}

fn seq_of(body: &[u8]) -> usize {
    std::str::from_utf8(&body[..10])
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("unexpected body {:?}", &body[..16.min(body.len())]))
}

fn broker_cfg(c: &Cluster, name: &str, role: BrokerRole, dir: &Path) -> BrokerConfig {
    let mut cfg = c.broker_config(name, role, dir);
    cfg.mapped_file_size_commit_log = 1024 * 1024;
    cfg.mapped_file_size_consume_queue = 20 * 4_000;
    cfg.max_hash_slot_num = 4_000;
    cfg.max_index_num = 16_000;
    // The seed's ratio; no forcible cleaning, so nothing acknowledged disappears by itself.
    cfg.disk_max_used_space_ratio = 88;
    cfg.clean_file_forcibly_enable = false;
    cfg.clean_resource_interval = 200;
    cfg.sync_flush_timeout = 2_000;
    cfg
}

/// What a fill run acknowledged: seq → (queue id, queue offset).
type Acked = BTreeMap<usize, (i32, i64)>;

/// Sends to the queues in turn until the broker refuses; then checks that the next sends are
/// refused too. Bounded by `max_sends`.
async fn fill(
    p: &Producer,
    broker: &str,
    seqs: std::ops::Range<usize>,
    acked: &mut Acked,
) -> usize {
    let mut refused = 0usize;
    for seq in seqs {
        let mq = MessageQueue::new(TOPIC, broker, (seq % QUEUES as usize) as i32);
        let msg = Message::new(body(seq)).with_keys([format!("key-{seq}")]);
        match p.send_to_queue(&mq, msg).await {
            Ok(r) => {
                assert_eq!(refused, 0, "send {seq} stored after a refusal");
                assert_eq!(r.status, SendStatus::SendOk, "send {seq}");
                acked.insert(seq, (r.queue.queue_id, r.queue_offset));
            }
            Err(MqError::Response { code, remark, .. }) => {
                assert_eq!(
                    code,
                    response::SERVICE_NOT_AVAILABLE,
                    "send {seq}: {remark}"
                );
                assert!(
                    remark.starts_with(
                        "service not available now. It may be caused by one of the following \
                         reasons: the broker's disk is full [CL: "
                    ) && remark.ends_with(
                        "], messages are put to the slave, message store has been shut down, etc."
                    ),
                    "{remark}"
                );
                refused += 1;
                if refused == 20 {
                    return refused;
                }
            }
            Err(e) => panic!("send {seq}: {e}"),
        }
    }
    refused
}

/// Pulls every queue from its min offset; asserts the stored set is exactly the acknowledged
/// messages still there (at or above each queue's min offset), each once, body intact, at the
/// queue offset it was acknowledged with. Returns how many were read.
async fn read_back(c: &PullConsumer, broker: &str, acked: &Acked) -> usize {
    let mut seen = BTreeMap::new();
    let mut mins = BTreeMap::new();
    for q in 0..QUEUES {
        let mq = MessageQueue::new(TOPIC, broker, q);
        let mut offset = c.min_offset(&mq).await.expect("min offset");
        mins.insert(q, offset);
        for _ in 0..100_000 {
            let r = c.pull(&mq, offset, 32, "*", None).await.expect("pull");
            if r.status != PullStatus::Found {
                break;
            }
            for m in &r.messages {
                let seq = seq_of(&m.body);
                assert_eq!(m.body.as_ref(), body(seq).as_slice(), "body of {seq}");
                assert!(
                    seen.insert(seq, (m.queue_id, m.queue_offset)).is_none(),
                    "{seq} twice"
                );
            }
            offset = r.next_begin_offset;
        }
    }
    let expected: Acked = acked
        .iter()
        .filter(|(_, (q, off))| *off >= mins[q])
        .map(|(s, v)| (*s, *v))
        .collect();
    assert_eq!(
        seen.len(),
        expected.len(),
        "messages stored vs acknowledged"
    );
    assert_eq!(
        seen, expected,
        "every acknowledged message, where it was acknowledged"
    );
    seen.len()
}

async fn routable_consumer(ns: &str, group: &str, addr: &str) -> PullConsumer {
    let c = PullConsumer::new(ns, group).expect("consumer");
    eventually("topic routable at the broker", || async {
        match c.fetch_queues(TOPIC).await {
            Ok(qs) if !qs.is_empty() => c.master_addr(&qs[0]).await.is_ok_and(|a| a == addr),
            _ => false,
        }
    })
    .await;
    c
}

/// Makes every commit-log file but the last two look 100 hours old (expired for
/// `fileReservedTime` 72), so the cleaner removes them because the disk is over the ratio.
fn expire_old_commit_log_files(store: &Path) -> usize {
    let dir = store.join("commitlog");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("commitlog dir")
        .map(|e| e.expect("entry").path())
        .collect();
    files.sort();
    let old = SystemTime::now() - Duration::from_secs(100 * 3600);
    let n = files.len().saturating_sub(2);
    for f in &files[..n] {
        std::fs::File::options()
            .write(true)
            .open(f)
            .and_then(|h| h.set_modified(old))
            .expect("set mtime");
    }
    n
}

/// Gives every commit-log file the current mtime (none is expired any more).
fn refresh_commit_log_files(store: &Path) {
    for e in std::fs::read_dir(store.join("commitlog")).expect("commitlog dir") {
        let path = e.expect("entry").path();
        let _ = std::fs::File::options()
            .write(true)
            .open(&path)
            .and_then(|h| h.set_modified(SystemTime::now()));
    }
}

async fn fill_refuse_restart_free(test: &str, mount: Mount, flush: FlushDiskType) {
    let c = Cluster::start().await;
    let ns = c.namesrv_addr();
    let name = "broker-df";
    let mut cfg = broker_cfg(&c, name, BrokerRole::AsyncMaster, &mount.store());
    cfg.flush_disk_type = flush;
    let broker = c.broker(cfg.clone()).await;
    let addr = broker.client_addr();
    let admin = Admin::new(&ns).unwrap();
    let tc = rocketactor::protocol::topic::TopicConfig::new(TOPIC, QUEUES, QUEUES, 6);
    admin.create_topic(&addr, &tc).await.expect("create topic");
    let p = Producer::new(&ns, "pg-disk-full").unwrap();
    p.start().unwrap();
    eventually("topic routable", || async {
        p.publish_queues(TOPIC).await.is_ok()
    })
    .await;

    let fs_bytes = nix::sys::statvfs::statvfs(&mount.point).unwrap().blocks() as usize
        * nix::sys::statvfs::statvfs(&mount.point)
            .unwrap()
            .fragment_size() as usize;
    let max_sends = 2 * fs_bytes / BODY;
    let mut acked = Acked::new();
    let refused = fill(&p, name, 0..max_sends, &mut acked).await;
    let used = usage(&mount.point);
    eprintln!(
        "{test}: {} acknowledged, {refused} refused, disk {used:.3} used",
        acked.len()
    );
    assert_eq!(refused, 20, "the broker refused once the disk filled");
    assert!(acked.len() > 100, "{} acknowledged", acked.len());
    assert!(used > 0.88, "refused below the threshold: {used}");

    // Reads, queries and offsets still work on the full disk.
    let consumer = routable_consumer(&ns, "cg-disk-full", &addr).await;
    assert_eq!(read_back(&consumer, name, &acked).await, acked.len());
    let (&some_seq, _) = acked.iter().nth(acked.len() / 2).unwrap();
    let found = admin
        .query_message(
            &addr,
            &MessageQuery {
                topic: TOPIC.into(),
                key: format!("key-{some_seq}"),
                max_num: 32,
                begin_ms: 0,
                end_ms: i64::MAX,
                unique: false,
            },
        )
        .await
        .expect("query by key");
    assert!(
        found.iter().any(|m| seq_of(&m.body) == some_seq),
        "key query on a full disk"
    );
    let mq0 = MessageQueue::new(TOPIC, name, 0);
    consumer
        .commit_offset(&mq0, 3)
        .await
        .expect("commit offset");
    assert_eq!(
        consumer.query_offset(&mq0).await.expect("query offset"),
        Some(3)
    );

    // Expired files are removed (the disk is over diskMaxUsedSpaceRatio): sends resume.
    let expired = expire_old_commit_log_files(&mount.store());
    assert!(expired >= 2, "{expired} files to expire");
    let mut next = max_sends;
    eventually("sends accepted after the cleanup", || {
        let seq = next;
        next += 1;
        let p = &p;
        async move {
            let mq = MessageQueue::new(TOPIC, name, (seq % QUEUES as usize) as i32);
            let msg = Message::new(body(seq)).with_keys([format!("key-{seq}")]);
            p.send_to_queue(&mq, msg)
                .await
                .is_ok_and(|r| r.status == SendStatus::SendOk)
        }
    })
    .await;
    acked.insert(
        next - 1,
        (
            ((next - 1) % QUEUES as usize) as i32,
            consumer
                .max_offset(&MessageQueue::new(
                    TOPIC,
                    name,
                    ((next - 1) % QUEUES as usize) as i32,
                ))
                .await
                .expect("max offset")
                - 1,
        ),
    );
    assert!(usage(&mount.point) < 0.90, "space came back");
    // What was not removed yet stays: no file is expired any more.
    refresh_commit_log_files(&mount.store());
    let kept = read_back(&consumer, name, &acked).await;
    assert!(
        kept > 0 && kept < acked.len(),
        "{kept} of {} kept",
        acked.len()
    );

    // Fill again, then restart on the full disk: it starts, recovers, serves everything.
    let refused = fill(&p, name, next..next + max_sends, &mut acked).await;
    assert_eq!(refused, 20, "refused again once the disk filled again");
    let kept = read_back(&consumer, name, &acked).await;
    p.shutdown();
    broker.stop().await;
    drop(broker);
    let broker: BrokerHandle = c.broker(cfg.clone()).await;
    let addr = broker.client_addr();
    let consumer = routable_consumer(&ns, "cg-disk-full", &addr).await;
    assert_eq!(read_back(&consumer, name, &acked).await, kept);
    assert_eq!(
        consumer.query_offset(&mq0).await.expect("query offset"),
        Some(3)
    );
    let p = Producer::new(&ns, "pg-disk-full-2").unwrap();
    p.start().unwrap();
    eventually("topic routable after restart", || async {
        p.publish_queues(TOPIC).await.is_ok()
    })
    .await;
    let mq = MessageQueue::new(TOPIC, name, 1);
    match p.send_to_queue(&mq, Message::new(body(9_999_999))).await {
        Err(MqError::Response { code, .. }) => {
            assert_eq!(code, response::SERVICE_NOT_AVAILABLE)
        }
        other => panic!("a send on the full disk after restart: {other:?}"),
    }
    p.shutdown();
    broker.stop().await;
    drop(broker);
    drop(mount);
}

#[actix_rt::test]
async fn sync_flush_broker_on_a_full_ext4_refuses_writes_and_keeps_serving() {
    let test = "sync_flush_broker_on_a_full_ext4_refuses_writes_and_keeps_serving";
    let Some(m) = mount_or_skip(test, Mount::ext4(32)) else {
        return;
    };
    fill_refuse_restart_free(test, m, FlushDiskType::SyncFlush).await;
}

#[actix_rt::test]
async fn sync_flush_broker_on_a_full_tmpfs_refuses_writes_and_keeps_serving() {
    let test = "sync_flush_broker_on_a_full_tmpfs_refuses_writes_and_keeps_serving";
    let Some(m) = mount_or_skip(test, Mount::tmpfs(24)) else {
        return;
    };
    fill_refuse_restart_free(test, m, FlushDiskType::SyncFlush).await;
}

#[actix_rt::test]
async fn async_flush_broker_on_a_full_tmpfs_refuses_writes_and_keeps_serving() {
    let test = "async_flush_broker_on_a_full_tmpfs_refuses_writes_and_keeps_serving";
    let Some(m) = mount_or_skip(test, Mount::tmpfs(24)) else {
        return;
    };
    fill_refuse_restart_free(test, m, FlushDiskType::AsyncFlush).await;
}

fn acked_slaves(m: &BrokerHandle) -> usize {
    match m.ha_status() {
        rocketactor::actors::broker::replica::HaStatus::Master { slaves } => {
            slaves.iter().filter(|s| s.acked_offset >= 0).count()
        }
        rocketactor::actors::broker::replica::HaStatus::Slave(_) => 0,
    }
}

#[actix_rt::test]
async fn sync_master_never_answers_send_ok_when_its_slave_disk_is_full() {
    let test = "sync_master_never_answers_send_ok_when_its_slave_disk_is_full";
    let Some(mount) = mount_or_skip(test, Mount::tmpfs(16)) else {
        return;
    };
    let mdir = tempfile::tempdir().unwrap();
    let c = Cluster::start().await;
    let ns = c.namesrv_addr();
    let name = "broker-dfs";
    let mut mcfg = broker_cfg(&c, name, BrokerRole::SyncMaster, mdir.path());
    mcfg.flush_disk_type = FlushDiskType::SyncFlush;
    mcfg.slave_timeout = 1_000;
    let mut scfg = broker_cfg(&c, name, BrokerRole::Slave, &mount.store());
    scfg.broker_id = 1;
    let master = c.broker(mcfg).await;
    let slave = c.broker(scfg).await;
    eventually("slave attached", || async { acked_slaves(&master) == 1 }).await;
    let addr = master.client_addr();
    let admin = Admin::new(&ns).unwrap();
    let tc = rocketactor::protocol::topic::TopicConfig::new(TOPIC, QUEUES, QUEUES, 6);
    admin.create_topic(&addr, &tc).await.expect("create topic");
    let p = Producer::new(&ns, "pg-disk-full-slave").unwrap();
    p.start().unwrap();
    eventually("topic routable", || async {
        p.publish_queues(TOPIC).await.is_ok()
    })
    .await;

    // Fill the slave through the master: SEND_OK while the slave keeps up, then never again.
    let max_sends = 2 * (16 << 20) / BODY;
    let (mut ok, mut not_ok) = (0usize, Vec::new());
    for seq in 0..max_sends {
        let mq = MessageQueue::new(TOPIC, name, (seq % QUEUES as usize) as i32);
        let r = p
            .send_to_queue(&mq, Message::new(body(seq)))
            .await
            .unwrap_or_else(|e| panic!("send {seq}: {e}"));
        match r.status {
            SendStatus::SendOk => {
                assert!(not_ok.is_empty(), "SEND_OK at {seq} after {not_ok:?}");
                ok += 1;
            }
            SendStatus::FlushSlaveTimeout | SendStatus::SlaveNotAvailable => {
                not_ok.push(r.status);
                if not_ok.len() == 5 {
                    break;
                }
            }
            other => panic!("send {seq}: {other:?}"),
        }
    }
    let used = usage(&mount.point);
    eprintln!("{test}: {ok} SEND_OK, then {not_ok:?}; slave disk {used:.3} used");
    assert_eq!(not_ok.len(), 5, "the master stopped answering SEND_OK");
    assert!(ok > 100, "{ok} SEND_OK before the slave's disk filled");
    assert!(used > 0.88, "slave disk {used}");
    let (ms, ss) = (
        master.broker.store.reader().max_phys_offset(),
        slave.broker.store.reader().max_phys_offset(),
    );
    assert!(ss < ms, "the slave stopped taking bytes ({ss} vs {ms})");

    // Space comes back on the slave (expired files go): it catches up, SEND_OK again.
    expire_old_commit_log_files(&mount.store());
    let mut seq = max_sends;
    eventually("SEND_OK once the slave has space again", || {
        seq += 1;
        let (p, s) = (&p, seq);
        async move {
            let mq = MessageQueue::new(TOPIC, name, (s % QUEUES as usize) as i32);
            p.send_to_queue(&mq, Message::new(body(s)))
                .await
                .is_ok_and(|r| r.status == SendStatus::SendOk)
        }
    })
    .await;
    p.shutdown();
    slave.stop().await;
    master.stop().await;
    drop(slave);
    drop(master);
    drop(mount);
}

#[test]
fn a_metadata_write_on_a_full_disk_fails_and_leaves_the_old_file_intact() {
    use rocketactor::broker::persist::{sibling, write_atomic};
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

/// Fills the file system at `dir` with a ballast file; returns its path.
fn ballast(dir: &Path) -> PathBuf {
    let path = dir.join("ballast");
    let mut f = std::fs::File::create(&path).unwrap();
    let chunk = vec![0x5au8; 64 * 1024];
    for _ in 0..100_000 {
        if f.write_all(&chunk).is_err() {
            break;
        }
    }
    for _ in 0..16 {
        let _ = f.write_all(&[1u8; 4096]);
    }
    path
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
