//! From a decoded commit-log record to its consume-queue entry and index keys. Local appends,
//! recovery re-dispatch and HA-replicated bytes all go through [`dispatch`], so a slave's
//! queues and a recovered store's queues are built exactly like a master's.

use crate::failpoint::names::DISPATCH;
use crate::store::config::StoreConfig;
use crate::store::consume_queue::CqEntry;
use crate::store::cq_table::ConsumeQueueTable;
use crate::store::error::{StoreError, StoreResult};
use crate::store::index_service::IndexService;
use parking_lot::RwLock;

pub use crate::store::dispatch_request::{DispatchRequest, RecordPlace};

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
    crate::failpoint::check(DISPATCH, &cfg.consume_queue_dir)
        .map_err(|e| StoreError::io(&cfg.consume_queue_dir, e))?;
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
