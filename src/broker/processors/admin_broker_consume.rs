//! GET_BROKER_CONSUME_STATS (317, mqadmin `brokerConsumeStats`; Java 4.9.7
//! `AdminBrokerProcessor.fetchAllConsumeStatsInBroker`): the consume progress of every
//! subscription group on every topic it has offsets for, in one ConsumeStatsList. Java's
//! rules: a topic without a config is skipped, `isOrder=true` keeps only order topics, an
//! online group is reported only on the topics it subscribes to, every *write* queue is listed,
//! and `totalDiff` sums broker minus consumer offsets over everything listed.

use std::collections::BTreeMap;

use crate::broker::node::state::Broker;
use crate::broker::processors::command::Outcome;
use crate::broker::processors::reply::ok;
use crate::codec::headers::admin::BrokerConsumeStatsHeader;
use crate::codec::RemotingCommand;
use crate::protocol::admin::{ConsumeStats, OffsetWrapper};
use crate::protocol::admin_broker::ConsumeStatsList;
use crate::protocol::message_queue::MessageQueue;

/// What one (group, topic) pair lists: its write queues' committed offsets.
struct Plan {
    group: String,
    topics: Vec<(String, Vec<i64>)>,
}

/// The consume TPS of `group` on `topic` (Java `BrokerStatsManager.tpsGroupGetNums`): the
/// GROUP_GET_NUMS minute window of the broker statistics (docs/metrics.md).
fn consume_tps(b: &Broker, group: &str, topic: &str) -> f64 {
    b.stats.windows.consume_tps(topic, group)
}

/// Handles GET_BROKER_CONSUME_STATS.
pub fn broker_consume_stats(
    b: &Broker,
    h: BrokerConsumeStatsHeader,
    req: &RemotingCommand,
) -> Outcome {
    let is_order = h.is_order;
    let plans: Vec<Plan> = {
        let meta = b.meta.lock();
        meta.groups
            .table()
            .keys()
            .map(|group| {
                let subscribed_any = meta
                    .consumers
                    .group(group)
                    .is_some_and(|g| !g.subscriptions.is_empty());
                let topics = meta
                    .offsets
                    .topics_by_group(group)
                    .into_iter()
                    .filter_map(|topic| {
                        let tc = meta.topics.select(&topic)?;
                        if is_order && !tc.order {
                            return None;
                        }
                        if subscribed_any
                            && meta.consumers.find_subscription(group, &topic).is_none()
                        {
                            return None;
                        }
                        let committed = (0..tc.write_queue_nums.max(0))
                            .map(|q| meta.offsets.query(group, &topic, q).unwrap_or(-1))
                            .collect();
                        Some((topic, committed))
                    })
                    .collect();
                Plan {
                    group: group.clone(),
                    topics,
                }
            })
            .collect()
    };
    let reader = b.store.reader();
    let mut body = ConsumeStatsList {
        broker_addr: b.store_host().to_string(),
        ..Default::default()
    };
    for plan in plans {
        let mut list = Vec::with_capacity(plan.topics.len());
        for (topic, committed) in plan.topics {
            let mut stats = ConsumeStats::default();
            for (qid, consumer_offset) in (0..).zip(committed) {
                let broker_offset = reader.max_offset_in_queue(&topic, qid).max(0);
                let consumer_offset = consumer_offset.max(0);
                let last_timestamp = (consumer_offset > 0)
                    .then(|| reader.commit_log_offset_in_queue(&topic, qid, consumer_offset - 1))
                    .flatten()
                    .and_then(|phys| reader.store_time_at(phys))
                    .filter(|t| *t > 0)
                    .unwrap_or(0);
                body.total_diff += broker_offset - consumer_offset;
                stats.offset_table.insert(
                    MessageQueue::new(topic.clone(), b.cfg.broker_name.clone(), qid),
                    OffsetWrapper {
                        broker_offset,
                        consumer_offset,
                        last_timestamp,
                        pull_offset: consumer_offset,
                    },
                );
            }
            stats.consume_tps += consume_tps(b, &plan.group, &topic);
            list.push(stats);
        }
        body.consume_stats_list
            .push(BTreeMap::from([(plan.group, list)]));
    }
    Ok(ok(req).with_body(body.encode().into_bytes()))
}
