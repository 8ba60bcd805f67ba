//! The store facade. [`MessageStore::open`] loads every file and runs recovery; the owner
//! (the commit-log writer) appends with `&mut self`, which assigns physical and logical
//! offsets in one place and dispatches to consume queues and the index right after the append.
//! A put succeeds once its bytes are in the commit log; a failed dispatch waits in the
//! [`DispatchBacklog`] and is retried in order (see that module).
//! Everything read-only is reachable through [`StoreReader`] (also via `Deref`).

use crate::store::abort;
use crate::store::checkpoint::Checkpoint;
use crate::store::cleanup::{DiskUsage, StatvfsUsage};
use crate::store::commit_log::CommitLog;
use crate::store::config::StoreConfig;
use crate::store::cq_table::ConsumeQueueTable;
use crate::store::dispatch::{DispatchRequest, RecordPlace};
use crate::store::dispatch_backlog::{DispatchBacklog, LateQueue};
use crate::store::error::{StoreError, StoreResult};
use crate::store::index_service::IndexService;
use crate::store::lock_file::{self, StoreLock};
use crate::store::message::{
    decode_batch_body, offset_msg_id, property, sys_flag, MessageInner, MAX_PROPERTIES_LEN,
    MAX_TOPIC_LEN, PROPERTY_DELAY, PROPERTY_SEPARATOR,
};
use crate::store::reader::{StoreReader, StoreShared};
use crate::store::record::{
    effective_sys_flag, encode_record, record_len, RecordHead, RecordPayload,
};
use crate::store::recovery::{recover, RecoveryReport};
use crate::store::space;
use parking_lot::{Mutex, RwLock};
use slog::{info, Logger};
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU64, Ordering};
use std::sync::Arc;

/// Slack allowed on a whole record beyond `maxMessageSize` (Java: 64 KiB).
const RECORD_SLACK: usize = 64 * 1024;

/// Result of a put.
#[derive(Debug, Clone)]
pub struct PutResult {
    /// Commit-log offset of the first record.
    pub wrote_offset: i64,
    /// Bytes appended (all records of a batch).
    pub wrote_bytes: usize,
    /// offsetMsgId of each record.
    pub msg_ids: Vec<String>,
    pub store_timestamp: i64,
    /// Logical offset of the first message (0 for prepared/rollback transaction messages).
    pub queue_offset: i64,
    pub msg_num: usize,
    pub topic: String,
    pub queue_id: i32,
    /// tagsCode of each message (for long-polling notification).
    pub tags_codes: Vec<i64>,
    /// The records are in their consume queue already (false: their dispatch failed and is
    /// retried; readers see them once it succeeds).
    pub dispatched: bool,
}

impl PutResult {
    /// Offset a sync flush / replication must reach for this put to be durable.
    pub fn next_offset(&self) -> i64 {
        self.wrote_offset + self.wrote_bytes as i64
    }

    /// The msgId response header: offsetMsgIds joined by `,`.
    pub fn msg_id_header(&self) -> String {
        self.msg_ids.join(",")
    }
}

/// Result of [`MessageStore::append_raw`].
#[derive(Debug, Clone, Default)]
pub struct RawAppendResult {
    /// Bytes consumed from the input (whole records); keep the rest for the next frame.
    pub consumed: usize,
    /// Records dispatched by this call (topic, queue id, queue offset, tagsCode), including
    /// earlier ones whose dispatch was retried.
    pub dispatched: Vec<DispatchRequest>,
    /// The consumed bytes end exactly at the end of a commit-log file (an end-of-file blank
    /// closed it): bytes after them start the next file and take another call.
    pub closed_file: bool,
}

/// The store; owned by exactly one writer.
#[derive(Debug)]
pub struct MessageStore {
    shared: Arc<StoreShared>,
    reader: StoreReader,
    /// topic → queueId → next logical offset (nested: looked up by `&str` on every put).
    topic_queue_table: HashMap<String, HashMap<i32, i64>>,
    buf: Vec<u8>,
    recovery: RecoveryReport,
    /// Commit-log offset from which queue and index entries are still to be written (a
    /// re-dispatch that ran out of space); writes wait until it is caught up (issue #19).
    dispatch_pending: Option<i64>,
    /// Stored records whose dispatch failed at run time, retried in order.
    backlog: DispatchBacklog,
    /// Held while the store is open: no second broker process (ours or Java's) on this store.
    _lock: StoreLock,
}

impl std::ops::Deref for MessageStore {
    type Target = StoreReader;
    fn deref(&self) -> &StoreReader {
        &self.reader
    }
}

impl MessageStore {
    /// Opens the store at `cfg.root` with real disk-usage measurement, running recovery.
    pub fn open(cfg: StoreConfig, log: &Logger) -> StoreResult<MessageStore> {
        Self::open_with_usage(cfg, log, Arc::new(StatvfsUsage))
    }

    /// Same as [`MessageStore::open`] with an injected disk-usage source.
    pub fn open_with_usage(
        cfg: StoreConfig,
        log: &Logger,
        usage: Arc<dyn DiskUsage>,
    ) -> StoreResult<MessageStore> {
        let log = log.new(slog::o!("component" => "store"));
        for d in [&cfg.root, &cfg.config_dir] {
            std::fs::create_dir_all(d).map_err(|e| StoreError::io(d, e))?;
        }
        // Before anything reads or repairs a file (Java locks only in start(), after load()).
        let lock = lock_file::acquire(&cfg.lock_file)?;
        let abnormal = abort::exists(&cfg.abort_file);
        let commit_log = CommitLog::load(&cfg.commit_log_dir, cfg.mapped_file_size_commit_log)?;
        let cqs = ConsumeQueueTable::load(&cfg.consume_queue_dir, cfg.cq_file_size())?;
        let checkpoint = Checkpoint::load(&cfg.checkpoint_file)?;
        let index = IndexService::load(
            &cfg.index_dir,
            cfg.max_hash_slot_num,
            cfg.max_index_num,
            abnormal,
            checkpoint.index_msg_timestamp,
        )?;
        let index = RwLock::new(index);
        let recovery = recover(&cfg, &log, &commit_log, &cqs, &index, &checkpoint, abnormal)?;
        let mut checkpoint = checkpoint;
        if let Some(ts) = recovery.index_filled_ts {
            checkpoint.index_msg_timestamp = ts;
        }
        let min = commit_log.min_offset();
        let mut table: HashMap<String, HashMap<i32, i64>> = HashMap::new();
        for cq in cqs.all() {
            cq.correct_min_offset(min);
            table
                .entry(cq.topic().to_string())
                .or_default()
                .insert(cq.queue_id(), cq.max_offset_in_queue());
        }
        let shared = Arc::new(StoreShared {
            cfg,
            log: log.clone(),
            commit_log,
            cqs,
            index,
            checkpoint: Mutex::new(checkpoint),
            last_store_ts: AtomicI64::new(0),
            last_dispatched_ts: AtomicI64::new(0),
            dispatch_backlog: AtomicU64::new(0),
            dispatch_failures: AtomicU64::new(0),
            disk_full_ppm: AtomicU64::new(0),
            disk_ratios: Default::default(),
            last_disk_check_ms: AtomicI64::new(0),
            usage,
            shut_down: AtomicBool::new(false),
        });
        abort::create(&shared.cfg.abort_file)?;
        info!(log, "store opened"; "max_phys_offset" => shared.commit_log.max_offset(),
              "queues" => table.len(), "abnormal" => abnormal);
        Ok(MessageStore {
            reader: StoreReader {
                shared: shared.clone(),
            },
            shared,
            topic_queue_table: table,
            buf: Vec::with_capacity(64 * 1024),
            dispatch_pending: recovery.dispatch_pending_from,
            recovery,
            backlog: DispatchBacklog::default(),
            _lock: lock,
        })
    }

    /// A clonable read handle.
    pub fn reader(&self) -> StoreReader {
        self.reader.clone()
    }

    /// What recovery did at open.
    pub fn recovery_report(&self) -> &RecoveryReport {
        &self.recovery
    }

    /// Next logical offset of (topic, queue) as the writer will assign it.
    pub fn next_queue_offset(&self, topic: &str, queue_id: i32) -> i64 {
        self.topic_queue_table
            .get(topic)
            .and_then(|t| t.get(&queue_id))
            .copied()
            .unwrap_or(0)
    }

    /// Records the next logical offset of (topic, queue); allocates only for a new topic.
    fn set_next_queue_offset(&mut self, topic: &str, queue_id: i32, next: i64) {
        match self.topic_queue_table.get_mut(topic) {
            Some(t) => {
                t.insert(queue_id, next);
            }
            None => {
                self.topic_queue_table
                    .insert(topic.to_string(), HashMap::from([(queue_id, next)]));
            }
        }
    }

    /// Retries a re-dispatch that ran out of space (recovery on a full disk). Until it has
    /// caught up, the queues' next offsets are unknown, so writes are refused.
    fn catch_up_dispatch(&mut self) -> StoreResult<()> {
        let Some(from) = self.dispatch_pending else {
            return Ok(());
        };
        if let Err(e) = space::catch_up(&self.shared, from) {
            if let StoreError::NoSpace { offset, .. } = &e {
                self.dispatch_pending = Some(*offset as i64);
            }
            return Err(e);
        }
        self.dispatch_pending = None;
        for cq in self.shared.cqs.all() {
            let next = cq
                .max_offset_in_queue()
                .max(self.next_queue_offset(cq.topic(), cq.queue_id()));
            self.set_next_queue_offset(cq.topic(), cq.queue_id(), next);
        }
        Ok(())
    }

    fn check_writable(&self) -> StoreResult<()> {
        if self.shared.shut_down.load(Ordering::Acquire) {
            return Err(StoreError::ShutDown);
        }
        self.shared.maybe_check_disk_space();
        if let Some(e) = self.shared.disk_full_error() {
            return Err(e);
        }
        self.backlog.check_room()
    }

    fn check_common(&self, msg: &MessageInner) -> StoreResult<()> {
        if msg.topic.is_empty() || msg.topic.len() > MAX_TOPIC_LEN {
            return Err(StoreError::MessageIllegal(format!(
                "topic length {} not in 1..={MAX_TOPIC_LEN}",
                msg.topic.len()
            )));
        }
        if msg.properties.len() > MAX_PROPERTIES_LEN {
            return Err(StoreError::PropertiesSizeExceeded {
                size: msg.properties.len(),
                limit: MAX_PROPERTIES_LEN,
            });
        }
        let max = self.shared.cfg.max_message_size_now();
        if msg.body.len() > max {
            return Err(StoreError::MessageIllegal(format!(
                "body of {} bytes exceeds maxMessageSize {max}",
                msg.body.len(),
            )));
        }
        Ok(())
    }

    /// Appends one message; dispatches it before returning.
    pub fn put_message(&mut self, msg: &MessageInner) -> StoreResult<PutResult> {
        self.check_writable()?;
        self.catch_up_dispatch()?;
        self.check_common(msg)?;
        let payload = RecordPayload {
            flag: msg.flag,
            body: &msg.body,
            properties: &msg.properties,
        };
        self.append_records(msg, &[payload])
    }

    /// Appends a producer batch (`msg.body` is the batch body, `msg.properties` the batch-level
    /// properties appended to each message). Never split across files.
    pub fn put_batch(&mut self, msg: &MessageInner) -> StoreResult<PutResult> {
        self.check_writable()?;
        self.catch_up_dispatch()?;
        self.check_common(msg)?;
        if sys_flag::transaction_type(msg.sys_flag) != sys_flag::TRANSACTION_NOT_TYPE {
            return Err(StoreError::MessageIllegal(
                "transaction messages cannot be batched".into(),
            ));
        }
        if property(&msg.properties, PROPERTY_DELAY).is_some() {
            return Err(StoreError::MessageIllegal(
                "delay messages cannot be batched".into(),
            ));
        }
        let items = decode_batch_body(&msg.body)?;
        if items.is_empty() {
            return Err(StoreError::MessageIllegal("empty batch".into()));
        }
        let props: Vec<String> = items
            .iter()
            .map(|it| {
                let mut p = it.properties.clone();
                if !p.is_empty() && !msg.properties.is_empty() && !p.ends_with(PROPERTY_SEPARATOR) {
                    p.push(PROPERTY_SEPARATOR);
                }
                p.push_str(&msg.properties);
                p
            })
            .collect();
        if let Some(p) = props.iter().find(|p| p.len() > MAX_PROPERTIES_LEN) {
            return Err(StoreError::PropertiesSizeExceeded {
                size: p.len(),
                limit: MAX_PROPERTIES_LEN,
            });
        }
        let payloads: Vec<RecordPayload<'_>> = items
            .iter()
            .zip(&props)
            .map(|(it, p)| RecordPayload {
                flag: it.flag,
                body: &it.body,
                properties: p,
            })
            .collect();
        self.append_records(msg, &payloads)
    }

    fn append_records(
        &mut self,
        msg: &MessageInner,
        payloads: &[RecordPayload<'_>],
    ) -> StoreResult<PutResult> {
        let sys = effective_sys_flag(msg);
        let tran = sys_flag::transaction_type(sys);
        let in_queue = matches!(
            tran,
            sys_flag::TRANSACTION_NOT_TYPE | sys_flag::TRANSACTION_COMMIT_TYPE
        );
        let first_qo = if in_queue {
            self.next_queue_offset(&msg.topic, msg.queue_id)
        } else {
            0
        };
        let limit = self.shared.cfg.max_message_size_now() + RECORD_SLACK;
        let mut total = 0usize;
        for p in payloads {
            let len = record_len(sys, p.body.len(), msg.topic.len(), p.properties.len());
            if len > limit {
                return Err(StoreError::MessageIllegal(format!(
                    "record of {len} bytes exceeds {limit}"
                )));
            }
            total += len;
        }
        let store_ts = crate::store::time::now_ms();
        // Dispatch requests first (the commit-log offset is filled in below), so the space the
        // put needs in the consume queue and the index is known before a byte is written.
        let mut reqs = Vec::with_capacity(payloads.len());
        for (i, p) in payloads.iter().enumerate() {
            let qo = if in_queue { first_qo + i as i64 } else { 0 };
            let place = RecordPlace {
                queue_id: msg.queue_id,
                phys_offset: 0,
                total_size: 0,
                store_timestamp: store_ts,
                queue_offset: qo,
                sys_flag: sys,
                prepared_transaction_offset: msg.prepared_transaction_offset,
            };
            reqs.push(DispatchRequest::from_parts(
                &msg.topic,
                p.properties,
                place,
                &self.shared.cfg,
            ));
        }
        space::ensure_put_space(
            &self.shared,
            msg,
            in_queue.then_some(first_qo),
            total,
            &reqs,
        )?;
        let cl = &self.shared.commit_log;
        let wrote_offset = cl.reserve(total)?;
        self.buf.clear();
        for ((i, p), req) in payloads.iter().enumerate().zip(reqs.iter_mut()) {
            let qo = if in_queue { first_qo + i as i64 } else { 0 };
            let start = self.buf.len();
            let phys = wrote_offset + start as i64;
            let head = RecordHead {
                queue_offset: qo,
                phys_offset: phys,
                store_timestamp: store_ts,
                sys_flag: sys,
            };
            encode_record(&mut self.buf, msg, head, *p);
            req.commit_log_offset = phys;
            req.msg_size = (self.buf.len() - start) as i32;
        }
        cl.append(&self.buf)?;
        self.shared.last_store_ts.store(store_ts, Ordering::Release);
        if in_queue {
            self.set_next_queue_offset(&msg.topic, msg.queue_id, first_qo + payloads.len() as i64);
        }
        let tags_codes = reqs.iter().map(|r| r.tags_code).collect();
        let msg_ids = reqs
            .iter()
            .map(|r| offset_msg_id(&msg.store_host, r.commit_log_offset))
            .collect();
        // Stored: from here on the put succeeds. Earlier records still waiting go first.
        let own = self.backlog.push(reqs);
        let end = self.backlog.next_seq();
        // A failure is counted and logged by the backlog; the records are retried.
        let _ = self.backlog.drain(&self.shared, own, None);
        Ok(PutResult {
            wrote_offset,
            wrote_bytes: total,
            msg_ids,
            store_timestamp: store_ts,
            queue_offset: first_qo,
            msg_num: payloads.len(),
            topic: msg.topic.clone(),
            queue_id: msg.queue_id,
            tags_codes,
            dispatched: self.backlog.done_before(end),
        })
    }

    /// Retries the dispatch of stored records that failed before (the writer calls this on a
    /// timer; every put does it first anyway). Returns how many were dispatched.
    pub fn retry_dispatch(&mut self) -> StoreResult<usize> {
        if !self.backlog.has_work() {
            return Ok(0);
        }
        let all_late = self.backlog.next_seq();
        self.backlog.drain(&self.shared, all_late, None)
    }

    /// Whether stored records (or the checkpoint) wait for a retried dispatch.
    pub fn dispatch_pending(&self) -> bool {
        self.backlog.has_work()
    }

    /// Queues that received entries of records appended by an earlier call (their dispatch
    /// was retried): the wake-ups for long polling owed since the last call.
    pub fn take_late_dispatched(&mut self) -> Vec<LateQueue> {
        self.backlog.take_late()
    }

    /// Clean shutdown: flush everything, write the checkpoint, remove the abort file.
    pub fn shutdown(&mut self) -> StoreResult<()> {
        if self.shared.shut_down.swap(true, Ordering::AcqRel) {
            return Ok(());
        }
        if let Err(e) = self.retry_dispatch() {
            // The records are in the commit log: keeping the abort file makes the next start
            // recover and re-dispatch them.
            slog::error!(self.shared.log, "shutting down with undispatched records"; "error" => %e,
                         "backlog" => self.backlog.len());
            self.shared.flush()?;
            return Ok(());
        }
        self.shared.flush()?;
        abort::remove(&self.shared.cfg.abort_file)?;
        info!(self.shared.log, "store shut down"; "max_phys_offset" => self.shared.commit_log.max_offset());
        Ok(())
    }
}

mod queue_drop;
mod raw;
