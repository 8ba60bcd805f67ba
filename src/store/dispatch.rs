//! From a decoded commit-log record to its consume-queue entry and index keys. Local appends,
//! recovery re-dispatch and HA-replicated bytes all go through [`dispatch`], so a slave's
//! queues and a recovered store's queues are built exactly like a master's.

use crate::store::config::StoreConfig;
use crate::store::consume_queue::CqEntry;
use crate::store::cq_table::ConsumeQueueTable;
use crate::store::error::StoreResult;
use crate::store::index_service::IndexService;
use crate::store::message::{
    property, sys_flag, tags_code, PROPERTY_DELAY, PROPERTY_KEYS, PROPERTY_TAGS, PROPERTY_UNIQ_KEY,
    SCHEDULE_TOPIC,
};
use crate::store::record::DecodedRecord;
use parking_lot::RwLock;

/// What dispatch needs to know about one stored record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DispatchRequest {
    pub topic: String,
    pub queue_id: i32,
    pub commit_log_offset: i64,
    pub msg_size: i32,
    pub tags_code: i64,
    pub store_timestamp: i64,
    pub queue_offset: i64,
    pub keys: Option<String>,
    pub uniq_key: Option<String>,
    pub sys_flag: i32,
    pub prepared_transaction_offset: i64,
}

impl DispatchRequest {
    /// Builds the request; for `SCHEDULE_TOPIC_XXXX` the tagsCode is the deliver time
    /// (store time + delay of the DELAY level), as RocketMQ's schedule service expects.
    pub fn from_record(rec: &DecodedRecord, cfg: &StoreConfig) -> DispatchRequest {
        let props = rec.properties.as_str();
        let mut code = tags_code(property(props, PROPERTY_TAGS));
        if rec.topic == SCHEDULE_TOPIC {
            if let Some(level) = property(props, PROPERTY_DELAY).and_then(|l| l.parse::<i32>().ok())
            {
                let max_level = cfg.message_delay_level.split_whitespace().count() as i32;
                let level = level.min(max_level);
                if let Some(delay) = cfg.delay_level_millis(level) {
                    code = rec.store_timestamp + delay;
                }
            }
        }
        DispatchRequest {
            topic: rec.topic.clone(),
            queue_id: rec.queue_id,
            commit_log_offset: rec.phys_offset,
            msg_size: rec.total_size,
            tags_code: code,
            store_timestamp: rec.store_timestamp,
            queue_offset: rec.queue_offset,
            keys: property(props, PROPERTY_KEYS).map(str::to_string),
            uniq_key: property(props, PROPERTY_UNIQ_KEY).map(str::to_string),
            sys_flag: rec.sys_flag,
            prepared_transaction_offset: rec.prepared_transaction_offset,
        }
    }

    /// Prepared and rolled-back transaction messages get no consume-queue entry.
    pub fn goes_to_consume_queue(&self) -> bool {
        matches!(
            sys_flag::transaction_type(self.sys_flag),
            sys_flag::TRANSACTION_NOT_TYPE | sys_flag::TRANSACTION_COMMIT_TYPE
        )
    }
}

/// Outcome of dispatching one record.
#[derive(Debug, Clone, Copy, Default)]
pub struct DispatchOutcome {
    /// A new consume-queue entry was written (false for a duplicate or a skipped type).
    pub cq_written: bool,
    /// An index file filled up; its endTimestamp belongs in the checkpoint.
    pub index_filled_ts: Option<i64>,
}

/// Writes the consume-queue entry and index keys of one record.
pub fn dispatch(
    cfg: &StoreConfig,
    cqs: &ConsumeQueueTable,
    index: &RwLock<IndexService>,
    req: &DispatchRequest,
) -> StoreResult<DispatchOutcome> {
    let mut out = DispatchOutcome::default();
    if req.goes_to_consume_queue() {
        let cq = cqs.find_or_create(&req.topic, req.queue_id)?;
        out.cq_written = cq.put(
            req.queue_offset,
            CqEntry {
                phys_offset: req.commit_log_offset,
                size: req.msg_size,
                tags_code: req.tags_code,
            },
        )?;
    }
    if cfg.message_index_enable {
        out.index_filled_ts = index.write().build_index(req)?;
    }
    Ok(out)
}
