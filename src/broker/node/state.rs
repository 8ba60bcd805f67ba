//! The broker's shared state: configuration, the store handle, the metadata tables, the live
//! connections and counters. Processors (which run on connection event loops) read and update
//! it under short locks; nothing here blocks on I/O — file writes go through the maintenance
//! thread and appends through the writer actor.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU64, Ordering};
use std::sync::Arc;

use parking_lot::Mutex;
use slog::Logger;

use crate::actors::remoting::{ConnHandle, ConnId};
use crate::actors::supervisor::{RestartBook, Slot};
use crate::broker::actors::registration::{RegisterNow, Registration};
use crate::broker::meta::consumer_filter::ConsumerFilterManager;
use crate::broker::meta::consumer_manager::ConsumerManager;
use crate::broker::meta::consumer_offset::ConsumerOffsetManager;
use crate::broker::meta::delay_offset::DelayOffsetManager;
use crate::broker::meta::producer_manager::ProducerManager;
use crate::broker::meta::rebalance_lock::RebalanceLockManager;
use crate::broker::meta::subscription_group::SubscriptionGroupManager;
use crate::broker::meta::topic_config::TopicConfigManager;
use crate::broker::queues::TopicQueues;
use crate::broker::store_actors::StoreHandle;
use crate::codec::RemotingCommand;
use crate::config::BrokerConfig;
use crate::protocol::register::RegisterBrokerBody;
use crate::protocol::topic::perm;

/// The metadata tables, owned together so one lock covers a heartbeat's multi-table update.
pub struct Meta {
    pub topics: TopicConfigManager,
    pub groups: SubscriptionGroupManager,
    pub offsets: ConsumerOffsetManager,
    pub delay_offsets: DelayOffsetManager,
    pub consumers: ConsumerManager,
    pub producers: ProducerManager,
    pub locks: RebalanceLockManager,
    /// Compiled SQL92 subscriptions per (topic, group), from heartbeats.
    pub filters: ConsumerFilterManager,
}

/// Which metadata files need writing.
#[derive(Default)]
pub struct Dirty {
    pub topics: AtomicBool,
    pub groups: AtomicBool,
    pub offsets: AtomicBool,
    pub delay_offsets: AtomicBool,
}

/// Counters for GET_BROKER_RUNTIME_INFO and the demo.
#[derive(Default)]
pub struct Stats {
    pub boot_ms: AtomicI64,
    /// Failed metadata file writes (each is retried; see `maintenance`).
    pub metadata_write_failures: AtomicU64,
    pub put_msgs: AtomicU64,
    pub put_bytes: AtomicU64,
    pub get_found: AtomicU64,
    pub get_miss: AtomicU64,
    pub get_msgs: AtomicU64,
    /// Java's BrokerStatsManager items, the runtime TPS samples and the morning totals.
    pub windows: crate::broker::stats::BrokerStatsManager,
}

impl Stats {
    /// Counts one append (a message or a batch) for the runtime info.
    pub fn count_put(&self, put: &crate::store::PutResult) {
        self.put_msgs
            .fetch_add(put.msg_num as u64, Ordering::Relaxed);
        self.put_bytes
            .fetch_add(put.wrote_bytes as u64, Ordering::Relaxed);
    }
}

/// The HA side as the send path and runtime info see it (wired by `node/replica.rs`).
pub trait ReplicationWait: Send + Sync {
    /// Resolves when a slave acked `offset`; `Err(code)` with FLUSH_SLAVE_TIMEOUT or
    /// SLAVE_NOT_AVAILABLE otherwise.
    fn wait(&self, offset: i64) -> futures::future::BoxFuture<'static, Result<(), i32>>;
    /// Replication status lines for the runtime info (key, value).
    fn info(&self) -> Vec<(String, String)> {
        Vec::new()
    }
}

/// Everything a processor needs. Built whole by `node/start.rs` before any listener accepts:
/// every field is set at construction except the ones whose doc says what sets them later.
pub struct Broker {
    pub cfg: BrokerConfig,
    pub log: Logger,
    pub store: StoreHandle,
    pub meta: Mutex<Meta>,
    pub dirty: Dirty,
    pub stats: Stats,
    pub book: RestartBook,
    /// `brokerIP1:listenPort` (the port `brokerAdvertisedPort` when set): the store host written
    /// into records and message ids.
    pub store_host: SocketAddr,
    pub conns: Mutex<HashMap<ConnId, ConnHandle>>,
    /// The per-topic queue actors (long polling; src/broker/queues/).
    pub queues: TopicQueues,
    /// One registration actor per name server. Set once, during start-up and before the
    /// listeners accept: the actors hold a `Weak` of this broker, so they start after it.
    pub registrations: std::sync::OnceLock<Vec<Slot<Registration>>>,
    /// The HA master's slave wait or the HA slave's status (started before the broker).
    pub replication: Arc<dyn ReplicationWait>,
    /// The master's client address: a later event, learnt from each registration result
    /// (slaves sync metadata from it); `None` until the first answer names a master.
    pub master_addr: Mutex<Option<String>>,
    /// Set by a clean stop: periodic actors of this broker go idle (the supervisor would
    /// otherwise restart an actor that stops itself).
    pub stopped: AtomicBool,
    /// The plain ACL when `aclEnable` is on (docs/acl.md).
    pub acl: Option<Arc<crate::acl::PlainAcl>>,
    /// Keys set at run time by UPDATE_BROKER_CONFIG (25), by canonical name.
    pub config_updates: Mutex<std::collections::BTreeMap<String, String>>,
    /// The effective configuration and its DataVersion (runtime updates; `live_config`).
    pub live: crate::broker::node::live_config::LiveConfig,
    /// Requests relayed to a client (307, 309) waiting for its answer.
    pub client_calls: crate::broker::processors::pending_calls::PendingCalls,
    /// Manual commit-log deletion armed by DELETE_EXPIRED_COMMITLOG (329).
    pub manual_clean: crate::broker::actors::manual_clean::ManualClean,
    /// The TLS contexts of the listeners and the outgoing links (docs/tls.md).
    pub tls: crate::tls::NodeTls,
}

impl Broker {
    /// `brokerIP1:listenPort` (the advertised port) as bound.
    pub fn store_host(&self) -> SocketAddr {
        self.store_host
    }

    /// The registration actors (none before start-up registered them).
    pub fn registrations(&self) -> &[Slot<Registration>] {
        self.registrations.get().map(Vec::as_slice).unwrap_or(&[])
    }

    /// Whether the broker was stopped (its periodic actors must do nothing more).
    pub fn is_stopped(&self) -> bool {
        self.stopped.load(Ordering::Acquire)
    }

    pub fn is_slave(&self) -> bool {
        !self.cfg.is_master()
    }

    /// Marks topics dirty and re-registers with every name server (a topic was created or
    /// changed: clients must see it at once).
    pub fn topics_changed(&self) {
        self.dirty.topics.store(true, Ordering::Release);
        for r in self.registrations() {
            r.get().do_send(RegisterNow);
        }
    }

    /// The registration body: every topic config (with `brokerPermission` applied when the
    /// broker is not read-write, as Java does).
    pub fn register_body(&self) -> RegisterBrokerBody {
        let mut wrapper = self.meta.lock().topics.build_serialize_wrapper();
        let bp = self.live.get().broker_permission as i32;
        if !(perm::is_readable(bp) && perm::is_writeable(bp)) {
            for tc in wrapper.topic_config_table.values_mut() {
                tc.perm = bp;
            }
        }
        RegisterBrokerBody {
            filter_server_list: Vec::new(),
            topic_config_serialize_wrapper: wrapper,
        }
    }

    /// Pushes NOTIFY_CONSUMER_IDS_CHANGED (40, oneway) to every consumer of each group.
    pub fn notify_groups(&self, groups: &[String]) {
        if groups.is_empty() || !self.cfg.notify_consumer_ids_changed_enable {
            return;
        }
        let targets: Vec<(String, Vec<ConnId>)> = {
            let meta = self.meta.lock();
            groups
                .iter()
                .map(|g| {
                    (
                        g.clone(),
                        meta.consumers
                            .channels(g)
                            .into_iter()
                            .map(|c| c.0)
                            .collect(),
                    )
                })
                .collect()
        };
        let conns = self.conns.lock();
        for (group, ids) in targets {
            for id in ids {
                if let Some(c) = conns.get(&id) {
                    let mut cmd = RemotingCommand::request(
                        crate::codec::codes::request::NOTIFY_CONSUMER_IDS_CHANGED,
                    )
                    .with_ext("consumerGroup", &group);
                    cmd.set_oneway();
                    c.send(cmd);
                }
            }
        }
    }
}
