//! The `RouteRegistry` actor: the single owner of the name server's route tables and KV config.
//! All requests go through its mailbox, so changes apply in arrival order without locks held
//! across awaits; it also runs the periodic liveness scan.
//!
//! The tables live in an `Arc<Mutex<…>>` created by the caller, not in the actor, so that a
//! restart keeps every registration: in place after a stop on error, or as a fresh actor built
//! by the name server's root supervisor after a panic (restart-book name [`REGISTRY_COMPONENT`]).

use std::sync::Arc;
use std::time::{Duration, Instant};

use actix::prelude::*;
use parking_lot::Mutex;
use slog::{info, warn, Logger};

use super::processor::{process, NamesrvState};
use crate::actors::remoting::{ConnHandle, ConnId};
use crate::actors::supervisor::RestartTracker;
use crate::codec::RemotingCommand;

/// The registry's name in the name server's restart book.
pub const REGISTRY_COMPONENT: &str = "namesrv-registry";

/// Serve one request; the answer is always a response command.
#[derive(Message)]
#[rtype(result = "RemotingCommand")]
pub struct Process {
    pub conn: Option<ConnHandle>,
    pub req: RemotingCommand,
}

/// A connection closed: drop the brokers registered on it.
#[derive(Message)]
#[rtype(result = "()")]
pub struct ConnectionClosed(pub ConnId);

/// Run the liveness scan now (tests, admin).
#[derive(Message)]
#[rtype(result = "()")]
pub struct ScanNow;

/// How many broker addresses are live.
#[derive(Message)]
#[rtype(result = "usize")]
pub struct LiveBrokers;

/// The registry actor.
pub struct RouteRegistry {
    state: Arc<Mutex<NamesrvState>>,
    scan_interval: Duration,
    expire: Duration,
    tracker: RestartTracker,
    log: Logger,
}

impl RouteRegistry {
    pub fn new(
        state: Arc<Mutex<NamesrvState>>,
        scan_interval: Duration,
        expire: Duration,
        tracker: RestartTracker,
        log: Logger,
    ) -> Self {
        RouteRegistry {
            state,
            scan_interval,
            expire,
            tracker,
            log,
        }
    }

    fn scan(&mut self) {
        let expired = self
            .state
            .lock()
            .tables
            .scan_expired(Instant::now(), self.expire);
        for (addr, conn) in expired {
            warn!(self.log, "broker expired, removed"; "addr" => &addr,
                "expire_secs" => self.expire.as_secs_f64());
            // Java closes the channel of an expired broker as well.
            if let Some(conn) = conn {
                conn.close();
            }
        }
    }
}

impl Actor for RouteRegistry {
    type Context = Context<Self>;

    fn started(&mut self, ctx: &mut Self::Context) {
        self.tracker.on_started(ctx);
        ctx.run_interval(self.scan_interval, |act, _ctx| act.scan());
    }
}

impl Supervised for RouteRegistry {
    fn restarting(&mut self, _ctx: &mut Self::Context) {
        self.tracker.on_restarting();
        info!(self.log, "route registry restarting; tables are kept");
    }
}

impl Handler<Process> for RouteRegistry {
    type Result = MessageResult<Process>;
    fn handle(&mut self, msg: Process, _ctx: &mut Self::Context) -> Self::Result {
        let mut state = self.state.lock();
        MessageResult(process(
            &mut state,
            msg.conn.as_ref(),
            &msg.req,
            Instant::now(),
            &self.log,
        ))
    }
}

impl Handler<ConnectionClosed> for RouteRegistry {
    type Result = ();
    fn handle(&mut self, msg: ConnectionClosed, _ctx: &mut Self::Context) {
        let removed = self.state.lock().tables.connection_closed(msg.0);
        for addr in removed {
            info!(self.log, "broker connection closed, removed"; "addr" => addr);
        }
    }
}

impl Handler<ScanNow> for RouteRegistry {
    type Result = ();
    fn handle(&mut self, _msg: ScanNow, _ctx: &mut Self::Context) {
        self.scan();
    }
}

impl Handler<LiveBrokers> for RouteRegistry {
    type Result = usize;
    fn handle(&mut self, _msg: LiveBrokers, _ctx: &mut Self::Context) -> usize {
        self.state.lock().tables.live_count()
    }
}

crate::handle_inject_failure!(RouteRegistry, "route registry", |this, ctx| {
    warn!(
        this.log,
        "route registry failed (injected); stopping for restart"
    );
    ::actix::ActorContext::stop(ctx)
});
