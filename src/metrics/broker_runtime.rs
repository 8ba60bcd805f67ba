//! The broker's runtime families of `/metrics`: message totals since start, open connections,
//! restarts per supervised component (the RestartBook) and the replication gauges read from
//! the HA role's runtime-info lines. docs/metrics.md §2.1.

use std::sync::atomic::{AtomicU64, Ordering};

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::registry::Registry;

use crate::broker::node::state::Broker;

/// The labels every broker-wide series carries (rocketmq-exporter's `cluster`, `broker`).
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub(super) struct BrokerLabels {
    pub(super) cluster: String,
    pub(super) broker: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ComponentLabels {
    cluster: String,
    broker: String,
    component: String,
}

/// Totals, connections, restarts and replication.
pub(super) fn runtime(
    b: &Broker,
    reg: &mut Registry,
    bl: &BrokerLabels,
    cluster: &str,
    broker: &str,
) {
    let counter = |reg: &mut Registry, name: &str, help: &str, v: &AtomicU64| {
        let f = Family::<BrokerLabels, Counter>::default();
        f.get_or_create(bl).inc_by(v.load(Ordering::Relaxed));
        reg.register(name, help, f);
    };
    counter(
        reg,
        "rocketmq_broker_put_messages",
        "Messages stored since the broker started (msgPutTotalTodayNow)",
        &b.stats.put_msgs,
    );
    counter(
        reg,
        "rocketmq_broker_get_messages",
        "Messages transferred to consumers since the broker started (msgGetTotalTodayNow)",
        &b.stats.get_msgs,
    );
    let conns = Family::<BrokerLabels, Gauge>::default();
    conns.get_or_create(bl).set(b.conns.lock().len() as i64);
    reg.register(
        "rocketmq_broker_connections",
        "Client connections open on the broker's listeners",
        conns,
    );
    let restarts = Family::<ComponentLabels, Counter>::default();
    for (component, n) in b.book.snapshot() {
        let l = ComponentLabels {
            cluster: cluster.to_string(),
            broker: broker.to_string(),
            component,
        };
        restarts.get_or_create(&l).inc_by(n);
    }
    reg.register(
        "rocketmq_actor_restarts",
        "Restarts of each supervised component (actor or thread)",
        restarts,
    );
    let info: Vec<(String, String)> = b.replication.info();
    for (key, name, help) in [
        (
            "haSlaveNum",
            "rocketmq_ha_slave_num",
            "Slaves attached to this master",
        ),
        (
            "haSlaveAckOffset",
            "rocketmq_ha_slave_acked_offset",
            "The best commit-log offset a slave acknowledged (-1: none)",
        ),
        (
            "haSlaveLag",
            "rocketmq_ha_slave_lag_bytes",
            "Commit-log bytes the best slave is behind the master",
        ),
        (
            "haLocalMaxOffset",
            "rocketmq_ha_slave_local_max_offset",
            "A slave's own commit-log max offset",
        ),
    ] {
        if let Some(v) = info
            .iter()
            .find(|(k, _)| k == key)
            .and_then(|(_, v)| v.parse::<i64>().ok())
        {
            let f = Family::<BrokerLabels, Gauge>::default();
            f.get_or_create(bl).set(v);
            reg.register(name, help, f);
        }
    }
}
