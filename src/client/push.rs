//! A minimal push consumer on top of [`PullConsumer`]: one background task heartbeats, splits
//! the group's queues among the members (average allocation over sorted client ids),
//! rebalances when a broker pushes NOTIFY_CONSUMER_IDS_CHANGED, and runs one long-polling
//! worker per assigned queue. Each worker hands messages to the user callback in order;
//! `ReconsumeLater` sends the message back to the broker for a delayed retry. Offsets are
//! committed periodically, when a queue is taken away, and on shutdown.
//!
//! Bounded: one worker per assigned queue, one pull in flight per worker, at most
//! `pull_batch_size` messages held per worker. The callback runs on tokio's blocking pool so a
//! slow callback never stalls the runtime (which may be an actix single-thread System).

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use parking_lot::Mutex;
use slog::{debug, info, warn, Logger};
use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;
use tokio::time::MissedTickBehavior;

use super::allocate::allocate_average;
use super::consumer::{PullConsumer, PullSpec, PullStatus};
use super::message::{MessageExt, PROPERTY_RETRY_TOPIC};
use super::mq_error::MqError;
use super::pool::ServerRequest;
use super::route::DEFAULT_TIMEOUT;
use crate::codec::codes::{request, response};
use crate::codec::RemotingCommand;
use crate::protocol::heartbeat::{ConsumeFromWhere, ConsumeType, SubscriptionData};
use crate::protocol::message_queue::MessageQueue;
use crate::store::time::now_ms;

/// Prefix of a group's retry topic.
pub const RETRY_GROUP_TOPIC_PREFIX: &str = "%RETRY%";
/// How often a failed send-back is retried before the message is given up (and logged).
const SEND_BACK_ATTEMPTS: usize = 3;

/// What the callback decided about one message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConsumeResult {
    Success,
    /// Send the message back for a delayed retry.
    ReconsumeLater,
}

/// The user callback.
pub type Callback = Arc<dyn Fn(&MessageExt) -> ConsumeResult + Send + Sync + 'static>;

/// Push consumer settings.
#[derive(Debug, Clone)]
pub struct PushConfig {
    pub namesrv_addrs: String,
    pub group: String,
    /// Long-poll time of each pull (Java: 15 s).
    pub suspend: Duration,
    pub heartbeat_interval: Duration,
    pub rebalance_interval: Duration,
    pub persist_interval: Duration,
    pub pull_batch_size: i32,
    /// Where a queue without a committed offset starts (Timestamp is treated as LastOffset).
    pub consume_from: ConsumeFromWhere,
    /// Per-call timeout of non-pull calls.
    pub timeout: Duration,
    /// Pause after a failed pull.
    pub pull_error_delay: Duration,
}

impl PushConfig {
    pub fn new(namesrv_addrs: impl Into<String>, group: impl Into<String>) -> Self {
        PushConfig {
            namesrv_addrs: namesrv_addrs.into(),
            group: group.into(),
            suspend: Duration::from_secs(15),
            heartbeat_interval: Duration::from_secs(30),
            rebalance_interval: Duration::from_secs(20),
            persist_interval: Duration::from_secs(5),
            pull_batch_size: 32,
            consume_from: ConsumeFromWhere::LastOffset,
            timeout: DEFAULT_TIMEOUT,
            pull_error_delay: Duration::from_secs(1),
        }
    }
}

/// A push consumer of one group.
pub struct PushConsumer {
    consumer: PullConsumer,
    cfg: PushConfig,
    /// topic → (expression type, expression).
    subs: BTreeMap<String, (String, String)>,
    assigned: Arc<Mutex<BTreeSet<MessageQueue>>>,
    running: Option<(watch::Sender<bool>, JoinHandle<()>)>,
}

impl std::fmt::Debug for PushConsumer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PushConsumer")
            .field("consumer", &self.consumer)
            .field("subs", &self.subs)
            .field("running", &self.running.is_some())
            .finish()
    }
}

impl PushConsumer {
    pub fn new(namesrv_addrs: &str, group: &str) -> Result<Self, MqError> {
        Self::with_config(
            PushConfig::new(namesrv_addrs, group),
            crate::logging::discard(),
        )
    }

    pub fn with_config(cfg: PushConfig, log: Logger) -> Result<Self, MqError> {
        let consumer =
            PullConsumer::with_options(&cfg.namesrv_addrs, &cfg.group, cfg.timeout, log)?;
        Ok(PushConsumer {
            consumer,
            cfg,
            subs: BTreeMap::new(),
            assigned: Arc::default(),
            running: None,
        })
    }

    /// Signs every request with `credentials` (ACL 1.0; docs/acl.md). Before `start`.
    pub fn with_credentials(mut self, credentials: crate::acl::SessionCredentials) -> Self {
        self.consumer = self.consumer.with_credentials(credentials);
        self
    }

    /// Connects over TLS (Java's `setUseTLS(true)`; docs/tls.md).
    pub fn with_tls(mut self, tls: crate::tls::ClientTls) -> Self {
        self.consumer = self.consumer.with_tls(tls);
        self
    }

    /// Subscribes to `topic` with a tag expression (`"*"`, `"TagA || TagB"`). Before `start`.
    pub fn subscribe(&mut self, topic: &str, expression: &str) -> Result<(), MqError> {
        if self.running.is_some() {
            return Err(MqError::InvalidArgument("subscribe before start()".into()));
        }
        self.subs
            .insert(topic.to_owned(), ("TAG".to_owned(), expression.to_owned()));
        Ok(())
    }

    /// Subscribes to `topic` with a SQL92 expression, evaluated by the broker (which needs
    /// `enablePropertyFilter=true`). Before `start`; check it first with
    /// [`PullConsumer::check_client_config`], as Java's consumer does when it starts.
    pub fn subscribe_sql92(&mut self, topic: &str, expression: &str) -> Result<(), MqError> {
        if self.running.is_some() {
            return Err(MqError::InvalidArgument("subscribe before start()".into()));
        }
        self.subs.insert(
            topic.to_owned(),
            (crate::filter::SQL92.to_owned(), expression.to_owned()),
        );
        Ok(())
    }

    /// The underlying pull consumer (client id, offsets…).
    pub fn pull_consumer(&self) -> &PullConsumer {
        &self.consumer
    }

    /// Queues currently assigned to this member.
    pub fn assigned_queues(&self) -> Vec<MessageQueue> {
        self.assigned.lock().iter().cloned().collect()
    }

    /// Starts the background task; must run inside a tokio runtime (an actix System is one).
    pub fn start<F>(&mut self, callback: F) -> Result<(), MqError>
    where
        F: Fn(&MessageExt) -> ConsumeResult + Send + Sync + 'static,
    {
        if self.running.is_some() {
            return Err(MqError::InvalidArgument("already started".into()));
        }
        if self.subs.is_empty() {
            return Err(MqError::InvalidArgument("no subscription".into()));
        }
        let mut subs = self.subs.clone();
        // Clustering consumers also consume their group's retry topic, where send-back lands.
        subs.insert(
            format!("{RETRY_GROUP_TOPIC_PREFIX}{}", self.cfg.group),
            ("TAG".to_owned(), "*".to_owned()),
        );
        let version = now_ms();
        let subscriptions = subs
            .iter()
            .map(|(t, (kind, e))| {
                if kind == crate::filter::SQL92 {
                    SubscriptionData::build_sql92(t, e, version)
                } else {
                    SubscriptionData::build_tag(t, e, version)
                }
            })
            .collect();
        let (stop_tx, stop_rx) = watch::channel(false);
        let ctx = Arc::new(Ctx {
            consumer: self.consumer.clone(),
            cfg: self.cfg.clone(),
            subscriptions,
            callback: Arc::new(callback),
            assigned: self.assigned.clone(),
            log: self.consumer.log().clone(),
        });
        let task = tokio::spawn(run(ctx, stop_rx));
        self.running = Some((stop_tx, task));
        Ok(())
    }

    /// Stops every worker, commits offsets, unregisters from the brokers and closes the
    /// connections. Returns once all of that is done.
    pub async fn shutdown(&mut self) {
        if let Some((stop, task)) = self.running.take() {
            stop.send_replace(true);
            let _ = task.await;
        }
        self.consumer.close();
    }
}

struct Ctx {
    consumer: PullConsumer,
    cfg: PushConfig,
    subscriptions: Vec<SubscriptionData>,
    callback: Callback,
    assigned: Arc<Mutex<BTreeSet<MessageQueue>>>,
    log: Logger,
}

struct Worker {
    stop: watch::Sender<bool>,
    handle: JoinHandle<()>,
    /// Next offset to consume; -1 until the worker has found its start offset.
    offset: Arc<AtomicI64>,
    committed: i64,
}

async fn run(ctx: Arc<Ctx>, mut stop: watch::Receiver<bool>) {
    let mut server_rx = ctx.consumer.pool().take_server_requests();
    let mut workers: HashMap<MessageQueue, Worker> = HashMap::new();
    // First round in a fixed order: the broker must list us before we split the queues.
    heartbeat(&ctx).await;
    rebalance(&ctx, &mut workers).await;
    let tick = |d: Duration| {
        let mut i = tokio::time::interval_at(tokio::time::Instant::now() + d, d);
        i.set_missed_tick_behavior(MissedTickBehavior::Delay);
        i
    };
    let (mut hb, mut rb, mut persist) = (
        tick(ctx.cfg.heartbeat_interval),
        tick(ctx.cfg.rebalance_interval),
        tick(ctx.cfg.persist_interval),
    );
    loop {
        tokio::select! {
            _ = stopped(&mut stop) => break,
            _ = hb.tick() => heartbeat(&ctx).await,
            _ = rb.tick() => rebalance(&ctx, &mut workers).await,
            _ = persist.tick() => persist_offsets(&ctx, &mut workers, false).await,
            Some(req) = next_request(&mut server_rx) => {
                if req.cmd.code == request::NOTIFY_CONSUMER_IDS_CHANGED {
                    debug!(ctx.log, "group membership changed"; "broker" => &req.addr);
                    rebalance(&ctx, &mut workers).await;
                } else if let Some(table) = super::push_reset::reset_table(&req.cmd, &ctx.cfg.group) {
                    for (mq, off) in table {
                        if let Some(w) = workers.remove(&mq) {
                            w.stop.send_replace(true);
                            let _ = w.handle.await;
                        }
                        if let Err(e) = ctx.consumer.commit_offset(&mq, off).await {
                            warn!(ctx.log, "reset offset commit failed"; "queue" => ?mq, "error" => %e);
                        }
                    }
                    rebalance(&ctx, &mut workers).await;
                } else {
                    refuse(&ctx, req).await;
                }
            }
        }
    }
    for w in workers.values() {
        w.stop.send_replace(true);
    }
    for w in workers.values_mut() {
        let _ = (&mut w.handle).await;
    }
    persist_offsets(&ctx, &mut workers, true).await;
    ctx.assigned.lock().clear();
    if let Err(e) = ctx.consumer.unregister().await {
        debug!(ctx.log, "unregister failed"; "error" => %e);
    }
    info!(ctx.log, "push consumer stopped");
}

async fn next_request(rx: &mut Option<mpsc::Receiver<ServerRequest>>) -> Option<ServerRequest> {
    match rx {
        Some(rx) => rx.recv().await,
        None => std::future::pending().await,
    }
}

/// Answers server requests we do not implement (e.g. GET_CONSUMER_RUNNING_INFO) so the broker
/// does not wait for its timeout.
async fn refuse(ctx: &Ctx, req: ServerRequest) {
    if req.cmd.is_oneway() {
        return;
    }
    let resp =
        RemotingCommand::response_to(&req.cmd, response::REQUEST_CODE_NOT_SUPPORTED).with_remark(
            format!("request code {} not supported by this client", req.cmd.code),
        );
    let _ = ctx.consumer.pool().respond(&req.addr, resp).await;
}

async fn heartbeat(ctx: &Ctx) {
    let data = ctx.consumer.heartbeat_data(
        &ctx.subscriptions,
        ConsumeType::Passively,
        ctx.cfg.consume_from,
    );
    if let Err(e) = ctx.consumer.send_heartbeat(&data).await {
        warn!(ctx.log, "heartbeat failed"; "error" => %e);
    }
}

async fn rebalance(ctx: &Arc<Ctx>, workers: &mut HashMap<MessageQueue, Worker>) {
    let me = ctx.consumer.client_id().to_owned();
    let mut desired = BTreeSet::new();
    let mut settled_topics = BTreeSet::new();
    for sub in &ctx.subscriptions {
        let queues = match ctx.consumer.fetch_queues(&sub.topic).await {
            Ok(q) => q,
            Err(e) => {
                debug!(ctx.log, "no route, keeping the current assignment"; "topic" => &sub.topic, "error" => %e);
                continue;
            }
        };
        let ids = match ctx.consumer.consumer_ids(&sub.topic).await {
            Ok(ids) => ids,
            Err(e) => {
                debug!(ctx.log, "no member list"; "topic" => &sub.topic, "error" => %e);
                continue;
            }
        };
        desired.extend(allocate_average(&queues, &ids, &me));
        settled_topics.insert(sub.topic.clone());
    }
    let dropped: Vec<MessageQueue> = workers
        .keys()
        .filter(|mq| settled_topics.contains(&mq.topic) && !desired.contains(*mq))
        .cloned()
        .collect();
    for mq in dropped {
        if let Some(w) = workers.remove(&mq) {
            w.stop.send_replace(true);
            let _ = w.handle.await;
            let off = w.offset.load(Ordering::Acquire);
            if off >= 0 && off != w.committed {
                if let Err(e) = ctx.consumer.commit_offset(&mq, off).await {
                    warn!(ctx.log, "offset commit failed"; "queue" => ?mq, "error" => %e);
                }
            }
            ctx.consumer.forget_suggestion(&mq);
            info!(ctx.log, "queue released"; "topic" => &mq.topic, "broker" => &mq.broker_name, "queue" => mq.queue_id);
        }
    }
    for mq in desired {
        if workers.contains_key(&mq) {
            continue;
        }
        let Some(sub) = ctx
            .subscriptions
            .iter()
            .find(|s| s.topic == mq.topic)
            .cloned()
        else {
            continue;
        };
        let (stop, stop_rx) = watch::channel(false);
        let offset = Arc::new(AtomicI64::new(-1));
        let handle = tokio::spawn(work(ctx.clone(), mq.clone(), sub, offset.clone(), stop_rx));
        info!(ctx.log, "queue assigned"; "topic" => &mq.topic, "broker" => &mq.broker_name, "queue" => mq.queue_id);
        workers.insert(
            mq,
            Worker {
                stop,
                handle,
                offset,
                committed: -1,
            },
        );
    }
    *ctx.assigned.lock() = workers.keys().cloned().collect();
}

async fn persist_offsets(ctx: &Ctx, workers: &mut HashMap<MessageQueue, Worker>, sync: bool) {
    for (mq, w) in workers.iter_mut() {
        let off = w.offset.load(Ordering::Acquire);
        if off < 0 || off == w.committed {
            continue;
        }
        let r = if sync {
            ctx.consumer.commit_offset(mq, off).await
        } else {
            ctx.consumer.commit_offset_oneway(mq, off).await
        };
        match r {
            Ok(()) => w.committed = off,
            Err(e) => {
                debug!(ctx.log, "offset commit failed"; "queue" => mq.queue_id, "error" => %e)
            }
        }
    }
}

/// Where a queue without a committed offset starts.
async fn start_offset(ctx: &Ctx, mq: &MessageQueue) -> Result<i64, MqError> {
    if let Some(off) = ctx.consumer.query_offset(mq).await? {
        return Ok(off);
    }
    let retry = mq.topic.starts_with(RETRY_GROUP_TOPIC_PREFIX);
    match ctx.cfg.consume_from {
        ConsumeFromWhere::FirstOffset | ConsumeFromWhere::MinOffset => Ok(0),
        _ if retry => Ok(0),
        _ => ctx.consumer.max_offset(mq).await,
    }
}

/// Sleeps `d` unless stopped first; returns true when stopped.
async fn pause(stop: &mut watch::Receiver<bool>, d: Duration) -> bool {
    tokio::select! {
        _ = stopped(stop) => {}
        _ = tokio::time::sleep(d) => {}
    }
    *stop.borrow()
}

/// Resolves once the stop flag is set (or its sender is gone).
async fn stopped(stop: &mut watch::Receiver<bool>) {
    let _ = stop.wait_for(|s| *s).await;
}

mod worker;
use worker::work;
