//! GET_BROKER_RUNTIME_INFO (28): the KVTable the dashboard and mqadmin read, with Java's keys
//! plus the restart counts of every supervised component (`restarts_<component>`).

use std::sync::atomic::Ordering;

use crate::broker::node::state::Broker;
use crate::broker::processors::command::{CommandError, Outcome};
use crate::broker::processors::reply::ok;
use crate::broker::processors::runtime_disk::human_readable_bytes;
use crate::codec::RemotingCommand;
use crate::protocol::kv::KVTable;

/// Builds the runtime table.
pub fn runtime_table(b: &Broker) -> KVTable {
    let reader = b.store.reader();
    let now = crate::store::time::now_ms();
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
    set("runtime", format_runtime(now - boot));
    set("msgPutTotalTodayNow", put.to_string());
    set("msgGetTotalTodayNow", got.to_string());
    // Java `BrokerStats`: the totals recorded at the last two local midnights (0 before).
    let morning = &b.stats.windows.morning;
    let m = |a: &std::sync::atomic::AtomicI64| a.load(Ordering::Relaxed).to_string();
    set("msgPutTotalTodayMorning", m(&morning.put_today_morning));
    set("msgGetTotalTodayMorning", m(&morning.get_today_morning));
    set(
        "msgPutTotalYesterdayMorning",
        m(&morning.put_yesterday_morning),
    );
    set(
        "msgGetTotalYesterdayMorning",
        m(&morning.get_yesterday_morning),
    );
    set("putMessageTimesTotal", put.to_string());
    let put_bytes = b.stats.put_bytes.load(Ordering::Relaxed);
    set("putMessageSizeTotal", put_bytes.to_string());
    // StoreStatsService: size total / times total, the times counted as 1 when none.
    set(
        "putMessageAverageSize",
        crate::broker::processors::runtime_disk::java_double(put_bytes as f64 / put.max(1) as f64),
    );
    set("commitLogMinOffset", reader.min_phys_offset().to_string());
    set("commitLogMaxOffset", reader.max_phys_offset().to_string());
    // Java writes this one human-readable (`MixAll.humanReadableByteCount(n, false)`).
    set(
        "remainHowManyDataToFlush",
        human_readable_bytes((reader.max_phys_offset() - reader.flushed_offset()).max(0)),
    );
    set(
        "earliestMessageTimeStamp",
        reader.earliest_store_time().unwrap_or(0).to_string(),
    );
    set("brokerRole", b.cfg.broker_role.as_str().to_string());
    let store = reader.config();
    for (k, v) in crate::broker::processors::runtime_disk::runtime_entries(
        &store.root,
        &store.commit_log_dir,
        &store.consume_queue_dir,
    ) {
        set(&k, v);
    }
    // StoreStatsService: "tps10 tps60 tps600" from the per-second samples (stats::call_tps).
    let tps = &b.stats.windows.store_tps;
    set("putTps", tps.put.render());
    set("getFoundTps", tps.get_found.render());
    set("getMissTps", tps.get_miss.render());
    set(
        "getTotalTps",
        crate::broker::stats::call_tps::render_sum(&tps.get_found, &tps.get_miss),
    );
    set("getTransferedTps", tps.get_transfered.render());
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
    set("queryThreadPoolQueueSize", "0".into());
    set(
        "queryThreadPoolQueueCapacity",
        b.cfg.query_thread_pool_queue_capacity.to_string(),
    );
    set("EndTransactionQueueSize", "0".into());
    set(
        "EndTransactionThreadPoolQueueCapacity",
        b.cfg.end_transaction_pool_queue_capacity.to_string(),
    );
    // Requests are not queued behind thread pools here: nothing ever waits at a queue head.
    for k in [
        "sendThreadPoolQueueHeadWaitTimeMills",
        "pullThreadPoolQueueHeadWaitTimeMills",
        "queryThreadPoolQueueHeadWaitTimeMills",
    ] {
        set(k, "0".into());
    }
    set("startAcceptSendRequestTimeStamp", "0".into());
    // No transient store pool: Java reports Integer.MAX_VALUE buffers then.
    set("remainTransientStoreBufferNumbs", i32::MAX.to_string());
    set("dispatchBehindBytes", "0".into());
    set("pageCacheLockTimeMills", "0".into());
    if let Some(reason) = b.store.read_only.reason() {
        set("storeReadOnly", reason);
    }
    for (k, v) in crate::broker::actors::schedule::running_stats(b) {
        set(&k, v);
    }
    let book = b.book.snapshot();
    set("restartsTotal", book.values().sum::<u64>().to_string());
    for (component, n) in book {
        set(&format!("restarts_{component}"), n.to_string());
    }
    for (k, v) in b.replication.info() {
        set(&k, v);
    }
    t
}

/// Java `StoreStatsService.getFormatRuntime`: `[ 0 days, 1 hours, 2 minutes, 3 seconds ]`.
pub fn format_runtime(elapsed_ms: i64) -> String {
    let s = elapsed_ms.max(0) / 1000;
    format!(
        "[ {} days, {} hours, {} minutes, {} seconds ]",
        s / 86_400,
        s % 86_400 / 3_600,
        s % 3_600 / 60,
        s % 60
    )
}

/// GET_BROKER_RUNTIME_INFO.
pub fn runtime_info(b: &Broker, req: &RemotingCommand) -> Outcome {
    match runtime_table(b).encode() {
        Ok(body) => Ok(ok(req).with_body(body)),
        Err(e) => Err(CommandError::system(e.to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::format_runtime;
    use crate::broker::processors::runtime_disk::human_readable_bytes;

    #[test]
    fn runtime_reads_like_java() {
        assert_eq!(
            format_runtime(0),
            "[ 0 days, 0 hours, 0 minutes, 0 seconds ]"
        );
        assert_eq!(
            format_runtime(((26 * 60 + 3) * 60 + 4) * 1000 + 999),
            "[ 1 days, 2 hours, 3 minutes, 4 seconds ]"
        );
    }

    #[test]
    fn byte_counts_read_like_java() {
        assert_eq!(human_readable_bytes(0), "0 B");
        assert_eq!(human_readable_bytes(1023), "1023 B");
        assert_eq!(human_readable_bytes(1024), "1.0 KiB");
        assert_eq!(human_readable_bytes(1536), "1.5 KiB");
        assert_eq!(human_readable_bytes(5 * 1024 * 1024), "5.0 MiB");
        assert_eq!(human_readable_bytes(3 << 30), "3.0 GiB");
    }
}
