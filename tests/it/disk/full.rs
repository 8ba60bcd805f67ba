//! Issue #19: a full disk must not kill the broker and must refuse writes as Java does. Each
//! test puts a broker's store on a small real file system (tmpfs with `size=`, or a
//! loop-mounted ext4 image), fills it through the broker with the project's client, and checks:
//! every send past the threshold is refused with SERVICE_NOT_AVAILABLE (14) and Java's remark,
//! the broker stays up, every acknowledged message is read back exactly once with its body,
//! the broker restarts on the full disk and serves everything again, and sends succeed again
//! once expired files are removed. A slave whose disk fills stops acknowledging: its
//! SYNC_MASTER answers FLUSH_SLAVE_TIMEOUT or SLAVE_NOT_AVAILABLE, never SEND_OK. The
//! store-level cases (a real ENOSPC, a paused rebuild, metadata writes) are in
//! `disk_full_store.rs`.
//!
//! Mounting needs root (CI runs as root). Without it each test prints `SKIPPED <name>: <why>`
//! on stderr and returns; with `ROCKETACTOR_REQUIRE_DISK_TESTS=1` (set by `.ci/run` as root) a
//! tmpfs that cannot be mounted is a failure (a missing loop device still skips the ext4 case).

use std::collections::BTreeMap;
use std::path::Path;

use crate::support::disk::{
    body, expire_old_commit_log_files, mount_or_skip, refresh_commit_log_files, seq_of, usage,
    Mount, BODY,
};
use crate::support::{attached_slaves, eventually, Cluster};
use rocketactor::broker::BrokerHandle;
use rocketactor::client::admin::MessageQuery;
use rocketactor::client::consumer::{PullConsumer, PullStatus};
use rocketactor::client::message::{Message, SendStatus};
use rocketactor::client::producer::Producer;
use rocketactor::client::{Admin, MqError};
use rocketactor::codec::codes::response;
use rocketactor::config::{BrokerConfig, BrokerRole, FlushDiskType};
use rocketactor::protocol::message_queue::MessageQueue;

const TOPIC: &str = "DISK_FULL_TOPIC";
const QUEUES: i32 = 4;

fn broker_cfg(c: &Cluster, name: &str, role: BrokerRole, dir: &Path) -> BrokerConfig {
    let mut cfg = c.broker_config(name, role, dir);
    cfg.mapped_file_size_commit_log = 1024 * 1024;
    cfg.mapped_file_size_consume_queue = 20 * 4_000;
    cfg.max_hash_slot_num = 4_000;
    cfg.max_index_num = 16_000;
    // The seed's ratio; no forcible cleaning, so nothing acknowledged disappears by itself.
    cfg.disk_max_used_space_ratio = 88;
    cfg.clean_file_forcibly_enable = false;
    // Java's default: the cleaner's usage check alone is too slow for a burst; the store's own
    // check (every new chunk or file, at most 1 s apart) must refuse in time.
    cfg.clean_resource_interval = 10_000;
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
    // The cleaner runs every cleanResourceInterval (10 s): allow a few passes (bounded).
    let mut accepted = false;
    for _ in 0..400 {
        let seq = next;
        next += 1;
        let mq = MessageQueue::new(TOPIC, name, (seq % QUEUES as usize) as i32);
        let msg = Message::new(body(seq)).with_keys([format!("key-{seq}")]);
        if p.send_to_queue(&mq, msg)
            .await
            .is_ok_and(|r| r.status == SendStatus::SendOk)
        {
            accepted = true;
            break;
        }
        actix_rt::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(accepted, "sends accepted after the cleanup");
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
    // The slave refuses by its own check; its cleaner only matters for the space coming back.
    scfg.clean_resource_interval = 500;
    let master = c.broker(mcfg).await;
    let slave = c.broker(scfg).await;
    eventually("slave attached", || async { attached_slaves(&master) == 1 }).await;
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
