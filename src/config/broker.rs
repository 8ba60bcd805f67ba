//! [`BrokerConfig`]: every broker key of RocketMQ 4.9.7 that rocketactor uses or accepts, with
//! Java's defaults. Field names are the snake_case of the Java keys; times are milliseconds
//! unless the name says otherwise. Keys and parsing live in `broker_keys`, checks in
//! `broker_check`, derived values (ports, addresses, store paths) in `broker_derived`.

use std::net::{IpAddr, Ipv4Addr};
use std::path::PathBuf;

use super::net;
use super::value::{BrokerRole, FlushDiskType};

/// A broker's configuration (Java BrokerConfig + NettyServerConfig + MessageStoreConfig).
///
/// Build one in code with `BrokerConfig::default()` (or [`BrokerConfig::loopback`]), set
/// fields, then call [`BrokerConfig::validate`]; or use [`BrokerConfig::from_pairs`] with
/// properties-style keys. Fields marked *no effect* are accepted for compatibility and stored,
/// but an actor design has no such thread pools or queues.
#[derive(Debug, Clone, PartialEq)]
pub struct BrokerConfig {
    // ---- identity and name servers ----
    /// `brokerClusterName` (DefaultCluster).
    pub broker_cluster_name: String,
    /// `brokerName` (the host name).
    pub broker_name: String,
    /// `brokerId`: 0 for a master, >= 1 for a slave.
    pub broker_id: u64,
    /// `namesrvAddr`: `;`-separated `host:port` list (see [`BrokerConfig::namesrv_addrs`]).
    pub namesrv_addr: Option<String>,
    /// `brokerIP1`: advertised client address (auto-detected).
    pub broker_ip1: String,
    /// `brokerIP2`: advertised HA address. Unset means brokerIP1 here (Java auto-detects it
    /// separately); see [`BrokerConfig::effective_broker_ip2`].
    pub broker_ip2: Option<String>,
    /// `regionId` (DefaultRegion).
    pub region_id: String,
    /// `brokerPermission` (6 = read + write).
    pub broker_permission: u32,

    // ---- network ----
    /// `listenPort` (10911). The fast channel uses listenPort-2, HA listenPort+1.
    pub listen_port: u16,
    /// `haListenPort`: honoured when given (Java always uses listenPort+1).
    pub ha_listen_port: Option<u16>,
    /// `bindAddress` (our key; 0.0.0.0): the address all three listeners bind.
    pub bind_address: IpAddr,
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
    /// `useTLS` (false): the broker's outgoing links use TLS (as `tls.enable`; docs/tls.md).
    pub use_tls: bool,
    /// `filterServerNums` (0) — no effect (no filter servers).
    pub filter_server_nums: u32,
    /// `clientCallbackExecutorThreads` (the number of cores, Java's NettyClientConfig) — no
    /// effect; mqadmin's exportMetrics reads it as the broker's `cpuNum`.
    pub client_callback_executor_threads: u32,

    // ---- topics, groups, consumers ----
    /// `defaultTopicQueueNums` (8): queue count of TBW102 and auto-created topics.
    pub default_topic_queue_nums: u32,
    /// `autoCreateTopicEnable` (true).
    pub auto_create_topic_enable: bool,
    /// `autoCreateSubscriptionGroup` (true).
    pub auto_create_subscription_group: bool,
    /// `clusterTopicEnable` (true).
    pub cluster_topic_enable: bool,
    /// `brokerTopicEnable` (true).
    pub broker_topic_enable: bool,
    /// `traceTopicEnable` (false).
    pub trace_topic_enable: bool,
    /// `msgTraceTopicName` (RMQ_SYS_TRACE_TOPIC).
    pub msg_trace_topic_name: String,
    /// `traceOn` (true).
    pub trace_on: bool,
    /// `aclEnable` (false): check every request against the plain ACL files (docs/acl.md).
    pub acl_enable: bool,
    /// `aclPlainFile` (unset; ours, docs/acl.md): an explicit plain_acl.yml path, used instead
    /// of `$ROCKETMQ_HOME/conf/plain_acl.yml`.
    pub acl_plain_file: Option<PathBuf>,
    /// `haAuthSecret` (unset; ours, docs/acl.md): a secret master and slaves share; the slave
    /// proves it in its HA hello and the master refuses a slave that does not.
    pub ha_auth_secret: Option<String>,
    /// `slaveReadEnable` (false).
    pub slave_read_enable: bool,
    /// `longPollingEnable` (true).
    pub long_polling_enable: bool,
    /// `enablePropertyFilter` (false): SQL92 subscriptions are served (src/filter/).
    pub enable_property_filter: bool,
    /// `shortPollingTimeMills` (1000).
    pub short_polling_time_mills: u64,
    /// `notifyConsumerIdsChangedEnable` (true).
    pub notify_consumer_ids_changed_enable: bool,
    /// `flushConsumerOffsetInterval` (5000): consumerOffset.json persist period.
    pub flush_consumer_offset_interval: u64,
    /// `flushDelayOffsetInterval` (10000): delayOffset.json persist period.
    pub flush_delay_offset_interval: u64,

    // ---- registration ----
    /// `registerNameServerPeriod` (30000; used clamped to 10 s..=60 s).
    pub register_name_server_period: u64,
    /// `registerBrokerTimeoutMills` (6000).
    pub register_broker_timeout_mills: u64,

    // ---- thread pools and queues (no effect) ----
    /// `sendMessageThreadPoolNums` (min(cpus, 4)) — no effect.
    pub send_message_thread_pool_nums: u32,
    /// `putMessageFutureThreadPoolNums` (min(cpus, 4)) — no effect.
    pub put_message_future_thread_pool_nums: u32,
    /// `pullMessageThreadPoolNums` (16 + 2·cpus) — no effect.
    pub pull_message_thread_pool_nums: u32,
    /// `processReplyMessageThreadPoolNums` (16 + 2·cpus) — no effect.
    pub process_reply_message_thread_pool_nums: u32,
    /// `queryMessageThreadPoolNums` (8 + cpus) — no effect.
    pub query_message_thread_pool_nums: u32,
    /// `adminBrokerThreadPoolNums` (16) — no effect.
    pub admin_broker_thread_pool_nums: u32,
    /// `clientManageThreadPoolNums` (32) — no effect.
    pub client_manage_thread_pool_nums: u32,
    /// `consumerManageThreadPoolNums` (32) — no effect.
    pub consumer_manage_thread_pool_nums: u32,
    /// `heartbeatThreadPoolNums` (min(32, cpus)) — no effect.
    pub heartbeat_thread_pool_nums: u32,
    /// `endTransactionThreadPoolNums` (max(8 + 2·cpus, 4·send pool)) — no effect.
    pub end_transaction_thread_pool_nums: u32,
    /// `sendThreadPoolQueueCapacity` (10000) — no effect.
    pub send_thread_pool_queue_capacity: u32,
    /// `putThreadPoolQueueCapacity` (10000) — no effect.
    pub put_thread_pool_queue_capacity: u32,
    /// `pullThreadPoolQueueCapacity` (100000) — no effect.
    pub pull_thread_pool_queue_capacity: u32,
    /// `replyThreadPoolQueueCapacity` (10000) — no effect.
    pub reply_thread_pool_queue_capacity: u32,
    /// `queryThreadPoolQueueCapacity` (20000) — no effect.
    pub query_thread_pool_queue_capacity: u32,
    /// `clientManagerThreadPoolQueueCapacity` (1000000) — no effect.
    pub client_manager_thread_pool_queue_capacity: u32,
    /// `consumerManagerThreadPoolQueueCapacity` (1000000) — no effect.
    pub consumer_manager_thread_pool_queue_capacity: u32,
    /// `heartbeatThreadPoolQueueCapacity` (50000) — no effect.
    pub heartbeat_thread_pool_queue_capacity: u32,
    /// `endTransactionPoolQueueCapacity` (100000) — no effect.
    pub end_transaction_pool_queue_capacity: u32,

    // ---- transactions (broker/transaction/) ----
    /// `transactionTimeOut` (6000): a half message younger than this (ms since born) is not
    /// checked yet.
    pub transaction_time_out: u64,
    /// `transactionCheckMax` (15): checks of one half message before it is discarded to
    /// `TRANS_CHECK_MAX_TIME_TOPIC`.
    pub transaction_check_max: u32,
    /// `transactionCheckInterval` (60000): ms between two check passes.
    pub transaction_check_interval: u64,
    /// `rejectTransactionMessage` (false): refuse half messages with NO_PERMISSION.
    pub reject_transaction_message: bool,

    // ---- store layout and files ----
    /// `storePathRootDir` ($HOME/store).
    pub store_path_root_dir: PathBuf,
    /// `storePathCommitLog` (root/commitlog).
    pub store_path_commit_log: Option<PathBuf>,
    /// `storePathConsumeQueue` (root/consumequeue; honoured, unlike Java 4.9).
    pub store_path_consume_queue: Option<PathBuf>,
    /// `storePathIndex` (root/index; honoured, unlike Java 4.9).
    pub store_path_index: Option<PathBuf>,
    /// `storeCheckpoint` (root/checkpoint; honoured, unlike Java 4.9).
    pub store_checkpoint: Option<PathBuf>,
    /// `abortFile` (root/abort; honoured, unlike Java 4.9).
    pub abort_file: Option<PathBuf>,
    /// `mappedFileSizeCommitLog` or `mapedFileSizeCommitLog` (1 GiB).
    pub mapped_file_size_commit_log: u64,
    /// `mappedFileSizeConsumeQueue` or `mapedFileSizeConsumeQueue` (6_000_000; rounded up to a
    /// multiple of 20).
    pub mapped_file_size_consume_queue: u64,
    /// `maxMessageSize` (4194304): largest accepted body.
    pub max_message_size: u32,
    /// `checkCRCOnRecover` (true).
    pub check_crc_on_recover: bool,

    // ---- flush ----
    /// `flushDiskType` (ASYNC_FLUSH).
    pub flush_disk_type: FlushDiskType,
    /// `syncFlushTimeout` (5000).
    pub sync_flush_timeout: u64,
    /// `flushIntervalCommitLog` (500).
    pub flush_interval_commit_log: u64,
    /// `flushCommitLogLeastPages` (4).
    pub flush_commit_log_least_pages: u32,
    /// `flushCommitLogThoroughInterval` (10000).
    pub flush_commit_log_thorough_interval: u64,
    /// `flushIntervalConsumeQueue` (1000).
    pub flush_interval_consume_queue: u64,
    /// `flushConsumeQueueLeastPages` (2).
    pub flush_consume_queue_least_pages: u32,
    /// `flushConsumeQueueThoroughInterval` (60000).
    pub flush_consume_queue_thorough_interval: u64,

    // ---- expiry and disk space ----
    /// `deleteWhen` ("04"): hours of the day, `;`-separated.
    pub delete_when: String,
    /// `fileReservedTime` (72): hours a commit-log file is kept.
    pub file_reserved_time: u32,
    /// `diskMaxUsedSpaceRatio` (75; clamped to 10..=95).
    pub disk_max_used_space_ratio: u32,
    /// `cleanResourceInterval` (10000).
    pub clean_resource_interval: u64,
    /// `deleteCommitLogFilesInterval` (100).
    pub delete_commit_log_files_interval: u64,
    /// `deleteConsumeQueueFilesInterval` (100).
    pub delete_consume_queue_files_interval: u64,
    /// `destroyMapedFileIntervalForcibly` (120000).
    pub destroy_maped_file_interval_forcibly: u64,
    /// `redeleteHangedFileInterval` (120000).
    pub redelete_hanged_file_interval: u64,
    /// `cleanFileForciblyEnable` (true).
    pub clean_file_forcibly_enable: bool,

    // ---- reads ----
    /// `maxTransferBytesOnMessageInMemory` (262144).
    pub max_transfer_bytes_on_message_in_memory: u32,
    /// `maxTransferCountOnMessageInMemory` (32).
    pub max_transfer_count_on_message_in_memory: u32,
    /// `maxTransferBytesOnMessageInDisk` (65536).
    pub max_transfer_bytes_on_message_in_disk: u32,
    /// `maxTransferCountOnMessageInDisk` (8).
    pub max_transfer_count_on_message_in_disk: u32,
    /// `accessMessageInMemoryMaxRatio` (40).
    pub access_message_in_memory_max_ratio: u32,
    /// `defaultQueryMaxNum` (32).
    pub default_query_max_num: u32,

    // ---- index ----
    /// `messageIndexEnable` (true).
    pub message_index_enable: bool,
    /// `maxHashSlotNum` (5000000).
    pub max_hash_slot_num: u32,
    /// `maxIndexNum` (20000000).
    pub max_index_num: u32,
    /// `maxMsgsNumBatch` (64).
    pub max_msgs_num_batch: u32,
    /// `messageIndexSafe` (false).
    pub message_index_safe: bool,

    // ---- role and HA ----
    /// `brokerRole` (ASYNC_MASTER).
    pub broker_role: BrokerRole,
    /// `slaveTimeout` (3000): SYNC_MASTER wait for a slave's ack.
    pub slave_timeout: u64,
    /// `haMasterAddress`: fixed master HA address for a slave (else learned at registration).
    pub ha_master_address: Option<String>,
    /// `haSendHeartbeatInterval` (5000).
    pub ha_send_heartbeat_interval: u64,
    /// `haHousekeepingInterval` (20000).
    pub ha_housekeeping_interval: u64,
    /// `haTransferBatchSize` (32768).
    pub ha_transfer_batch_size: u32,
    /// `haSlaveFallbehindMax` (268435456).
    pub ha_slave_fallbehind_max: u64,
    /// `haMaxGapNotInSync`: our name for the SLAVE_NOT_AVAILABLE lag bound; unset means
    /// haSlaveFallbehindMax (see [`BrokerConfig::slave_not_available_gap`]).
    pub ha_max_gap_not_in_sync: Option<u64>,

    // ---- delay ----
    /// `messageDelayLevel` ("1s 5s 10s 30s 1m 2m 3m 4m 5m 6m 7m 8m 9m 10m 20m 30m 1h 2h").
    pub message_delay_level: String,

    // ---- our extensions ----
    /// `metricsListen` (our key; unset = off): `host:port` of the Prometheus `/metrics`
    /// endpoint (docs/metrics.md); port 0 picks a free port, logged and written to
    /// `<storePathRootDir>/metrics.addr`.
    pub metrics_listen: Option<String>,

    // ---- request-reply ----
    /// `storeReplyMessageEnable` (true): replies are stored besides being pushed (Java
    /// `ReplyMessageProcessor`); false pushes only.
    pub store_reply_message_enable: bool,

    // ---- advertised ports (our extension keys, README.md "Advertised ports behind NAT") ----
    /// `brokerAdvertisedPort`: the client port other hosts reach (a NAT host forwarding to our
    /// listenPort); registration, routes, message ids and `doctor` use it. Unset: the bound port.
    pub broker_advertised_port: Option<u16>,
    /// `brokerAdvertisedFastPort`: the advertised fast-channel port. Unset: the advertised
    /// client port - 2 (what clients derive).
    pub broker_advertised_fast_port: Option<u16>,
    /// `haAdvertisedPort`: the HA port slaves are told (haServerAddr). Unset: the bound HA port.
    pub ha_advertised_port: Option<u16>,
    // ---- TLS ----
    /// The `tls.*` keys (docs/tls.md).
    pub tls: super::TlsConfig,
    // ---- not a key ----
    /// The file this configuration was read from (`--config`, Java's `-c`;
    /// `BrokerPathConfigHelper.brokerConfigPath`): UPDATE_BROKER_CONFIG rewrites it, as Java's
    /// `Configuration.persist` does. `None` (built in code): the store's `config/broker.properties`.
    pub config_file: Option<std::path::PathBuf>,
}

/// Java's default delay levels.
pub const DEFAULT_MESSAGE_DELAY_LEVEL: &str =
    "1s 5s 10s 30s 1m 2m 3m 4m 5m 6m 7m 8m 9m 10m 20m 30m 1h 2h";

impl Default for BrokerConfig {
    fn default() -> Self {
        let cpus = std::thread::available_parallelism().map_or(1, |n| n.get()) as u32;
        let send_pool = cpus.min(4);
        Self {
            broker_cluster_name: "DefaultCluster".into(),
            broker_name: net::local_hostname(),
            broker_id: 0,
            namesrv_addr: None,
            broker_ip1: net::local_address(),
            broker_ip2: None,
            region_id: "DefaultRegion".into(),
            broker_permission: 6,

            listen_port: 10911,
            ha_listen_port: None,
            bind_address: IpAddr::V4(Ipv4Addr::UNSPECIFIED),
            server_channel_max_idle_time_seconds: 120,
            server_worker_threads: 8,
            server_callback_executor_threads: 0,
            server_selector_threads: 3,
            server_oneway_semaphore_value: 256,
            server_async_semaphore_value: 64,
            server_pooled_byte_buf_allocator_enable: true,
            use_epoll_native_selector: false,
            use_tls: false,
            filter_server_nums: 0,
            client_callback_executor_threads: std::thread::available_parallelism()
                .map(|n| n.get() as u32)
                .unwrap_or(1),

            default_topic_queue_nums: 8,
            auto_create_topic_enable: true,
            auto_create_subscription_group: true,
            cluster_topic_enable: true,
            broker_topic_enable: true,
            trace_topic_enable: false,
            msg_trace_topic_name: "RMQ_SYS_TRACE_TOPIC".into(),
            trace_on: true,
            acl_enable: false,
            acl_plain_file: None,
            ha_auth_secret: None,
            slave_read_enable: false,
            long_polling_enable: true,
            enable_property_filter: false,
            short_polling_time_mills: 1000,
            notify_consumer_ids_changed_enable: true,
            flush_consumer_offset_interval: 5000,
            flush_delay_offset_interval: 10_000,

            register_name_server_period: 30_000,
            register_broker_timeout_mills: 6000,

            send_message_thread_pool_nums: send_pool,
            put_message_future_thread_pool_nums: send_pool,
            pull_message_thread_pool_nums: 16 + 2 * cpus,
            process_reply_message_thread_pool_nums: 16 + 2 * cpus,
            query_message_thread_pool_nums: 8 + cpus,
            admin_broker_thread_pool_nums: 16,
            client_manage_thread_pool_nums: 32,
            consumer_manage_thread_pool_nums: 32,
            heartbeat_thread_pool_nums: cpus.min(32),
            end_transaction_thread_pool_nums: (8 + 2 * cpus).max(4 * send_pool),
            send_thread_pool_queue_capacity: 10_000,
            put_thread_pool_queue_capacity: 10_000,
            pull_thread_pool_queue_capacity: 100_000,
            reply_thread_pool_queue_capacity: 10_000,
            query_thread_pool_queue_capacity: 20_000,
            client_manager_thread_pool_queue_capacity: 1_000_000,
            consumer_manager_thread_pool_queue_capacity: 1_000_000,
            heartbeat_thread_pool_queue_capacity: 50_000,
            end_transaction_pool_queue_capacity: 100_000,

            transaction_time_out: 6000,
            transaction_check_max: 15,
            transaction_check_interval: 60_000,
            reject_transaction_message: false,

            store_path_root_dir: net::home_dir().join("store"),
            store_path_commit_log: None,
            store_path_consume_queue: None,
            store_path_index: None,
            store_checkpoint: None,
            abort_file: None,
            mapped_file_size_commit_log: 1024 * 1024 * 1024,
            mapped_file_size_consume_queue: 300_000 * 20,
            max_message_size: 1024 * 1024 * 4,
            check_crc_on_recover: true,

            flush_disk_type: FlushDiskType::AsyncFlush,
            sync_flush_timeout: 5000,
            flush_interval_commit_log: 500,
            flush_commit_log_least_pages: 4,
            flush_commit_log_thorough_interval: 10_000,
            flush_interval_consume_queue: 1000,
            flush_consume_queue_least_pages: 2,
            flush_consume_queue_thorough_interval: 60_000,

            delete_when: "04".into(),
            file_reserved_time: 72,
            disk_max_used_space_ratio: 75,
            clean_resource_interval: 10_000,
            delete_commit_log_files_interval: 100,
            delete_consume_queue_files_interval: 100,
            destroy_maped_file_interval_forcibly: 120_000,
            redelete_hanged_file_interval: 120_000,
            clean_file_forcibly_enable: true,

            max_transfer_bytes_on_message_in_memory: 256 * 1024,
            max_transfer_count_on_message_in_memory: 32,
            max_transfer_bytes_on_message_in_disk: 64 * 1024,
            max_transfer_count_on_message_in_disk: 8,
            access_message_in_memory_max_ratio: 40,
            default_query_max_num: 32,

            message_index_enable: true,
            max_hash_slot_num: 5_000_000,
            max_index_num: 5_000_000 * 4,
            max_msgs_num_batch: 64,
            message_index_safe: false,

            broker_role: BrokerRole::AsyncMaster,
            slave_timeout: 3000,
            ha_master_address: None,
            ha_send_heartbeat_interval: 5000,
            ha_housekeeping_interval: 20_000,
            ha_transfer_batch_size: 32 * 1024,
            ha_slave_fallbehind_max: 256 * 1024 * 1024,
            ha_max_gap_not_in_sync: None,

            message_delay_level: DEFAULT_MESSAGE_DELAY_LEVEL.into(),

            metrics_listen: None,

            store_reply_message_enable: true,

            broker_advertised_port: None,
            broker_advertised_fast_port: None,
            ha_advertised_port: None,
            tls: super::TlsConfig::default(),
            config_file: None,
        }
    }
}

impl BrokerConfig {
    /// A broker on 127.0.0.1 (advertised and bound) for tests and the in-process demo:
    /// `broker_id` 0 for masters, 1 for a slave; store under `store_root`.
    pub fn loopback(
        broker_name: &str,
        role: BrokerRole,
        listen_port: u16,
        namesrv_addr: &str,
        store_root: impl Into<PathBuf>,
    ) -> Self {
        Self {
            broker_name: broker_name.to_owned(),
            broker_id: u64::from(role == BrokerRole::Slave),
            broker_role: role,
            listen_port,
            namesrv_addr: Some(namesrv_addr.to_owned()),
            broker_ip1: Ipv4Addr::LOCALHOST.to_string(),
            broker_ip2: Some(Ipv4Addr::LOCALHOST.to_string()),
            bind_address: IpAddr::V4(Ipv4Addr::LOCALHOST),
            store_path_root_dir: store_root.into(),
            ..Self::default()
        }
    }
}
