//! The store's own configuration. The broker maps its `broker.properties` keys onto this
//! struct; tests build it with [`StoreConfig::for_dir`] and shrink file sizes to exercise
//! roll-over. Defaults are RocketMQ 4.9.7's `MessageStoreConfig` defaults.

use std::path::{Path, PathBuf};

/// Paths, file sizes and limits of one store.
#[derive(Debug, Clone)]
pub struct StoreConfig {
    /// `storePathRootDir`.
    pub root: PathBuf,
    /// `storePathCommitLog` (default `<root>/commitlog`).
    pub commit_log_dir: PathBuf,
    /// `<root>/consumequeue`.
    pub consume_queue_dir: PathBuf,
    /// `<root>/index`.
    pub index_dir: PathBuf,
    /// `<root>/checkpoint`.
    pub checkpoint_file: PathBuf,
    /// `<root>/abort`.
    pub abort_file: PathBuf,
    /// `<root>/lock`, locked while the store is open (Java's lock file).
    pub lock_file: PathBuf,
    /// `<root>/config` (broker metadata JSON files; the store only creates it).
    pub config_dir: PathBuf,
    /// `mappedFileSizeCommitLog` (1 GiB).
    pub mapped_file_size_commit_log: u64,
    /// `mappedFileSizeConsumeQueue` (300 000 entries of 20 bytes); rounded to whole entries.
    pub mapped_file_size_consume_queue: u64,
    /// `maxMessageSize` (4 MiB).
    pub max_message_size: usize,
    /// `messageIndexEnable`.
    pub message_index_enable: bool,
    /// `messageIndexSafe`: abnormal recovery also honours the index checkpoint time.
    pub message_index_safe: bool,
    /// `maxHashSlotNum`.
    pub max_hash_slot_num: u32,
    /// `maxIndexNum`.
    pub max_index_num: u32,
    /// `fileReservedTime` in hours (72).
    pub file_reserved_time_hours: u64,
    /// `deleteWhen`: local hours separated by `;` ("04").
    pub delete_when: String,
    /// `diskMaxUsedSpaceRatio` in percent (75, clamped to 10..=95): above it files are cleaned.
    pub disk_max_used_space_ratio: u32,
    /// Above this usage ratio old files are deleted even if not expired (0.85).
    pub disk_clean_forcibly_ratio: f64,
    /// Above this usage ratio the store refuses puts (Java `diskSpaceWarningLevelRatio` 0.90).
    pub disk_full_ratio: f64,
    /// `cleanFileForciblyEnable`.
    pub clean_file_forcibly_enable: bool,
    /// Max files deleted per cleanup pass (Java: 10).
    pub delete_files_batch_max: usize,
    /// `checkCRCOnRecover`.
    pub check_crc_on_recover: bool,
    /// `flushCommitLogLeastPages` (4).
    pub flush_commit_log_least_pages: usize,
    /// `flushConsumeQueueLeastPages` (2).
    pub flush_consume_queue_least_pages: usize,
    /// `messageDelayLevel`, used to compute the tagsCode (deliver time) of `SCHEDULE_TOPIC_XXXX`.
    pub message_delay_level: String,
    /// Runtime overrides shared by every clone (`crate::store::live`).
    pub live: crate::store::live::StoreLive,
}

impl Default for StoreConfig {
    fn default() -> Self {
        let home = std::env::var_os("HOME")
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from("."));
        let mut cfg = Self::for_dir(home.join("store"));
        cfg.mapped_file_size_commit_log = 1024 * 1024 * 1024;
        cfg.mapped_file_size_consume_queue = 300_000 * 20;
        cfg.max_hash_slot_num = 5_000_000;
        cfg.max_index_num = 20_000_000;
        cfg
    }
}

impl StoreConfig {
    /// A configuration rooted at `root` with all sub-paths derived the way RocketMQ derives them.
    /// File sizes stay small-ish (64 MiB commit log, 6 000 CQ entries, 1 MiB-ish index) so tests
    /// and benches do not create 1 GiB sparse files; override as needed.
    pub fn for_dir(root: impl AsRef<Path>) -> Self {
        let root = root.as_ref().to_path_buf();
        StoreConfig {
            commit_log_dir: root.join("commitlog"),
            consume_queue_dir: root.join("consumequeue"),
            index_dir: root.join("index"),
            checkpoint_file: root.join("checkpoint"),
            abort_file: root.join("abort"),
            lock_file: root.join("lock"),
            config_dir: root.join("config"),
            root,
            mapped_file_size_commit_log: 64 * 1024 * 1024,
            mapped_file_size_consume_queue: 6_000 * 20,
            max_message_size: 4 * 1024 * 1024,
            message_index_enable: true,
            message_index_safe: false,
            max_hash_slot_num: 5_000,
            max_index_num: 20_000,
            file_reserved_time_hours: 72,
            delete_when: "04".to_string(),
            disk_max_used_space_ratio: 75,
            disk_clean_forcibly_ratio: 0.85,
            disk_full_ratio: 0.90,
            clean_file_forcibly_enable: true,
            delete_files_batch_max: 10,
            check_crc_on_recover: true,
            flush_commit_log_least_pages: 4,
            flush_consume_queue_least_pages: 2,
            message_delay_level: "1s 5s 10s 30s 1m 2m 3m 4m 5m 6m 7m 8m 9m 10m 20m 30m 1h 2h"
                .to_string(),
            live: Default::default(),
        }
    }

    /// `maxMessageSize` now: the runtime override, else the configured value.
    pub fn max_message_size_now(&self) -> usize {
        self.live
            .max_message_size()
            .unwrap_or(self.max_message_size)
    }

    /// A copy with the runtime overrides applied (for a cleanup pass).
    pub fn effective(&self) -> StoreConfig {
        let o = self.live.get();
        let mut c = self.clone();
        if let Some(v) = o.max_message_size {
            c.max_message_size = v;
        }
        if let Some(v) = o.file_reserved_time_hours {
            c.file_reserved_time_hours = v;
        }
        if let Some(v) = o.delete_when {
            c.delete_when = v;
        }
        if let Some(v) = o.disk_max_used_space_ratio {
            c.disk_max_used_space_ratio = v;
        }
        c
    }

    /// Consume-queue file size rounded down to whole 20-byte entries (Java does the same).
    pub fn cq_file_size(&self) -> u64 {
        let n = (self.mapped_file_size_consume_queue / 20).max(1);
        n * 20
    }

    /// `diskMaxUsedSpaceRatio` as a fraction, clamped like Java to [0.10, 0.95].
    pub fn disk_clean_ratio(&self) -> f64 {
        f64::from(self.disk_max_used_space_ratio.clamp(10, 95)) / 100.0
    }

    /// Delay level (1-based) → delay in ms, parsed from `message_delay_level`.
    pub fn delay_level_millis(&self, level: i32) -> Option<i64> {
        if level < 1 {
            return None;
        }
        let token = self
            .message_delay_level
            .split_whitespace()
            .nth(usize::try_from(level - 1).ok()?)?;
        let (num, unit) = token.split_at(token.len().checked_sub(1)?);
        let n: i64 = num.parse().ok()?;
        let mult = match unit {
            "s" => 1_000,
            "m" => 60_000,
            "h" => 3_600_000,
            "d" => 86_400_000,
            _ => return None,
        };
        Some(n * mult)
    }

    /// Whether the local hour of `now_ms` is listed in `delete_when`.
    pub fn is_delete_hour(&self, now_ms: i64) -> bool {
        let hour = crate::store::time::local_hour(now_ms);
        self.delete_when
            .split(';')
            .filter_map(|h| h.trim().parse::<u32>().ok())
            .any(|h| h == hour)
    }
}
