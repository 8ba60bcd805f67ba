//! Supervised restarts under load. For every kind of supervised actor (remoting listener,
//! connection, long-polling topic queue actor, commit-log writer, flush thread, HA master, HA slave,
//! name-server registration, name-server registry) and both failure modes (stop after an error,
//! panic inside a handler): while a producer and a long-polling consumer run, the test hook
//! crashes the actor; the test then waits until the restart count grows (through
//! GET_BROKER_RUNTIME_INFO for broker actors, the name server's handle for its registry), lets
//! the clients finish, and checks that every message acknowledged SEND_OK was consumed with its
//! body intact. Clients retry transient errors during the restart, a bounded number of times.

use std::cell::Cell;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::time::Duration;

use crate::support::{eventually, Cluster};
use rocketactor::actors::remoting::ConnId;
use rocketactor::actors::supervisor::InjectFailure;
use rocketactor::broker::node::replica::{HaRole, HaStatus, HA_MASTER, HA_SLAVE};
use rocketactor::broker::queues::TOPIC_QUEUES_COMPONENT;
use rocketactor::broker::store_actors::FLUSH_COMPONENT;
use rocketactor::broker::BrokerHandle;
use rocketactor::client::consumer::{PullConsumer, PullStatus};
use rocketactor::client::message::{Message, MessageExt, SendStatus};
use rocketactor::client::producer::Producer;
use rocketactor::client::Admin;
use rocketactor::config::{BrokerConfig, BrokerRole, FlushDiskType};
use rocketactor::namesrv::{LiveBrokers, REGISTRY_COMPONENT};
use rocketactor::protocol::message_queue::MessageQueue;
use rocketactor::protocol::topic::{perm, TopicConfig};
use tempfile::TempDir;

const TOPIC: &str = "RESTART_TOPIC";
const QUEUES: i32 = 4;
/// Messages per case; the failure is injected after a third of them are acknowledged.
const MESSAGES: usize = 120;
/// Attempts per message before the test gives up (deadlock guard, not a timing assertion).
const SEND_ATTEMPTS: usize = 200;
/// Pulls per queue before the test gives up (deadlock guard).
const PULLS_PER_QUEUE: usize = 5_000;

/// Which supervised actor a case crashes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Listener,
    Connection,
    PullHold,
    Writer,
    Flush,
    HaMaster,
    HaSlave,
    Registration,
    Registry,
}

impl Kind {
    fn with_slave(self) -> bool {
        matches!(self, Kind::HaMaster | Kind::HaSlave)
    }
}

/// One running case: a name server, the broker under load and, for the HA kinds, its slave.
struct Setup {
    kind: Kind,
    cluster: Cluster,
    master: BrokerHandle,
    slave: Option<BrokerHandle>,
    dirs: Vec<TempDir>,
    /// Long-lived admin client polling runtime info; its connections must survive everything.
    watcher: Admin,
    watcher_conns: BTreeSet<ConnId>,
}

fn broker_cfg(c: &Cluster, kind: Kind, role: BrokerRole, dir: &Path) -> BrokerConfig {
    let mut cfg = c.broker_config("broker-r", role, dir);
    if matches!(kind, Kind::Flush | Kind::HaMaster | Kind::HaSlave) && role != BrokerRole::Slave {
        // Group commit: sends wait on the flush thread, so its waiters cross the restart.
        cfg.flush_disk_type = FlushDiskType::SyncFlush;
    }
    if role == BrokerRole::Slave {
        cfg.broker_id = 1;
    }
    cfg.mapped_file_size_commit_log = 1024 * 1024;
    cfg
}

fn main_conn_ids(b: &BrokerHandle) -> BTreeSet<ConnId> {
    b.listeners()[0]
        .connections()
        .iter()
        .map(|c| c.id())
        .collect()
}

async fn setup(kind: Kind) -> Setup {
    let cluster = Cluster::start().await;
    let mut dirs = vec![tempfile::tempdir().expect("temp dir")];
    let role = if kind.with_slave() {
        BrokerRole::SyncMaster
    } else {
        BrokerRole::AsyncMaster
    };
    let master = cluster
        .broker(broker_cfg(&cluster, kind, role, dirs[0].path()))
        .await;
    let slave = if kind.with_slave() {
        dirs.push(tempfile::tempdir().expect("temp dir"));
        let cfg = broker_cfg(&cluster, kind, BrokerRole::Slave, dirs[1].path());
        let slave = cluster.broker(cfg).await;
        eventually("slave attached", || async {
            matches!(master.ha_status(), HaStatus::Master { slaves } if slaves.iter().any(|s| s.acked_offset >= 0))
        })
        .await;
        Some(slave)
    } else {
        None
    };
    let others = main_conn_ids(&master);
    let watcher = Admin::brokers_only();
    let tc = TopicConfig::new(TOPIC, QUEUES, QUEUES, perm::READ | perm::WRITE);
    watcher
        .create_topic(&master.client_addr(), &tc)
        .await
        .expect("create topic");
    let watcher_conns: BTreeSet<ConnId> = main_conn_ids(&master)
        .difference(&others)
        .copied()
        .collect();
    assert_eq!(watcher_conns.len(), 1, "the watcher is connected");
    Setup {
        kind,
        cluster,
        master,
        slave,
        dirs,
        watcher,
        watcher_conns,
    }
}

impl Setup {
    /// The broker that owns the crashed actor (the slave for HA_SLAVE).
    fn owner(&self) -> &BrokerHandle {
        match (self.kind, &self.slave) {
            (Kind::HaSlave, Some(s)) => s,
            _ => &self.master,
        }
    }

    fn component(&self) -> String {
        match self.kind {
            Kind::Listener => self.master.listeners()[0].component().to_string(),
            Kind::Connection => format!("{}-connection", self.master.listeners()[0].component()),
            Kind::PullHold => TOPIC_QUEUES_COMPONENT.into(),
            Kind::Writer => "commitlog-writer".into(),
            Kind::Flush => FLUSH_COMPONENT.into(),
            Kind::HaMaster => HA_MASTER.into(),
            Kind::HaSlave => HA_SLAVE.into(),
            Kind::Registration => {
                format!("namesrv-registration[{}]", self.cluster.namesrv_addr())
            }
            Kind::Registry => REGISTRY_COMPONENT.into(),
        }
    }

    /// The restart count of the crashed component, as an operator sees it.
    async fn restarts(&self) -> u64 {
        let component = self.component();
        if self.kind == Kind::Registry {
            return self.cluster.namesrv.restarts().count(&component);
        }
        let Ok(info) = self
            .watcher
            .broker_runtime_info(&self.owner().client_addr())
            .await
        else {
            return 0;
        };
        let total: u64 = info
            .get("restartsTotal")
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        let mine: u64 = info
            .get(&format!("restarts_{component}"))
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        assert!(total >= mine, "restartsTotal covers every component");
        mine
    }

    /// Crashes the actor; returns how many restarts that must cause.
    fn inject(&self, f: InjectFailure) -> u64 {
        let b = &self.master.broker;
        match self.kind {
            Kind::Listener => self.master.listeners()[0].addr().do_send(f),
            Kind::Connection => {
                // Every client connection (producer, consumer); the watcher's stays up.
                let targets: Vec<_> = self.master.listeners()[0]
                    .connections()
                    .into_iter()
                    .filter(|c| !self.watcher_conns.contains(&c.id()))
                    .collect();
                assert!(!targets.is_empty(), "the clients are connected");
                for c in &targets {
                    c.inject_failure(f);
                }
                return targets.len() as u64;
            }
            // The topic's queue actor, started by the consumer's first parked pull.
            Kind::PullHold => b
                .queues
                .addr(TOPIC)
                .expect("the topic's queue actor runs")
                .do_send(f),
            Kind::Writer => b.store.writer.get().do_send(f),
            Kind::Flush => b.store.flush.inject_failure(f),
            Kind::HaMaster => match &self.master.ha {
                HaRole::Master(h) => h.actor.get().do_send(f),
                HaRole::Slave { .. } => panic!("the master runs an HA master"),
            },
            Kind::HaSlave => match self.slave.as_ref().map(|s| &s.ha) {
                Some(HaRole::Slave { handle, .. }) => handle.actor.get().do_send(f),
                _ => panic!("the slave runs an HA slave"),
            },
            Kind::Registration => b.registrations()[0].get().do_send(f),
            Kind::Registry => self.cluster.namesrv.registry().do_send(f),
        }
        1
    }
}

impl Setup {
    /// Whether the crashed actor runs again (its current incarnation's mailbox is open). The
    /// connection and flush kinds are checked by the clients instead: reconnects, group commits.
    fn running(&self) -> bool {
        let b = &self.master.broker;
        match self.kind {
            Kind::Listener => self.master.listeners()[0].addr().connected(),
            Kind::Connection | Kind::Flush => true,
            Kind::PullHold => b.queues.addr(TOPIC).is_some_and(|a| a.connected()),
            Kind::Writer => b.store.writer.get().connected(),
            Kind::HaMaster => match &self.master.ha {
                HaRole::Master(h) => h.actor.get().connected(),
                HaRole::Slave { .. } => false,
            },
            Kind::HaSlave => match self.slave.as_ref().map(|s| &s.ha) {
                Some(HaRole::Slave { handle, .. }) => handle.actor.get().connected(),
                _ => false,
            },
            Kind::Registration => b.registrations()[0].get().connected(),
            Kind::Registry => self.cluster.namesrv.registry().connected(),
        }
    }
}

fn body(i: usize) -> String {
    let len = 16 + (i * 37) % 700;
    let tail: String = (0..len)
        .map(|j| char::from(b'a' + ((i + j) % 26) as u8))
        .collect();
    format!("restart-{i:05}-{tail}")
}

/// What the producer saw.
#[derive(Default)]
struct SendLog {
    acked: BTreeSet<usize>,
    /// Messages that needed more than one attempt (an earlier attempt may have been stored).
    retried: BTreeSet<usize>,
}

async fn send_range(p: &Producer, range: std::ops::Range<usize>, log: &mut SendLog) {
    for i in range {
        let mut attempts = 0;
        loop {
            attempts += 1;
            assert!(attempts <= SEND_ATTEMPTS, "message {i} never acknowledged");
            let msg = Message::new(body(i)).with_keys([format!("k{i}")]);
            match p.send(TOPIC, msg).await {
                Ok(r) if r.status == SendStatus::SendOk => {
                    log.acked.insert(i);
                    break;
                }
                Ok(_) | Err(_) => {
                    log.retried.insert(i);
                    actix_rt::time::sleep(Duration::from_millis(25)).await;
                }
            }
        }
    }
}

/// Long-polls one queue until the producer is done and the queue is drained.
async fn consume_queue(c: &PullConsumer, mq: &MessageQueue, done: &Cell<bool>) -> Vec<MessageExt> {
    let (mut offset, mut out) = (0, Vec::new());
    for _ in 0..PULLS_PER_QUEUE {
        // Read before the pull: a pull that starts after the last ack and finds nothing new
        // proves the queue is drained.
        let finished = done.get();
        match c
            .pull(mq, offset, 32, "*", Some(Duration::from_millis(300)))
            .await
        {
            Ok(r) => match r.status {
                PullStatus::Found => {
                    offset = r.next_begin_offset;
                    out.extend(r.messages);
                }
                PullStatus::NoNewMsg | PullStatus::NoMatchedMsg => {
                    offset = r.next_begin_offset;
                    if finished {
                        return out;
                    }
                }
                PullStatus::OffsetIllegal => panic!("offset {offset} of {mq:?} is illegal"),
            },
            Err(_) => actix_rt::time::sleep(Duration::from_millis(25)).await,
        }
    }
    panic!("queue {mq:?} was not drained");
}

/// Every acknowledged message consumed with its body intact; only retried messages may appear
/// twice (an attempt that failed may still have been stored); nothing unknown appears.
fn check(log: &SendLog, consumed: &[MessageExt]) {
    assert_eq!(log.acked.len(), MESSAGES, "every message was acknowledged");
    let mut seen: BTreeMap<usize, usize> = BTreeMap::new();
    for m in consumed {
        let key = m.keys.first().expect("message key");
        let i: usize = key
            .strip_prefix('k')
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("unknown key {key}"));
        assert!(i < MESSAGES, "message {i} was never sent");
        assert_eq!(m.topic, TOPIC);
        assert!(m.body.as_ref() == body(i).as_bytes(), "message {i} changed");
        *seen.entry(i).or_default() += 1;
    }
    for i in &log.acked {
        match seen.get(i).copied().unwrap_or(0) {
            0 => panic!("acknowledged message {i} was lost"),
            1 => {}
            n => assert!(log.retried.contains(i), "message {i} consumed {n} times"),
        }
    }
}

/// Commit logs of master and slave: same files, same bytes.
fn assert_replicas_equal(master: &Path, slave: &Path) {
    let read = |root: &Path| -> BTreeMap<String, Vec<u8>> {
        std::fs::read_dir(root.join("commitlog"))
            .expect("commitlog dir")
            .map(|e| {
                let e = e.expect("dir entry");
                let name = e.file_name().to_string_lossy().into_owned();
                (name, std::fs::read(e.path()).expect("commit-log file"))
            })
            .collect()
    };
    let (m, s) = (read(master), read(slave));
    assert_eq!(m.keys().collect::<Vec<_>>(), s.keys().collect::<Vec<_>>());
    for (name, bytes) in &m {
        assert!(bytes == &s[name], "commit-log file {name} differs");
    }
}

async fn run_case(kind: Kind, failure: InjectFailure) {
    let s = setup(kind).await;
    let ns = s.cluster.namesrv_addr();
    let producer = Producer::new(&ns, "pg-restarts").expect("producer");
    producer.start().expect("start producer");
    let consumer = PullConsumer::new(&ns, "cg-restarts").expect("consumer");
    eventually("topic routable", || async {
        producer.publish_queues(TOPIC).await.is_ok()
            && consumer
                .fetch_queues(TOPIC)
                .await
                .is_ok_and(|q| q.len() == QUEUES as usize)
    })
    .await;
    let queues = consumer.fetch_queues(TOPIC).await.expect("queues");
    let before = s.restarts().await;
    let done = Cell::new(false);

    let produce = async {
        let mut log = SendLog::default();
        send_range(&producer, 0..MESSAGES / 3, &mut log).await;
        let expected = before + s.inject(failure);
        send_range(&producer, MESSAGES / 3..2 * MESSAGES / 3, &mut log).await;
        eventually("restart counted", || async {
            s.restarts().await >= expected
        })
        .await;
        eventually("restarted actor running", || async { s.running() }).await;
        send_range(&producer, 2 * MESSAGES / 3..MESSAGES, &mut log).await;
        done.set(true);
        log
    };
    let consume =
        futures::future::join_all(queues.iter().map(|mq| consume_queue(&consumer, mq, &done)));
    let (log, consumed) = futures::join!(produce, consume);
    let consumed: Vec<MessageExt> = consumed.into_iter().flatten().collect();
    check(&log, &consumed);

    // Everyone else carried on: the watcher's connections were never touched, a new client is
    // accepted, and the broker is still registered with the name server.
    let now = main_conn_ids(&s.master);
    assert!(
        s.watcher_conns.iter().all(|id| now.contains(id)),
        "the watcher's connection survived"
    );
    let fresh = Admin::brokers_only();
    fresh
        .broker_runtime_info(&s.master.client_addr())
        .await
        .expect("a new connection is served");
    let brokers = 1 + usize::from(s.slave.is_some());
    eventually("every broker registered", || async {
        s.cluster
            .namesrv
            .registry()
            .send(LiveBrokers)
            .await
            .is_ok_and(|n| n == brokers)
    })
    .await;
    if let Some(slave) = &s.slave {
        let master_end = s.master.broker.store.reader().max_phys_offset();
        eventually("slave caught up", || async {
            slave.broker.store.reader().max_phys_offset() == master_end
        })
        .await;
        assert_replicas_equal(s.dirs[0].path(), s.dirs[1].path());
    }

    producer.shutdown();
    consumer.close();
    if let Some(slave) = &s.slave {
        slave.stop().await;
    }
    s.master.stop().await;
    s.cluster.namesrv.stop();
}

macro_rules! cases {
    ($($name:ident: $kind:expr, $failure:expr;)*) => {$(
        #[actix_rt::test]
        async fn $name() {
            run_case($kind, $failure).await;
        }
    )*};
}

cases! {
    listener_stop: Kind::Listener, InjectFailure::Stop;
    listener_panic: Kind::Listener, InjectFailure::Panic;
    connection_stop: Kind::Connection, InjectFailure::Stop;
    connection_panic: Kind::Connection, InjectFailure::Panic;
    pull_hold_stop: Kind::PullHold, InjectFailure::Stop;
    pull_hold_panic: Kind::PullHold, InjectFailure::Panic;
    writer_stop: Kind::Writer, InjectFailure::Stop;
    writer_panic: Kind::Writer, InjectFailure::Panic;
    flush_stop: Kind::Flush, InjectFailure::Stop;
    flush_panic: Kind::Flush, InjectFailure::Panic;
    ha_master_stop: Kind::HaMaster, InjectFailure::Stop;
    ha_master_panic: Kind::HaMaster, InjectFailure::Panic;
    ha_slave_stop: Kind::HaSlave, InjectFailure::Stop;
    ha_slave_panic: Kind::HaSlave, InjectFailure::Panic;
    registration_stop: Kind::Registration, InjectFailure::Stop;
    registration_panic: Kind::Registration, InjectFailure::Panic;
    registry_stop: Kind::Registry, InjectFailure::Stop;
    registry_panic: Kind::Registry, InjectFailure::Panic;
}
