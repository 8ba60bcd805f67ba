//! Values derived from the broker keys: the three ports, advertised addresses, store paths,
//! name-server list, delay levels and clamped timers. Actors use these instead of recomputing.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use super::broker::BrokerConfig;
use super::delay::{parse_delay_levels, DelayLevelError};

/// Every file and directory of a broker store (`storePathRootDir` layout, explicit keys win).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StorePaths {
    /// `storePathRootDir`.
    pub root: PathBuf,
    /// `storePathCommitLog` or root/commitlog.
    pub commit_log: PathBuf,
    /// `storePathConsumeQueue` or root/consumequeue.
    pub consume_queue: PathBuf,
    /// `storePathIndex` or root/index.
    pub index: PathBuf,
    /// `storeCheckpoint` or root/checkpoint.
    pub checkpoint: PathBuf,
    /// `abortFile` or root/abort.
    pub abort: PathBuf,
    /// root/lock (held while running).
    pub lock: PathBuf,
    /// root/config (topics.json, subscriptionGroup.json, consumerOffset.json, ...).
    pub config_dir: PathBuf,
}

impl BrokerConfig {
    /// True for ASYNC_MASTER and SYNC_MASTER.
    pub fn is_master(&self) -> bool {
        self.broker_role.is_master()
    }

    /// The fast (VIP) channel port: listenPort - 2.
    pub fn fast_port(&self) -> u16 {
        self.listen_port.saturating_sub(2)
    }

    /// The HA port: haListenPort if given, else listenPort + 1.
    pub fn ha_port(&self) -> u16 {
        self.ha_listen_port
            .unwrap_or_else(|| self.listen_port.saturating_add(1))
    }

    /// brokerIP2, or brokerIP1 when it is not set.
    pub fn effective_broker_ip2(&self) -> &str {
        self.broker_ip2.as_deref().unwrap_or(&self.broker_ip1)
    }

    /// `brokerIP1:listenPort` (`brokerAdvertisedPort` when set): the address registered with
    /// name servers and given to clients.
    pub fn client_addr(&self) -> String {
        format!(
            "{}:{}",
            self.broker_ip1,
            self.advertised_port(self.listen_port)
        )
    }

    /// `brokerIP2:haPort` (`haAdvertisedPort` when set): the HA address a master advertises to
    /// its slaves.
    pub fn ha_addr(&self) -> String {
        format!(
            "{}:{}",
            self.effective_broker_ip2(),
            self.ha_advertised_port.unwrap_or(self.ha_port())
        )
    }

    /// The client port others reach: `brokerAdvertisedPort`, else `bound` (the listen port as
    /// bound). README.md "Advertised ports behind NAT".
    pub fn advertised_port(&self, bound: u16) -> u16 {
        self.broker_advertised_port.unwrap_or(bound)
    }

    /// The fast-channel port others reach: `brokerAdvertisedFastPort`, else the advertised
    /// client port - 2 (what a RocketMQ client derives from the registered address).
    pub fn advertised_fast_port(&self, bound_listen: u16) -> u16 {
        self.broker_advertised_fast_port
            .unwrap_or_else(|| self.advertised_port(bound_listen).saturating_sub(2))
    }

    /// Where the main listener binds (`bindAddress:listenPort`).
    pub fn listen_socket_addr(&self) -> SocketAddr {
        SocketAddr::new(self.bind_address, self.listen_port)
    }

    /// Where the fast-channel listener binds (`bindAddress:listenPort-2`).
    pub fn fast_socket_addr(&self) -> SocketAddr {
        SocketAddr::new(self.bind_address, self.fast_port())
    }

    /// Where the HA listener binds (`bindAddress:haPort`).
    pub fn ha_socket_addr(&self) -> SocketAddr {
        SocketAddr::new(self.bind_address, self.ha_port())
    }

    /// The name servers, split on `;`, blanks trimmed, empty entries dropped; host names are
    /// kept as written (resolved when connecting).
    pub fn namesrv_addrs(&self) -> Vec<String> {
        self.namesrv_addr
            .as_deref()
            .unwrap_or_default()
            .split(';')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect()
    }

    /// Store paths, honouring the explicit keys (Java 4.9 honours only storePathCommitLog).
    pub fn store_paths(&self) -> StorePaths {
        let root = self.store_path_root_dir.clone();
        let or_root =
            |p: &Option<PathBuf>, name: &str| p.clone().unwrap_or_else(|| root.join(name));
        StorePaths {
            commit_log: or_root(&self.store_path_commit_log, "commitlog"),
            consume_queue: or_root(&self.store_path_consume_queue, "consumequeue"),
            index: or_root(&self.store_path_index, "index"),
            checkpoint: or_root(&self.store_checkpoint, "checkpoint"),
            abort: or_root(&self.abort_file, "abort"),
            lock: root.join("lock"),
            config_dir: root.join("config"),
            root,
        }
    }

    /// The delay of each level (level 1 first), from messageDelayLevel.
    pub fn message_delay_levels(&self) -> Result<Vec<Duration>, DelayLevelError> {
        parse_delay_levels(&self.message_delay_level)
    }

    /// The hours of deleteWhen (entries that are not hours 0..=23 are skipped; loading rejects
    /// them).
    pub fn delete_when_hours(&self) -> Vec<u8> {
        self.delete_when
            .split(';')
            .filter_map(|h| h.trim().parse::<u8>().ok())
            .filter(|h| *h < 24)
            .collect()
    }

    /// The re-registration period as Java uses it: registerNameServerPeriod clamped to
    /// 10 s..=60 s.
    pub fn register_interval(&self) -> Duration {
        Duration::from_millis(self.register_name_server_period.clamp(10_000, 60_000))
    }

    /// The lag (bytes) beyond which a SYNC_MASTER answers SLAVE_NOT_AVAILABLE:
    /// haMaxGapNotInSync, else haSlaveFallbehindMax.
    pub fn slave_not_available_gap(&self) -> u64 {
        self.ha_max_gap_not_in_sync
            .unwrap_or(self.ha_slave_fallbehind_max)
    }

    /// Derived lines for `render_effective`.
    pub(crate) fn derived_lines(&self) -> Vec<(&'static str, String)> {
        let paths = self.store_paths();
        let show = |p: &PathBuf| p.display().to_string();
        let ha_how = if self.ha_listen_port.is_some() {
            "haListenPort"
        } else {
            "listenPort+1"
        };
        vec![
            (
                "role",
                format!("{} (brokerId {})", self.broker_role, self.broker_id),
            ),
            ("listen address", self.listen_socket_addr().to_string()),
            (
                "fast channel port",
                format!("{} (listenPort-2)", self.fast_port()),
            ),
            ("HA port", format!("{} ({ha_how})", self.ha_port())),
            ("client address", self.client_addr()),
            ("HA address", self.ha_addr()),
            ("name servers", self.namesrv_addrs().join(", ")),
            ("store root", show(&paths.root)),
            ("commit log dir", show(&paths.commit_log)),
            ("consume queue dir", show(&paths.consume_queue)),
            ("index dir", show(&paths.index)),
            ("checkpoint file", show(&paths.checkpoint)),
            ("abort file", show(&paths.abort)),
            ("lock file", show(&paths.lock)),
            ("metadata dir", show(&paths.config_dir)),
            (
                "SLAVE_NOT_AVAILABLE gap",
                self.slave_not_available_gap().to_string(),
            ),
            (
                "register interval ms",
                self.register_interval().as_millis().to_string(),
            ),
        ]
    }
}
