//! Broker configuration checks: Java's silent fix-ups made visible (`normalize`, warnings) and
//! the hard checks (`validate`), each error naming the key, value, source and what is expected.

use std::collections::BTreeMap;

use super::broker::BrokerConfig;
use super::delay::parse_delay_levels;
use super::net::check_host_port;
use super::value::BrokerRole;
use super::{ConfigError, Source};

/// Consume-queue entry size: mapped consume-queue files hold whole entries.
pub(crate) const CQ_UNIT: u64 = 20;
/// Extra room a stored record needs beyond its body (Java's record limit is body + 64 KiB).
const RECORD_OVERHEAD: u64 = 64 * 1024;

fn origin(sources: &BTreeMap<String, Source>, key: &str) -> Source {
    sources.get(key).cloned().unwrap_or(Source::Default)
}

impl BrokerConfig {
    /// Applies Java's fix-ups, reporting each one: a master's brokerId becomes 0,
    /// diskMaxUsedSpaceRatio is clamped to 10..=95, mappedFileSizeConsumeQueue is rounded up to
    /// a multiple of 20. Also warns where our behaviour differs from Java's.
    pub fn normalize(&mut self, sources: &BTreeMap<String, Source>, warnings: &mut Vec<String>) {
        if self.broker_role.is_master() && self.broker_id != 0 {
            warnings.push(format!(
                "{}: brokerId={} forced to 0 because brokerRole is {} (as Java does)",
                origin(sources, "brokerId"),
                self.broker_id,
                self.broker_role
            ));
            self.broker_id = 0;
        }
        let ratio = self.disk_max_used_space_ratio;
        let clamped = ratio.clamp(10, 95);
        if clamped != ratio {
            warnings.push(format!(
                "{}: diskMaxUsedSpaceRatio={ratio} clamped to {clamped} (allowed 10..=95)",
                origin(sources, "diskMaxUsedSpaceRatio")
            ));
            self.disk_max_used_space_ratio = clamped;
        }
        let cq = self.mapped_file_size_consume_queue;
        let rounded = cq.div_ceil(CQ_UNIT) * CQ_UNIT;
        if rounded != cq {
            warnings.push(format!(
                "{}: mappedFileSizeConsumeQueue={cq} rounded up to {rounded} (a multiple of 20)",
                origin(sources, "mappedFileSizeConsumeQueue")
            ));
            self.mapped_file_size_consume_queue = rounded;
        }
        if let Some(ha) = self.ha_listen_port {
            let java = u32::from(self.listen_port) + 1;
            if u32::from(ha) != java {
                warnings.push(format!(
                    "{}: haListenPort={ha} honoured (Java would use listenPort+1 = {java})",
                    origin(sources, "haListenPort")
                ));
            }
        }
        // Clients derive the fast channel as the registered port - 2 (Java
        // `MixAll.brokerVIPChannel`): another advertised fast port is for tools and NAT rules only.
        if let Some(fast) = self.broker_advertised_fast_port {
            let derived = self.advertised_port(self.listen_port).saturating_sub(2);
            if fast != derived {
                warnings.push(format!(
                    "{}: brokerAdvertisedFastPort={fast} differs from the port clients derive \
                     (advertised client port - 2 = {derived}); clients with vipChannelEnabled \
                     will use {derived}",
                    origin(sources, "brokerAdvertisedFastPort")
                ));
            }
        }
        let period = self.register_name_server_period;
        if !(10_000..=60_000).contains(&period) {
            warnings.push(format!(
                "{}: registerNameServerPeriod={period} is used as {} ms (allowed 10000..=60000)",
                origin(sources, "registerNameServerPeriod"),
                period.clamp(10_000, 60_000)
            ));
        }
    }

    /// Checks a configuration built in code (errors name the key; source "set in code").
    /// Unlike loading, it does not fix anything up: a master with brokerId != 0 is an error.
    pub fn validate(&self) -> Result<(), ConfigError> {
        self.validate_with(&BTreeMap::new())
    }

    /// [`validate`](Self::validate), naming each key's source from `sources` (keys missing from
    /// it are reported as set in code).
    pub fn validate_with(&self, sources: &BTreeMap<String, Source>) -> Result<(), ConfigError> {
        let at = |key: &str| sources.get(key).cloned().unwrap_or(Source::Code);
        let bad = |key: &str, value: String, expected: String| {
            Err(ConfigError::invalid(at(key), key, value, expected))
        };

        for (key, value) in [
            ("brokerClusterName", &self.broker_cluster_name),
            ("brokerName", &self.broker_name),
            ("brokerIP1", &self.broker_ip1),
        ] {
            if value.is_empty() || value.contains(|c: char| c.is_whitespace() || c == ';') {
                return bad(
                    key,
                    value.clone(),
                    "a non-empty name without blanks or `;`".into(),
                );
            }
        }
        if let Some(ip2) = &self.broker_ip2 {
            if ip2.contains(|c: char| c.is_whitespace() || c == ';') {
                return bad(
                    "brokerIP2",
                    ip2.clone(),
                    "an address without blanks or `;`".into(),
                );
            }
        }

        match self.broker_role {
            BrokerRole::Slave if self.broker_id < 1 => {
                let id_defaulted = matches!(sources.get("brokerId"), Some(Source::Default));
                let key = if id_defaulted {
                    "brokerRole"
                } else {
                    "brokerId"
                };
                let value = if key == "brokerId" {
                    self.broker_id.to_string()
                } else {
                    self.broker_role.to_string()
                };
                return Err(ConfigError::invalid(
                    at(key),
                    key,
                    value,
                    "brokerId >= 1 for a SLAVE (brokerId 0 is the master)",
                ));
            }
            role if role.is_master() && self.broker_id != 0 => {
                return bad(
                    "brokerId",
                    self.broker_id.to_string(),
                    format!("0 for a master ({role})"),
                );
            }
            _ => {}
        }

        if !(3..=65534).contains(&self.listen_port) {
            return bad(
                "listenPort",
                self.listen_port.to_string(),
                "a port in 3..=65534 (the fast channel uses listenPort-2 and HA listenPort+1)"
                    .into(),
            );
        }
        for (key, port) in [
            ("brokerAdvertisedPort", self.broker_advertised_port),
            ("brokerAdvertisedFastPort", self.broker_advertised_fast_port),
            ("haAdvertisedPort", self.ha_advertised_port),
        ] {
            if port == Some(0) {
                return bad(key, "0".into(), "a port in 1..=65535".into());
            }
        }
        if let Some(ha) = self.ha_listen_port {
            if ha == 0 || ha == self.listen_port || ha == self.fast_port() {
                return bad(
                    "haListenPort",
                    ha.to_string(),
                    format!(
                        "a port in 1..=65535 other than listenPort ({}) and the fast port ({})",
                        self.listen_port,
                        self.fast_port()
                    ),
                );
            }
        }

        if let Some(addr) = &self.namesrv_addr {
            let entries: Vec<&str> = addr
                .split(';')
                .map(str::trim)
                .filter(|e| !e.is_empty())
                .collect();
            if entries.is_empty() {
                return bad(
                    "namesrvAddr",
                    addr.clone(),
                    "a `;`-separated list of host:port".into(),
                );
            }
            for entry in entries {
                if let Err(why) = check_host_port(entry) {
                    return bad(
                        "namesrvAddr",
                        addr.clone(),
                        format!("a `;`-separated list of host:port ({why})"),
                    );
                }
            }
        }
        if let Some(addr) = &self.ha_master_address {
            if let Err(why) = check_host_port(addr) {
                return bad(
                    "haMasterAddress",
                    addr.clone(),
                    format!("host:port ({why})"),
                );
            }
        }

        self.validate_store(&at)
    }

    fn validate_store(&self, at: &dyn Fn(&str) -> Source) -> Result<(), ConfigError> {
        let bad = |key: &str, value: String, expected: &str| {
            Err(ConfigError::invalid(at(key), key, value, expected))
        };
        if self.store_path_root_dir.as_os_str().is_empty() {
            return bad("storePathRootDir", String::new(), "a directory path");
        }
        if let Some(p) = &self.store_path_commit_log {
            if p.to_string_lossy().contains(',') {
                return bad(
                    "storePathCommitLog",
                    p.display().to_string(),
                    "a single directory (`,`-separated multi-path commit logs are not supported)",
                );
            }
        }
        let commit_log = self.mapped_file_size_commit_log;
        if commit_log == 0 || commit_log > i32::MAX as u64 {
            return bad(
                "mappedFileSizeCommitLog",
                commit_log.to_string(),
                "a file size in 1..=2147483647 bytes",
            );
        }
        let cq = self.mapped_file_size_consume_queue;
        if cq == 0 || cq > i32::MAX as u64 || cq % CQ_UNIT != 0 {
            return bad(
                "mappedFileSizeConsumeQueue",
                cq.to_string(),
                "a non-zero multiple of 20 up to 2147483640 bytes",
            );
        }
        if self.max_message_size == 0 {
            return bad("maxMessageSize", "0".into(), "at least 1 byte");
        }
        if u64::from(self.max_message_size) + RECORD_OVERHEAD >= commit_log {
            // Blame the key that was set (maxMessageSize if both were).
            let (key, value) = if at("maxMessageSize") == Source::Default {
                ("mappedFileSizeCommitLog", commit_log.to_string())
            } else {
                ("maxMessageSize", self.max_message_size.to_string())
            };
            return Err(ConfigError::invalid(
                at(key),
                key,
                value,
                format!(
                    "sizes such that a record (maxMessageSize {} + 64 KiB) fits in a commit-log \
                     file (mappedFileSizeCommitLog {commit_log})",
                    self.max_message_size
                ),
            ));
        }
        if !(10..=95).contains(&self.disk_max_used_space_ratio) {
            return bad(
                "diskMaxUsedSpaceRatio",
                self.disk_max_used_space_ratio.to_string(),
                "a percentage in 10..=95",
            );
        }
        if self.access_message_in_memory_max_ratio > 100 {
            return bad(
                "accessMessageInMemoryMaxRatio",
                self.access_message_in_memory_max_ratio.to_string(),
                "a percentage in 0..=100",
            );
        }
        if self.broker_permission > 15 {
            return bad(
                "brokerPermission",
                self.broker_permission.to_string(),
                "permission bits in 0..=15",
            );
        }
        for (key, value) in [
            ("defaultTopicQueueNums", self.default_topic_queue_nums),
            ("maxHashSlotNum", self.max_hash_slot_num),
            ("maxIndexNum", self.max_index_num),
            ("haTransferBatchSize", self.ha_transfer_batch_size),
        ] {
            if value == 0 {
                return bad(key, "0".into(), "a value of at least 1");
            }
        }
        for hour in self.delete_when.split(';') {
            if !matches!(hour.trim().parse::<u8>(), Ok(0..=23)) {
                return bad(
                    "deleteWhen",
                    self.delete_when.clone(),
                    "hours of the day in 0..=23 separated by `;` (e.g. 04 or 04;16)",
                );
            }
        }
        if let Err(e) = parse_delay_levels(&self.message_delay_level) {
            return Err(ConfigError::invalid(
                at("messageDelayLevel"),
                "messageDelayLevel",
                self.message_delay_level.clone(),
                format!("space-separated delays such as `1s 5s 1m 2h` ({e})"),
            ));
        }
        Ok(())
    }
}
