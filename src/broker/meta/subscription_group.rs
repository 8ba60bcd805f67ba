//! Consumer group configurations (subscriptionGroup.json): the built-in groups, groups created
//! automatically when a consumer first shows up, and admin updates/deletes, with the DataVersion
//! that GET_ALL_SUBSCRIPTIONGROUP_CONFIG and slave sync carry.

use std::collections::BTreeMap;
use std::path::Path;

use slog::{info, warn, Logger};

use super::persist::PersistError;
use super::table_file::{json_text, named, Named, TableFile};
use super::topic_validator::{has_only_legal_chars, GROUP_MAX_LENGTH};
use crate::protocol::subscription::{SubscriptionGroupConfig, SubscriptionGroupWrapper};
use crate::protocol::topic::DataVersion;

/// Name of the group file inside the config directory.
pub const SUBSCRIPTION_GROUP_FILE: &str = "subscriptionGroup.json";

/// Groups every broker knows from the start, all with default settings.
pub const BUILT_IN_GROUPS: &[&str] = &[
    "TOOLS_CONSUMER",
    "FILTERSRV_CONSUMER",
    "SELF_TEST_C_GROUP",
    "CID_ONS-HTTP-PROXY",
    "CID_ONSAPI_PULL",
    "CID_ONSAPI_PERMISSION",
    "CID_ONSAPI_OWNER",
    // The transaction-check consumer (Java `MixAll.CID_SYS_RMQ_TRANS`).
    "CID_RMQ_SYS_TRANS",
];

/// Prefix of system consumer groups, which are created even with auto-creation off.
pub const SYS_CONSUMER_GROUP_PREFIX: &str = "CID_RMQ_SYS_";

/// A group looked up or created, and whether it was created just now (persist then).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupLookup {
    pub config: SubscriptionGroupConfig,
    pub created: bool,
}

/// Owner of subscriptionGroup.json.
#[derive(Debug)]
pub struct SubscriptionGroupManager {
    file: TableFile,
    table: BTreeMap<String, SubscriptionGroupConfig>,
    data_version: DataVersion,
}

impl Named for SubscriptionGroupConfig {
    fn name_mut(&mut self) -> &mut String {
        &mut self.group_name
    }
}

impl SubscriptionGroupManager {
    /// A table with only the built-in groups, not yet loaded from disk.
    pub fn new(config_dir: &Path, log: &Logger) -> Self {
        let table = BUILT_IN_GROUPS
            .iter()
            .map(|name| (name.to_string(), SubscriptionGroupConfig::new(*name)))
            .collect();
        SubscriptionGroupManager {
            file: TableFile::new(
                config_dir,
                SUBSCRIPTION_GROUP_FILE,
                log,
                "subscription-group",
            ),
            table,
            data_version: DataVersion::now(),
        }
    }

    /// [`new`](Self::new) followed by [`load`](Self::load).
    pub fn open(config_dir: &Path, log: &Logger) -> Result<Self, PersistError> {
        let mut m = Self::new(config_dir, log);
        m.load()?;
        Ok(m)
    }

    /// Merges the file (or its backup) over the table; returns whether a file was found.
    pub fn load(&mut self) -> Result<bool, PersistError> {
        let loaded: Option<SubscriptionGroupWrapper> = self.file.load_json()?;
        let Some(w) = loaded else {
            return Ok(false);
        };
        self.table.extend(named(w.subscription_group_table));
        self.data_version = w.data_version;
        Ok(true)
    }

    /// Slave sync: adopts the master's table and DataVersion when its version differs from
    /// ours (Java's `syncSubscriptionGroupConfig`). Returns whether anything changed.
    pub fn replace_all(&mut self, w: SubscriptionGroupWrapper) -> bool {
        if w.data_version == self.data_version {
            return false;
        }
        self.table = named(w.subscription_group_table).collect();
        self.data_version = w.data_version;
        true
    }

    /// Path of subscriptionGroup.json.
    pub fn file_path(&self) -> &Path {
        self.file.path()
    }

    /// The versioned table: file content and body of GET_ALL_SUBSCRIPTIONGROUP_CONFIG (201).
    pub fn build_wrapper(&self) -> SubscriptionGroupWrapper {
        SubscriptionGroupWrapper {
            data_version: self.data_version,
            subscription_group_table: self.table.clone(),
        }
    }

    /// JSON text of [`build_wrapper`](Self::build_wrapper).
    pub fn encode(&self, pretty: bool) -> String {
        json_text(&self.build_wrapper(), pretty)
    }

    /// Writes the file atomically. Blocking: call it off the event loop.
    pub fn persist(&self) -> Result<(), PersistError> {
        self.file.write(&self.encode(true))
    }

    /// Current version of the table.
    pub fn data_version(&self) -> DataVersion {
        self.data_version
    }

    /// All groups by name.
    pub fn table(&self) -> &BTreeMap<String, SubscriptionGroupConfig> {
        &self.table
    }

    /// The group's config, if known.
    pub fn find(&self, group: &str) -> Option<&SubscriptionGroupConfig> {
        self.table.get(group)
    }

    /// The group's config, creating it with defaults when `auto_create` is on or the group is a
    /// system group. `None` when unknown and not creatable, or the name is illegal.
    pub fn find_or_create(&mut self, group: &str, auto_create: bool) -> Option<GroupLookup> {
        if let Some(c) = self.table.get(group) {
            return Some(GroupLookup {
                config: c.clone(),
                created: false,
            });
        }
        if !auto_create && !group.starts_with(SYS_CONSUMER_GROUP_PREFIX) {
            return None;
        }
        if group.len() > GROUP_MAX_LENGTH || !has_only_legal_chars(group) {
            warn!(self.file.log(), "refusing to auto-create group with an illegal name"; "group" => group);
            return None;
        }
        let config = SubscriptionGroupConfig::new(group);
        info!(self.file.log(), "auto-created subscription group"; "group" => group);
        self.table.insert(group.to_string(), config.clone());
        self.data_version.next();
        Some(GroupLookup {
            config,
            created: true,
        })
    }

    /// Admin upsert (UPDATE_AND_CREATE_SUBSCRIPTIONGROUP). Returns the previous config.
    pub fn update(&mut self, config: SubscriptionGroupConfig) -> Option<SubscriptionGroupConfig> {
        info!(self.file.log(), "subscription group updated"; "group" => &config.group_name);
        let old = self.table.insert(config.group_name.clone(), config);
        self.data_version.next();
        old
    }

    /// Admin delete (DELETE_SUBSCRIPTIONGROUP). Returns the removed config.
    pub fn delete(&mut self, group: &str) -> Option<SubscriptionGroupConfig> {
        let old = self.table.remove(group);
        if old.is_some() {
            info!(self.file.log(), "subscription group deleted"; "group" => group);
            self.data_version.next();
        }
        old
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::logging::test_logger;

    #[test]
    fn built_ins_and_auto_create() {
        let dir = tempfile::tempdir().unwrap();
        let mut m = SubscriptionGroupManager::new(dir.path(), &test_logger());
        assert!(m.find("TOOLS_CONSUMER").is_some());
        assert!(m.find("CID_ONSAPI_PULL").unwrap().consume_broadcast_enable);
        assert!(m.find("TOOLS_CONSUMER").unwrap().consume_broadcast_enable);
        assert!(m.find("CID_RMQ_SYS_TRANS").is_some());
        let v0 = m.data_version();
        assert!(m.find_or_create("cg1", false).is_none());
        let sys = m.find_or_create("CID_RMQ_SYS_OTHER", false).unwrap();
        assert!(sys.created);
        let l = m.find_or_create("cg1", true).unwrap();
        assert!(l.created);
        assert_eq!(l.config.retry_queue_nums, 1);
        assert!(!m.find_or_create("cg1", true).unwrap().created);
        assert!(m.find_or_create("bad name", true).is_none());
        assert_eq!(m.data_version().counter, v0.counter + 2);
        assert!(m.delete("cg1").is_some());
        assert!(m.delete("cg1").is_none());
        assert_eq!(m.data_version().counter, v0.counter + 3);
    }
}
