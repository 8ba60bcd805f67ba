//! [`NamesrvConfig`]: the name server's keys (Java NamesrvConfig + NettyServerConfig) plus our
//! liveness timers, with the key table and checks.

use std::collections::BTreeMap;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::time::Duration;

use super::keys::{joined, key_table, KeySpec, Schema};
use super::shared_keys::{server_thread_keys, tls_keys};
use super::{net, ConfigError, Loaded, Source};

/// A name server's configuration.
#[derive(Debug, Clone, PartialEq)]
pub struct NamesrvConfig {
    /// `listenPort` (9876). 0 lets the OS choose (tests).
    pub listen_port: u16,
    /// `bindAddress` (our key; 0.0.0.0).
    pub bind_address: IpAddr,
    /// `rocketmqHome` (unset) — no effect.
    pub rocketmq_home: Option<PathBuf>,
    /// `kvConfigPath` ($HOME/namesrv/kvConfig.json).
    pub kv_config_path: PathBuf,
    /// `configStorePath` ($HOME/namesrv/namesrv.properties).
    pub config_store_path: PathBuf,
    /// `productEnvName` (center).
    pub product_env_name: String,
    /// `clusterTest` (false).
    pub cluster_test: bool,
    /// `orderMessageEnable` (false).
    pub order_message_enable: bool,
    /// `scanNotActiveBrokerInterval` (our key; 10000 ms): how often expired brokers are swept.
    pub scan_not_active_broker_interval: u64,
    /// `brokerChannelExpiredTime` (our key; 120000 ms): a broker silent this long is removed.
    pub broker_channel_expired_time: u64,
    /// `serverChannelMaxIdleTimeSeconds` (120): idle connections are closed.
    pub server_channel_max_idle_time_seconds: u64,
    /// `serverWorkerThreads` (8) — no effect.
    pub server_worker_threads: u32,
    /// `serverCallbackExecutorThreads` (0) — no effect.
    pub server_callback_executor_threads: u32,
    /// `serverSelectorThreads` (3): connection arbiters per listener, at most one per core
    /// (`actors::remoting::workers::threads_for`).
    pub server_selector_threads: u32,
    /// `serverOnewaySemaphoreValue` (256) — no effect.
    pub server_oneway_semaphore_value: u32,
    /// `serverAsyncSemaphoreValue` (64) — no effect.
    pub server_async_semaphore_value: u32,
    /// `serverPooledByteBufAllocatorEnable` (true) — no effect.
    pub server_pooled_byte_buf_allocator_enable: bool,
    /// `useEpollNativeSelector` (false) — no effect.
    pub use_epoll_native_selector: bool,
    /// `metricsListen` (our key; unset = off): `host:port` of the Prometheus `/metrics`
    /// endpoint (docs/metrics.md); port 0 picks a free port (logged).
    pub metrics_listen: Option<String>,
    /// The `tls.*` keys (docs/tls.md).
    pub tls: super::TlsConfig,
}

impl Default for NamesrvConfig {
    fn default() -> Self {
        let home = net::home_dir().join("namesrv");
        Self {
            listen_port: 9876,
            bind_address: IpAddr::V4(Ipv4Addr::UNSPECIFIED),
            rocketmq_home: None,
            kv_config_path: home.join("kvConfig.json"),
            config_store_path: home.join("namesrv.properties"),
            product_env_name: "center".into(),
            cluster_test: false,
            order_message_enable: false,
            scan_not_active_broker_interval: 10_000,
            broker_channel_expired_time: 120_000,
            server_channel_max_idle_time_seconds: 120,
            server_worker_threads: 8,
            server_callback_executor_threads: 0,
            server_selector_threads: 3,
            server_oneway_semaphore_value: 256,
            server_async_semaphore_value: 64,
            server_pooled_byte_buf_allocator_enable: true,
            use_epoll_native_selector: false,
            metrics_listen: None,
            tls: super::TlsConfig::default(),
        }
    }
}

/// The name server's table: its own keys with the shared sub-tables (`shared_keys.rs`).
static NAMESRV_KEYS: std::sync::LazyLock<Vec<KeySpec<NamesrvConfig>>> =
    std::sync::LazyLock::new(|| {
        joined(&[
            NAMESRV_HEAD,
            server_thread_keys!(NamesrvConfig),
            NAMESRV_REST,
            tls_keys!(NamesrvConfig),
        ])
    });

static NAMESRV_HEAD: &[KeySpec<NamesrvConfig>] = key_table!(NamesrvConfig {
    "listenPort" => listen_port,
    "bindAddress" => bind_address,
    inert "rocketmqHome" => rocketmq_home,
    "kvConfigPath" => kv_config_path,
    "configStorePath" => config_store_path,
    "productEnvName" => product_env_name,
    "clusterTest" => cluster_test,
    "orderMessageEnable" => order_message_enable,
    "scanNotActiveBrokerInterval" => scan_not_active_broker_interval,
    "brokerChannelExpiredTime" => broker_channel_expired_time,
    "serverChannelMaxIdleTimeSeconds" => server_channel_max_idle_time_seconds,
});

static NAMESRV_REST: &[KeySpec<NamesrvConfig>] = key_table!(NamesrvConfig {
    // Our extension (docs/metrics.md).
    "metricsListen" => metrics_listen,
});

static UNIMPLEMENTED: &[&str] = &[
    "serverSocketSndBufSize",
    "serverSocketRcvBufSize",
    "serverSocketBacklog",
];

impl Schema for NamesrvConfig {
    const WHAT: &'static str = "name server";
    const ENV_PREFIX: &'static str = "ROCKETACTOR_NAMESRV";

    fn keys() -> &'static [KeySpec<Self>] {
        &NAMESRV_KEYS
    }

    fn unimplemented_keys() -> &'static [&'static str] {
        UNIMPLEMENTED
    }

    fn finish(
        &mut self,
        sources: &BTreeMap<String, Source>,
        warnings: &mut Vec<String>,
    ) -> Result<(), ConfigError> {
        self.tls.finish(sources, warnings)?;
        self.validate_with(sources)
    }

    fn derived(&self) -> Vec<(&'static str, String)> {
        vec![
            ("listen address", self.listen_socket_addr().to_string()),
            (
                "scan interval ms",
                self.scan_not_active_broker_interval.to_string(),
            ),
            (
                "broker expiry ms",
                self.broker_channel_expired_time.to_string(),
            ),
        ]
    }
}

impl NamesrvConfig {
    /// Builds a config from properties-style `(key, value)` pairs.
    pub fn from_pairs<I, K, V>(pairs: I) -> Result<Loaded<Self>, ConfigError>
    where
        I: IntoIterator<Item = (K, V)>,
        K: AsRef<str>,
        V: AsRef<str>,
    {
        super::loader::from_pairs(pairs)
    }

    /// The name-server key table (RocketMQ spellings), in rendering order.
    pub fn keys() -> &'static [KeySpec<Self>] {
        &NAMESRV_KEYS
    }

    /// A name server on 127.0.0.1 with the given port (0 = OS-chosen) for tests and the demo.
    pub fn loopback(listen_port: u16) -> Self {
        Self {
            listen_port,
            bind_address: IpAddr::V4(Ipv4Addr::LOCALHOST),
            ..Self::default()
        }
    }

    /// Where the listener binds.
    pub fn listen_socket_addr(&self) -> SocketAddr {
        SocketAddr::new(self.bind_address, self.listen_port)
    }

    /// The expired-broker sweep period.
    pub fn scan_interval(&self) -> Duration {
        Duration::from_millis(self.scan_not_active_broker_interval)
    }

    /// How long a broker may stay silent before it is removed from routes.
    pub fn broker_expiry(&self) -> Duration {
        Duration::from_millis(self.broker_channel_expired_time)
    }

    /// Checks a configuration built in code.
    pub fn validate(&self) -> Result<(), ConfigError> {
        self.validate_with(&BTreeMap::new())
    }

    /// [`validate`](Self::validate), naming each key's source from `sources`.
    pub fn validate_with(&self, sources: &BTreeMap<String, Source>) -> Result<(), ConfigError> {
        let at = |key: &str| sources.get(key).cloned().unwrap_or(Source::Code);
        for (key, value) in [
            (
                "scanNotActiveBrokerInterval",
                self.scan_not_active_broker_interval,
            ),
            ("brokerChannelExpiredTime", self.broker_channel_expired_time),
        ] {
            if value == 0 {
                return Err(ConfigError::invalid(at(key), key, "0", "at least 1 ms"));
            }
        }
        for (key, path) in [
            ("kvConfigPath", &self.kv_config_path),
            ("configStorePath", &self.config_store_path),
        ] {
            if path.as_os_str().is_empty() {
                return Err(ConfigError::invalid(at(key), key, "", "a file path"));
            }
        }
        Ok(())
    }
}
