//! QUERY_CONSUME_QUEUE (321, mqadmin `queryCq`; Java 4.9.7 `AdminBrokerProcessor.queryConsumeQueue`):
//! up to `count` raw units (commit-log offset, size, tags code) of one consume queue from
//! logical `index`, within the file holding it (Java's `getIndexBuffer`), with the queue's
//! min/max index and, when `consumerGroup` is given, the group's subscription and filter data.
//!
//! Our queues have no extension file (`enableConsumeQueueExt` is not supported), so units
//! never carry `extendDataJson`/`bitMap` and `eval` stays false, as Java answers for a unit
//! without an extension address.

use crate::broker::node::state::Broker;
use crate::broker::processors::command::{CommandError, Outcome};
use crate::broker::processors::reply::ok;
use crate::codec::headers::query::QueryConsumeQueueHeader;
use crate::codec::RemotingCommand;
use crate::protocol::admin_broker::{ConsumeQueueData, QueryConsumeQueueResponseBody};

/// Handles QUERY_CONSUME_QUEUE.
pub fn query_consume_queue(
    b: &Broker,
    h: QueryConsumeQueueHeader,
    req: &RemotingCommand,
) -> Outcome {
    let (topic, queue_id, index, count) = (h.topic.as_str(), h.queue_id, h.index, h.count);
    let group = h.consumer_group.as_deref();
    let Some(cq) = b.store.reader().cqs.find(topic, queue_id) else {
        return Err(CommandError::system(format!(
            "{queue_id}@{topic} is not exist!"
        )));
    };
    let mut body = QueryConsumeQueueResponseBody {
        max_queue_index: cq.max_offset_in_queue(),
        min_queue_index: cq.min_offset_in_queue(),
        ..Default::default()
    };
    if let Some(group) = group {
        let meta = b.meta.lock();
        body.subscription_data = meta.consumers.find_subscription(group, topic).cloned();
        body.filter_data = Some(match &body.subscription_data {
            None => format!("{group}@{topic} is not online!"),
            Some(sub) => match meta.filters.get(topic, group) {
                // JSON.toJSONString(null, true)
                None => "null".to_string(),
                Some(f) => filter_json(
                    group,
                    topic,
                    &sub.sub_string,
                    &f.expression_type,
                    f.client_version,
                ),
            },
        });
    }
    let in_range = index >= body.min_queue_index && index < body.max_queue_index;
    let units = in_range
        .then(|| cq.entries_from(index, usize::try_from(count.max(0)).unwrap_or(0)))
        .flatten();
    let Some(units) = units else {
        return Ok(
            ok(req).with_remark(format!("Index {index} of {queue_id}@{topic} is not exist!"))
        );
    };
    body.queue_data = Some(
        units
            .into_iter()
            .map(|e| ConsumeQueueData {
                physic_offset: e.phys_offset,
                physic_size: e.size,
                tags_code: e.tags_code,
                ..Default::default()
            })
            .collect(),
    );
    match serde_json::to_vec(&body) {
        Ok(bytes) => Ok(ok(req).with_body(bytes)),
        Err(e) => Err(CommandError::system(format!(
            "cannot encode the response body: {e}"
        ))),
    }
}

/// Java's pretty `ConsumerFilterData` JSON, with the fields we keep (no bloom filter data).
fn filter_json(group: &str, topic: &str, expression: &str, kind: &str, version: i64) -> String {
    let v = serde_json::json!({
        "clientVersion": version,
        "consumerGroup": group,
        "expression": expression,
        "expressionType": kind,
        "topic": topic,
    });
    serde_json::to_string_pretty(&v).unwrap_or_else(|_| "null".into())
}
