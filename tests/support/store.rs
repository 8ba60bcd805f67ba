//! Helpers of the store tests: a small store config, messages, opening a store.

use rocketactor::store::message::encode_properties;
use rocketactor::store::{MessageInner, MessageStore, StoreConfig};
use std::path::Path;

/// A config with tiny files so tests cross file boundaries.
pub fn small_config(root: &Path) -> StoreConfig {
    let mut cfg = StoreConfig::for_dir(root);
    cfg.mapped_file_size_commit_log = 4096;
    cfg.mapped_file_size_consume_queue = 20 * 10;
    cfg.max_hash_slot_num = 64;
    cfg.max_index_num = 50;
    cfg.max_message_size = 1024;
    cfg
}

/// A message with a tag, keys and a unique key.
pub fn msg(topic: &str, qid: i32, body: &[u8], tag: &str, keys: &str, uniq: &str) -> MessageInner {
    let mut m = MessageInner::new(topic, qid, body.to_vec());
    m.properties = encode_properties([("TAGS", tag), ("KEYS", keys), ("UNIQ_KEY", uniq)]);
    m
}

pub fn open(cfg: &StoreConfig) -> MessageStore {
    MessageStore::open(cfg.clone(), &rocketactor::logging::test_logger()).expect("open store")
}
