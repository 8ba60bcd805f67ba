//! The pull consumer: explicit pulls of one queue at an offset, plus the group-level calls a
//! consumer needs (offsets, heartbeat, send-back, queue locks, member list). The push consumer
//! (`push.rs`) is built on it.
//!
//! Reads go to the broker the last pull of that queue suggested (`suggestWhichBrokerId`), else
//! the master, else the lowest-id slave; offset commits, send-back and locks go to the master.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use parking_lot::Mutex;
use slog::{o, Logger};

use super::message::{decode_messages, MessageExt, PROPERTY_MAX_OFFSET, PROPERTY_MIN_OFFSET};
use super::mq_error::{expect_success, response_error, MqError};
use super::msg_id::new_client_id;
use super::pool::ConnectionPool;
use super::queues::{find_broker, pick_read_addr, subscribe_queues, MASTER_ID};
use super::route::{NameServerClient, RouteCache, DEFAULT_TIMEOUT};
use crate::codec::codes::{request, response};
use crate::codec::headers::{
    pull_sys_flag, ConsumerSendMsgBackRequestHeader, PullMessageRequestHeader,
    PullMessageResponseHeader,
};
use crate::codec::RemotingCommand;
use crate::protocol::admin::GetConsumerListByGroupResponseBody;
use crate::protocol::heartbeat::{
    ConsumeFromWhere, ConsumeType, ConsumerData, HeartbeatData, MessageModel, SubscriptionData,
};
use crate::protocol::message_queue::MessageQueue;

/// Extra time a suspended pull may take beyond its suspend timeout before we give up.
const PULL_SLACK: Duration = Duration::from_secs(10);

/// The outcome class of a pull.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PullStatus {
    /// Messages returned (code 0).
    Found,
    /// Nothing at this offset yet (19).
    NoNewMsg,
    /// Entries scanned but none matched the tags (20).
    NoMatchedMsg,
    /// The offset is outside the queue; continue at `next_begin_offset` (21).
    OffsetIllegal,
}

/// What one pull returned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PullResult {
    pub status: PullStatus,
    pub next_begin_offset: i64,
    pub min_offset: i64,
    pub max_offset: i64,
    pub suggest_which_broker_id: i64,
    /// Decoded messages, already re-filtered by tag string (empty unless `Found`).
    pub messages: Vec<MessageExt>,
}

/// One pull request's knobs beyond the queue and offset.
#[derive(Debug, Clone)]
pub(crate) struct PullSpec<'a> {
    pub max_nums: i32,
    /// Tag expression sent in the header; `None` lets the broker use the heartbeat's.
    pub expression: Option<&'a str>,
    /// Client-side tag filter (the broker filters by hash only).
    pub filter: Option<&'a SubscriptionData>,
    pub suspend: Option<Duration>,
    pub commit_offset: Option<i64>,
}

/// A pull consumer of one group; cheap to clone.
#[derive(Clone)]
pub struct PullConsumer {
    inner: Arc<Inner>,
}

struct Inner {
    group: String,
    client_id: String,
    pool: ConnectionPool,
    routes: RouteCache,
    timeout: Duration,
    /// Broker id the last pull of each queue suggested.
    suggested: Mutex<HashMap<MessageQueue, i64>>,
    log: Logger,
}

impl std::fmt::Debug for PullConsumer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PullConsumer")
            .field("group", &self.inner.group)
            .field("client_id", &self.inner.client_id)
            .finish()
    }
}

impl PullConsumer {
    /// A consumer of `group` using the name servers `namesrv_addrs`.
    pub fn new(namesrv_addrs: &str, group: &str) -> Result<Self, MqError> {
        Self::with_options(
            namesrv_addrs,
            group,
            DEFAULT_TIMEOUT,
            crate::logging::discard(),
        )
    }

    /// Signs every request with `credentials` (ACL 1.0; docs/acl.md).
    pub fn with_credentials(self, credentials: crate::acl::SessionCredentials) -> Self {
        self.inner.pool.set_credentials(Some(credentials));
        self
    }

    /// Connects to name servers and brokers over TLS (Java's `setUseTLS(true)`; docs/tls.md).
    pub fn with_tls(self, tls: crate::tls::ClientTls) -> Self {
        self.inner.pool.use_tls(Some(tls));
        self
    }

    /// A consumer with an explicit call timeout and logger.
    pub fn with_options(
        namesrv_addrs: &str,
        group: &str,
        timeout: Duration,
        log: Logger,
    ) -> Result<Self, MqError> {
        if group.is_empty() {
            return Err(MqError::InvalidArgument("consumer group is empty".into()));
        }
        let log = log.new(o!("component" => "consumer", "group" => group.to_owned()));
        let pool = ConnectionPool::new(timeout, log.clone());
        let ns = NameServerClient::with_pool(namesrv_addrs, pool.clone(), timeout)?;
        Ok(PullConsumer {
            inner: Arc::new(Inner {
                group: group.to_owned(),
                client_id: new_client_id(),
                pool,
                routes: RouteCache::new(ns),
                timeout,
                suggested: Mutex::default(),
                log,
            }),
        })
    }

    pub fn group(&self) -> &str {
        &self.inner.group
    }

    pub fn client_id(&self) -> &str {
        &self.inner.client_id
    }

    /// The route cache.
    pub fn routes(&self) -> &RouteCache {
        &self.inner.routes
    }

    /// The connection pool (its server-request channel carries NOTIFY_CONSUMER_IDS_CHANGED).
    pub fn pool(&self) -> &ConnectionPool {
        &self.inner.pool
    }

    pub(crate) fn log(&self) -> &Logger {
        &self.inner.log
    }

    /// Readable queues of `topic`, refreshing its route.
    pub async fn fetch_queues(&self, topic: &str) -> Result<Vec<MessageQueue>, MqError> {
        let route = self.inner.routes.refresh(topic).await?;
        Ok(subscribe_queues(topic, &route))
    }

    /// The address to read `mq` from, honouring the last suggestion for it.
    pub async fn read_addr(&self, mq: &MessageQueue) -> Result<(i64, String), MqError> {
        let preferred = self
            .inner
            .suggested
            .lock()
            .get(mq)
            .copied()
            .unwrap_or(MASTER_ID);
        let route = self.inner.routes.get(&mq.topic).await?;
        let broker = find_broker(&route, &mq.broker_name).ok_or_else(|| no_addr(mq))?;
        pick_read_addr(broker, preferred)
            .map(|(id, a)| (id, a.to_owned()))
            .ok_or_else(|| no_addr(mq))
    }

    /// The master address of `mq`'s broker, or the lowest-id slave when there is no master
    /// (reads of offsets still work there).
    pub async fn master_addr(&self, mq: &MessageQueue) -> Result<String, MqError> {
        let route = self.inner.routes.get(&mq.topic).await?;
        let broker = find_broker(&route, &mq.broker_name).ok_or_else(|| no_addr(mq))?;
        pick_read_addr(broker, MASTER_ID)
            .map(|(_, a)| a.to_owned())
            .ok_or_else(|| no_addr(mq))
    }

    /// PULL_MESSAGE (11) with the tag expression in the header (`"*"` for all), optionally
    /// long-polling for `suspend`.
    pub async fn pull(
        &self,
        mq: &MessageQueue,
        offset: i64,
        max_nums: i32,
        tag_expression: &str,
        suspend: Option<Duration>,
    ) -> Result<PullResult, MqError> {
        let sub = SubscriptionData::build_tag(&mq.topic, tag_expression, 0);
        let spec = PullSpec {
            max_nums,
            expression: Some(tag_expression),
            filter: Some(&sub),
            suspend,
            commit_offset: None,
        };
        self.pull_with(mq, offset, &spec).await
    }

    pub(crate) async fn pull_with(
        &self,
        mq: &MessageQueue,
        offset: i64,
        spec: &PullSpec<'_>,
    ) -> Result<PullResult, MqError> {
        let (broker_id, addr) = self.read_addr(mq).await?;
        let mut sys_flag = 0;
        // Slaves do not store offsets; Java clears the commit bit for them too.
        if spec.commit_offset.is_some() && broker_id == MASTER_ID {
            sys_flag |= pull_sys_flag::COMMIT_OFFSET;
        }
        if spec.suspend.is_some() {
            sys_flag |= pull_sys_flag::SUSPEND;
        }
        if spec.expression.is_some() {
            sys_flag |= pull_sys_flag::SUBSCRIPTION;
        }
        let suspend = spec.suspend.unwrap_or_default();
        let header = PullMessageRequestHeader {
            consumer_group: self.inner.group.clone(),
            topic: mq.topic.clone(),
            queue_id: mq.queue_id,
            queue_offset: offset,
            max_msg_nums: spec.max_nums,
            sys_flag,
            commit_offset: spec.commit_offset.unwrap_or(0),
            suspend_timeout_millis: suspend.as_millis() as i64,
            subscription: spec.expression.map(str::to_owned),
            sub_version: 0,
            expression_type: Some(
                spec.filter
                    .map_or("TAG", |s| s.expression_type.as_str())
                    .to_owned(),
            ),
            bname: Some(mq.broker_name.clone()),
        };
        let mut cmd = RemotingCommand::request(request::PULL_MESSAGE);
        header.write_to(&mut cmd);
        let timeout = self.inner.timeout
            + suspend
            + if spec.suspend.is_some() {
                PULL_SLACK
            } else {
                Duration::ZERO
            };
        let resp = self.inner.pool.invoke(&addr, cmd, timeout).await?;
        let status = match resp.code {
            response::SUCCESS => PullStatus::Found,
            response::PULL_NOT_FOUND => PullStatus::NoNewMsg,
            response::PULL_RETRY_IMMEDIATELY => PullStatus::NoMatchedMsg,
            response::PULL_OFFSET_MOVED => PullStatus::OffsetIllegal,
            _ => return Err(response_error(&addr, request::PULL_MESSAGE, &resp)),
        };
        let h = PullMessageResponseHeader::from_command(&resp)
            .map_err(|e| MqError::bad(&addr, request::PULL_MESSAGE, e.to_string()))?;
        self.inner
            .suggested
            .lock()
            .insert(mq.clone(), h.suggest_which_broker_id);
        let mut messages = Vec::new();
        if status == PullStatus::Found {
            messages = decode_messages(&resp.body)
                .map_err(|e| MqError::bad(&addr, request::PULL_MESSAGE, e))?;
            // Tags are re-checked by string (the broker matched hashes); SQL92 is the broker's.
            if let Some(sub) = spec
                .filter
                .filter(|s| !s.is_sub_all() && s.expression_type == "TAG")
            {
                messages.retain(|m| m.tags.as_ref().is_some_and(|t| sub.tags_set.contains(t)));
            }
            for m in &mut messages {
                m.broker_name = mq.broker_name.clone();
                m.properties
                    .insert(PROPERTY_MIN_OFFSET.into(), h.min_offset.to_string());
                m.properties
                    .insert(PROPERTY_MAX_OFFSET.into(), h.max_offset.to_string());
            }
        }
        Ok(PullResult {
            status,
            next_begin_offset: h.next_begin_offset,
            min_offset: h.min_offset,
            max_offset: h.max_offset,
            suggest_which_broker_id: h.suggest_which_broker_id,
            messages,
        })
    }

    /// Sends `cmd` to `addr` and requires SUCCESS.
    pub(crate) async fn call(
        &self,
        addr: &str,
        cmd: RemotingCommand,
    ) -> Result<RemotingCommand, MqError> {
        let code = cmd.code;
        let resp = self
            .inner
            .pool
            .invoke(addr, cmd, self.inner.timeout)
            .await?;
        expect_success(addr, code, resp)
    }

    /// QUERY_CONSUMER_OFFSET (14); `None` when the broker has no offset (QUERY_NOT_FOUND).
    pub async fn query_offset(&self, mq: &MessageQueue) -> Result<Option<i64>, MqError> {
        let addr = self.master_addr(mq).await?;
        let cmd = self.queue_cmd(request::QUERY_CONSUMER_OFFSET, mq);
        let resp = self
            .inner
            .pool
            .invoke(&addr, cmd, self.inner.timeout)
            .await?;
        if resp.code == response::QUERY_NOT_FOUND {
            return Ok(None);
        }
        let resp = expect_success(&addr, request::QUERY_CONSUMER_OFFSET, resp)?;
        resp.header_i64("offset")
            .map(Some)
            .map_err(|e| MqError::bad(&addr, request::QUERY_CONSUMER_OFFSET, e.to_string()))
    }

    /// UPDATE_CONSUMER_OFFSET (15), waiting for the answer.
    pub async fn commit_offset(&self, mq: &MessageQueue, offset: i64) -> Result<(), MqError> {
        let addr = self.master_addr(mq).await?;
        let cmd = self
            .queue_cmd(request::UPDATE_CONSUMER_OFFSET, mq)
            .with_ext("commitOffset", offset);
        self.call(&addr, cmd).await.map(|_| ())
    }

    /// UPDATE_CONSUMER_OFFSET (15) oneway, as Java clients send it.
    pub async fn commit_offset_oneway(
        &self,
        mq: &MessageQueue,
        offset: i64,
    ) -> Result<(), MqError> {
        let addr = self.master_addr(mq).await?;
        let cmd = self
            .queue_cmd(request::UPDATE_CONSUMER_OFFSET, mq)
            .with_ext("commitOffset", offset);
        Ok(self.inner.pool.invoke_oneway(&addr, cmd).await?)
    }

    fn queue_cmd(&self, code: i32, mq: &MessageQueue) -> RemotingCommand {
        RemotingCommand::request(code)
            .with_ext("consumerGroup", &self.inner.group)
            .with_ext("topic", &mq.topic)
            .with_ext("queueId", mq.queue_id)
            .with_ext("bname", &mq.broker_name)
    }

    /// GET_MAX_OFFSET (30) of `mq` (the next offset to be written).
    pub async fn max_offset(&self, mq: &MessageQueue) -> Result<i64, MqError> {
        self.queue_offset_call(request::GET_MAX_OFFSET, mq).await
    }

    /// GET_MIN_OFFSET (31) of `mq`.
    pub async fn min_offset(&self, mq: &MessageQueue) -> Result<i64, MqError> {
        self.queue_offset_call(request::GET_MIN_OFFSET, mq).await
    }

    async fn queue_offset_call(&self, code: i32, mq: &MessageQueue) -> Result<i64, MqError> {
        let addr = self.master_addr(mq).await?;
        let cmd = RemotingCommand::request(code)
            .with_ext("topic", &mq.topic)
            .with_ext("queueId", mq.queue_id);
        let resp = self.call(&addr, cmd).await?;
        resp.header_i64("offset")
            .map_err(|e| MqError::bad(&addr, code, e.to_string()))
    }

    /// CONSUMER_SEND_MSG_BACK (36): hands a message that failed to consume back to its broker
    /// for a later retry (`delay_level` 0 lets the broker choose, negative sends it to the DLQ).
    pub async fn send_back(&self, msg: &MessageExt, delay_level: i32) -> Result<(), MqError> {
        let addr = if msg.broker_name.is_empty() {
            msg.store_host.to_string()
        } else {
            let mq = MessageQueue::new(&msg.topic, &msg.broker_name, msg.queue_id);
            self.master_addr(&mq).await?
        };
        let header = ConsumerSendMsgBackRequestHeader {
            offset: msg.commit_log_offset,
            group: self.inner.group.clone(),
            delay_level,
            origin_msg_id: Some(msg.msg_id.clone()),
            origin_topic: Some(msg.origin_topic().to_owned()),
            unit_mode: false,
            max_reconsume_times: Some(16),
        };
        let mut cmd = RemotingCommand::request(request::CONSUMER_SEND_MSG_BACK);
        header.write_to(&mut cmd);
        self.call(&addr, cmd).await.map(|_| ())
    }

    /// GET_CONSUMER_LIST_BY_GROUP (38) from a broker of `topic`: the client ids of the group's
    /// online members, sorted.
    pub async fn consumer_ids(&self, topic: &str) -> Result<Vec<String>, MqError> {
        let route = self.inner.routes.get(topic).await?;
        let addr = route
            .broker_datas
            .iter()
            .find_map(|b| pick_read_addr(b, MASTER_ID).map(|(_, a)| a.to_owned()))
            .ok_or_else(|| MqError::NoRoute {
                topic: topic.to_owned(),
                reason: "no broker address".into(),
            })?;
        let cmd = RemotingCommand::request(request::GET_CONSUMER_LIST_BY_GROUP)
            .with_ext("consumerGroup", &self.inner.group);
        let resp = self.call(&addr, cmd).await?;
        let body: GetConsumerListByGroupResponseBody = serde_json::from_slice(&resp.body)
            .map_err(|e| MqError::bad(&addr, request::GET_CONSUMER_LIST_BY_GROUP, e.to_string()))?;
        let mut ids = body.consumer_id_list;
        ids.sort();
        ids.dedup();
        Ok(ids)
    }

    /// Forgets the read suggestion for `mq` (e.g. after the queue was reassigned).
    pub fn forget_suggestion(&self, mq: &MessageQueue) {
        self.inner.suggested.lock().remove(mq);
    }

    /// Closes every connection.
    pub fn close(&self) {
        self.inner.pool.close_all();
    }
}

fn no_addr(mq: &MessageQueue) -> MqError {
    MqError::NoBrokerAddr {
        broker_name: mq.broker_name.clone(),
    }
}

mod heartbeat;
