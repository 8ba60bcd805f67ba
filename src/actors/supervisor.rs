//! The root supervisor: starts a node's actors, restarts the ones that fail, counts restarts.
//!
//! Two kinds of failure are covered:
//! - **stop on error**: an actor that calls `ctx.stop()` after an error is restarted in place by
//!   actix's own `Supervisor` (same `Addr`, same actor value, `Supervised::restarting` runs first).
//!   Embedding a [`RestartTracker`] in the actor counts the restart, logs it and applies backoff.
//! - **panic inside a handler**: the panic unwinds through the actor's task and drops it (actix's
//!   `Supervisor` dies with it). The [`RootSupervisor`] notices the dead mailbox on its next
//!   watchdog tick, builds a fresh actor from the child's factory, and publishes the new address
//!   through the child's [`Slot`], so peers that look the actor up through the slot reach the new
//!   instance. State that must survive such a restart therefore lives in files or in shared
//!   structures handed to the factory, never only inside the actor.
//!
//! A dedicated OS thread (blocking work such as fsync never runs on an event loop) is watched
//! the same way through [`SuperviseThread`]: when it ends without having been retired (a panic
//! or an error exit), the watchdog spawns a fresh one with the same backoff and accounting.
//!
//! Restart counts are kept per component name in a [`RestartBook`], which the broker reports in
//! GET_BROKER_RUNTIME_INFO, the name server exposes on its handle, and the demo prints.
//!
//! With the `failpoints` feature (enabled for this crate's own tests through its
//! dev-dependency on itself) supervised actors accept [`InjectFailure`], the hook the
//! supervised-restart tests use to crash them on demand.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use actix::prelude::*;
use parking_lot::{Mutex, RwLock};
use slog::{info, warn, Logger};

/// Test hook (feature `failpoints`): makes a supervised actor fail on demand, either by
/// stopping after an error (`Stop`) or by panicking inside the handler (`Panic`).
#[cfg(feature = "failpoints")]
#[derive(Message, Debug, Clone, Copy, PartialEq, Eq)]
#[rtype(result = "()")]
pub enum InjectFailure {
    Stop,
    Panic,
}

/// Restart counts per component, shared by everyone who reports them.
#[derive(Clone, Default, Debug)]
pub struct RestartBook(Arc<Mutex<BTreeMap<String, u64>>>);

impl RestartBook {
    /// Records one restart of `component` and returns its new count.
    pub fn record(&self, component: &str) -> u64 {
        let mut map = self.0.lock();
        let n = map.entry(component.to_string()).or_insert(0);
        *n += 1;
        *n
    }

    /// Restarts of one component so far.
    pub fn count(&self, component: &str) -> u64 {
        self.0.lock().get(component).copied().unwrap_or(0)
    }

    /// Sum of all restarts.
    pub fn total(&self) -> u64 {
        self.0.lock().values().sum()
    }

    /// A copy of the whole table.
    pub fn snapshot(&self) -> BTreeMap<String, u64> {
        self.0.lock().clone()
    }
}

/// Exponential restart backoff: 0 for the first restart, then 50 ms doubling up to 5 s; the
/// streak resets after a minute without failure.
#[derive(Debug, Clone, Default)]
pub struct Backoff {
    streak: u32,
    last: Option<Instant>,
}

impl Backoff {
    const BASE: Duration = Duration::from_millis(50);
    const MAX: Duration = Duration::from_secs(5);
    const CALM: Duration = Duration::from_secs(60);

    /// The delay to wait before the next restart.
    pub fn next_delay(&mut self) -> Duration {
        let now = Instant::now();
        if self
            .last
            .is_some_and(|t| now.duration_since(t) > Self::CALM)
        {
            self.streak = 0;
        }
        self.last = Some(now);
        let delay = if self.streak == 0 {
            Duration::ZERO
        } else {
            Self::BASE
                .saturating_mul(1 << self.streak.min(7))
                .min(Self::MAX)
        };
        self.streak += 1;
        delay
    }
}

/// Embedded in a supervised actor: counts and logs its in-place restarts and delays the
/// restarted actor's mailbox by the backoff.
#[derive(Debug, Clone)]
pub struct RestartTracker {
    name: String,
    book: RestartBook,
    log: Logger,
    backoff: Backoff,
    pending_delay: Option<Duration>,
}

impl RestartTracker {
    pub fn new(name: impl Into<String>, book: RestartBook, log: Logger) -> Self {
        RestartTracker {
            name: name.into(),
            book,
            log,
            backoff: Backoff::default(),
            pending_delay: None,
        }
    }

    /// Call from `Supervised::restarting`.
    pub fn on_restarting(&mut self) {
        let count = self.book.record(&self.name);
        let delay = self.backoff.next_delay();
        warn!(self.log, "restarting after stop"; "component" => &self.name, "restarts" => count,
              "backoff_ms" => delay.as_millis() as u64);
        self.pending_delay = Some(delay);
    }

    /// Call from `Actor::started`: holds the mailbox for the backoff after a restart.
    pub fn on_started<A>(&mut self, ctx: &mut Context<A>)
    where
        A: Actor<Context = Context<A>>,
    {
        if let Some(delay) = self.pending_delay.take() {
            if !delay.is_zero() {
                ctx.wait(actix::fut::wrap_future::<_, A>(actix::clock::sleep(delay)));
            }
        }
    }

    pub fn name(&self) -> &str {
        &self.name
    }
}

/// Runs a handler body, turning a panic into a logged stop so that actix's `Supervisor`
/// restarts the actor in place (same address) instead of losing it.
pub fn guard<A, R>(
    act: &mut A,
    ctx: &mut A::Context,
    log: &Logger,
    body: impl FnOnce(&mut A, &mut A::Context) -> R,
) -> Option<R>
where
    A: Actor<Context = Context<A>>,
{
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| body(act, ctx))) {
        Ok(r) => Some(r),
        Err(panic) => {
            let what = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "non-string panic".into());
            warn!(log, "handler panicked; stopping for restart"; "panic" => what);
            ctx.stop();
            None
        }
    }
}

/// The current address of a supervised actor; replaced when the actor is rebuilt after a panic.
pub struct Slot<A: Actor>(Arc<RwLock<Addr<A>>>);

impl<A: Actor> Clone for Slot<A> {
    fn clone(&self) -> Self {
        Slot(self.0.clone())
    }
}

impl<A: Actor> Slot<A> {
    pub fn new(addr: Addr<A>) -> Self {
        Slot(Arc::new(RwLock::new(addr)))
    }

    /// The actor's current address.
    pub fn get(&self) -> Addr<A> {
        self.0.read().clone()
    }

    fn set(&self, addr: Addr<A>) {
        *self.0.write() = addr;
    }
}

/// What the root supervisor needs of one child.
struct Child {
    name: String,
    alive: Box<dyn Fn() -> bool>,
    rebuild: Box<dyn FnMut()>,
    backoff: Backoff,
    due: Option<Instant>,
}

/// The root supervisor of one process (or one in-process node).
pub struct RootSupervisor {
    log: Logger,
    book: RestartBook,
    children: Vec<Child>,
    tick: Duration,
    stopping: bool,
}

impl RootSupervisor {
    pub fn new(log: Logger, book: RestartBook) -> Self {
        RootSupervisor {
            log,
            book,
            children: Vec::new(),
            tick: Duration::from_millis(100),
            stopping: false,
        }
    }

    /// The restart book this supervisor writes to.
    pub fn book(&self) -> RestartBook {
        self.book.clone()
    }

    fn watchdog(&mut self, _ctx: &mut Context<Self>) {
        if self.stopping {
            return;
        }
        let now = Instant::now();
        for child in &mut self.children {
            match child.due {
                None if !(child.alive)() => {
                    let count = self.book.record(&child.name);
                    let delay = child.backoff.next_delay();
                    warn!(self.log, "child died; rebuilding";
                          "component" => &child.name, "restarts" => count,
                          "backoff_ms" => delay.as_millis() as u64);
                    child.due = Some(now + delay);
                }
                Some(due) if due <= now => {
                    (child.rebuild)();
                    child.due = None;
                    info!(self.log, "child rebuilt"; "component" => &child.name);
                }
                _ => {}
            }
        }
    }
}

impl Actor for RootSupervisor {
    type Context = Context<Self>;

    fn started(&mut self, ctx: &mut Context<Self>) {
        ctx.run_interval(self.tick, |act, ctx| act.watchdog(ctx));
    }
}

/// Starts `factory()`'s actor under actix supervision on `arbiter` and watches it.
pub struct Supervise<A: Actor> {
    pub name: String,
    pub arbiter: ArbiterHandle,
    pub factory: Arc<dyn Fn() -> A + Send + Sync>,
}

impl<A: Actor> Message for Supervise<A> {
    type Result = Slot<A>;
}

fn start_child<A>(arbiter: &ArbiterHandle, factory: &Arc<dyn Fn() -> A + Send + Sync>) -> Addr<A>
where
    A: Actor<Context = Context<A>> + Supervised,
{
    let f = factory.clone();
    actix::Supervisor::start_in_arbiter(arbiter, move |_| f())
}

impl<A> Handler<Supervise<A>> for RootSupervisor
where
    A: Actor<Context = Context<A>> + Supervised,
{
    type Result = MessageResult<Supervise<A>>;

    fn handle(&mut self, msg: Supervise<A>, _ctx: &mut Context<Self>) -> Self::Result {
        let slot = Slot::new(start_child(&msg.arbiter, &msg.factory));
        let (alive_slot, rebuild_slot) = (slot.clone(), slot.clone());
        let (arbiter, factory) = (msg.arbiter, msg.factory);
        info!(self.log, "child started"; "component" => &msg.name);
        self.children.push(Child {
            name: msg.name,
            alive: Box::new(move || alive_slot.get().connected()),
            rebuild: Box::new(move || rebuild_slot.set(start_child(&arbiter, &factory))),
            backoff: Backoff::default(),
            due: None,
        });
        MessageResult(slot)
    }
}

/// The current thread of a supervised thread child, and whether it was retired (told to end:
/// the watchdog then leaves it alone).
#[derive(Clone, Default)]
pub struct ThreadSlot {
    handle: Arc<Mutex<Option<JoinHandle<()>>>>,
    retired: Arc<AtomicBool>,
}

impl ThreadSlot {
    pub fn new() -> Self {
        ThreadSlot::default()
    }

    /// Marks the child as ending on purpose and hands back its current thread to join.
    pub fn retire(&self) -> Option<JoinHandle<()>> {
        self.retired.store(true, Ordering::Release);
        self.handle.lock().take()
    }

    pub fn is_retired(&self) -> bool {
        self.retired.load(Ordering::Acquire)
    }

    /// Retired, or a thread is running.
    fn alive(&self) -> bool {
        self.is_retired()
            || self
                .handle
                .lock()
                .as_ref()
                .is_some_and(|h| !h.is_finished())
    }

    fn respawn(&self, spawn: &ThreadSpawn, name: &str, log: &Logger) {
        // Checked under the handle's lock: a concurrent `retire` either comes first (nothing is
        // spawned) or waits and gets the new thread to join.
        let mut handle = self.handle.lock();
        if self.is_retired() {
            return;
        }
        match spawn() {
            Ok(h) => *handle = Some(h),
            // Left empty: the next watchdog tick counts it as dead and tries again.
            Err(e) => warn!(log, "cannot spawn thread"; "component" => name, "error" => %e),
        }
    }
}

/// Spawns one incarnation of a supervised thread.
pub type ThreadSpawn = Arc<dyn Fn() -> std::io::Result<JoinHandle<()>> + Send + Sync>;

/// Spawns `spawn()`'s thread now and watches it: a thread that ends while `slot` is not retired
/// is counted as a restart of `name` and spawned again after the backoff. State that must
/// survive lives in whatever `spawn` captures.
pub struct SuperviseThread {
    pub name: String,
    pub slot: ThreadSlot,
    pub spawn: ThreadSpawn,
}

impl Message for SuperviseThread {
    type Result = ();
}

impl Handler<SuperviseThread> for RootSupervisor {
    type Result = ();

    fn handle(&mut self, msg: SuperviseThread, _ctx: &mut Context<Self>) {
        let SuperviseThread { name, slot, spawn } = msg;
        slot.respawn(&spawn, &name, &self.log);
        info!(self.log, "thread child started"; "component" => &name);
        let (alive_slot, log, child_name) = (slot.clone(), self.log.clone(), name.clone());
        self.children.push(Child {
            name,
            alive: Box::new(move || alive_slot.alive()),
            rebuild: Box::new(move || slot.respawn(&spawn, &child_name, &log)),
            backoff: Backoff::default(),
            due: None,
        });
    }
}

/// Stops the watchdog (before a clean shutdown stops the children).
pub struct StopWatching;

impl Message for StopWatching {
    type Result = ();
}

impl Handler<StopWatching> for RootSupervisor {
    type Result = ();
    fn handle(&mut self, _: StopWatching, _ctx: &mut Context<Self>) {
        self.stopping = true;
    }
}
