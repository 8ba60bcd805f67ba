//! Broker -> name server registration: one actor per name server, each keeping one long-lived
//! connection (the name server drops a broker the moment its registration connection closes).
//!
//! It registers at start, then every `registerNameServerPeriod`, at once after a reconnect, and
//! whenever the broker asks (a topic was created or changed). Host names in `namesrvAddr` are
//! resolved on every connect, so a name server that moved is found again. The registration
//! result tells a slave where its master and the master's HA service are. On clean shutdown the
//! broker unregisters.

use std::sync::Arc;
use std::time::Duration;

use actix::prelude::*;
use slog::{debug, info, warn, Logger};

use crate::actors::supervisor::RestartTracker;
use crate::client::remoting::RemotingClient;
use crate::codec::codes::{request, response};
use crate::codec::RemotingCommand;
use crate::protocol::kv::KVTable;
use crate::protocol::register::{RegisterBrokerBody, RegisterBrokerResult};

/// Who this broker is, as the name server sees it.
#[derive(Debug, Clone)]
pub struct BrokerIdentity {
    pub cluster: String,
    pub broker_name: String,
    pub broker_id: i64,
    /// `brokerIP1:listenPort`.
    pub broker_addr: String,
    /// `brokerIP2:haPort`.
    pub ha_addr: String,
}

/// Builds the current registration body (topic configs) on demand.
pub type BodySource = Arc<dyn Fn() -> RegisterBrokerBody + Send + Sync>;
/// Receives each successful registration result (name server address, result).
pub type ResultSink = Arc<dyn Fn(&str, &RegisterBrokerResult) + Send + Sync>;

/// Register now (topic created/updated, or a test).
#[derive(Message)]
#[rtype(result = "()")]
pub struct RegisterNow;

/// Unregister and stop trying (clean shutdown).
#[derive(Message)]
#[rtype(result = "()")]
pub struct Unregister;

/// Test hook (feature `failpoints`): fail the actor.
#[cfg(feature = "failpoints")]
pub use crate::actors::supervisor::InjectFailure;

/// One name server's registration actor.
pub struct Registration {
    namesrv: String,
    id: BrokerIdentity,
    body: BodySource,
    sink: ResultSink,
    period: Duration,
    timeout: Duration,
    client: Option<RemotingClient>,
    in_flight: bool,
    /// A RegisterNow arrived while a registration was in flight: register again after it (its
    /// body may predate the change that asked).
    again: bool,
    stopped: bool,
    tracker: RestartTracker,
    /// Register over TLS (`tls.enable`; docs/tls.md).
    tls: Option<crate::tls::ClientTls>,
    log: Logger,
}

impl Registration {
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        namesrv: String,
        id: BrokerIdentity,
        body: BodySource,
        sink: ResultSink,
        period: Duration,
        timeout: Duration,
        tracker: RestartTracker,
        log: Logger,
    ) -> Self {
        let log = log.new(slog::o!("namesrv" => namesrv.clone()));
        Registration {
            namesrv,
            id,
            body,
            sink,
            period,
            timeout,
            client: None,
            in_flight: false,
            again: false,
            stopped: false,
            tracker,
            tls: None,
            log,
        }
    }

    /// Registers over TLS with `tls` (`None`: plaintext).
    pub fn with_tls(mut self, tls: Option<crate::tls::ClientTls>) -> Self {
        self.tls = tls;
        self
    }

    fn register(&mut self, ctx: &mut Context<Self>) {
        if self.in_flight || self.stopped {
            return;
        }
        self.in_flight = true;
        let reuse = self.client.clone().filter(|c| !c.is_closed());
        let (addr, timeout, log) = (self.namesrv.clone(), self.timeout, self.log.clone());
        let tls = self.tls.clone();
        let cmd = match self.build_request() {
            Ok(c) => c,
            Err(e) => {
                warn!(self.log, "cannot encode registration body"; "error" => %e);
                self.in_flight = false;
                return;
            }
        };
        let fut = async move {
            let client = match reuse {
                Some(c) => c,
                None => RemotingClient::connect_with_tls(&addr, timeout, log, tls.as_ref()).await?,
            };
            let resp = client.invoke(cmd, timeout).await?;
            Ok::<_, crate::client::error::ClientError>((client, resp))
        };
        ctx.spawn(fut.into_actor(self).map(|res, act, ctx| {
            act.in_flight = false;
            match res {
                Ok((client, resp)) if resp.code == response::SUCCESS => {
                    let fresh = act.client.as_ref().map(|c| c.is_closed()).unwrap_or(true);
                    act.client = Some(client);
                    let result = RegisterBrokerResult {
                        ha_server_addr: resp.ext("haServerAddr").filter(|s| !s.is_empty()).map(String::from),
                        master_addr: resp.ext("masterAddr").filter(|s| !s.is_empty()).map(String::from),
                        kv_table: KVTable::decode(&resp.body).unwrap_or_default(),
                    };
                    if fresh {
                        info!(act.log, "registered"; "master" => ?result.master_addr, "ha" => ?result.ha_server_addr);
                    } else {
                        debug!(act.log, "registered");
                    }
                    (act.sink)(&act.namesrv, &result);
                }
                Ok((client, resp)) => {
                    act.client = Some(client);
                    warn!(act.log, "registration refused"; "code" => resp.code, "remark" => ?resp.remark);
                }
                Err(e) => {
                    act.client = None;
                    warn!(act.log, "registration failed; will retry"; "error" => %e);
                }
            }
            if std::mem::take(&mut act.again) {
                act.register(ctx);
            }
        }));
    }

    fn build_request(
        &self,
    ) -> Result<RemotingCommand, crate::protocol::register::RegisterBodyError> {
        let body = (self.body)().encode_json()?;
        let crc = crc32fast::hash(&body) & 0x7FFF_FFFF;
        Ok(RemotingCommand::request(request::REGISTER_BROKER)
            .with_ext("brokerName", &self.id.broker_name)
            .with_ext("brokerAddr", &self.id.broker_addr)
            .with_ext("clusterName", &self.id.cluster)
            .with_ext("haServerAddr", &self.id.ha_addr)
            .with_ext("brokerId", self.id.broker_id)
            .with_ext("compressed", false)
            .with_ext("bodyCrc32", crc)
            .with_body(body))
    }
}

impl Actor for Registration {
    type Context = Context<Self>;

    fn started(&mut self, ctx: &mut Context<Self>) {
        self.tracker.on_started(ctx);
        self.register(ctx);
        // Re-register on the period, and quickly after a lost connection (checked every second).
        let mut since = Duration::ZERO;
        let tick = Duration::from_secs(1).min(self.period);
        ctx.run_interval(tick, move |act, ctx| {
            since += tick;
            let lost = act.client.as_ref().map(|c| c.is_closed()).unwrap_or(true);
            if since >= act.period || lost {
                since = Duration::ZERO;
                act.register(ctx);
            }
        });
    }
}

impl Supervised for Registration {
    fn restarting(&mut self, _: &mut Context<Self>) {
        // `started` registers again at once.
        self.in_flight = false;
        self.again = false;
        self.tracker.on_restarting();
    }
}

impl Handler<RegisterNow> for Registration {
    type Result = ();
    fn handle(&mut self, _: RegisterNow, ctx: &mut Context<Self>) {
        if self.in_flight {
            self.again = true;
        } else {
            self.register(ctx);
        }
    }
}

impl Handler<Unregister> for Registration {
    type Result = ResponseFuture<()>;
    fn handle(&mut self, _: Unregister, _: &mut Context<Self>) -> Self::Result {
        self.stopped = true;
        let client = self.client.take();
        let cmd = RemotingCommand::request(request::UNREGISTER_BROKER)
            .with_ext("brokerName", &self.id.broker_name)
            .with_ext("brokerAddr", &self.id.broker_addr)
            .with_ext("clusterName", &self.id.cluster)
            .with_ext("brokerId", self.id.broker_id);
        let (timeout, log) = (self.timeout, self.log.clone());
        Box::pin(async move {
            if let Some(c) = client {
                match c.invoke(cmd, timeout).await {
                    Ok(_) => info!(log, "unregistered"),
                    Err(e) => warn!(log, "unregister failed"; "error" => %e),
                }
                c.close();
            }
        })
    }
}

crate::handle_inject_failure!(Registration, "registration");
