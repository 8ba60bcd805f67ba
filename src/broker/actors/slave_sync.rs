//! A slave's metadata sync (Java's `SlaveSynchronize`): every 10 s (and as soon as the master's
//! address is known) it reads the master's topic configs, consumer offsets, delay offsets and
//! subscription groups over the master's fast channel (`listenPort - 2` of the address the name
//! server returned as `masterAddr`) and adopts them, so a slave that takes over reads has the
//! topics and the committed offsets of its master. A master that cannot be reached leaves the
//! slave's tables as they are: consumers reading from the slave keep committing there.

use std::sync::atomic::Ordering;
use std::sync::{Arc, Weak};
use std::time::{Duration, Instant};

use actix::prelude::*;
use slog::{debug, warn};

use crate::actors::supervisor::{RestartBook, RestartTracker, RootSupervisor, Supervise};
use crate::broker::node::state::Broker;
use crate::broker::store_actors::Arrival;
use crate::broker::store_actors::ArrivalHooks;
use crate::client::remoting::RemotingClient;
use crate::codec::codes::{request, response};
use crate::codec::RemotingCommand;
use crate::protocol::offset::{ConsumerOffsetWrapper, DelayOffsetWrapper};
use crate::protocol::subscription::SubscriptionGroupWrapper;
use crate::protocol::topic::TopicConfigSerializeWrapper;

/// Java's period.
pub const SYNC_INTERVAL: Duration = Duration::from_secs(10);
const CALL_TIMEOUT: Duration = Duration::from_secs(3);
/// Component name in the restart book.
pub const SLAVE_SYNC: &str = "slave-sync";

/// Why one sync round failed (logged, retried next round).
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error("master {addr}: {source}")]
    Call {
        addr: String,
        source: crate::client::ClientError,
    },
    #[error("master {addr} answered code {code} to request {request}: {remark}")]
    Refused {
        addr: String,
        request: i32,
        code: i32,
        remark: String,
    },
    #[error("master {addr}: bad body of request {request}: {reason}")]
    Body {
        addr: String,
        request: i32,
        reason: String,
    },
}

/// The master's fast-channel address (`host:port-2`), as Java's `brokerVIPChannel`.
pub fn vip_channel(addr: &str) -> String {
    match addr.rsplit_once(':') {
        Some((host, port)) => match port.parse::<u16>() {
            Ok(p) if p > 2 => format!("{host}:{}", p - 2),
            _ => addr.to_string(),
        },
        None => addr.to_string(),
    }
}

/// Ask for a round now (replicated data names a topic the slave does not know yet).
#[derive(Message)]
#[rtype(result = "()")]
pub struct SyncNow;

/// Rounds asked for by [`SyncNow`] are at most this frequent.
const MIN_GAP: Duration = Duration::from_secs(1);

/// The sync actor; its only state is whether a round is running and when the last began.
pub struct SlaveSync {
    broker: Weak<Broker>,
    tracker: RestartTracker,
    busy: bool,
    last: Option<Instant>,
}

/// Starts the sync actor of a slave, and a hook that asks for a round as soon as replicated
/// data lands in a topic the slave has no config for (so it can serve it at once, not up to
/// 10 s later).
pub async fn start(
    broker: &Arc<Broker>,
    hooks: &ArrivalHooks,
    root: &Addr<RootSupervisor>,
    book: RestartBook,
) -> Result<(), MailboxError> {
    let (weak, log) = (Arc::downgrade(broker), broker.log.clone());
    let slot = root
        .send(Supervise {
            name: SLAVE_SYNC.into(),
            arbiter: Arbiter::current(),
            factory: Arc::new(move || {
                SlaveSync::new(
                    weak.clone(),
                    RestartTracker::new(SLAVE_SYNC, book.clone(), log.clone()),
                )
            }),
        })
        .await?;
    let weak = Arc::downgrade(broker);
    hooks.lock().push(Arc::new(move |a: &Arrival| {
        let (Arrival::Replicated { queues, .. } | Arrival::Dispatched { queues }) = a else {
            return;
        };
        let Some(b) = weak.upgrade() else { return };
        let unknown = {
            let meta = b.meta.lock();
            queues
                .iter()
                .any(|(t, _, _)| meta.topics.select(t).is_none())
        };
        if unknown {
            slot.get().do_send(SyncNow);
        }
    }));
    Ok(())
}

impl SlaveSync {
    pub fn new(broker: Weak<Broker>, tracker: RestartTracker) -> Self {
        SlaveSync {
            broker,
            tracker,
            busy: false,
            last: None,
        }
    }

    fn round(&mut self, ctx: &mut Context<Self>) {
        if self.busy {
            return;
        }
        // A stopped broker's actor goes idle: stopping would only make the supervisor restart it.
        let Some(b) = self.broker.upgrade().filter(|b| !b.is_stopped()) else {
            return;
        };
        let Some(master) = b.master_addr.lock().clone() else {
            return;
        };
        self.busy = true;
        self.last = Some(Instant::now());
        let fut = async move {
            if let Err(e) = sync_once(&b, &master).await {
                warn!(b.log, "slave sync failed; keeping local tables"; "error" => %e);
            }
        };
        ctx.spawn(fut.into_actor(self).map(|_, act, _| act.busy = false));
    }
}

impl Actor for SlaveSync {
    type Context = Context<Self>;

    fn started(&mut self, ctx: &mut Context<Self>) {
        self.tracker.on_started(ctx);
        // A first round soon after start (the master address arrives with registration).
        ctx.run_later(Duration::from_millis(500), |act, ctx| act.round(ctx));
        ctx.run_interval(SYNC_INTERVAL, |act, ctx| act.round(ctx));
    }
}

impl Supervised for SlaveSync {
    fn restarting(&mut self, _ctx: &mut Context<Self>) {
        self.busy = false;
        self.tracker.on_restarting();
    }
}

impl Handler<SyncNow> for SlaveSync {
    type Result = ();
    fn handle(&mut self, _: SyncNow, ctx: &mut Context<Self>) {
        if self.last.is_none_or(|t| t.elapsed() >= MIN_GAP) {
            self.round(ctx);
        }
    }
}

crate::handle_inject_failure!(SlaveSync, "slave-sync");

async fn fetch(client: &RemotingClient, addr: &str, code: i32) -> Result<String, SyncError> {
    let r = client
        .invoke(RemotingCommand::request(code), CALL_TIMEOUT)
        .await
        .map_err(|source| SyncError::Call {
            addr: addr.to_string(),
            source,
        })?;
    if r.code != response::SUCCESS {
        return Err(SyncError::Refused {
            addr: addr.to_string(),
            request: code,
            code: r.code,
            remark: r.remark.unwrap_or_default(),
        });
    }
    String::from_utf8(r.body.to_vec()).map_err(|e| SyncError::Body {
        addr: addr.to_string(),
        request: code,
        reason: e.to_string(),
    })
}

async fn connect(b: &Broker, addr: &str) -> Result<RemotingClient, SyncError> {
    let log = crate::logging::discard();
    RemotingClient::connect_with_tls(addr, CALL_TIMEOUT, log, b.tls.client.as_ref())
        .await
        .map_err(|source| SyncError::Call {
            addr: addr.to_string(),
            source,
        })
}

fn bad_body(addr: &str, request: i32) -> impl Fn(serde_json::Error) -> SyncError + '_ {
    move |e| SyncError::Body {
        addr: addr.to_string(),
        request,
        reason: e.to_string(),
    }
}

/// The master's topic table. Java always reads it from the master's fast channel (port - 2);
/// we fall back to the main port when that is unreachable (a NAT without the port-2 forward),
/// and test brokers (listenPort 0, no port relation) use the main port at once.
async fn fetch_topics(b: &Broker, master: &str) -> Result<TopicConfigSerializeWrapper, SyncError> {
    let vip = vip_channel(master);
    let client = match connect(b, &vip).await {
        Ok(c) if b.cfg.listen_port != 0 => (c, vip),
        _ => (connect(b, master).await?, master.to_string()),
    };
    let (client, addr) = client;
    let text = fetch(&client, &addr, request::GET_ALL_TOPIC_CONFIG).await;
    client.close();
    serde_json::from_str(&text?).map_err(bad_body(&addr, request::GET_ALL_TOPIC_CONFIG))
}

/// One round, in Java's order: topics, consumer offsets, delay offsets, subscription groups.
/// Nothing is adopted unless every table was read.
pub async fn sync_once(b: &Broker, master: &str) -> Result<(), SyncError> {
    let topics = fetch_topics(b, master).await?;
    let client = connect(b, master).await?;
    let offsets = fetch(&client, master, request::GET_ALL_CONSUMER_OFFSET).await;
    let delay = fetch(&client, master, request::GET_ALL_DELAY_OFFSET).await;
    let groups = fetch(&client, master, request::GET_ALL_SUBSCRIPTIONGROUP_CONFIG).await;
    client.close();
    let offsets = ConsumerOffsetWrapper::decode(&offsets?)
        .map_err(bad_body(master, request::GET_ALL_CONSUMER_OFFSET))?;
    let delay = DelayOffsetWrapper::decode(&delay?)
        .map_err(bad_body(master, request::GET_ALL_DELAY_OFFSET))?;
    let groups: SubscriptionGroupWrapper = serde_json::from_str(&groups?)
        .map_err(bad_body(master, request::GET_ALL_SUBSCRIPTIONGROUP_CONFIG))?;
    let mut meta = b.meta.lock();
    if meta.topics.replace_all(topics) {
        b.dirty.topics.store(true, Ordering::Release);
    }
    meta.offsets.replace_all(offsets);
    b.dirty.offsets.store(true, Ordering::Release);
    meta.delay_offsets.replace_all(delay);
    b.dirty.delay_offsets.store(true, Ordering::Release);
    if meta.groups.replace_all(groups) {
        b.dirty.groups.store(true, Ordering::Release);
    }
    debug!(b.log, "slave sync done"; "master" => master);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::vip_channel;

    #[test]
    fn vip_channel_is_port_minus_two() {
        assert_eq!(vip_channel("10.0.0.1:10911"), "10.0.0.1:10909");
        assert_eq!(vip_channel("host:1"), "host:1");
        assert_eq!(vip_channel("nohost"), "nohost");
    }
}
