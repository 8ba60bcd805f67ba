//! The broker's `/metrics` families, read at scrape time from the shared `Broker` state: the
//! stats windows (`broker::stats`), the store, replication, the restart book and the
//! connection map. Names and labels follow rocketmq-exporter (`cluster`, `broker`, `topic`,
//! `group`) and RocketMQ 5 (`cluster`, `node_type`, `node_id`, `topic`, `consumer_group`);
//! the full list is docs/metrics.md.

use std::sync::atomic::AtomicU64;
use std::sync::Weak;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::registry::Registry;

use crate::broker::node::state::Broker;
use crate::broker::processors::runtime_disk::{disk_space, used_ratio};
use crate::broker::stats::item::Window;
use crate::broker::stats::{
    GROUP_GET_LATENCY, GROUP_GET_NUMS, GROUP_GET_SIZE, TOPIC_PUT_NUMS, TOPIC_PUT_SIZE,
};

use super::broker_runtime::BrokerLabels;

type FGauge = Gauge<f64, AtomicU64>;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct TopicLabels {
    cluster: String,
    broker: String,
    topic: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct GroupLabels {
    cluster: String,
    broker: String,
    topic: String,
    group: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct QueueGroupLabels {
    cluster: String,
    broker: String,
    topic: String,
    group: String,
    queueid: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct InLabels {
    cluster: String,
    node_type: String,
    node_id: String,
    topic: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct OutLabels {
    cluster: String,
    node_type: String,
    node_id: String,
    topic: String,
    consumer_group: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct DiskLabels {
    cluster: String,
    broker: String,
    store: String,
}

/// Splits a `topic@group` stats key (group names carry no `@`; topics may, so the last one).
fn split_topic_group(key: &str) -> Option<(&str, &str)> {
    key.rsplit_once('@')
}

/// Splits a `queueId@topic@group` stats key.
fn split_queue_topic_group(key: &str) -> Option<(&str, &str, &str)> {
    let (q, rest) = key.split_once('@')?;
    let (t, g) = rest.rsplit_once('@')?;
    Some((q, t, g))
}

/// A finite gauge value (Java's NaN window becomes 0).
fn finite(v: f64) -> f64 {
    if v.is_finite() {
        v
    } else {
        0.0
    }
}

/// The renderer `/metrics` calls for this broker (it holds the broker weakly).
pub fn render(broker: Weak<Broker>) -> super::Render {
    std::sync::Arc::new(move || {
        let mut out = String::new();
        if let Some(b) = broker.upgrade() {
            let reg = registry(&b);
            prometheus_client::encoding::text::encode(&mut out, &reg)?;
        }
        Ok(out)
    })
}

/// Builds the whole registry from the broker's state now.
pub fn registry(b: &Broker) -> Registry {
    let mut reg = Registry::default();
    let cluster = b.cfg.broker_cluster_name.clone();
    let broker = b.cfg.broker_name.clone();
    let node_id = format!("{}-{}", b.cfg.broker_name, b.cfg.broker_id);
    let bl = BrokerLabels {
        cluster: cluster.clone(),
        broker: broker.clone(),
    };
    let tl = |topic: &str| TopicLabels {
        cluster: cluster.clone(),
        broker: broker.clone(),
        topic: topic.to_string(),
    };
    let gl = |topic: &str, group: &str| GroupLabels {
        cluster: cluster.clone(),
        broker: broker.clone(),
        topic: topic.to_string(),
        group: group.to_string(),
    };
    let il = |topic: &str| InLabels {
        cluster: cluster.clone(),
        node_type: "broker".into(),
        node_id: node_id.clone(),
        topic: topic.to_string(),
    };
    let ol = |topic: &str, group: &str| OutLabels {
        cluster: cluster.clone(),
        node_type: "broker".into(),
        node_id: node_id.clone(),
        topic: topic.to_string(),
        consumer_group: group.to_string(),
    };
    let w = &b.stats.windows;

    // Broker TPS (rocketmq-exporter: the runtime info's 10 s putTps / getTransferedTps).
    let broker_tps = Family::<BrokerLabels, FGauge>::default();
    broker_tps
        .get_or_create(&bl)
        .set(finite(w.store_tps.put.tps(10).unwrap_or(0.0)));
    reg.register(
        "rocketmq_broker_tps",
        "Messages put per second over the last 10 s (runtime info putTps)",
        broker_tps,
    );
    let broker_qps = Family::<BrokerLabels, FGauge>::default();
    broker_qps
        .get_or_create(&bl)
        .set(finite(w.store_tps.get_transfered.tps(10).unwrap_or(0.0)));
    reg.register(
        "rocketmq_broker_qps",
        "Messages transferred to consumers per second over the last 10 s (getTransferedTps)",
        broker_qps,
    );

    // Per topic: minute-window TPS and RocketMQ 5 totals.
    let producer_tps = Family::<TopicLabels, FGauge>::default();
    let producer_size = Family::<TopicLabels, FGauge>::default();
    let msgs_in = Family::<InLabels, Counter>::default();
    let bytes_in = Family::<InLabels, Counter>::default();
    if let Some(set) = w.set(TOPIC_PUT_NUMS) {
        for (topic, item) in set.entries() {
            let tps = item.figures(Window::Minute).tps;
            producer_tps.get_or_create(&tl(&topic)).set(finite(tps));
            msgs_in
                .get_or_create(&il(&topic))
                .inc_by(item.value().max(0) as u64);
        }
    }
    if let Some(set) = w.set(TOPIC_PUT_SIZE) {
        for (topic, item) in set.entries() {
            let tps = item.figures(Window::Minute).tps;
            producer_size.get_or_create(&tl(&topic)).set(finite(tps));
            bytes_in
                .get_or_create(&il(&topic))
                .inc_by(item.value().max(0) as u64);
        }
    }
    reg.register(
        "rocketmq_producer_tps",
        "Messages put per second into a topic (TOPIC_PUT_NUMS, minute window)",
        producer_tps,
    );
    reg.register(
        "rocketmq_producer_message_size",
        "Bytes put per second into a topic (TOPIC_PUT_SIZE, minute window)",
        producer_size,
    );
    reg.register(
        "rocketmq_messages_in",
        "Messages put into a topic since the broker started",
        msgs_in,
    );
    reg.register(
        "rocketmq_throughput_in",
        "Bytes put into a topic since the broker started",
        bytes_in,
    );

    // Per topic and group.
    let consumer_tps = Family::<GroupLabels, FGauge>::default();
    let consumer_size = Family::<GroupLabels, FGauge>::default();
    let msgs_out = Family::<OutLabels, Counter>::default();
    let bytes_out = Family::<OutLabels, Counter>::default();
    if let Some(set) = w.set(GROUP_GET_NUMS) {
        for (key, item) in set.entries() {
            if let Some((topic, group)) = split_topic_group(&key) {
                let tps = item.figures(Window::Minute).tps;
                consumer_tps
                    .get_or_create(&gl(topic, group))
                    .set(finite(tps));
                msgs_out
                    .get_or_create(&ol(topic, group))
                    .inc_by(item.value().max(0) as u64);
            }
        }
    }
    if let Some(set) = w.set(GROUP_GET_SIZE) {
        for (key, item) in set.entries() {
            if let Some((topic, group)) = split_topic_group(&key) {
                let tps = item.figures(Window::Minute).tps;
                consumer_size
                    .get_or_create(&gl(topic, group))
                    .set(finite(tps));
                bytes_out
                    .get_or_create(&ol(topic, group))
                    .inc_by(item.value().max(0) as u64);
            }
        }
    }
    reg.register(
        "rocketmq_consumer_tps",
        "Messages pulled per second by a group from a topic (GROUP_GET_NUMS, minute window)",
        consumer_tps,
    );
    reg.register(
        "rocketmq_consumer_message_size",
        "Bytes pulled per second by a group from a topic (GROUP_GET_SIZE, minute window)",
        consumer_size,
    );
    reg.register(
        "rocketmq_messages_out",
        "Messages pulled by a group from a topic since the broker started",
        msgs_out,
    );
    reg.register(
        "rocketmq_throughput_out",
        "Bytes pulled by a group from a topic since the broker started",
        bytes_out,
    );
    let latency = Family::<QueueGroupLabels, FGauge>::default();
    if let Some(set) = w.set(GROUP_GET_LATENCY) {
        for (key, item) in set.entries() {
            if let Some((q, topic, group)) = split_queue_topic_group(&key) {
                let l = QueueGroupLabels {
                    cluster: cluster.clone(),
                    broker: broker.clone(),
                    topic: topic.to_string(),
                    group: group.to_string(),
                    queueid: q.to_string(),
                };
                latency
                    .get_or_create(&l)
                    .set(finite(item.figures(Window::Minute).avgpt));
            }
        }
    }
    reg.register(
        "rocketmq_group_get_latency",
        "Milliseconds a pull's store read took, averaged over the minute window (GROUP_GET_LATENCY)",
        latency,
    );

    offsets(b, &mut reg, &tl, &gl);
    store(b, &mut reg, &bl, &cluster, &broker);
    super::broker_runtime::runtime(b, &mut reg, &bl, &cluster, &broker);
    reg
}

/// Producer offsets, consumer offsets and the accumulation of every (topic, group) with
/// committed offsets.
fn offsets(
    b: &Broker,
    reg: &mut Registry,
    tl: &dyn Fn(&str) -> TopicLabels,
    gl: &dyn Fn(&str, &str) -> GroupLabels,
) {
    let (topics, offsets) = {
        let meta = b.meta.lock();
        let topics: Vec<(String, i32)> = meta
            .topics
            .build_serialize_wrapper()
            .topic_config_table
            .into_values()
            .map(|tc| (tc.topic_name, tc.write_queue_nums.max(tc.read_queue_nums)))
            .collect();
        (topics, meta.offsets.build_wrapper().offset_table)
    };
    let reader = b.store.reader();
    let producer_offset = Family::<TopicLabels, Gauge>::default();
    for (topic, queues) in &topics {
        let sum: i64 = (0..(*queues).max(0))
            .map(|q| reader.max_offset_in_queue(topic, q).max(0))
            .sum();
        producer_offset.get_or_create(&tl(topic)).set(sum);
    }
    let consumer_offset = Family::<GroupLabels, Gauge>::default();
    let accumulation = Family::<GroupLabels, Gauge>::default();
    for (key, queues) in &offsets {
        let Some((topic, group)) = split_topic_group(key) else {
            continue;
        };
        let (mut committed, mut behind) = (0i64, 0i64);
        for (q, off) in queues {
            let max = reader.max_offset_in_queue(topic, *q).max(0);
            committed += (*off).max(0);
            behind += (max - (*off).max(0)).max(0);
        }
        consumer_offset
            .get_or_create(&gl(topic, group))
            .set(committed);
        accumulation.get_or_create(&gl(topic, group)).set(behind);
    }
    reg.register(
        "rocketmq_producer_offset",
        "Sum of the max offsets of a topic's queues on this broker",
        producer_offset,
    );
    reg.register(
        "rocketmq_consumer_offset",
        "Sum of a group's committed offsets on a topic's queues",
        consumer_offset,
    );
    reg.register(
        "rocketmq_message_accumulation",
        "Messages a group has not consumed yet (max offset minus committed offset, summed over queues)",
        accumulation,
    );
}

/// Store gauges and the flush latency histogram.
fn store(b: &Broker, reg: &mut Registry, bl: &BrokerLabels, cluster: &str, broker: &str) {
    let reader = b.store.reader();
    let gauge = |reg: &mut Registry, name: &str, help: &str, v: i64| {
        let f = Family::<BrokerLabels, Gauge>::default();
        f.get_or_create(bl).set(v);
        reg.register(name, help, f);
    };
    let max = reader.max_phys_offset();
    let min = reader.min_phys_offset();
    gauge(
        reg,
        "rocketmq_storage_commitlog_max_offset",
        "The commit log's max physical offset",
        max,
    );
    gauge(
        reg,
        "rocketmq_storage_commitlog_min_offset",
        "The commit log's min physical offset",
        min,
    );
    gauge(
        reg,
        "rocketmq_storage_commitlog_bytes",
        "Bytes of commit log held (max minus min offset)",
        (max - min).max(0),
    );
    gauge(
        reg,
        "rocketmq_storage_flush_behind_bytes",
        "Commit-log bytes written but not flushed yet",
        (max - reader.flushed_offset()).max(0),
    );
    let store_cfg = reader.config();
    let ratio = Family::<DiskLabels, FGauge>::default();
    for (name, path) in [
        ("commitlog", &store_cfg.commit_log_dir),
        ("consumequeue", &store_cfg.consume_queue_dir),
    ] {
        let l = DiskLabels {
            cluster: cluster.to_string(),
            broker: broker.to_string(),
            store: name.into(),
        };
        ratio.get_or_create(&l).set(used_ratio(disk_space(path)));
    }
    reg.register(
        "rocketmq_storage_disk_used_ratio",
        "Used fraction of the disk holding the store (-1 when unknown)",
        ratio,
    );
    reg.register(
        "rocketmq_storage_flush_latency_seconds",
        "Seconds each commit-log flush round took",
        b.store.flush.latency(),
    );
}

#[cfg(test)]
mod tests {
    use super::{split_queue_topic_group, split_topic_group};

    #[test]
    fn stats_keys_split() {
        assert_eq!(split_topic_group("T@G"), Some(("T", "G")));
        assert_eq!(split_queue_topic_group("3@T@G"), Some(("3", "T", "G")));
        assert_eq!(split_topic_group("T"), None);
    }
}
