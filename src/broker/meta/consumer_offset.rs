//! Committed consume offsets per (topic, group, queue) — consumerOffset.json, QUERY/UPDATE
//! CONSUMER_OFFSET, GET_ALL_CONSUMER_OFFSET and the offset side of admin queries.
//!
//! Keys are `topic@group` as in the Java file, so a Java broker's file loads unchanged and ours
//! loads into a Java broker.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use slog::{debug, info, Logger};

use super::persist::PersistError;
use super::table_file::TableFile;
use crate::protocol::offset::ConsumerOffsetWrapper;

/// Name of the offset file inside the config directory.
pub const CONSUMER_OFFSET_FILE: &str = "consumerOffset.json";
/// Separator of topic and group in table keys.
pub const TOPIC_GROUP_SEPARATOR: char = '@';

/// Owner of consumerOffset.json.
#[derive(Debug)]
pub struct ConsumerOffsetManager {
    file: TableFile,
    table: BTreeMap<String, BTreeMap<i32, i64>>,
}

fn key(topic: &str, group: &str) -> String {
    format!("{topic}{TOPIC_GROUP_SEPARATOR}{group}")
}

/// Splits `topic@group`; topic and group names cannot contain `@`.
fn split_key(k: &str) -> Option<(&str, &str)> {
    k.split_once(TOPIC_GROUP_SEPARATOR)
}

impl ConsumerOffsetManager {
    /// An empty table for `config_dir`, not yet loaded.
    pub fn new(config_dir: &Path, log: &Logger) -> Self {
        ConsumerOffsetManager {
            file: TableFile::new(config_dir, CONSUMER_OFFSET_FILE, log, "consumer-offset"),
            table: BTreeMap::new(),
        }
    }

    /// [`new`](Self::new) followed by [`load`](Self::load).
    pub fn open(config_dir: &Path, log: &Logger) -> Result<Self, PersistError> {
        let mut m = Self::new(config_dir, log);
        m.load()?;
        Ok(m)
    }

    /// Replaces the table with the file (or its backup); returns whether a file was found.
    pub fn load(&mut self) -> Result<bool, PersistError> {
        let loaded = self.file.load(ConsumerOffsetWrapper::decode)?;
        Ok(loaded.map(|w| self.table = w.offset_table).is_some())
    }

    /// Path of consumerOffset.json.
    pub fn file_path(&self) -> &Path {
        self.file.path()
    }

    /// The whole table, as the file and GET_ALL_CONSUMER_OFFSET (43) carry it.
    pub fn build_wrapper(&self) -> ConsumerOffsetWrapper {
        ConsumerOffsetWrapper {
            offset_table: self.table.clone(),
        }
    }

    /// JSON text of [`build_wrapper`](Self::build_wrapper).
    pub fn encode(&self, pretty: bool) -> String {
        self.build_wrapper().encode(pretty)
    }

    /// Writes the file atomically. Blocking: call it off the event loop.
    pub fn persist(&self) -> Result<(), PersistError> {
        self.file.write(&self.encode(true))
    }

    /// Replaces the whole table (slave sync from the master's GET_ALL_CONSUMER_OFFSET).
    pub fn replace_all(&mut self, w: ConsumerOffsetWrapper) {
        self.table = w.offset_table;
    }

    /// Stores a committed offset. A lower offset than before is accepted (clients may reset),
    /// only logged.
    pub fn commit(&mut self, client: &str, group: &str, topic: &str, queue_id: i32, offset: i64) {
        let queues = self.table.entry(key(topic, group)).or_default();
        if let Some(prev) = queues.insert(queue_id, offset) {
            if offset < prev {
                debug!(self.file.log(), "commit offset went backwards"; "client" => client,
                    "group" => group, "topic" => topic, "queue" => queue_id,
                    "old" => prev, "new" => offset);
            }
        }
    }

    /// The committed offset, if any (Java returns −1 for none).
    pub fn query(&self, group: &str, topic: &str, queue_id: i32) -> Option<i64> {
        self.table
            .get(&key(topic, group))
            .and_then(|q| q.get(&queue_id))
            .copied()
    }

    /// All committed offsets of one group on one topic (queue id → offset).
    pub fn query_all(&self, group: &str, topic: &str) -> Option<&BTreeMap<i32, i64>> {
        self.table.get(&key(topic, group))
    }

    /// Groups with offsets on `topic` (QUERY_TOPIC_CONSUME_BY_WHO).
    pub fn groups_by_topic(&self, topic: &str) -> BTreeSet<String> {
        self.table
            .keys()
            .filter_map(|k| split_key(k))
            .filter(|(t, _)| *t == topic)
            .map(|(_, g)| g.to_string())
            .collect()
    }

    /// Topics `group` has offsets for (GET_CONSUME_STATS with a blank topic).
    pub fn topics_by_group(&self, group: &str) -> BTreeSet<String> {
        self.table
            .keys()
            .filter_map(|k| split_key(k))
            .filter(|(_, g)| *g == group)
            .map(|(t, _)| t.to_string())
            .collect()
    }

    /// Every group that has offsets.
    pub fn all_groups(&self) -> BTreeSet<String> {
        self.table
            .keys()
            .filter_map(|k| split_key(k))
            .map(|(_, g)| g.to_string())
            .collect()
    }

    /// Copies `src_group`'s offsets on `topic` to `dest_group` (CLONE_GROUP_OFFSET). Returns
    /// whether there was anything to copy.
    pub fn clone_offset(&mut self, src_group: &str, dest_group: &str, topic: &str) -> bool {
        let Some(src) = self.table.get(&key(topic, src_group)).cloned() else {
            return false;
        };
        self.table.insert(key(topic, dest_group), src);
        true
    }

    /// Drops every offset of `group` (DELETE_SUBSCRIPTIONGROUP with removeOffset). Returns the
    /// number of topics removed.
    pub fn remove_group(&mut self, group: &str) -> usize {
        let before = self.table.len();
        self.table
            .retain(|k, _| split_key(k).map(|(_, g)| g != group).unwrap_or(true));
        let removed = before - self.table.len();
        if removed > 0 {
            info!(self.file.log(), "removed offsets of group"; "group" => group, "topics" => removed);
        }
        removed
    }

    /// Drops every offset on `topic` (topic deleted). Returns the number of groups removed.
    pub fn remove_topic(&mut self, topic: &str) -> usize {
        let before = self.table.len();
        self.table
            .retain(|k, _| split_key(k).map(|(t, _)| t != topic).unwrap_or(true));
        let removed = before - self.table.len();
        if removed > 0 {
            info!(self.file.log(), "removed offsets of topic"; "topic" => topic, "groups" => removed);
        }
        removed
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::logging::test_logger;

    #[test]
    fn commit_query_and_indexes() {
        let dir = tempfile::tempdir().unwrap();
        let mut m = ConsumerOffsetManager::new(dir.path(), &test_logger());
        assert_eq!(m.query("g", "T", 0), None);
        m.commit("c", "g", "T", 0, 10);
        m.commit("c", "g", "T", 0, 5);
        m.commit("c", "g2", "T", 1, 7);
        m.commit("c", "g", "U", 3, 1);
        assert_eq!(m.query("g", "T", 0), Some(5));
        assert_eq!(
            m.groups_by_topic("T").into_iter().collect::<Vec<_>>(),
            ["g", "g2"]
        );
        assert_eq!(
            m.topics_by_group("g").into_iter().collect::<Vec<_>>(),
            ["T", "U"]
        );
        assert!(m.clone_offset("g2", "g3", "T"));
        assert!(!m.clone_offset("nobody", "g3", "T"));
        assert_eq!(m.query("g3", "T", 1), Some(7));
        assert_eq!(m.remove_group("g"), 2);
        assert_eq!(m.remove_topic("T"), 2);
        assert!(m.all_groups().is_empty());
    }
}
