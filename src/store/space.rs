//! Disk space for a put, taken before anything is written (issue #19, `docs/disk-full.md`).
//! The write path asks here for the commit-log bytes, the consume-queue entries and the index
//! entries a put (or a replicated record) will need; a full disk then refuses the whole put
//! with `NoSpace` instead of failing half-way in the dispatch. A re-dispatch that recovery had
//! to pause for lack of space is resumed from here once space returns.

use crate::store::dispatch::DispatchRequest;
use crate::store::error::{StoreError, StoreResult};
use crate::store::message::MessageInner;
use crate::store::reader::StoreShared;
use crate::store::recovery::{reput, RecoveryReport};
use slog::info;

/// Backs a put's space: looks at the disk usage again when the commit log needs a new chunk or
/// file (Java checks only every 10 s), refuses the put while the disk is full, and allocates
/// the commit-log bytes (`total`), the consume-queue entries (`first_qo` for a queued message)
/// and the index entries of `reqs`. On an error nothing has been written.
pub(crate) fn ensure_put_space(
    s: &StoreShared,
    msg: &MessageInner,
    first_qo: Option<i64>,
    total: usize,
    reqs: &[DispatchRequest],
) -> StoreResult<()> {
    if s.commit_log.needs_space(total) {
        s.check_disk_space_quietly();
        if let Some(e) = s.disk_full_error() {
            return Err(e);
        }
    }
    s.commit_log.ensure_space(total)?;
    if let Some(qo) = first_qo {
        s.cqs
            .find_or_create(&msg.topic, msg.queue_id)?
            .ensure_room(qo, reqs.len())?;
    }
    if s.cfg.message_index_enable {
        s.index.write().prepare(reqs)?;
    }
    Ok(())
}

/// Slave: backs what dispatching one replicated record needs.
pub(crate) fn ensure_dispatch_space(s: &StoreShared, req: &DispatchRequest) -> StoreResult<()> {
    if req.goes_to_consume_queue() {
        s.cqs
            .find_or_create(&req.topic, req.queue_id)?
            .ensure_room(req.queue_offset, 1)?;
    }
    if s.cfg.message_index_enable {
        s.index.write().prepare(std::slice::from_ref(req))?;
    }
    Ok(())
}

/// Resumes a paused re-dispatch from `from`. `NoSpace` (its `offset` where it paused again)
/// while the disk is still full.
pub(crate) fn catch_up(s: &StoreShared, from: i64) -> StoreResult<()> {
    let mut rep = RecoveryReport::default();
    reput(
        &s.cfg,
        &s.log,
        &s.commit_log,
        &s.cqs,
        &s.index,
        from,
        &mut rep,
    )?;
    if let Some(ts) = rep.index_filled_ts {
        s.checkpoint.lock().index_msg_timestamp = ts;
    }
    if let Some(at) = rep.dispatch_pending_from {
        return Err(StoreError::NoSpace {
            path: s.cfg.consume_queue_dir.clone(),
            offset: u64::try_from(at).unwrap_or(0),
            len: 0,
            file_size: 0,
            source: std::io::Error::from_raw_os_error(libc::ENOSPC),
        });
    }
    info!(s.log, "re-dispatch caught up"; "from" => from, "redispatched" => rep.redispatched);
    Ok(())
}
