//! Startup recovery (docs/protocol.md §5.6). Clean stop: validate the last 3 commit-log files.
//! Abnormal (abort file present): validate every record from the file the checkpoint points
//! at. Either way the commit log is cut after the last valid record, consume queues and index
//! files that point past it are truncated, and then everything the queues and the index do
//! not yet hold is re-dispatched from the commit log — after a crash that includes the records
//! of the index files [`IndexService::load`] dropped (newer than the checkpoint's index time),
//! wherever the commit-log scan started. Only invalid (torn, corrupt) data is ever cut, so a
//! record that was flushed intact survives.

use crate::store::checkpoint::Checkpoint;
use crate::store::commit_log::CommitLog;
use crate::store::config::StoreConfig;
use crate::store::cq_table::ConsumeQueueTable;
use crate::store::dispatch::{dispatch, DispatchRequest};
use crate::store::error::StoreResult;
use crate::store::index_service::IndexService;
use crate::store::mapped_file::MappedFile;
use crate::store::record::{
    check_record, decode_record, peek_total_size, RecordCheck, BLANK_MAGIC_CODE,
};
use parking_lot::RwLock;
use slog::{info, warn, Logger};

/// What recovery found and did.
#[derive(Debug, Clone, Default)]
pub struct RecoveryReport {
    pub abnormal: bool,
    /// Offset after the last valid record.
    pub commit_log_end: i64,
    /// Where re-dispatch started.
    pub reput_from: i64,
    /// Records re-dispatched.
    pub redispatched: usize,
    /// Index time to store in the checkpoint if an index file filled during re-dispatch.
    pub index_filled_ts: Option<i64>,
    /// Re-dispatch paused here because the disk had no space for a queue entry or index
    /// entry: the store retries from this offset before taking writes (issue #19).
    pub dispatch_pending_from: Option<i64>,
}

/// How a file scan ended.
enum ScanEnd {
    /// The file is complete (blank or last byte reached): continue with the next file.
    Complete,
    /// Invalid data at this file position: the log ends here.
    StopAt(usize),
}

fn scan_file(f: &MappedFile, check_crc: bool, log: &Logger) -> ScanEnd {
    let mut pos = 0usize;
    while pos < f.size() {
        let head = f.read_raw(pos, 8);
        let Some(size) = peek_total_size(&head) else {
            return ScanEnd::StopAt(pos);
        };
        if head.len() == 8
            && i32::from_be_bytes([head[4], head[5], head[6], head[7]]) == BLANK_MAGIC_CODE
        {
            return ScanEnd::Complete;
        }
        let Ok(len) = usize::try_from(size) else {
            return ScanEnd::StopAt(pos);
        };
        if len == 0 {
            return ScanEnd::StopAt(pos);
        }
        let buf = f.read_raw(pos, len);
        match check_record(&buf, check_crc) {
            // A record must sit at the offset it names; anything else is stale or misplaced.
            RecordCheck::Message(r) if r.phys_offset == (f.from_offset() + pos as u64) as i64 => {
                pos += len
            }
            RecordCheck::Message(r) => {
                warn!(log, "commit log ends at a misplaced record";
                      "file" => f.path().display().to_string(), "pos" => pos, "claims" => r.phys_offset);
                return ScanEnd::StopAt(pos);
            }
            RecordCheck::Blank => return ScanEnd::Complete,
            RecordCheck::Invalid(reason) => {
                warn!(log, "commit log ends at an invalid record";
                      "file" => f.path().display().to_string(), "pos" => pos, "reason" => reason);
                return ScanEnd::StopAt(pos);
            }
        }
    }
    ScanEnd::Complete
}

/// Store timestamp of a file's first record, if that record is intact and sits where it
/// claims. A torn first record's timestamp is garbage (a partly zeroed one looks old) and must
/// not choose the start of abnormal recovery, or earlier unflushed files would go unchecked.
fn first_store_timestamp(f: &MappedFile, check_crc: bool) -> Option<i64> {
    let size = usize::try_from(peek_total_size(&f.read_raw(0, 4))?).ok()?;
    if size == 0 || size > f.size() {
        return None;
    }
    match check_record(&f.read_raw(0, size), check_crc) {
        RecordCheck::Message(r)
            if r.phys_offset == f.from_offset() as i64 && r.store_timestamp != 0 =>
        {
            Some(r.store_timestamp)
        }
        _ => None,
    }
}

/// Runs recovery over freshly loaded components.
pub fn recover(
    cfg: &StoreConfig,
    log: &Logger,
    commit_log: &CommitLog,
    cqs: &ConsumeQueueTable,
    index: &RwLock<IndexService>,
    checkpoint: &Checkpoint,
    abnormal: bool,
) -> StoreResult<RecoveryReport> {
    let mut report = RecoveryReport {
        abnormal,
        ..RecoveryReport::default()
    };
    for cq in cqs.all() {
        cq.recover()?;
    }
    let files = commit_log.files().files();
    if files.is_empty() {
        if !cqs.all().is_empty() {
            warn!(log, "no commit-log files: destroying all consume queues");
        }
        cqs.destroy_all()?;
        index.write().truncate_from(0)?;
        return Ok(report);
    }
    let start = if abnormal {
        let min_ts = if cfg.message_index_enable && cfg.message_index_safe {
            checkpoint.min_timestamp_index()
        } else {
            checkpoint.min_timestamp()
        };
        files
            .iter()
            .rposition(|f| {
                first_store_timestamp(f, cfg.check_crc_on_recover).is_some_and(|ts| ts <= min_ts)
            })
            .unwrap_or(0)
    } else {
        files.len().saturating_sub(3)
    };
    let mut end = files[start].from_offset();
    for f in &files[start..] {
        match scan_file(f, cfg.check_crc_on_recover, log) {
            ScanEnd::Complete => end = f.from_offset() + f.size() as u64,
            ScanEnd::StopAt(pos) => {
                end = f.from_offset() + pos as u64;
                break;
            }
        }
    }
    let end = end as i64;
    commit_log.files().set_end(end as u64)?;
    report.commit_log_end = commit_log.max_offset();
    for cq in cqs.all() {
        cq.truncate_dirty(end)?;
    }
    let index_rebuild = if cfg.message_index_enable {
        index.write().truncate_from(end)?
    } else {
        None
    };
    let mut from = cqs
        .all()
        .iter()
        .map(|q| q.max_phys_end())
        .max()
        .unwrap_or(0);
    if abnormal {
        from = from.min(files[start].from_offset() as i64);
    }
    if let Some(r) = index_rebuild {
        from = from.min(r);
    }
    from = from.max(commit_log.min_offset());
    report.reput_from = from;
    reput(cfg, log, commit_log, cqs, index, from, &mut report)?;
    info!(log, "recovery done"; "abnormal" => abnormal, "end" => report.commit_log_end,
          "reput_from" => from, "redispatched" => report.redispatched);
    Ok(report)
}

/// Re-dispatches every record in [from, commit-log end). Dispatch is idempotent, so records
/// that queues or index already hold are skipped there. Out of space, it stops and records
/// where in `report.dispatch_pending_from` (reads of what is dispatched keep working).
pub(crate) fn reput(
    cfg: &StoreConfig,
    log: &Logger,
    commit_log: &CommitLog,
    cqs: &ConsumeQueueTable,
    index: &RwLock<IndexService>,
    from: i64,
    report: &mut RecoveryReport,
) -> StoreResult<()> {
    let end = commit_log.max_offset();
    let file_size = commit_log.file_size() as i64;
    let mut off = from;
    // Bounded: every step advances by at least 8 bytes or to the next file.
    while off < end {
        let Some(head) = commit_log.read(off, 8) else {
            off = off - off % file_size + file_size;
            continue;
        };
        if i32::from_be_bytes([head[4], head[5], head[6], head[7]]) == BLANK_MAGIC_CODE {
            off = off - off % file_size + file_size;
            continue;
        }
        let Some(buf) = commit_log.read_record_at(off) else {
            warn!(log, "re-dispatch stopped: unreadable record"; "offset" => off);
            break;
        };
        match decode_record(&buf, false) {
            Ok(rec) => {
                let req = DispatchRequest::from_record(&rec, cfg);
                let out = match dispatch(cfg, cqs, index, &req) {
                    Ok(out) => out,
                    Err(e) if e.is_no_space() => {
                        warn!(log, "re-dispatch paused: no space; retried when space returns";
                              "offset" => off, "error" => %e);
                        report.dispatch_pending_from = Some(off);
                        return Ok(());
                    }
                    Err(e) => return Err(e),
                };
                if out.index_filled_ts.is_some() {
                    report.index_filled_ts = out.index_filled_ts;
                }
                report.redispatched += 1;
                off += i64::from(rec.total_size.max(8));
            }
            Err(reason) => {
                warn!(log, "re-dispatch stopped: undecodable record"; "offset" => off, "reason" => reason);
                break;
            }
        }
    }
    Ok(())
}
