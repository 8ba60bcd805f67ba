//! The broker's topic table (topics.json): system topics created at start, topics created
//! automatically on first send or send-back, admin upserts and deletes, and the versioned
//! snapshot the broker registers with name servers.
//!
//! Plain synchronous state owned by one actor. Mutations bump the DataVersion and report whether
//! anything changed; the owner then calls [`TopicConfigManager::persist`] off its event loop and
//! re-registers with the name servers.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use slog::{info, warn, Logger};

use super::persist::PersistError;
use super::table_file::{json_text, named, Named, TableFile};
use super::topic_validator::{self as tv, AUTO_CREATE_TOPIC_KEY_TOPIC};
use crate::protocol::topic::{perm, DataVersion, TopicConfig, TopicConfigSerializeWrapper};

/// Name of the topic file inside the config directory.
pub const TOPICS_FILE: &str = "topics.json";
/// Queue count of SCHEDULE_TOPIC_XXXX: one queue per delay level.
pub const SCHEDULE_TOPIC_QUEUE_NUM: i32 = 18;

/// The broker settings the topic table depends on (taken from BrokerConfig by the caller).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TopicManagerOptions {
    pub broker_cluster_name: String,
    pub broker_name: String,
    pub auto_create_topic_enable: bool,
    pub default_topic_queue_nums: i32,
    pub cluster_topic_enable: bool,
    pub broker_topic_enable: bool,
    pub trace_topic_enable: bool,
    pub msg_trace_topic_name: String,
}

impl Default for TopicManagerOptions {
    fn default() -> Self {
        TopicManagerOptions {
            broker_cluster_name: "DefaultCluster".into(),
            broker_name: "broker-a".into(),
            auto_create_topic_enable: true,
            default_topic_queue_nums: 8,
            cluster_topic_enable: true,
            broker_topic_enable: true,
            trace_topic_enable: false,
            msg_trace_topic_name: tv::RMQ_SYS_TRACE_TOPIC.into(),
        }
    }
}

/// A topic looked up or created, and whether it was created just now (the caller then persists
/// and re-registers with the name servers).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TopicLookup {
    pub config: TopicConfig,
    pub created: bool,
}

/// Owner of topics.json.
#[derive(Debug)]
pub struct TopicConfigManager {
    file: TableFile,
    opts: TopicManagerOptions,
    table: BTreeMap<String, TopicConfig>,
    data_version: DataVersion,
    system_topics: BTreeSet<String>,
}

impl Named for TopicConfig {
    fn name_mut(&mut self) -> &mut String {
        &mut self.topic_name
    }
}

impl TopicConfigManager {
    /// A table holding only the system topics, not yet loaded from disk.
    pub fn new(config_dir: &Path, opts: TopicManagerOptions, log: &Logger) -> Self {
        let mut m = TopicConfigManager {
            file: TableFile::new(config_dir, TOPICS_FILE, log, "topic-config"),
            opts,
            table: BTreeMap::new(),
            data_version: DataVersion::now(),
            system_topics: tv::FIXED_SYSTEM_TOPICS
                .iter()
                .map(|s| s.to_string())
                .collect(),
        };
        m.add_system_topics();
        m
    }

    /// [`new`](Self::new) followed by [`load`](Self::load).
    pub fn open(
        config_dir: &Path,
        opts: TopicManagerOptions,
        log: &Logger,
    ) -> Result<Self, PersistError> {
        let mut m = Self::new(config_dir, opts, log);
        m.load()?;
        Ok(m)
    }

    fn add_system_topics(&mut self) {
        let o = self.opts.clone();
        let rw = perm::READ | perm::WRITE;
        let mut sys = |name: &str, queues: i32, p: i32| {
            self.system_topics.insert(name.to_string());
            self.table
                .insert(name.to_string(), TopicConfig::new(name, queues, queues, p));
        };
        sys(tv::RMQ_SYS_SELF_TEST_TOPIC, 1, rw);
        if o.auto_create_topic_enable {
            sys(
                AUTO_CREATE_TOPIC_KEY_TOPIC,
                o.default_topic_queue_nums,
                rw | perm::INHERIT,
            );
        }
        sys(tv::RMQ_SYS_BENCHMARK_TOPIC, 1024, rw);
        let cluster_perm = if o.cluster_topic_enable {
            rw | perm::INHERIT
        } else {
            perm::INHERIT
        };
        sys(&o.broker_cluster_name, 16, cluster_perm);
        let broker_perm = if o.broker_topic_enable {
            rw | perm::INHERIT
        } else {
            perm::INHERIT
        };
        sys(&o.broker_name, 1, broker_perm);
        sys(tv::RMQ_SYS_OFFSET_MOVED_EVENT, 1, rw);
        sys(tv::RMQ_SYS_SCHEDULE_TOPIC, SCHEDULE_TOPIC_QUEUE_NUM, rw);
        if o.trace_topic_enable {
            sys(&o.msg_trace_topic_name, 1, rw);
        }
        sys(
            &format!("{}_{}", o.broker_cluster_name, tv::REPLY_TOPIC_POSTFIX),
            1,
            rw,
        );
    }

    /// Path of topics.json.
    pub fn file_path(&self) -> &Path {
        self.file.path()
    }

    /// Merges topics.json (or its backup) over the in-memory table; the file's topics win and
    /// its DataVersion is adopted. Returns whether a file was found.
    pub fn load(&mut self) -> Result<bool, PersistError> {
        let loaded: Option<TopicConfigSerializeWrapper> = self.file.load_json()?;
        let Some(w) = loaded else {
            return Ok(false);
        };
        self.table.extend(named(w.topic_config_table));
        self.data_version = w.data_version;
        info!(self.file.log(), "topics loaded"; "file" => %self.file.path().display(), "topics" => self.table.len());
        Ok(true)
    }

    /// Slave sync: adopts the master's table and DataVersion when its version differs from
    /// ours (Java's `syncTopicConfig`). Returns whether anything changed.
    pub fn replace_all(&mut self, w: TopicConfigSerializeWrapper) -> bool {
        if w.data_version == self.data_version {
            return false;
        }
        self.table = named(w.topic_config_table).collect();
        self.data_version = w.data_version;
        true
    }

    /// The file text (pretty JSON), for [`persist`](Self::persist) or an admin dump.
    pub fn encode(&self, pretty: bool) -> String {
        json_text(&self.build_serialize_wrapper(), pretty)
    }

    /// Writes topics.json atomically. Blocking: call it off the event loop.
    pub fn persist(&self) -> Result<(), PersistError> {
        self.file.write(&self.encode(true))
    }

    /// The topic's config, if the broker has it.
    pub fn select(&self, topic: &str) -> Option<&TopicConfig> {
        self.table.get(topic)
    }

    /// All topics by name.
    pub fn table(&self) -> &BTreeMap<String, TopicConfig> {
        &self.table
    }

    /// Current version of the table.
    /// Replaces the options (UPDATE_BROKER_CONFIG: `autoCreateTopicEnable`,
    /// `defaultTopicQueueNums` apply to the next auto-creation).
    pub fn set_options(&mut self, opts: TopicManagerOptions) {
        self.opts = opts;
    }

    /// Bumps the DataVersion (Java `getDataVersion().nextVersion()` after a `brokerPermission`
    /// update, so the name servers take the re-registration).
    pub fn next_data_version(&mut self) {
        self.data_version.next();
    }

    pub fn data_version(&self) -> DataVersion {
        self.data_version
    }

    /// Whether admins are barred from creating or deleting `topic`.
    pub fn is_system_topic(&self, topic: &str) -> bool {
        self.system_topics.contains(topic) || topic.starts_with(tv::SYSTEM_TOPIC_PREFIX)
    }

    /// The body of GET_SYSTEM_TOPIC_LIST_FROM_BROKER (305).
    pub fn system_topics(&self) -> Vec<String> {
        self.system_topics.iter().cloned().collect()
    }

    /// TopicConfigSerializeWrapper for registration and GET_ALL_TOPIC_CONFIG (21).
    pub fn build_serialize_wrapper(&self) -> TopicConfigSerializeWrapper {
        TopicConfigSerializeWrapper {
            data_version: self.data_version,
            topic_config_table: self.table.clone(),
        }
    }

    /// Auto-creation on send to an unknown topic (Java `createTopicInSendMessageMethod`):
    /// inherits from `default_topic` when its perm has the INHERIT bit. `None` = the topic does
    /// not exist and may not be created (the caller answers 17 TOPIC_NOT_EXIST).
    pub fn create_topic_in_send(
        &mut self,
        topic: &str,
        default_topic: &str,
        client_default_queue_nums: i32,
        sys_flag: i32,
    ) -> Option<TopicLookup> {
        if let Some(c) = self.table.get(topic) {
            return Some(TopicLookup {
                config: c.clone(),
                created: false,
            });
        }
        let Some(default) = self.table.get(default_topic) else {
            warn!(self.file.log(), "cannot auto-create topic: default topic does not exist";
                "topic" => topic, "default_topic" => default_topic);
            return None;
        };
        let mut default_perm = default.perm;
        if default_topic == AUTO_CREATE_TOPIC_KEY_TOPIC && !self.opts.auto_create_topic_enable {
            // A TBW102 left over in topics.json must not allow creation once it is switched off.
            default_perm = perm::READ | perm::WRITE;
        }
        if !perm::is_inherited(default_perm) {
            warn!(self.file.log(), "cannot auto-create topic: default topic is not inheritable";
                "topic" => topic, "default_topic" => default_topic, "perm" => default_perm);
            return None;
        }
        let queues = client_default_queue_nums
            .min(default.write_queue_nums)
            .max(0);
        let mut config = TopicConfig::new(topic, queues, queues, default_perm & !perm::INHERIT);
        config.topic_sys_flag = sys_flag;
        config.topic_filter_type = default.topic_filter_type;
        info!(self.file.log(), "auto-created topic"; "topic" => topic, "default_topic" => default_topic,
            "queues" => queues, "perm" => config.perm);
        self.table.insert(topic.to_string(), config.clone());
        self.data_version.next();
        Some(TopicLookup {
            config,
            created: true,
        })
    }

    /// Creates a retry (or DLQ) topic on heartbeat or send-back if it does not exist yet (Java
    /// `createTopicInSendMessageBackMethod`).
    pub fn create_topic_in_send_back(
        &mut self,
        topic: &str,
        queue_nums: i32,
        perm: i32,
        sys_flag: i32,
    ) -> TopicLookup {
        if let Some(c) = self.table.get(topic) {
            return TopicLookup {
                config: c.clone(),
                created: false,
            };
        }
        let mut config = TopicConfig::new(topic, queue_nums, queue_nums, perm);
        config.topic_sys_flag = sys_flag;
        info!(self.file.log(), "created topic for send-back"; "topic" => topic, "queues" => queue_nums);
        self.table.insert(topic.to_string(), config.clone());
        self.data_version.next();
        TopicLookup {
            config,
            created: true,
        }
    }

    /// Admin upsert (UPDATE_AND_CREATE_TOPIC). Returns the previous config. The caller checks
    /// the name ([`tv::validate_topic`]) and rejects system topics first.
    pub fn update_topic(&mut self, config: TopicConfig) -> Option<TopicConfig> {
        info!(self.file.log(), "topic updated"; "topic" => &config.topic_name,
            "read" => config.read_queue_nums, "write" => config.write_queue_nums, "perm" => config.perm);
        let old = self.table.insert(config.topic_name.clone(), config);
        self.data_version.next();
        old
    }

    /// Sets the `order` flag of the named topics (and clears it elsewhere, as Java's
    /// `updateOrderTopicConfig` does for the KV list of order topics). Returns whether anything
    /// changed.
    pub fn update_order_topics(&mut self, order_topics: &BTreeSet<String>) -> bool {
        let mut changed = false;
        for (name, c) in self.table.iter_mut() {
            let want = order_topics.contains(name);
            if c.order != want {
                c.order = want;
                changed = true;
            }
        }
        if changed {
            self.data_version.next();
        }
        changed
    }

    /// Removes a topic (DELETE_TOPIC_IN_BROKER). Returns the removed config.
    pub fn delete_topic(&mut self, topic: &str) -> Option<TopicConfig> {
        let old = self.table.remove(topic);
        if old.is_some() {
            info!(self.file.log(), "topic deleted"; "topic" => topic);
            self.data_version.next();
        } else {
            warn!(self.file.log(), "delete of unknown topic"; "topic" => topic);
        }
        old
    }
}
