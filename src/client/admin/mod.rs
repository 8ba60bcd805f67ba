//! Admin calls, addressed by broker address (as `mqadmin` and the dashboard make them), plus
//! the name-server writes (topic deletion, KV config) that must reach every name server.
//! Each method is one request; bodies are decoded with the `protocol` types. The calls only
//! `rocketactor admin` needs are in `ops`.

mod acl;
mod ops;

pub use acl::{acl_disabled, AclVersionInfo, ClusterAcl};
pub use ops::{StatsData, StatsItem};

use std::collections::BTreeMap;
use std::time::Duration;

use super::message::{decode_messages, MessageExt};
use super::mq_error::{expect_success, MqError};
use super::msg_id::parse_offset_msg_id;
use super::pool::ConnectionPool;
use super::route::{NameServerClient, DEFAULT_TIMEOUT};
use crate::codec::codes::{request, response};
use crate::codec::RemotingCommand;
use crate::protocol::admin::{
    ConsumeStats, ConsumerConnection, GroupList, ProducerConnection, TopicStatsTable,
};
use crate::protocol::fastjson::from_lenient_slice;
use crate::protocol::kv::KVTable;
use crate::protocol::subscription::{SubscriptionGroupConfig, SubscriptionGroupWrapper};
use crate::protocol::topic::{TopicConfig, TopicConfigSerializeWrapper, TopicFilterType};

/// The arguments of QUERY_MESSAGE (12).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageQuery {
    pub topic: String,
    /// A KEYS entry, or the UNIQ_KEY when `unique`.
    pub key: String,
    pub max_num: i32,
    pub begin_ms: i64,
    pub end_ms: i64,
    pub unique: bool,
}

impl MessageQuery {
    /// Messages of `topic` indexed under `key`, any time, up to 64.
    pub fn by_key(topic: impl Into<String>, key: impl Into<String>) -> Self {
        MessageQuery {
            topic: topic.into(),
            key: key.into(),
            max_num: 64,
            begin_ms: 0,
            end_ms: i64::MAX,
            unique: false,
        }
    }

    /// The message whose UNIQ_KEY (client msg id) is `id`.
    pub fn by_unique_key(topic: impl Into<String>, id: impl Into<String>) -> Self {
        MessageQuery {
            unique: true,
            ..Self::by_key(topic, id)
        }
    }
}

/// Admin client; cheap to clone.
#[derive(Debug, Clone)]
pub struct Admin {
    pool: ConnectionPool,
    namesrv: Option<NameServerClient>,
    timeout: Duration,
}

impl Admin {
    /// An admin client that can also reach the name servers `namesrv_addrs`.
    pub fn new(namesrv_addrs: &str) -> Result<Self, MqError> {
        let pool = ConnectionPool::default();
        let ns = NameServerClient::with_pool(namesrv_addrs, pool.clone(), DEFAULT_TIMEOUT)?;
        Ok(Admin {
            pool,
            namesrv: Some(ns),
            timeout: DEFAULT_TIMEOUT,
        })
    }

    /// An admin client for broker calls only.
    pub fn brokers_only() -> Self {
        Admin {
            pool: ConnectionPool::default(),
            namesrv: None,
            timeout: DEFAULT_TIMEOUT,
        }
    }

    /// Signs every request with `credentials` (ACL 1.0; docs/acl.md).
    pub fn with_credentials(self, credentials: crate::acl::SessionCredentials) -> Self {
        self.pool.set_credentials(Some(credentials));
        self
    }

    /// Connects to name servers and brokers over TLS (Java's `setUseTLS(true)`; docs/tls.md).
    pub fn with_tls(self, tls: crate::tls::ClientTls) -> Self {
        self.pool.use_tls(Some(tls));
        self
    }

    /// Changes the per-call timeout.
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The name-server client, when configured.
    pub fn name_server(&self) -> Result<&NameServerClient, MqError> {
        self.namesrv.as_ref().ok_or(MqError::NoNameServer)
    }

    /// Sends `cmd` to `addr` and requires SUCCESS.
    pub async fn call(&self, addr: &str, cmd: RemotingCommand) -> Result<RemotingCommand, MqError> {
        let code = cmd.code;
        let resp = self.pool.invoke(addr, cmd, self.timeout).await?;
        expect_success(addr, code, resp)
    }

    async fn call_json<T: serde::de::DeserializeOwned>(
        &self,
        addr: &str,
        cmd: RemotingCommand,
    ) -> Result<T, MqError> {
        let code = cmd.code;
        let resp = self.call(addr, cmd).await?;
        from_lenient_slice(&resp.body).map_err(|e| MqError::bad(addr, code, e.to_string()))
    }

    async fn call_text(&self, addr: &str, cmd: RemotingCommand) -> Result<String, MqError> {
        let code = cmd.code;
        let resp = self.call(addr, cmd).await?;
        String::from_utf8(resp.body.to_vec())
            .map_err(|_| MqError::bad(addr, code, "body is not UTF-8"))
    }

    /// UPDATE_AND_CREATE_TOPIC (17).
    pub async fn create_topic(&self, addr: &str, tc: &TopicConfig) -> Result<(), MqError> {
        let filter = match tc.topic_filter_type {
            TopicFilterType::SingleTag => "SINGLE_TAG",
            TopicFilterType::MultiTag => "MULTI_TAG",
        };
        let cmd = RemotingCommand::request(request::UPDATE_AND_CREATE_TOPIC)
            .with_ext("topic", &tc.topic_name)
            .with_ext("defaultTopic", super::producer::DEFAULT_TOPIC)
            .with_ext("readQueueNums", tc.read_queue_nums)
            .with_ext("writeQueueNums", tc.write_queue_nums)
            .with_ext("perm", tc.perm)
            .with_ext("topicFilterType", filter)
            .with_ext("topicSysFlag", tc.topic_sys_flag)
            .with_ext("order", tc.order);
        self.call(addr, cmd).await.map(|_| ())
    }

    /// DELETE_TOPIC_IN_BROKER (215).
    pub async fn delete_topic_in_broker(&self, addr: &str, topic: &str) -> Result<(), MqError> {
        let cmd =
            RemotingCommand::request(request::DELETE_TOPIC_IN_BROKER).with_ext("topic", topic);
        self.call(addr, cmd).await.map(|_| ())
    }

    /// GET_ALL_TOPIC_CONFIG (21).
    pub async fn get_all_topic_config(
        &self,
        addr: &str,
    ) -> Result<TopicConfigSerializeWrapper, MqError> {
        self.call_json(
            addr,
            RemotingCommand::request(request::GET_ALL_TOPIC_CONFIG),
        )
        .await
    }

    /// GET_BROKER_CONFIG (26) as a key → value map.
    pub async fn broker_config(&self, addr: &str) -> Result<BTreeMap<String, String>, MqError> {
        let text = self
            .call_text(addr, RemotingCommand::request(request::GET_BROKER_CONFIG))
            .await?;
        Ok(parse_properties(&text))
    }

    /// GET_BROKER_RUNTIME_INFO (28).
    pub async fn broker_runtime_info(
        &self,
        addr: &str,
    ) -> Result<BTreeMap<String, String>, MqError> {
        let kv: KVTable = self
            .call_json(
                addr,
                RemotingCommand::request(request::GET_BROKER_RUNTIME_INFO),
            )
            .await?;
        Ok(kv.table)
    }

    /// GET_TOPIC_STATS_INFO (202).
    pub async fn topic_stats(&self, addr: &str, topic: &str) -> Result<TopicStatsTable, MqError> {
        let code = request::GET_TOPIC_STATS_INFO;
        let text = self
            .call_text(
                addr,
                RemotingCommand::request(code).with_ext("topic", topic),
            )
            .await?;
        TopicStatsTable::decode(&text).map_err(|e| MqError::bad(addr, code, e.to_string()))
    }

    /// GET_CONSUME_STATS (208); `topic` None = every topic of the group.
    pub async fn consume_stats(
        &self,
        addr: &str,
        group: &str,
        topic: Option<&str>,
    ) -> Result<ConsumeStats, MqError> {
        let code = request::GET_CONSUME_STATS;
        let mut cmd = RemotingCommand::request(code).with_ext("consumerGroup", group);
        cmd.put_ext_opt("topic", topic);
        let text = self.call_text(addr, cmd).await?;
        ConsumeStats::decode(&text).map_err(|e| MqError::bad(addr, code, e.to_string()))
    }

    /// GET_CONSUMER_CONNECTION_LIST (203); an offline group is code 206.
    pub async fn consumer_connections(
        &self,
        addr: &str,
        group: &str,
    ) -> Result<ConsumerConnection, MqError> {
        let cmd = RemotingCommand::request(request::GET_CONSUMER_CONNECTION_LIST)
            .with_ext("consumerGroup", group);
        self.call_json(addr, cmd).await
    }

    /// GET_PRODUCER_CONNECTION_LIST (204).
    pub async fn producer_connections(
        &self,
        addr: &str,
        group: &str,
    ) -> Result<ProducerConnection, MqError> {
        let cmd = RemotingCommand::request(request::GET_PRODUCER_CONNECTION_LIST)
            .with_ext("producerGroup", group);
        self.call_json(addr, cmd).await
    }

    /// UPDATE_AND_CREATE_SUBSCRIPTIONGROUP (200).
    pub async fn create_subscription_group(
        &self,
        addr: &str,
        cfg: &SubscriptionGroupConfig,
    ) -> Result<(), MqError> {
        let body = serde_json::to_vec(cfg).map_err(|e| MqError::InvalidArgument(e.to_string()))?;
        let cmd =
            RemotingCommand::request(request::UPDATE_AND_CREATE_SUBSCRIPTIONGROUP).with_body(body);
        self.call(addr, cmd).await.map(|_| ())
    }

    /// DELETE_SUBSCRIPTIONGROUP (207).
    pub async fn delete_subscription_group(
        &self,
        addr: &str,
        group: &str,
        remove_offset: bool,
    ) -> Result<(), MqError> {
        let cmd = RemotingCommand::request(request::DELETE_SUBSCRIPTIONGROUP)
            .with_ext("groupName", group)
            .with_ext("removeOffset", remove_offset);
        self.call(addr, cmd).await.map(|_| ())
    }

    /// GET_ALL_SUBSCRIPTIONGROUP_CONFIG (201).
    pub async fn subscription_groups(
        &self,
        addr: &str,
    ) -> Result<SubscriptionGroupWrapper, MqError> {
        self.call_json(
            addr,
            RemotingCommand::request(request::GET_ALL_SUBSCRIPTIONGROUP_CONFIG),
        )
        .await
    }

    /// QUERY_MESSAGE (12) by key (or by UNIQ_KEY with `unique`); nothing found is an empty list.
    pub async fn query_message(
        &self,
        addr: &str,
        q: &MessageQuery,
    ) -> Result<Vec<MessageExt>, MqError> {
        let code = request::QUERY_MESSAGE;
        let mut cmd = RemotingCommand::request(code)
            .with_ext("topic", &q.topic)
            .with_ext("key", &q.key)
            .with_ext("maxNum", q.max_num)
            .with_ext("beginTimestamp", q.begin_ms)
            .with_ext("endTimestamp", q.end_ms);
        if q.unique {
            cmd.put_ext("_UNIQUE_KEY_QUERY", true);
        }
        let resp = self.pool.invoke(addr, cmd, self.timeout).await?;
        if resp.code == response::QUERY_NOT_FOUND {
            return Ok(Vec::new());
        }
        let resp = expect_success(addr, code, resp)?;
        decode_messages(&resp.body).map_err(|e| MqError::bad(addr, code, e))
    }

    /// VIEW_MESSAGE_BY_ID (33): the broker address and commit-log offset come from the
    /// offsetMsgId itself.
    pub async fn view_message(&self, offset_msg_id: &str) -> Result<MessageExt, MqError> {
        let (addr, offset) = parse_offset_msg_id(offset_msg_id).ok_or_else(|| {
            MqError::InvalidArgument(format!("`{offset_msg_id}` is not an offsetMsgId"))
        })?;
        let code = request::VIEW_MESSAGE_BY_ID;
        let resp = self
            .call(
                &addr,
                RemotingCommand::request(code).with_ext("offset", offset),
            )
            .await?;
        decode_messages(&resp.body)
            .map_err(|e| MqError::bad(&addr, code, e))?
            .into_iter()
            .next()
            .ok_or_else(|| MqError::bad(&addr, code, "empty body"))
    }

    /// QUERY_TOPIC_CONSUME_BY_WHO (300): groups consuming `topic`.
    pub async fn query_topic_consume_by_who(
        &self,
        addr: &str,
        topic: &str,
    ) -> Result<Vec<String>, MqError> {
        let cmd =
            RemotingCommand::request(request::QUERY_TOPIC_CONSUME_BY_WHO).with_ext("topic", topic);
        let list: GroupList = self.call_json(addr, cmd).await?;
        Ok(list.group_list)
    }

    /// GET_MAX_OFFSET (30).
    pub async fn max_offset(&self, addr: &str, topic: &str, queue_id: i32) -> Result<i64, MqError> {
        self.offset_call(addr, request::GET_MAX_OFFSET, topic, queue_id, None)
            .await
    }

    /// GET_MIN_OFFSET (31).
    pub async fn min_offset(&self, addr: &str, topic: &str, queue_id: i32) -> Result<i64, MqError> {
        self.offset_call(addr, request::GET_MIN_OFFSET, topic, queue_id, None)
            .await
    }

    /// SEARCH_OFFSET_BY_TIMESTAMP (29).
    pub async fn search_offset(
        &self,
        addr: &str,
        topic: &str,
        queue_id: i32,
        timestamp_ms: i64,
    ) -> Result<i64, MqError> {
        self.offset_call(
            addr,
            request::SEARCH_OFFSET_BY_TIMESTAMP,
            topic,
            queue_id,
            Some(timestamp_ms),
        )
        .await
    }

    async fn offset_call(
        &self,
        addr: &str,
        code: i32,
        topic: &str,
        queue_id: i32,
        timestamp: Option<i64>,
    ) -> Result<i64, MqError> {
        let mut cmd = RemotingCommand::request(code)
            .with_ext("topic", topic)
            .with_ext("queueId", queue_id);
        cmd.put_ext_opt("timestamp", timestamp);
        let resp = self.call(addr, cmd).await?;
        resp.header_i64("offset")
            .map_err(|e| MqError::bad(addr, code, e.to_string()))
    }

    /// DELETE_TOPIC_IN_NAMESRV (216) on every name server.
    pub async fn delete_topic_in_namesrv(
        &self,
        topic: &str,
        cluster: Option<&str>,
    ) -> Result<(), MqError> {
        let mut cmd =
            RemotingCommand::request(request::DELETE_TOPIC_IN_NAMESRV).with_ext("topic", topic);
        cmd.put_ext_opt("clusterName", cluster);
        self.namesrv_all(cmd).await
    }

    /// PUT_KV_CONFIG (100) on every name server.
    pub async fn put_kv_config(
        &self,
        namespace: &str,
        key: &str,
        value: &str,
    ) -> Result<(), MqError> {
        let cmd = RemotingCommand::request(request::PUT_KV_CONFIG)
            .with_ext("namespace", namespace)
            .with_ext("key", key)
            .with_ext("value", value);
        self.namesrv_all(cmd).await
    }

    /// DELETE_KV_CONFIG (102) on every name server.
    pub async fn delete_kv_config(&self, namespace: &str, key: &str) -> Result<(), MqError> {
        let cmd = RemotingCommand::request(request::DELETE_KV_CONFIG)
            .with_ext("namespace", namespace)
            .with_ext("key", key);
        self.namesrv_all(cmd).await
    }

    /// GET_KV_CONFIG (101); `None` when absent (22).
    pub async fn get_kv_config(
        &self,
        namespace: &str,
        key: &str,
    ) -> Result<Option<String>, MqError> {
        let code = request::GET_KV_CONFIG;
        let cmd = RemotingCommand::request(code)
            .with_ext("namespace", namespace)
            .with_ext("key", key);
        let (addr, resp) = self.name_server()?.invoke(cmd).await?;
        if resp.code == response::QUERY_NOT_FOUND {
            return Ok(None);
        }
        let resp = expect_success(&addr, code, resp)?;
        Ok(resp.ext("value").map(str::to_owned))
    }

    /// GET_KVLIST_BY_NAMESPACE (219); `None` when the namespace is empty (22).
    pub async fn kv_list(
        &self,
        namespace: &str,
    ) -> Result<Option<BTreeMap<String, String>>, MqError> {
        let code = request::GET_KVLIST_BY_NAMESPACE;
        let cmd = RemotingCommand::request(code).with_ext("namespace", namespace);
        let (addr, resp) = self.name_server()?.invoke(cmd).await?;
        if resp.code == response::QUERY_NOT_FOUND {
            return Ok(None);
        }
        let resp = expect_success(&addr, code, resp)?;
        let kv =
            KVTable::decode(&resp.body).map_err(|e| MqError::bad(&addr, code, e.to_string()))?;
        Ok(Some(kv.table))
    }

    async fn namesrv_all(&self, cmd: RemotingCommand) -> Result<(), MqError> {
        let code = cmd.code;
        for (addr, r) in self.name_server()?.invoke_all(cmd).await {
            expect_success(&addr, code, r?)?;
        }
        Ok(())
    }
}

/// Parses `key=value` lines (GET_BROKER_CONFIG's body); blank lines and `#` comments skipped.
pub fn parse_properties(text: &str) -> BTreeMap<String, String> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn broker_config_lines_parse() {
        let m = parse_properties("brokerName=broker-a\n\n# c\nlistenPort = 10911\nmsg=a=b\n");
        assert_eq!(m["brokerName"], "broker-a");
        assert_eq!(m["listenPort"], "10911");
        assert_eq!(m["msg"], "a=b");
        assert_eq!(m.len(), 3);
    }

    #[tokio::test]
    async fn view_message_rejects_ids_that_are_not_offset_ids() {
        let e = Admin::brokers_only()
            .view_message("0123")
            .await
            .unwrap_err();
        assert!(matches!(e, MqError::InvalidArgument(_)));
        assert!(matches!(
            Admin::brokers_only().put_kv_config("a", "b", "c").await,
            Err(MqError::NoNameServer)
        ));
    }
}
