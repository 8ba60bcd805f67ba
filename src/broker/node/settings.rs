//! Maps the operator's `BrokerConfig` onto the settings of the pieces it drives (store, flush,
//! topic table), so that every key is read in one place.

use std::time::Duration;

use crate::broker::meta::topic_config::TopicManagerOptions;
use crate::broker::store_actors::FlushSettings;
use crate::config::{BrokerConfig, FlushDiskType};
use crate::store::StoreConfig;

/// The store configuration for this broker.
pub fn store_config(cfg: &BrokerConfig) -> StoreConfig {
    let p = cfg.store_paths();
    let mut s = StoreConfig::for_dir(&p.root);
    s.root = p.root;
    s.commit_log_dir = p.commit_log;
    s.consume_queue_dir = p.consume_queue;
    s.index_dir = p.index;
    s.checkpoint_file = p.checkpoint;
    s.abort_file = p.abort;
    s.lock_file = p.lock;
    s.config_dir = p.config_dir;
    s.mapped_file_size_commit_log = cfg.mapped_file_size_commit_log;
    s.mapped_file_size_consume_queue = cfg.mapped_file_size_consume_queue;
    s.max_message_size = cfg.max_message_size as usize;
    s.message_index_enable = cfg.message_index_enable;
    s.message_index_safe = cfg.message_index_safe;
    s.max_hash_slot_num = cfg.max_hash_slot_num;
    s.max_index_num = cfg.max_index_num;
    s.file_reserved_time_hours = cfg.file_reserved_time as u64;
    s.delete_when = cfg.delete_when.clone();
    s.disk_max_used_space_ratio = cfg.disk_max_used_space_ratio;
    s.clean_file_forcibly_enable = cfg.clean_file_forcibly_enable;
    s.check_crc_on_recover = cfg.check_crc_on_recover;
    s.flush_commit_log_least_pages = cfg.flush_commit_log_least_pages as usize;
    s.flush_consume_queue_least_pages = cfg.flush_consume_queue_least_pages as usize;
    s.message_delay_level = cfg.message_delay_level.clone();
    s
}

/// The flush service settings for this broker.
pub fn flush_settings(cfg: &BrokerConfig) -> FlushSettings {
    FlushSettings {
        sync: cfg.flush_disk_type == FlushDiskType::SyncFlush,
        interval: Duration::from_millis(cfg.flush_interval_commit_log),
        least_pages: cfg.flush_commit_log_least_pages as usize,
        thorough_interval: Duration::from_millis(cfg.flush_commit_log_thorough_interval),
        cq_interval: Duration::from_millis(cfg.flush_interval_consume_queue),
        cq_least_pages: cfg.flush_consume_queue_least_pages as usize,
    }
}

/// The topic table settings for this broker.
pub fn topic_options(cfg: &BrokerConfig) -> TopicManagerOptions {
    TopicManagerOptions {
        broker_cluster_name: cfg.broker_cluster_name.clone(),
        broker_name: cfg.broker_name.clone(),
        auto_create_topic_enable: cfg.auto_create_topic_enable,
        default_topic_queue_nums: cfg.default_topic_queue_nums as i32,
        cluster_topic_enable: cfg.cluster_topic_enable,
        broker_topic_enable: cfg.broker_topic_enable,
        trace_topic_enable: cfg.trace_topic_enable,
        msg_trace_topic_name: cfg.msg_trace_topic_name.clone(),
    }
}
