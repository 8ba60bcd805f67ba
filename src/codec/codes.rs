//! Request and response codes of RocketMQ 4.9.7 (Java `RequestCode`, `ResponseCode` and
//! `RemotingSysResponseCode`), so that no other module writes a bare number on the wire.
//!
//! Codes are `i32` because `RemotingCommand::code` is; the ROCKETMQ binary header carries them as
//! i16, which every code here fits.

/// Request codes (`RequestCode`). Port usage per code: docs/protocol.md §2.2.
pub mod request {
    pub const SEND_MESSAGE: i32 = 10;
    pub const PULL_MESSAGE: i32 = 11;
    pub const QUERY_MESSAGE: i32 = 12;
    pub const QUERY_BROKER_OFFSET: i32 = 13;
    pub const QUERY_CONSUMER_OFFSET: i32 = 14;
    pub const UPDATE_CONSUMER_OFFSET: i32 = 15;
    pub const UPDATE_AND_CREATE_TOPIC: i32 = 17;
    pub const GET_ALL_TOPIC_CONFIG: i32 = 21;
    pub const GET_TOPIC_CONFIG_LIST: i32 = 22;
    pub const GET_TOPIC_NAME_LIST: i32 = 23;
    pub const UPDATE_BROKER_CONFIG: i32 = 25;
    pub const GET_BROKER_CONFIG: i32 = 26;
    pub const TRIGGER_DELETE_FILES: i32 = 27;
    pub const GET_BROKER_RUNTIME_INFO: i32 = 28;
    pub const SEARCH_OFFSET_BY_TIMESTAMP: i32 = 29;
    pub const GET_MAX_OFFSET: i32 = 30;
    pub const GET_MIN_OFFSET: i32 = 31;
    pub const GET_EARLIEST_MSG_STORETIME: i32 = 32;
    pub const VIEW_MESSAGE_BY_ID: i32 = 33;
    pub const HEART_BEAT: i32 = 34;
    pub const UNREGISTER_CLIENT: i32 = 35;
    pub const CONSUMER_SEND_MSG_BACK: i32 = 36;
    pub const END_TRANSACTION: i32 = 37;
    pub const GET_CONSUMER_LIST_BY_GROUP: i32 = 38;
    pub const CHECK_TRANSACTION_STATE: i32 = 39;
    pub const NOTIFY_CONSUMER_IDS_CHANGED: i32 = 40;
    pub const LOCK_BATCH_MQ: i32 = 41;
    pub const UNLOCK_BATCH_MQ: i32 = 42;
    pub const GET_ALL_CONSUMER_OFFSET: i32 = 43;
    pub const GET_ALL_DELAY_OFFSET: i32 = 45;
    pub const CHECK_CLIENT_CONFIG: i32 = 46;
    pub const UPDATE_AND_CREATE_ACL_CONFIG: i32 = 50;
    pub const DELETE_ACL_CONFIG: i32 = 51;
    pub const GET_BROKER_CLUSTER_ACL_INFO: i32 = 52;
    pub const UPDATE_GLOBAL_WHITE_ADDRS_CONFIG: i32 = 53;
    pub const GET_BROKER_CLUSTER_ACL_CONFIG: i32 = 54;
    pub const PUT_KV_CONFIG: i32 = 100;
    pub const GET_KV_CONFIG: i32 = 101;
    pub const DELETE_KV_CONFIG: i32 = 102;
    pub const REGISTER_BROKER: i32 = 103;
    pub const UNREGISTER_BROKER: i32 = 104;
    pub const GET_ROUTEINFO_BY_TOPIC: i32 = 105;
    pub const GET_BROKER_CLUSTER_INFO: i32 = 106;
    pub const UPDATE_AND_CREATE_SUBSCRIPTIONGROUP: i32 = 200;
    pub const GET_ALL_SUBSCRIPTIONGROUP_CONFIG: i32 = 201;
    pub const GET_TOPIC_STATS_INFO: i32 = 202;
    pub const GET_CONSUMER_CONNECTION_LIST: i32 = 203;
    pub const GET_PRODUCER_CONNECTION_LIST: i32 = 204;
    pub const WIPE_WRITE_PERM_OF_BROKER: i32 = 205;
    pub const GET_ALL_TOPIC_LIST_FROM_NAMESERVER: i32 = 206;
    pub const DELETE_SUBSCRIPTIONGROUP: i32 = 207;
    pub const GET_CONSUME_STATS: i32 = 208;
    pub const SUSPEND_CONSUMER: i32 = 209;
    pub const RESUME_CONSUMER: i32 = 210;
    pub const RESET_CONSUMER_OFFSET_IN_CONSUMER: i32 = 211;
    pub const RESET_CONSUMER_OFFSET_IN_BROKER: i32 = 212;
    pub const ADJUST_CONSUMER_THREAD_POOL: i32 = 213;
    pub const WHO_CONSUME_THE_MESSAGE: i32 = 214;
    pub const DELETE_TOPIC_IN_BROKER: i32 = 215;
    pub const DELETE_TOPIC_IN_NAMESRV: i32 = 216;
    pub const REGISTER_TOPIC_IN_NAMESRV: i32 = 217;
    pub const GET_KVLIST_BY_NAMESPACE: i32 = 219;
    pub const RESET_CONSUMER_CLIENT_OFFSET: i32 = 220;
    pub const GET_CONSUMER_STATUS_FROM_CLIENT: i32 = 221;
    pub const INVOKE_BROKER_TO_RESET_OFFSET: i32 = 222;
    pub const INVOKE_BROKER_TO_GET_CONSUMER_STATUS: i32 = 223;
    pub const GET_TOPICS_BY_CLUSTER: i32 = 224;
    pub const QUERY_TOPIC_CONSUME_BY_WHO: i32 = 300;
    pub const REGISTER_FILTER_SERVER: i32 = 301;
    pub const REGISTER_MESSAGE_FILTER_CLASS: i32 = 302;
    pub const QUERY_CONSUME_TIME_SPAN: i32 = 303;
    pub const GET_SYSTEM_TOPIC_LIST_FROM_NS: i32 = 304;
    pub const GET_SYSTEM_TOPIC_LIST_FROM_BROKER: i32 = 305;
    pub const CLEAN_EXPIRED_CONSUMEQUEUE: i32 = 306;
    pub const GET_CONSUMER_RUNNING_INFO: i32 = 307;
    pub const QUERY_CORRECTION_OFFSET: i32 = 308;
    pub const CONSUME_MESSAGE_DIRECTLY: i32 = 309;
    pub const SEND_MESSAGE_V2: i32 = 310;
    pub const GET_UNIT_TOPIC_LIST: i32 = 311;
    pub const GET_HAS_UNIT_SUB_TOPIC_LIST: i32 = 312;
    pub const GET_HAS_UNIT_SUB_UNUNIT_TOPIC_LIST: i32 = 313;
    pub const CLONE_GROUP_OFFSET: i32 = 314;
    pub const VIEW_BROKER_STATS_DATA: i32 = 315;
    pub const CLEAN_UNUSED_TOPIC: i32 = 316;
    pub const GET_BROKER_CONSUME_STATS: i32 = 317;
    pub const UPDATE_NAMESRV_CONFIG: i32 = 318;
    pub const GET_NAMESRV_CONFIG: i32 = 319;
    pub const SEND_BATCH_MESSAGE: i32 = 320;
    pub const QUERY_CONSUME_QUEUE: i32 = 321;
    pub const QUERY_DATA_VERSION: i32 = 322;
    pub const RESUME_CHECK_HALF_MESSAGE: i32 = 323;
    pub const SEND_REPLY_MESSAGE: i32 = 324;
    pub const SEND_REPLY_MESSAGE_V2: i32 = 325;
    pub const PUSH_REPLY_MESSAGE_TO_CLIENT: i32 = 326;
    pub const ADD_WRITE_PERM_OF_BROKER: i32 = 327;
    pub const GET_ALL_PRODUCER_INFO: i32 = 328;
    pub const DELETE_EXPIRED_COMMITLOG: i32 = 329;
    pub const QUERY_TOPICS_BY_CONSUMER: i32 = 343;
    pub const GET_TOPIC_CONFIG: i32 = 351;
    pub const LITE_PULL_MESSAGE: i32 = 361;
}

/// Response codes: transport-level (0..=4) and business (`ResponseCode`).
pub mod response {
    pub const SUCCESS: i32 = 0;
    pub const SYSTEM_ERROR: i32 = 1;
    pub const SYSTEM_BUSY: i32 = 2;
    pub const REQUEST_CODE_NOT_SUPPORTED: i32 = 3;
    pub const TRANSACTION_FAILED: i32 = 4;
    pub const FLUSH_DISK_TIMEOUT: i32 = 10;
    pub const SLAVE_NOT_AVAILABLE: i32 = 11;
    pub const FLUSH_SLAVE_TIMEOUT: i32 = 12;
    pub const MESSAGE_ILLEGAL: i32 = 13;
    pub const SERVICE_NOT_AVAILABLE: i32 = 14;
    pub const VERSION_NOT_SUPPORTED: i32 = 15;
    pub const NO_PERMISSION: i32 = 16;
    pub const TOPIC_NOT_EXIST: i32 = 17;
    pub const TOPIC_EXIST_ALREADY: i32 = 18;
    pub const PULL_NOT_FOUND: i32 = 19;
    pub const PULL_RETRY_IMMEDIATELY: i32 = 20;
    pub const PULL_OFFSET_MOVED: i32 = 21;
    pub const QUERY_NOT_FOUND: i32 = 22;
    pub const SUBSCRIPTION_PARSE_FAILED: i32 = 23;
    pub const SUBSCRIPTION_NOT_EXIST: i32 = 24;
    pub const SUBSCRIPTION_NOT_LATEST: i32 = 25;
    pub const SUBSCRIPTION_GROUP_NOT_EXIST: i32 = 26;
    pub const FILTER_DATA_NOT_EXIST: i32 = 27;
    pub const FILTER_DATA_NOT_LATEST: i32 = 28;
    pub const TRANSACTION_SHOULD_COMMIT: i32 = 200;
    pub const TRANSACTION_SHOULD_ROLLBACK: i32 = 201;
    pub const TRANSACTION_STATE_UNKNOW: i32 = 202;
    pub const TRANSACTION_STATE_GROUP_WRONG: i32 = 203;
    pub const NO_BUYER_ID: i32 = 204;
    pub const NOT_IN_CURRENT_UNIT: i32 = 205;
    pub const CONSUMER_NOT_ONLINE: i32 = 206;
    pub const CONSUME_MSG_TIMEOUT: i32 = 207;
    pub const NO_MESSAGE: i32 = 208;
    pub const UPDATE_AND_CREATE_ACL_CONFIG_FAILED: i32 = 209;
    pub const DELETE_ACL_CONFIG_FAILED: i32 = 210;
    pub const UPDATE_GLOBAL_WHITE_ADDRS_CONFIG_FAILED: i32 = 211;
    pub const FLOW_CONTROL: i32 = 215;
}

/// Every request code with its Java name, sorted by code (for logging and `request_code_name`).
const REQUEST_NAMES: [(i32, &str); 98] = [
    (request::SEND_MESSAGE, "SEND_MESSAGE"),
    (request::PULL_MESSAGE, "PULL_MESSAGE"),
    (request::QUERY_MESSAGE, "QUERY_MESSAGE"),
    (request::QUERY_BROKER_OFFSET, "QUERY_BROKER_OFFSET"),
    (request::QUERY_CONSUMER_OFFSET, "QUERY_CONSUMER_OFFSET"),
    (request::UPDATE_CONSUMER_OFFSET, "UPDATE_CONSUMER_OFFSET"),
    (request::UPDATE_AND_CREATE_TOPIC, "UPDATE_AND_CREATE_TOPIC"),
    (request::GET_ALL_TOPIC_CONFIG, "GET_ALL_TOPIC_CONFIG"),
    (request::GET_TOPIC_CONFIG_LIST, "GET_TOPIC_CONFIG_LIST"),
    (request::GET_TOPIC_NAME_LIST, "GET_TOPIC_NAME_LIST"),
    (request::UPDATE_BROKER_CONFIG, "UPDATE_BROKER_CONFIG"),
    (request::GET_BROKER_CONFIG, "GET_BROKER_CONFIG"),
    (request::TRIGGER_DELETE_FILES, "TRIGGER_DELETE_FILES"),
    (request::GET_BROKER_RUNTIME_INFO, "GET_BROKER_RUNTIME_INFO"),
    (
        request::SEARCH_OFFSET_BY_TIMESTAMP,
        "SEARCH_OFFSET_BY_TIMESTAMP",
    ),
    (request::GET_MAX_OFFSET, "GET_MAX_OFFSET"),
    (request::GET_MIN_OFFSET, "GET_MIN_OFFSET"),
    (
        request::GET_EARLIEST_MSG_STORETIME,
        "GET_EARLIEST_MSG_STORETIME",
    ),
    (request::VIEW_MESSAGE_BY_ID, "VIEW_MESSAGE_BY_ID"),
    (request::HEART_BEAT, "HEART_BEAT"),
    (request::UNREGISTER_CLIENT, "UNREGISTER_CLIENT"),
    (request::CONSUMER_SEND_MSG_BACK, "CONSUMER_SEND_MSG_BACK"),
    (request::END_TRANSACTION, "END_TRANSACTION"),
    (
        request::GET_CONSUMER_LIST_BY_GROUP,
        "GET_CONSUMER_LIST_BY_GROUP",
    ),
    (request::CHECK_TRANSACTION_STATE, "CHECK_TRANSACTION_STATE"),
    (
        request::NOTIFY_CONSUMER_IDS_CHANGED,
        "NOTIFY_CONSUMER_IDS_CHANGED",
    ),
    (request::LOCK_BATCH_MQ, "LOCK_BATCH_MQ"),
    (request::UNLOCK_BATCH_MQ, "UNLOCK_BATCH_MQ"),
    (request::GET_ALL_CONSUMER_OFFSET, "GET_ALL_CONSUMER_OFFSET"),
    (request::GET_ALL_DELAY_OFFSET, "GET_ALL_DELAY_OFFSET"),
    (request::CHECK_CLIENT_CONFIG, "CHECK_CLIENT_CONFIG"),
    (
        request::UPDATE_AND_CREATE_ACL_CONFIG,
        "UPDATE_AND_CREATE_ACL_CONFIG",
    ),
    (request::DELETE_ACL_CONFIG, "DELETE_ACL_CONFIG"),
    (
        request::GET_BROKER_CLUSTER_ACL_INFO,
        "GET_BROKER_CLUSTER_ACL_INFO",
    ),
    (
        request::UPDATE_GLOBAL_WHITE_ADDRS_CONFIG,
        "UPDATE_GLOBAL_WHITE_ADDRS_CONFIG",
    ),
    (
        request::GET_BROKER_CLUSTER_ACL_CONFIG,
        "GET_BROKER_CLUSTER_ACL_CONFIG",
    ),
    (request::PUT_KV_CONFIG, "PUT_KV_CONFIG"),
    (request::GET_KV_CONFIG, "GET_KV_CONFIG"),
    (request::DELETE_KV_CONFIG, "DELETE_KV_CONFIG"),
    (request::REGISTER_BROKER, "REGISTER_BROKER"),
    (request::UNREGISTER_BROKER, "UNREGISTER_BROKER"),
    (request::GET_ROUTEINFO_BY_TOPIC, "GET_ROUTEINFO_BY_TOPIC"),
    (request::GET_BROKER_CLUSTER_INFO, "GET_BROKER_CLUSTER_INFO"),
    (
        request::UPDATE_AND_CREATE_SUBSCRIPTIONGROUP,
        "UPDATE_AND_CREATE_SUBSCRIPTIONGROUP",
    ),
    (
        request::GET_ALL_SUBSCRIPTIONGROUP_CONFIG,
        "GET_ALL_SUBSCRIPTIONGROUP_CONFIG",
    ),
    (request::GET_TOPIC_STATS_INFO, "GET_TOPIC_STATS_INFO"),
    (
        request::GET_CONSUMER_CONNECTION_LIST,
        "GET_CONSUMER_CONNECTION_LIST",
    ),
    (
        request::GET_PRODUCER_CONNECTION_LIST,
        "GET_PRODUCER_CONNECTION_LIST",
    ),
    (
        request::WIPE_WRITE_PERM_OF_BROKER,
        "WIPE_WRITE_PERM_OF_BROKER",
    ),
    (
        request::GET_ALL_TOPIC_LIST_FROM_NAMESERVER,
        "GET_ALL_TOPIC_LIST_FROM_NAMESERVER",
    ),
    (
        request::DELETE_SUBSCRIPTIONGROUP,
        "DELETE_SUBSCRIPTIONGROUP",
    ),
    (request::GET_CONSUME_STATS, "GET_CONSUME_STATS"),
    (request::SUSPEND_CONSUMER, "SUSPEND_CONSUMER"),
    (request::RESUME_CONSUMER, "RESUME_CONSUMER"),
    (
        request::RESET_CONSUMER_OFFSET_IN_CONSUMER,
        "RESET_CONSUMER_OFFSET_IN_CONSUMER",
    ),
    (
        request::RESET_CONSUMER_OFFSET_IN_BROKER,
        "RESET_CONSUMER_OFFSET_IN_BROKER",
    ),
    (
        request::ADJUST_CONSUMER_THREAD_POOL,
        "ADJUST_CONSUMER_THREAD_POOL",
    ),
    (request::WHO_CONSUME_THE_MESSAGE, "WHO_CONSUME_THE_MESSAGE"),
    (request::DELETE_TOPIC_IN_BROKER, "DELETE_TOPIC_IN_BROKER"),
    (request::DELETE_TOPIC_IN_NAMESRV, "DELETE_TOPIC_IN_NAMESRV"),
    (
        request::REGISTER_TOPIC_IN_NAMESRV,
        "REGISTER_TOPIC_IN_NAMESRV",
    ),
    (request::GET_KVLIST_BY_NAMESPACE, "GET_KVLIST_BY_NAMESPACE"),
    (
        request::RESET_CONSUMER_CLIENT_OFFSET,
        "RESET_CONSUMER_CLIENT_OFFSET",
    ),
    (
        request::GET_CONSUMER_STATUS_FROM_CLIENT,
        "GET_CONSUMER_STATUS_FROM_CLIENT",
    ),
    (
        request::INVOKE_BROKER_TO_RESET_OFFSET,
        "INVOKE_BROKER_TO_RESET_OFFSET",
    ),
    (
        request::INVOKE_BROKER_TO_GET_CONSUMER_STATUS,
        "INVOKE_BROKER_TO_GET_CONSUMER_STATUS",
    ),
    (request::GET_TOPICS_BY_CLUSTER, "GET_TOPICS_BY_CLUSTER"),
    (
        request::QUERY_TOPIC_CONSUME_BY_WHO,
        "QUERY_TOPIC_CONSUME_BY_WHO",
    ),
    (request::REGISTER_FILTER_SERVER, "REGISTER_FILTER_SERVER"),
    (
        request::REGISTER_MESSAGE_FILTER_CLASS,
        "REGISTER_MESSAGE_FILTER_CLASS",
    ),
    (request::QUERY_CONSUME_TIME_SPAN, "QUERY_CONSUME_TIME_SPAN"),
    (
        request::GET_SYSTEM_TOPIC_LIST_FROM_NS,
        "GET_SYSTEM_TOPIC_LIST_FROM_NS",
    ),
    (
        request::GET_SYSTEM_TOPIC_LIST_FROM_BROKER,
        "GET_SYSTEM_TOPIC_LIST_FROM_BROKER",
    ),
    (
        request::CLEAN_EXPIRED_CONSUMEQUEUE,
        "CLEAN_EXPIRED_CONSUMEQUEUE",
    ),
    (
        request::GET_CONSUMER_RUNNING_INFO,
        "GET_CONSUMER_RUNNING_INFO",
    ),
    (request::QUERY_CORRECTION_OFFSET, "QUERY_CORRECTION_OFFSET"),
    (
        request::CONSUME_MESSAGE_DIRECTLY,
        "CONSUME_MESSAGE_DIRECTLY",
    ),
    (request::SEND_MESSAGE_V2, "SEND_MESSAGE_V2"),
    (request::GET_UNIT_TOPIC_LIST, "GET_UNIT_TOPIC_LIST"),
    (
        request::GET_HAS_UNIT_SUB_TOPIC_LIST,
        "GET_HAS_UNIT_SUB_TOPIC_LIST",
    ),
    (
        request::GET_HAS_UNIT_SUB_UNUNIT_TOPIC_LIST,
        "GET_HAS_UNIT_SUB_UNUNIT_TOPIC_LIST",
    ),
    (request::CLONE_GROUP_OFFSET, "CLONE_GROUP_OFFSET"),
    (request::VIEW_BROKER_STATS_DATA, "VIEW_BROKER_STATS_DATA"),
    (request::CLEAN_UNUSED_TOPIC, "CLEAN_UNUSED_TOPIC"),
    (
        request::GET_BROKER_CONSUME_STATS,
        "GET_BROKER_CONSUME_STATS",
    ),
    (request::UPDATE_NAMESRV_CONFIG, "UPDATE_NAMESRV_CONFIG"),
    (request::GET_NAMESRV_CONFIG, "GET_NAMESRV_CONFIG"),
    (request::SEND_BATCH_MESSAGE, "SEND_BATCH_MESSAGE"),
    (request::QUERY_CONSUME_QUEUE, "QUERY_CONSUME_QUEUE"),
    (request::QUERY_DATA_VERSION, "QUERY_DATA_VERSION"),
    (
        request::RESUME_CHECK_HALF_MESSAGE,
        "RESUME_CHECK_HALF_MESSAGE",
    ),
    (request::SEND_REPLY_MESSAGE, "SEND_REPLY_MESSAGE"),
    (request::SEND_REPLY_MESSAGE_V2, "SEND_REPLY_MESSAGE_V2"),
    (
        request::PUSH_REPLY_MESSAGE_TO_CLIENT,
        "PUSH_REPLY_MESSAGE_TO_CLIENT",
    ),
    (
        request::ADD_WRITE_PERM_OF_BROKER,
        "ADD_WRITE_PERM_OF_BROKER",
    ),
    (request::GET_ALL_PRODUCER_INFO, "GET_ALL_PRODUCER_INFO"),
    (
        request::DELETE_EXPIRED_COMMITLOG,
        "DELETE_EXPIRED_COMMITLOG",
    ),
    (request::LITE_PULL_MESSAGE, "LITE_PULL_MESSAGE"),
];

const RESPONSE_NAMES: [(i32, &str); 37] = [
    (response::SUCCESS, "SUCCESS"),
    (response::SYSTEM_ERROR, "SYSTEM_ERROR"),
    (response::SYSTEM_BUSY, "SYSTEM_BUSY"),
    (
        response::REQUEST_CODE_NOT_SUPPORTED,
        "REQUEST_CODE_NOT_SUPPORTED",
    ),
    (response::TRANSACTION_FAILED, "TRANSACTION_FAILED"),
    (response::FLUSH_DISK_TIMEOUT, "FLUSH_DISK_TIMEOUT"),
    (response::SLAVE_NOT_AVAILABLE, "SLAVE_NOT_AVAILABLE"),
    (response::FLUSH_SLAVE_TIMEOUT, "FLUSH_SLAVE_TIMEOUT"),
    (response::MESSAGE_ILLEGAL, "MESSAGE_ILLEGAL"),
    (response::SERVICE_NOT_AVAILABLE, "SERVICE_NOT_AVAILABLE"),
    (response::VERSION_NOT_SUPPORTED, "VERSION_NOT_SUPPORTED"),
    (response::NO_PERMISSION, "NO_PERMISSION"),
    (response::TOPIC_NOT_EXIST, "TOPIC_NOT_EXIST"),
    (response::TOPIC_EXIST_ALREADY, "TOPIC_EXIST_ALREADY"),
    (response::PULL_NOT_FOUND, "PULL_NOT_FOUND"),
    (response::PULL_RETRY_IMMEDIATELY, "PULL_RETRY_IMMEDIATELY"),
    (response::PULL_OFFSET_MOVED, "PULL_OFFSET_MOVED"),
    (response::QUERY_NOT_FOUND, "QUERY_NOT_FOUND"),
    (
        response::SUBSCRIPTION_PARSE_FAILED,
        "SUBSCRIPTION_PARSE_FAILED",
    ),
    (response::SUBSCRIPTION_NOT_EXIST, "SUBSCRIPTION_NOT_EXIST"),
    (response::SUBSCRIPTION_NOT_LATEST, "SUBSCRIPTION_NOT_LATEST"),
    (
        response::SUBSCRIPTION_GROUP_NOT_EXIST,
        "SUBSCRIPTION_GROUP_NOT_EXIST",
    ),
    (response::FILTER_DATA_NOT_EXIST, "FILTER_DATA_NOT_EXIST"),
    (response::FILTER_DATA_NOT_LATEST, "FILTER_DATA_NOT_LATEST"),
    (
        response::TRANSACTION_SHOULD_COMMIT,
        "TRANSACTION_SHOULD_COMMIT",
    ),
    (
        response::TRANSACTION_SHOULD_ROLLBACK,
        "TRANSACTION_SHOULD_ROLLBACK",
    ),
    (
        response::TRANSACTION_STATE_UNKNOW,
        "TRANSACTION_STATE_UNKNOW",
    ),
    (
        response::TRANSACTION_STATE_GROUP_WRONG,
        "TRANSACTION_STATE_GROUP_WRONG",
    ),
    (response::NO_BUYER_ID, "NO_BUYER_ID"),
    (response::NOT_IN_CURRENT_UNIT, "NOT_IN_CURRENT_UNIT"),
    (response::CONSUMER_NOT_ONLINE, "CONSUMER_NOT_ONLINE"),
    (response::CONSUME_MSG_TIMEOUT, "CONSUME_MSG_TIMEOUT"),
    (response::NO_MESSAGE, "NO_MESSAGE"),
    (
        response::UPDATE_AND_CREATE_ACL_CONFIG_FAILED,
        "UPDATE_AND_CREATE_ACL_CONFIG_FAILED",
    ),
    (
        response::DELETE_ACL_CONFIG_FAILED,
        "DELETE_ACL_CONFIG_FAILED",
    ),
    (
        response::UPDATE_GLOBAL_WHITE_ADDRS_CONFIG_FAILED,
        "UPDATE_GLOBAL_WHITE_ADDRS_CONFIG_FAILED",
    ),
    (response::FLOW_CONTROL, "FLOW_CONTROL"),
];

/// The Java name of a request code, e.g. `Some("SEND_MESSAGE_V2")` for 310; `None` if unknown.
pub fn request_code_name(code: i32) -> Option<&'static str> {
    REQUEST_NAMES
        .binary_search_by_key(&code, |(c, _)| *c)
        .ok()
        .map(|i| REQUEST_NAMES[i].1)
}

/// The Java name of a response code, e.g. `Some("TOPIC_NOT_EXIST")` for 17; `None` if unknown.
pub fn response_code_name(code: i32) -> Option<&'static str> {
    RESPONSE_NAMES
        .binary_search_by_key(&code, |(c, _)| *c)
        .ok()
        .map(|i| RESPONSE_NAMES[i].1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_are_sorted_and_unique_so_binary_search_works() {
        assert!(REQUEST_NAMES.windows(2).all(|w| w[0].0 < w[1].0));
        assert!(RESPONSE_NAMES.windows(2).all(|w| w[0].0 < w[1].0));
    }

    #[test]
    fn names_resolve() {
        assert_eq!(
            request_code_name(request::SEND_MESSAGE_V2),
            Some("SEND_MESSAGE_V2")
        );
        assert_eq!(
            request_code_name(request::LITE_PULL_MESSAGE),
            Some("LITE_PULL_MESSAGE")
        );
        assert_eq!(
            request_code_name(request::REGISTER_TOPIC_IN_NAMESRV),
            Some("REGISTER_TOPIC_IN_NAMESRV")
        );
        assert_eq!(request_code_name(9999), None);
        assert_eq!(
            response_code_name(response::PULL_NOT_FOUND),
            Some("PULL_NOT_FOUND")
        );
        assert_eq!(response_code_name(-1), None);
    }

    #[test]
    fn every_code_fits_the_binary_header_i16() {
        assert!(REQUEST_NAMES
            .iter()
            .chain(RESPONSE_NAMES.iter())
            .all(|(c, _)| i16::try_from(*c).is_ok()));
    }
}
