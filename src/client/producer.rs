//! The producer: picks a queue round-robin over the writable master queues of a topic's route
//! and sends with SEND_MESSAGE_V2 (or v1, or a batch), retrying on another broker for the
//! response codes the Java producer retries. Every message gets a producer-generated UNIQ_KEY,
//! which is the `msg_id` applications see.
//!
//! A topic the name server does not know yet is sent along the default topic's (TBW102) route
//! with `defaultTopic` in the header, exactly as the Java producer does, so the broker creates
//! it on the first message (`autoCreateTopicEnable`).

use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use parking_lot::Mutex;
use slog::{debug, o, Logger};

use super::message::{Message, SendResult, SendStatus};
use super::mq_error::{response_error, MqError};
use super::msg_id::{new_client_id, new_unique_id};
use super::pool::ConnectionPool;
use super::queues::{route_from_default, PublishQueueCache, QueueSelector};
use super::route::{NameServerClient, RouteCache, DEFAULT_TIMEOUT};
use crate::codec::codes::{request, response};
use crate::codec::headers::{SendMessageRequestHeader, SendMessageResponseHeader};
use crate::codec::RemotingCommand;
use crate::protocol::heartbeat::{HeartbeatData, ProducerData};
use crate::protocol::message_queue::MessageQueue;
use crate::store::message::{encode_batch_body, BatchItem};
use crate::store::time::now_ms;

/// The topic whose route stands in for unknown topics.
pub const DEFAULT_TOPIC: &str = "TBW102";
/// Response codes after which the send is retried on another broker (Java
/// `retryResponseCodes`, minus the two unit-mode codes no 4.x broker sends).
pub const RETRY_CODES: [i32; 4] = [
    response::TOPIC_NOT_EXIST,
    response::SERVICE_NOT_AVAILABLE,
    response::SYSTEM_ERROR,
    response::NO_PERMISSION,
];

/// Which request code single messages use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SendCode {
    /// SEND_MESSAGE_V2 (310), single-letter header keys (Java default).
    #[default]
    V2,
    /// SEND_MESSAGE (10), field-name header keys (rocketmq-client-rust default).
    V1,
}

/// Producer settings.
#[derive(Debug, Clone)]
pub struct ProducerConfig {
    pub namesrv_addrs: String,
    pub group: String,
    pub send_timeout: Duration,
    pub send_code: SendCode,
    /// Extra attempts on another broker after a retryable failure (Java: 2).
    pub retry_times: usize,
    /// Queues per broker for an auto-created topic (Java: 4).
    pub default_topic_queue_nums: i32,
}

impl ProducerConfig {
    pub fn new(namesrv_addrs: impl Into<String>, group: impl Into<String>) -> Self {
        ProducerConfig {
            namesrv_addrs: namesrv_addrs.into(),
            group: group.into(),
            send_timeout: DEFAULT_TIMEOUT,
            send_code: SendCode::V2,
            retry_times: 2,
            default_topic_queue_nums: 4,
        }
    }
}

/// A RocketMQ producer; cheap to clone (clones share connections and routes).
#[derive(Clone)]
pub struct Producer {
    inner: Arc<Inner>,
}

struct Inner {
    cfg: ProducerConfig,
    client_id: String,
    pool: ConnectionPool,
    routes: RouteCache,
    selector: QueueSelector,
    publish: PublishQueueCache,
    /// Topics currently routed through the default topic (re-checked on every send).
    via_default: Mutex<HashSet<String>>,
    /// Brokers that have seen our heartbeat (so they list us as a producer of the group).
    greeted: Mutex<HashSet<String>>,
    started: AtomicBool,
    log: Logger,
}

impl std::fmt::Debug for Producer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Producer")
            .field("group", &self.inner.cfg.group)
            .field("client_id", &self.inner.client_id)
            .finish()
    }
}

/// One message ready to go: header fields, properties and the id handed back.
struct Outgoing {
    code: i32,
    body: bytes::Bytes,
    properties: Option<String>,
    flag: i32,
    batch: bool,
    msg_id: String,
    sys_flag: i32,
}

impl Producer {
    /// A producer of `group` using the name servers `namesrv_addrs` (`"a:9876;b:9876"`).
    pub fn new(namesrv_addrs: &str, group: &str) -> Result<Self, MqError> {
        Self::with_config(
            ProducerConfig::new(namesrv_addrs, group),
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

    /// A producer with explicit settings.
    pub fn with_config(cfg: ProducerConfig, log: Logger) -> Result<Self, MqError> {
        if cfg.group.is_empty() {
            return Err(MqError::InvalidArgument("producer group is empty".into()));
        }
        let log = log.new(o!("component" => "producer", "group" => cfg.group.clone()));
        let pool = ConnectionPool::new(cfg.send_timeout, log.clone());
        let ns = NameServerClient::with_pool(&cfg.namesrv_addrs, pool.clone(), cfg.send_timeout)?;
        Ok(Producer {
            inner: Arc::new(Inner {
                client_id: new_client_id(),
                pool,
                routes: RouteCache::new(ns),
                selector: QueueSelector::starting_at(now_ms() as usize % 997),
                publish: PublishQueueCache::default(),
                via_default: Mutex::default(),
                greeted: Mutex::default(),
                started: AtomicBool::new(false),
                log,
                cfg,
            }),
        })
    }

    /// Allows sending. Nothing is contacted yet: routes and connections are made on first use.
    pub fn start(&self) -> Result<(), MqError> {
        self.inner.started.store(true, Ordering::Release);
        Ok(())
    }

    /// Stops sending and closes every connection.
    pub fn shutdown(&self) {
        self.inner.started.store(false, Ordering::Release);
        self.inner.pool.close_all();
    }

    pub fn client_id(&self) -> &str {
        &self.inner.client_id
    }

    pub fn config(&self) -> &ProducerConfig {
        &self.inner.cfg
    }

    /// The route cache (e.g. to refresh a topic after creating it).
    pub fn routes(&self) -> &RouteCache {
        &self.inner.routes
    }

    /// The writable queues a send to `topic` chooses from.
    pub async fn publish_queues(&self, topic: &str) -> Result<Vec<MessageQueue>, MqError> {
        Ok(self.publish_queue_list(topic).await?.to_vec())
    }

    /// [`Producer::publish_queues`], shared (computed once per route, not per send).
    async fn publish_queue_list(&self, topic: &str) -> Result<Arc<[MessageQueue]>, MqError> {
        let i = &self.inner;
        let known = i.routes.cached(topic).is_some() && !i.via_default.lock().contains(topic);
        if !known {
            match i.routes.refresh(topic).await {
                Ok(_) => {
                    i.via_default.lock().remove(topic);
                }
                Err(e) if e.response_code() == Some(response::TOPIC_NOT_EXIST) => {
                    let default = i.routes.get(DEFAULT_TOPIC).await?;
                    let route = route_from_default(&default, i.cfg.default_topic_queue_nums);
                    i.routes.insert(topic, route);
                    i.via_default.lock().insert(topic.to_owned());
                }
                Err(e) if i.routes.cached(topic).is_some() => {
                    debug!(i.log, "route refresh failed, using the cached one"; "topic" => topic, "error" => %e);
                }
                Err(e) => return Err(e),
            }
        }
        let route = i.routes.get(topic).await?;
        let mut queues = i.publish.get(topic, &route);
        if queues.is_empty() && known {
            // Java's `tryToFindTopicPublishInfo`: a cached route without a writable queue (its
            // master was gone when it was fetched) is not used; ask the name server again.
            if let Ok(fresh) = i.routes.refresh(topic).await {
                queues = i.publish.get(topic, &fresh);
            }
        }
        if queues.is_empty() {
            return Err(MqError::NoRoute {
                topic: topic.to_owned(),
                reason: "no writable queue on a broker with a master".into(),
            });
        }
        Ok(queues)
    }

    /// Sends one message, choosing the queue; retried on another broker for retryable codes.
    pub async fn send(&self, topic: &str, msg: Message) -> Result<SendResult, MqError> {
        let out = self.prepare(msg)?;
        self.send_with_retry(topic, &out).await
    }

    /// Sends the half message of a transaction (`TRAN_MSG`/`PGROUP` set, sysFlag PREPARED),
    /// as Java's `sendMessageInTransaction` does; see [`super::transaction`].
    pub async fn send_half(&self, topic: &str, msg: Message) -> Result<SendResult, MqError> {
        let msg = msg
            .with_property("TRAN_MSG", "true")
            .with_property("PGROUP", self.inner.cfg.group.clone());
        let mut out = self.prepare(msg)?;
        out.sys_flag = crate::store::message::sys_flag::TRANSACTION_PREPARED_TYPE;
        self.send_with_retry(topic, &out).await
    }

    /// The connection pool (server-initiated requests, oneway calls).
    pub fn pool(&self) -> &ConnectionPool {
        &self.inner.pool
    }

    /// Heartbeats again to every broker this producer has greeted (brokers forget producers
    /// when they restart or when a connection drops). Failures are only logged.
    pub async fn heartbeat_all(&self) {
        let addrs: Vec<String> = self.inner.greeted.lock().iter().cloned().collect();
        for addr in addrs {
            if let Err(e) = self.heartbeat_to(&addr).await {
                debug!(self.inner.log, "producer heartbeat failed"; "broker" => &addr, "error" => %e);
            }
        }
    }

    /// Sends one message to the given queue (no retry on another broker).
    pub async fn send_to_queue(
        &self,
        mq: &MessageQueue,
        msg: Message,
    ) -> Result<SendResult, MqError> {
        let out = self.prepare(msg)?;
        self.publish_queue_list(&mq.topic).await?;
        self.send_once(mq, &out).await
    }

    /// Sends messages as one SEND_BATCH_MESSAGE (320) to one queue; `msg_id` of the result
    /// lists every UNIQ_KEY, comma-joined. Delayed messages cannot be batched.
    pub async fn send_batch(&self, topic: &str, msgs: Vec<Message>) -> Result<SendResult, MqError> {
        self.check_running()?;
        if msgs.is_empty() {
            return Err(MqError::InvalidArgument("empty batch".into()));
        }
        if msgs.iter().any(|m| m.delay_level > 0) {
            return Err(MqError::InvalidArgument(
                "a batch cannot carry delayed messages".into(),
            ));
        }
        let mut ids = Vec::with_capacity(msgs.len());
        let items: Vec<BatchItem> = msgs
            .iter()
            .map(|m| {
                let id = new_unique_id();
                let item = BatchItem {
                    flag: m.flag,
                    body: m.body.clone(),
                    properties: m.encode_properties(&id),
                };
                ids.push(id);
                item
            })
            .collect();
        let out = Outgoing {
            code: request::SEND_BATCH_MESSAGE,
            body: encode_batch_body(&items),
            properties: None,
            flag: 0,
            batch: true,
            msg_id: ids.join(","),
            sys_flag: 0,
        };
        self.send_with_retry(topic, &out).await
    }

    /// Sends one message oneway: no answer, no retry, no result.
    pub async fn send_oneway(&self, topic: &str, msg: Message) -> Result<(), MqError> {
        let out = self.prepare(msg)?;
        let queues = self.publish_queue_list(topic).await?;
        let mq = self
            .inner
            .selector
            .select(&queues, None)
            .cloned()
            .ok_or_else(|| no_queue(topic))?;
        let (addr, cmd) = self.build(&mq, &out)?;
        self.greet(&addr).await;
        Ok(self.inner.pool.invoke_oneway(&addr, cmd).await?)
    }

    fn check_running(&self) -> Result<(), MqError> {
        if self.inner.started.load(Ordering::Acquire) {
            Ok(())
        } else {
            Err(MqError::NotRunning("producer"))
        }
    }

    fn prepare(&self, msg: Message) -> Result<Outgoing, MqError> {
        self.check_running()?;
        let id = new_unique_id();
        let code = match self.inner.cfg.send_code {
            SendCode::V2 => request::SEND_MESSAGE_V2,
            SendCode::V1 => request::SEND_MESSAGE,
        };
        Ok(Outgoing {
            code,
            properties: Some(msg.encode_properties(&id)),
            body: msg.body,
            flag: msg.flag,
            batch: false,
            msg_id: id,
            sys_flag: 0,
        })
    }

    async fn send_with_retry(&self, topic: &str, out: &Outgoing) -> Result<SendResult, MqError> {
        let mut last_broker: Option<String> = None;
        let mut last_err = None;
        for attempt in 0..=self.inner.cfg.retry_times {
            let queues = self.publish_queue_list(topic).await?;
            let mq = self
                .inner
                .selector
                .select(&queues, last_broker.as_deref())
                .cloned()
                .ok_or_else(|| no_queue(topic))?;
            match self.send_once(&mq, out).await {
                Ok(r) => return Ok(r),
                Err(e) if retryable(&e) => {
                    debug!(self.inner.log, "send failed, retrying"; "attempt" => attempt,
                        "broker" => &mq.broker_name, "error" => %e);
                    last_broker = Some(mq.broker_name.clone());
                    last_err = Some(e);
                    // The broker may be gone or have lost the topic: look again before the next
                    // attempt (an unknown topic keeps its default-topic route).
                    let _ = self.inner.routes.refresh(topic).await;
                }
                Err(e) => return Err(e),
            }
        }
        Err(last_err.unwrap_or_else(|| no_queue(topic)))
    }

    /// Builds the request for `mq` and resolves the master address of its broker.
    fn build(
        &self,
        mq: &MessageQueue,
        out: &Outgoing,
    ) -> Result<(String, RemotingCommand), MqError> {
        let i = &self.inner;
        let addr = i
            .routes
            .master_addr(&mq.broker_name)
            .ok_or_else(|| MqError::NoBrokerAddr {
                broker_name: mq.broker_name.clone(),
            })?;
        let header = SendMessageRequestHeader {
            producer_group: i.cfg.group.clone(),
            topic: mq.topic.clone(),
            default_topic: DEFAULT_TOPIC.to_owned(),
            default_topic_queue_nums: i.cfg.default_topic_queue_nums,
            queue_id: mq.queue_id,
            sys_flag: out.sys_flag,
            born_timestamp: now_ms(),
            flag: out.flag,
            properties: out.properties.clone(),
            reconsume_times: Some(0),
            unit_mode: false,
            max_reconsume_times: None,
            batch: out.batch,
            bname: Some(mq.broker_name.clone()),
        };
        let mut cmd = RemotingCommand::request(out.code).with_body(out.body.clone());
        header.move_into(&mut cmd);
        Ok((addr, cmd))
    }

    async fn send_once(&self, mq: &MessageQueue, out: &Outgoing) -> Result<SendResult, MqError> {
        let (addr, cmd) = self.build(mq, out)?;
        self.greet(&addr).await;
        let resp = self
            .inner
            .pool
            .invoke(&addr, cmd, self.inner.cfg.send_timeout)
            .await?;
        let Some(status) = SendStatus::from_code(resp.code) else {
            return Err(response_error(&addr, out.code, &resp));
        };
        let h = SendMessageResponseHeader::from_command(&resp)
            .map_err(|e| MqError::bad(&addr, out.code, e.to_string()))?;
        Ok(SendResult {
            status,
            msg_id: out.msg_id.clone(),
            offset_msg_id: h.msg_id,
            queue: MessageQueue::new(&mq.topic, &mq.broker_name, h.queue_id),
            queue_offset: h.queue_offset,
            broker_addr: addr,
            region_id: h.msg_region,
        })
    }

    /// Sends one heartbeat with our producer group to a broker the first time we use it, so the
    /// broker lists this client among the group's producers. Failures are only logged: the send
    /// itself will report a dead broker.
    async fn greet(&self, addr: &str) {
        let greeted = &self.inner.greeted;
        if greeted.lock().contains(addr) || !greeted.lock().insert(addr.to_owned()) {
            return;
        }
        if let Err(e) = self.heartbeat_to(addr).await {
            debug!(self.inner.log, "producer heartbeat failed"; "broker" => addr, "error" => %e);
            self.inner.greeted.lock().remove(addr);
        }
    }

    /// HEART_BEAT (34) with our producer group to `addr`.
    pub async fn heartbeat_to(&self, addr: &str) -> Result<(), MqError> {
        let body = HeartbeatData {
            client_id: self.inner.client_id.clone(),
            consumer_data_set: Vec::new(),
            producer_data_set: vec![ProducerData {
                group_name: self.inner.cfg.group.clone(),
            }],
        };
        let cmd = RemotingCommand::request(request::HEART_BEAT).with_body(body.encode());
        let resp = self
            .inner
            .pool
            .invoke(addr, cmd, self.inner.cfg.send_timeout)
            .await?;
        super::mq_error::expect_success(addr, request::HEART_BEAT, resp)?;
        self.inner.greeted.lock().insert(addr.to_owned());
        Ok(())
    }
}

fn no_queue(topic: &str) -> MqError {
    MqError::NoRoute {
        topic: topic.to_owned(),
        reason: "no writable queue".into(),
    }
}

/// Whether a failed attempt may be retried on another broker: transport failures and the
/// Java producer's retry codes.
pub fn retryable(e: &MqError) -> bool {
    match e {
        MqError::Remoting(_) | MqError::NoBrokerAddr { .. } => true,
        MqError::Response { code, .. } => RETRY_CODES.contains(code),
        _ => false,
    }
}

#[cfg(test)]
mod tests;
