//! GET_BROKER_RUNTIME_INFO (28): the KVTable the dashboard and mqadmin read, with Java's keys
//! plus the restart counts of every supervised component (`restarts_<component>`).

use std::sync::atomic::Ordering;

use super::reply::{error, ok};
use super::state::Broker;
use crate::codec::RemotingCommand;
use crate::protocol::kv::KVTable;

/// Builds the runtime table.
pub fn runtime_table(b: &Broker) -> KVTable {
    let reader = b.store.reader();
    let now = Broker::now_ms();
    let boot = b.stats.boot_ms.load(Ordering::Relaxed);
    let put = b.stats.put_msgs.load(Ordering::Relaxed);
    let got = b.stats.get_msgs.load(Ordering::Relaxed);
    let mut t = KVTable::default();
    let mut set = |k: &str, v: String| {
        t.table.insert(k.to_string(), v);
    };
    set("brokerVersionDesc", "V4_9_7".into());
    set(
        "brokerVersion",
        crate::codec::command::CURRENT_VERSION.to_string(),
    );
    set("bootTimestamp", boot.to_string());
    set(
        "runtime",
        format!("[ {} seconds ]", (now - boot).max(0) / 1000),
    );
    set("msgPutTotalTodayNow", put.to_string());
    set("msgGetTotalTodayNow", got.to_string());
    set("msgPutTotalTodayMorning", "0".into());
    set("msgGetTotalTodayMorning", "0".into());
    set("msgPutTotalYesterdayMorning", "0".into());
    set("msgGetTotalYesterdayMorning", "0".into());
    set("putMessageTimesTotal", put.to_string());
    set(
        "putMessageSizeTotal",
        b.stats.put_bytes.load(Ordering::Relaxed).to_string(),
    );
    set("commitLogMinOffset", reader.min_phys_offset().to_string());
    set("commitLogMaxOffset", reader.max_phys_offset().to_string());
    set(
        "remainHowManyDataToFlush",
        (reader.max_phys_offset() - reader.flushed_offset())
            .max(0)
            .to_string(),
    );
    set(
        "earliestMessageTimeStamp",
        reader.earliest_store_time().unwrap_or(0).to_string(),
    );
    set("brokerRole", b.cfg.broker_role.as_str().to_string());
    for k in [
        "putTps",
        "getFoundTps",
        "getMissTps",
        "getTotalTps",
        "getTransferedTps",
    ] {
        set(k, "0.0 0.0 0.0".into());
    }
    set("sendThreadPoolQueueSize", "0".into());
    set(
        "sendThreadPoolQueueCapacity",
        b.cfg.send_thread_pool_queue_capacity.to_string(),
    );
    set("pullThreadPoolQueueSize", "0".into());
    set(
        "pullThreadPoolQueueCapacity",
        b.cfg.pull_thread_pool_queue_capacity.to_string(),
    );
    set("dispatchBehindBytes", "0".into());
    set("pageCacheLockTimeMills", "0".into());
    if let Some(reason) = b.store.read_only.reason() {
        set("storeReadOnly", reason);
    }
    for (k, v) in super::schedule::running_stats(b) {
        set(&k, v);
    }
    let book = b.book.snapshot();
    set("restartsTotal", book.values().sum::<u64>().to_string());
    for (component, n) in book {
        set(&format!("restarts_{component}"), n.to_string());
    }
    if let Some(r) = b.replication.lock().clone() {
        for (k, v) in r.info() {
            set(&k, v);
        }
    }
    t
}

/// GET_BROKER_RUNTIME_INFO.
pub fn runtime_info(b: &Broker, req: &RemotingCommand) -> RemotingCommand {
    match runtime_table(b).encode() {
        Ok(body) => ok(req).with_body(body),
        Err(e) => error(req, e.to_string()),
    }
}
