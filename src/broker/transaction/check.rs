//! The supervised transaction check actor (Java 4.9.7 `TransactionalMessageCheckService`):
//! every `transactionCheckInterval` ms it runs one [`super::scan::check`] pass with
//! `transactionTimeOut` and `transactionCheckMax`. Only masters run it (Java starts it only
//! for a non-slave role). One pass at a time; the progress is in the consumer offsets of
//! `CID_RMQ_SYS_TRANS`, never in the actor, so a restarted actor or broker resumes.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Weak};
use std::time::Duration;

use actix::prelude::*;
use slog::{info, warn, Logger};

use super::scan::{check, ScanParams};
use crate::actors::supervisor::{RestartBook, RestartTracker, RootSupervisor, Slot, Supervise};
use crate::broker::node::state::Broker;
use crate::store::StoreError;

/// Component name (supervisor child, restart book, logs).
pub const COMPONENT: &str = "transaction-check";

/// Stops checking and resolves once no pass is in flight (before the final metadata write).
#[derive(Message)]
#[rtype(result = "()")]
pub struct Halt;

/// Test hook: fail the actor (the shared hook, feature `failpoints`).
#[cfg(feature = "failpoints")]
pub use crate::actors::supervisor::InjectFailure;

/// The check actor of one master broker.
pub struct TransactionCheck {
    broker: Weak<Broker>,
    interval: Duration,
    halted: Arc<AtomicBool>,
    rr: Arc<AtomicUsize>,
    busy: tokio::sync::watch::Sender<bool>,
    tracker: RestartTracker,
    log: Logger,
}

impl TransactionCheck {
    fn tick(&mut self, ctx: &mut Context<Self>) {
        if self.halted.load(Ordering::Acquire) || *self.busy.borrow() {
            return;
        }
        let Some(b) = self.broker.upgrade() else {
            return;
        };
        if b.is_stopped() || b.store.reader().shut_down.load(Ordering::Acquire) {
            self.halted.store(true, Ordering::Release);
            return;
        }
        let params = ScanParams {
            // Read per pass: UPDATE_BROKER_CONFIG changes them live (Java reads them per check).
            transaction_timeout: i64::try_from(b.live.get().transaction_time_out)
                .unwrap_or(i64::MAX),
            check_max: i32::try_from(b.live.get().transaction_check_max).unwrap_or(i32::MAX),
            rr: self.rr.clone(),
            halted: self.halted.clone(),
        };
        self.busy.send_replace(true);
        let log = self.log.clone();
        let run = async move { check(&b, &params, &log).await };
        ctx.spawn(actix::fut::wrap_future::<_, Self>(run).map(|_, act, _| {
            act.busy.send_replace(false);
        }));
    }
}

impl Actor for TransactionCheck {
    type Context = Context<Self>;
    fn started(&mut self, ctx: &mut Context<Self>) {
        self.tracker.on_started(ctx);
        self.schedule(ctx);
    }
}

impl TransactionCheck {
    /// Schedules the next pass after `transactionCheckInterval` as it is now (a runtime update
    /// applies from the next wait on, as Java's `waitForRunning(checkInterval)` does).
    fn schedule(&mut self, ctx: &mut Context<Self>) {
        let interval = self
            .broker
            .upgrade()
            .map(|b| Duration::from_millis(b.live.get().transaction_check_interval.max(1)))
            .unwrap_or(self.interval);
        ctx.run_later(interval, |act, ctx| {
            act.tick(ctx);
            act.schedule(ctx);
        });
    }
}

impl Supervised for TransactionCheck {
    fn restarting(&mut self, _: &mut Context<Self>) {
        self.tracker.on_restarting();
        // The pass in flight was dropped with the old context; its offsets are in the meta.
        self.busy.send_replace(false);
    }
}

impl Handler<Halt> for TransactionCheck {
    type Result = ResponseFuture<()>;
    fn handle(&mut self, _: Halt, _: &mut Context<Self>) -> Self::Result {
        self.halted.store(true, Ordering::Release);
        let mut idle = self.busy.subscribe();
        let log = self.log.clone();
        Box::pin(async move {
            // Deadlock guard: an append stuck in a dead writer must not hold a stop forever.
            let waited = tokio::time::timeout(Duration::from_secs(10), idle.wait_for(|b| !*b));
            if waited.await.is_err() {
                warn!(log, "halting with a check pass still in flight");
            }
        })
    }
}

crate::handle_inject_failure!(TransactionCheck, "transaction-check");

/// Starts the check actor of `broker` under `root`; `None` on a slave.
pub async fn start(
    broker: &Arc<Broker>,
    root: &Addr<RootSupervisor>,
    book: RestartBook,
    log: &Logger,
) -> Result<Option<Slot<TransactionCheck>>, StoreError> {
    let log = log.new(slog::o!("component" => COMPONENT));
    if broker.is_slave() {
        info!(
            log,
            "slave: transactions are checked by the master; check not started"
        );
        return Ok(None);
    }
    let interval = Duration::from_millis(broker.cfg.transaction_check_interval.max(1));
    let weak = Arc::downgrade(broker);
    let slot = root
        .send(Supervise {
            name: COMPONENT.into(),
            arbiter: Arbiter::current(),
            factory: Arc::new(move || TransactionCheck {
                broker: weak.clone(),
                interval,
                halted: Arc::default(),
                rr: Arc::default(),
                busy: tokio::sync::watch::Sender::new(false),
                tracker: RestartTracker::new(COMPONENT, book.clone(), log.clone()),
                log: log.clone(),
            }),
        })
        .await
        .map_err(|_| StoreError::ShutDown)?;
    Ok(Some(slot))
}
