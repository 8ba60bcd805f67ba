//! The broker's key table (RocketMQ spelling -> [`BrokerConfig`] field), the RocketMQ keys we
//! recognise but do not implement, and the [`Schema`] implementation tying them to the loader.

use std::collections::BTreeMap;

use super::broker::BrokerConfig;
use super::keys::{joined, key_table, KeySpec, Schema};
use super::shared_keys::{server_thread_keys, tls_keys};
use super::{ConfigError, Source};

/// The broker's table: its own keys with the shared sub-tables (`shared_keys.rs`) in place.
static BROKER_KEYS: std::sync::LazyLock<Vec<KeySpec<BrokerConfig>>> =
    std::sync::LazyLock::new(|| {
        joined(&[
            BROKER_HEAD,
            server_thread_keys!(BrokerConfig),
            BROKER_REST,
            tls_keys!(BrokerConfig),
        ])
    });

static BROKER_HEAD: &[KeySpec<BrokerConfig>] = key_table!(BrokerConfig {
    "brokerClusterName" => broker_cluster_name,
    "brokerName" => broker_name,
    "brokerId" => broker_id,
    "brokerRole" => broker_role,
    "namesrvAddr" => namesrv_addr,
    "brokerIP1" => broker_ip1,
    "brokerIP2" => broker_ip2,
    "regionId" => region_id,
    "brokerPermission" => broker_permission,

    "listenPort" => listen_port,
    "haListenPort" => ha_listen_port,
    "bindAddress" => bind_address,
    "serverChannelMaxIdleTimeSeconds" => server_channel_max_idle_time_seconds,
});

static BROKER_REST: &[KeySpec<BrokerConfig>] = key_table!(BrokerConfig {
    "useTLS" => use_tls,
    inert "filterServerNums" => filter_server_nums,
    inert "clientCallbackExecutorThreads" => client_callback_executor_threads,

    "defaultTopicQueueNums" => default_topic_queue_nums,
    "autoCreateTopicEnable" => auto_create_topic_enable,
    "autoCreateSubscriptionGroup" => auto_create_subscription_group,
    "clusterTopicEnable" => cluster_topic_enable,
    "brokerTopicEnable" => broker_topic_enable,
    "traceTopicEnable" => trace_topic_enable,
    "msgTraceTopicName" => msg_trace_topic_name,
    "traceOn" => trace_on,
    "aclEnable" => acl_enable,
    "aclPlainFile" => acl_plain_file,
    "haAuthSecret" => ha_auth_secret,
    "slaveReadEnable" => slave_read_enable,
    "longPollingEnable" => long_polling_enable,
    "enablePropertyFilter" => enable_property_filter,
    "shortPollingTimeMills" => short_polling_time_mills,
    "notifyConsumerIdsChangedEnable" => notify_consumer_ids_changed_enable,
    "flushConsumerOffsetInterval" => flush_consumer_offset_interval,
    "flushDelayOffsetInterval" => flush_delay_offset_interval,
    "registerNameServerPeriod" => register_name_server_period,
    "registerBrokerTimeoutMills" => register_broker_timeout_mills,

    inert "sendMessageThreadPoolNums" => send_message_thread_pool_nums,
    inert "putMessageFutureThreadPoolNums" => put_message_future_thread_pool_nums,
    inert "pullMessageThreadPoolNums" => pull_message_thread_pool_nums,
    inert "processReplyMessageThreadPoolNums" => process_reply_message_thread_pool_nums,
    inert "queryMessageThreadPoolNums" => query_message_thread_pool_nums,
    inert "adminBrokerThreadPoolNums" => admin_broker_thread_pool_nums,
    inert "clientManageThreadPoolNums" => client_manage_thread_pool_nums,
    inert "consumerManageThreadPoolNums" => consumer_manage_thread_pool_nums,
    inert "heartbeatThreadPoolNums" => heartbeat_thread_pool_nums,
    inert "endTransactionThreadPoolNums" => end_transaction_thread_pool_nums,
    inert "sendThreadPoolQueueCapacity" => send_thread_pool_queue_capacity,
    inert "putThreadPoolQueueCapacity" => put_thread_pool_queue_capacity,
    inert "pullThreadPoolQueueCapacity" => pull_thread_pool_queue_capacity,
    inert "replyThreadPoolQueueCapacity" => reply_thread_pool_queue_capacity,
    inert "queryThreadPoolQueueCapacity" => query_thread_pool_queue_capacity,
    inert "clientManagerThreadPoolQueueCapacity" => client_manager_thread_pool_queue_capacity,
    inert "consumerManagerThreadPoolQueueCapacity" => consumer_manager_thread_pool_queue_capacity,
    inert "heartbeatThreadPoolQueueCapacity" => heartbeat_thread_pool_queue_capacity,
    inert "endTransactionPoolQueueCapacity" => end_transaction_pool_queue_capacity,
    "transactionTimeOut" => transaction_time_out,
    "transactionCheckMax" => transaction_check_max,
    "transactionCheckInterval" => transaction_check_interval,
    "rejectTransactionMessage" => reject_transaction_message,

    "storePathRootDir" => store_path_root_dir,
    "storePathCommitLog" => store_path_commit_log,
    "storePathConsumeQueue" => store_path_consume_queue,
    "storePathIndex" => store_path_index,
    "storeCheckpoint" => store_checkpoint,
    "abortFile" => abort_file,
    "mappedFileSizeCommitLog" | "mapedFileSizeCommitLog" => mapped_file_size_commit_log,
    "mappedFileSizeConsumeQueue" | "mapedFileSizeConsumeQueue" => mapped_file_size_consume_queue,
    "maxMessageSize" => max_message_size,
    "checkCRCOnRecover" => check_crc_on_recover,

    "flushDiskType" => flush_disk_type,
    "syncFlushTimeout" => sync_flush_timeout,
    "flushIntervalCommitLog" => flush_interval_commit_log,
    "flushCommitLogLeastPages" => flush_commit_log_least_pages,
    "flushCommitLogThoroughInterval" => flush_commit_log_thorough_interval,
    "flushIntervalConsumeQueue" => flush_interval_consume_queue,
    "flushConsumeQueueLeastPages" => flush_consume_queue_least_pages,
    "flushConsumeQueueThoroughInterval" => flush_consume_queue_thorough_interval,

    "deleteWhen" => delete_when,
    "fileReservedTime" => file_reserved_time,
    "diskMaxUsedSpaceRatio" => disk_max_used_space_ratio,
    "cleanResourceInterval" => clean_resource_interval,
    "deleteCommitLogFilesInterval" => delete_commit_log_files_interval,
    "deleteConsumeQueueFilesInterval" => delete_consume_queue_files_interval,
    "destroyMapedFileIntervalForcibly" => destroy_maped_file_interval_forcibly,
    "redeleteHangedFileInterval" => redelete_hanged_file_interval,
    "cleanFileForciblyEnable" => clean_file_forcibly_enable,

    "maxTransferBytesOnMessageInMemory" => max_transfer_bytes_on_message_in_memory,
    "maxTransferCountOnMessageInMemory" => max_transfer_count_on_message_in_memory,
    "maxTransferBytesOnMessageInDisk" => max_transfer_bytes_on_message_in_disk,
    "maxTransferCountOnMessageInDisk" => max_transfer_count_on_message_in_disk,
    "accessMessageInMemoryMaxRatio" => access_message_in_memory_max_ratio,
    "defaultQueryMaxNum" => default_query_max_num,

    "messageIndexEnable" => message_index_enable,
    "maxHashSlotNum" => max_hash_slot_num,
    "maxIndexNum" => max_index_num,
    "maxMsgsNumBatch" => max_msgs_num_batch,
    "messageIndexSafe" => message_index_safe,

    "slaveTimeout" => slave_timeout,
    "haMasterAddress" => ha_master_address,
    "haSendHeartbeatInterval" => ha_send_heartbeat_interval,
    "haHousekeepingInterval" => ha_housekeeping_interval,
    "haTransferBatchSize" => ha_transfer_batch_size,
    "haSlaveFallbehindMax" => ha_slave_fallbehind_max,
    "haMaxGapNotInSync" => ha_max_gap_not_in_sync,

    "messageDelayLevel" => message_delay_level,

    // Our extension (docs/metrics.md).
    "metricsListen" => metrics_listen,

    "storeReplyMessageEnable" => store_reply_message_enable,

    "brokerAdvertisedPort" => broker_advertised_port,
    "brokerAdvertisedFastPort" => broker_advertised_fast_port,
    "haAdvertisedPort" => ha_advertised_port,
});

/// RocketMQ 4.9.7 broker keys that rocketactor does not implement.
static UNIMPLEMENTED: &[&str] = &[
    "rocketmqHome",
    "brokerConfigPath",
    "messageStorePlugIn",
    "flushConsumerOffsetHistoryInterval",
    "fetchNamesrvAddrByAddressServer",
    "highSpeedMode",
    "commercialEnable",
    "commercialTimerCount",
    "commercialTransCount",
    "commercialBigCount",
    "commercialBaseCount",
    "transferMsgByHeap",
    "maxDelayTime",
    "brokerFastFailureEnable",
    "waitTimeMillsInSendQueue",
    "waitTimeMillsInPullQueue",
    "waitTimeMillsInHeartbeatQueue",
    "waitTimeMillsInTransactionQueue",
    "startAcceptSendRequestTimeStamp",
    "enableCalcFilterBitMap",
    "expectConsumerNumUseFilter",
    "maxErrorRateOfBloomFilter",
    "filterDataCleanTimeSpan",
    "filterSupportRetry",
    "compressedRegister",
    "forceRegister",
    "autoDeleteUnusedStats",
    "isolateLogEnable",
    "commitIntervalCommitLog",
    "commitCommitLogLeastPages",
    "commitCommitLogThoroughInterval",
    "useReentrantLockWhenPutMessage",
    "flushCommitLogTimed",
    "warmMapedFileEnable",
    "offsetCheckInSlave",
    "debugLockEnable",
    "duplicationEnable",
    "diskFallRecorded",
    "osPageCacheBusyTimeOutMills",
    "transientStorePoolEnable",
    "transientStorePoolSize",
    "fastFailIfNoBufferInStorePool",
    "enableDLegerCommitLog",
    "dLegerGroup",
    "dLegerPeers",
    "dLegerSelfId",
    "preferredLeaderId",
    "isEnableBatchPush",
    "enableScheduleMessageStats",
    "enableConsumeQueueExt",
    "mappedFileSizeConsumeQueueExt",
    "bitMapLengthConsumeQueueExt",
    "enableLmq",
    "enableMultiDispatch",
    "maxLmqConsumeQueueNum",
    "enableScheduleAsyncDeliver",
    "scheduleAsyncDeliverMaxPendingLimit",
    "scheduleAsyncDeliverMaxResendNum2Blocked",
    "serverSocketSndBufSize",
    "serverSocketRcvBufSize",
    "serverSocketBacklog",
    "clientWorkerThreads",
    "clientCallbackExecutorThreads",
    "clientOnewaySemaphoreValue",
    "clientAsyncSemaphoreValue",
    "connectTimeoutMillis",
    "channelNotActiveInterval",
    "clientChannelMaxIdleTimeSeconds",
    "clientSocketSndBufSize",
    "clientSocketRcvBufSize",
    "clientPooledByteBufAllocatorEnable",
    "clientCloseSocketIfTimeout",
    "useTLS",
];

impl Schema for BrokerConfig {
    const WHAT: &'static str = "broker";
    const ENV_PREFIX: &'static str = "ROCKETACTOR";

    fn keys() -> &'static [KeySpec<Self>] {
        &BROKER_KEYS
    }

    fn unimplemented_keys() -> &'static [&'static str] {
        UNIMPLEMENTED
    }

    /// `ROCKETACTOR_NAMESRV_*` configures the name server.
    fn env_foreign(suffix_lower: &str) -> bool {
        suffix_lower.starts_with("namesrv_")
    }

    fn env_fallbacks() -> &'static [(&'static str, &'static str)] {
        &[("namesrvAddr", "NAMESRV_ADDR")]
    }

    fn finish(
        &mut self,
        sources: &BTreeMap<String, Source>,
        warnings: &mut Vec<String>,
    ) -> Result<(), ConfigError> {
        self.normalize(sources, warnings);
        self.tls.finish(sources, warnings)?;
        self.validate_with(sources)
    }

    fn derived(&self) -> Vec<(&'static str, String)> {
        self.derived_lines()
    }
}

impl BrokerConfig {
    /// Builds a config from properties-style `(key, value)` pairs (same parsing, fix-ups and
    /// checks as a file; sources are [`Source::Code`]).
    pub fn from_pairs<I, K, V>(pairs: I) -> Result<super::Loaded<Self>, ConfigError>
    where
        I: IntoIterator<Item = (K, V)>,
        K: AsRef<str>,
        V: AsRef<str>,
    {
        super::loader::from_pairs(pairs)
    }

    /// The broker key table (RocketMQ spellings), in rendering order.
    pub fn keys() -> &'static [KeySpec<Self>] {
        &BROKER_KEYS
    }
}
