//! Broker statistics (Java `BrokerStatsManager` + the TPS half of `StoreStatsService` +
//! `BrokerStats`' morning totals). Processors count into it after a successful send, pull or
//! send-back with atomics only (`set.rs`); the supervised sampler actor (`sampler.rs`) takes
//! the window snapshots on its timers. Read by GET_BROKER_RUNTIME_INFO, VIEW_BROKER_STATS_DATA,
//! GET_CONSUME_STATS (`consumeTps`) and `/metrics`. docs/metrics.md.

pub mod call_tps;
pub mod item;
pub mod sampler;
pub mod set;

use std::collections::HashMap;
use std::sync::atomic::{AtomicI64, Ordering};

use crate::broker::stats::call_tps::CallTps;
use crate::broker::stats::item::{Figures, StatsItem, Window};
use crate::broker::stats::set::StatsItemSet;

pub const TOPIC_PUT_NUMS: &str = "TOPIC_PUT_NUMS";
pub const TOPIC_PUT_SIZE: &str = "TOPIC_PUT_SIZE";
pub const GROUP_GET_NUMS: &str = "GROUP_GET_NUMS";
pub const GROUP_GET_SIZE: &str = "GROUP_GET_SIZE";
pub const GROUP_GET_LATENCY: &str = "GROUP_GET_LATENCY";
pub const SNDBCK_PUT_NUMS: &str = "SNDBCK_PUT_NUMS";
pub const BROKER_PUT_NUMS: &str = "BROKER_PUT_NUMS";
pub const BROKER_GET_NUMS: &str = "BROKER_GET_NUMS";
pub const GROUP_GET_FROM_DISK_NUMS: &str = "GROUP_GET_FROM_DISK_NUMS";
pub const GROUP_GET_FROM_DISK_SIZE: &str = "GROUP_GET_FROM_DISK_SIZE";
pub const BROKER_GET_FROM_DISK_NUMS: &str = "BROKER_GET_FROM_DISK_NUMS";
pub const BROKER_GET_FROM_DISK_SIZE: &str = "BROKER_GET_FROM_DISK_SIZE";

/// Every stats name Java's `BrokerStatsManager` registers (4.9.7, queue-level sets off): a
/// VIEW_BROKER_STATS_DATA for another name is "not exist". The COMMERCIAL_* sets exist but
/// nothing counts into them (Java counts them only with a commercial plug-in).
pub const STATS_NAMES: &[&str] = &[
    TOPIC_PUT_NUMS,
    TOPIC_PUT_SIZE,
    GROUP_GET_NUMS,
    GROUP_GET_SIZE,
    GROUP_GET_LATENCY,
    SNDBCK_PUT_NUMS,
    BROKER_PUT_NUMS,
    BROKER_GET_NUMS,
    GROUP_GET_FROM_DISK_NUMS,
    GROUP_GET_FROM_DISK_SIZE,
    BROKER_GET_FROM_DISK_NUMS,
    BROKER_GET_FROM_DISK_SIZE,
    "COMMERCIAL_SEND_TIMES",
    "COMMERCIAL_RCV_TIMES",
    "COMMERCIAL_SEND_SIZE",
    "COMMERCIAL_RCV_SIZE",
    "COMMERCIAL_RCV_EPOLLS",
    "COMMERCIAL_SNDBCK_TIMES",
    "COMMERCIAL_PERM_FAILURES",
];

/// Java `buildStatsKey(topic, group)`.
pub fn topic_group_key(topic: &str, group: &str) -> String {
    format!("{topic}@{group}")
}

/// Java `buildStatsKey(queueId, topic, group)` (GROUP_GET_LATENCY with `enableDetailStat`).
pub fn queue_topic_group_key(queue_id: i32, topic: &str, group: &str) -> String {
    format!("{queue_id}@{topic}@{group}")
}

/// The store-level per-second call counters (runtime info TPS strings).
#[derive(Debug, Default)]
pub struct StoreTps {
    pub put: CallTps,
    pub get_found: CallTps,
    pub get_miss: CallTps,
    pub get_transfered: CallTps,
}

/// Java `BrokerStats`: the put/get totals recorded at each local midnight.
#[derive(Debug, Default)]
pub struct MorningTotals {
    pub put_today_morning: AtomicI64,
    pub get_today_morning: AtomicI64,
    pub put_yesterday_morning: AtomicI64,
    pub get_yesterday_morning: AtomicI64,
}

impl MorningTotals {
    /// Java `BrokerStats.record`: today's morning becomes yesterday's, the totals now today's.
    pub fn record(&self, put_total: i64, get_total: i64) {
        let o = Ordering::Relaxed;
        self.put_yesterday_morning
            .store(self.put_today_morning.load(o), o);
        self.get_yesterday_morning
            .store(self.get_today_morning.load(o), o);
        self.put_today_morning.store(put_total, o);
        self.get_today_morning.store(get_total, o);
    }
}

/// The whole statistics of one broker.
#[derive(Debug)]
pub struct BrokerStatsManager {
    sets: HashMap<&'static str, StatsItemSet>,
    pub store_tps: StoreTps,
    pub morning: MorningTotals,
}

impl Default for BrokerStatsManager {
    fn default() -> Self {
        BrokerStatsManager {
            sets: STATS_NAMES
                .iter()
                .map(|n| (*n, StatsItemSet::default()))
                .collect(),
            store_tps: StoreTps::default(),
            morning: MorningTotals::default(),
        }
    }
}

impl BrokerStatsManager {
    /// The set of a stats name, `None` for a name Java does not have.
    pub fn set(&self, name: &str) -> Option<&StatsItemSet> {
        self.sets.get(name)
    }

    fn add(&self, name: &'static str, key: &str, value: i64, times: i64) {
        if let Some(s) = self.sets.get(name) {
            s.add(key, value, times);
        }
    }

    /// Java `getStatsItem`: `None` when the name or the key is unknown.
    pub fn item(&self, name: &str, key: &str) -> Option<std::sync::Arc<StatsItem>> {
        self.sets.get(name)?.get(key)
    }

    /// A successful put (SendMessageProcessor after PUT_OK): TOPIC_PUT_NUMS (msgNum, 1 call),
    /// TOPIC_PUT_SIZE (wrote bytes), BROKER_PUT_NUMS keyed by the cluster name.
    pub fn on_put(&self, cluster: &str, topic: &str, msg_num: i64, wrote_bytes: i64) {
        self.on_put_topic(topic, msg_num, wrote_bytes);
        self.add(BROKER_PUT_NUMS, cluster, msg_num, 0);
    }

    /// TOPIC_PUT_NUMS and TOPIC_PUT_SIZE only (a send-back into SCHEDULE_TOPIC_XXXX).
    pub fn on_put_topic(&self, topic: &str, msg_num: i64, wrote_bytes: i64) {
        self.add(TOPIC_PUT_NUMS, topic, msg_num, 1);
        self.add(TOPIC_PUT_SIZE, topic, wrote_bytes, 1);
    }

    /// A pull answered SUCCESS (PullMessageProcessor): GROUP_GET_NUMS, GROUP_GET_SIZE,
    /// BROKER_GET_NUMS, and GROUP_GET_LATENCY (milliseconds the read took, per queue).
    pub fn on_get(&self, g: &GetCount<'_>) {
        let tg = topic_group_key(g.topic, g.group);
        self.add(GROUP_GET_NUMS, &tg, g.msg_count, 1);
        self.add(GROUP_GET_SIZE, &tg, g.bytes, 1);
        self.add(BROKER_GET_NUMS, g.cluster, g.msg_count, 0);
        let qtg = queue_topic_group_key(g.queue_id, g.topic, g.group);
        self.add(GROUP_GET_LATENCY, &qtg, g.latency_ms, 1);
    }

    /// A successful CONSUMER_SEND_MSG_BACK: SNDBCK_PUT_NUMS keyed `originalTopic@group`
    /// (plus the topic counters when the message went to SCHEDULE_TOPIC_XXXX, as Java does).
    pub fn on_send_back(&self, group: &str, back_topic: &str) {
        self.add(SNDBCK_PUT_NUMS, &topic_group_key(back_topic, group), 1, 1);
    }

    /// Java `tpsGroupGetNums(group, topic)`: the minute window's TPS of GROUP_GET_NUMS.
    pub fn consume_tps(&self, topic: &str, group: &str) -> f64 {
        self.sets
            .get(GROUP_GET_NUMS)
            .map(|s| {
                s.figures(&topic_group_key(topic, group), Window::Minute)
                    .tps
            })
            .unwrap_or(0.0)
    }

    /// Samples every set's window `w` (the sampler's 10 s / 10 min / 1 h ticks).
    pub fn sample_window(&self, w: Window, now_ms: i64) {
        for s in self.sets.values() {
            s.sample(w, now_ms);
        }
    }

    /// The figures of `name`/`key` in `w`, `None` when Java would say "not exist".
    pub fn figures(&self, name: &str, key: &str, w: Window) -> Option<Figures> {
        self.item(name, key).map(|i| i.figures(w))
    }
}

/// What one successful pull counts.
#[derive(Debug, Clone, Copy)]
pub struct GetCount<'a> {
    pub cluster: &'a str,
    pub group: &'a str,
    pub topic: &'a str,
    pub queue_id: i32,
    pub msg_count: i64,
    pub bytes: i64,
    pub latency_ms: i64,
}
