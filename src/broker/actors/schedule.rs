//! The delay-level scheduler: delivers the messages parked in `SCHEDULE_TOPIC_XXXX` to their real
//! topic once their delay is over (Java `ScheduleMessageService`, 4.9.7).
//!
//! The send path ([`crate::broker::processors::send`]) and the consumer send-back ([`crate::broker::processors::send_back`]) store a
//! delayed message in `SCHEDULE_TOPIC_XXXX` queue `level-1` with `REAL_TOPIC`/`REAL_QID`, and
//! the store's dispatch writes its deliver time (store time + delay of the level) as the
//! consume-queue tagsCode. This actor walks each level's queue from the level's offset in
//! delayOffset.json (`meta.delay_offsets`): an entry that is due is read from the commit log,
//! rewritten to its real topic and queue and appended through the writer actor; the offset then
//! moves past it (and `dirty.delay_offsets` tells the maintenance thread to write the file).
//! The first entry not yet due stops the walk; the level is looked at again 100 ms later, as
//! Java polls. The offsets live in the metadata, never in the actor, so a restarted actor or
//! broker resumes where delivery stopped.
//!
//! What a delivery is (Java `messageTimeup`: the parked record, properties string unchanged, to
//! `REAL_TOPIC`/`REAL_QID`) lives in [`crate::broker::actors::schedule_timeup`].
//!
//! Only a master runs the scheduler: a slave receives the delivered records by replication.
//! Reads are mapped-memory copies of one consume-queue slice and one record; the append is a
//! message to the writer, awaited without blocking the event loop.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Weak};
use std::time::{Duration, Instant};

use actix::prelude::*;
use slog::{debug, error, info, warn, Logger};

use crate::actors::supervisor::{RestartBook, RestartTracker, RootSupervisor, Slot, Supervise};
use crate::broker::actors::schedule_timeup::{
    correct_deliver_timestamp, is_permanent, read_parked, ScheduleError,
};
use crate::broker::node::state::Broker;
use crate::broker::store_actors::Put;
use crate::store::consume_queue::CqEntry;
use crate::store::message::SCHEDULE_TOPIC;
use crate::store::{StoreError, StoreReader};

/// Component name (supervisor child, restart book, logs).
pub const COMPONENT: &str = "schedule";
/// First look at every level after start (Java `FIRST_DELAY_TIME`).
const FIRST_DELAY: Duration = Duration::from_millis(1000);
/// Poll period of a level with nothing due (Java `DELAY_FOR_A_WHILE`).
const DELAY_FOR_A_WHILE: Duration = Duration::from_millis(100);
/// Pause after a failed append before the same entry is tried again.
const DELAY_AFTER_FAILURE: Duration = Duration::from_millis(1000);
/// Consume-queue entries read per slice.
const SLICE: usize = 64;
/// Entries handled by one run of a level before it yields to the others.
const MAX_PER_RUN: usize = 1024;

/// `scheduleMessageOffset_<level>` = `<delivered offset>,<max offset>` for every level with a
/// recorded offset (Java `buildRunningStats`), for GET_BROKER_RUNTIME_INFO.
pub fn running_stats(b: &Broker) -> Vec<(String, String)> {
    let table = b.meta.lock().delay_offsets.table().clone();
    let reader = b.store.reader();
    table
        .into_iter()
        .map(|(level, offset)| {
            let max = reader.max_offset_in_queue(SCHEDULE_TOPIC, level - 1);
            (
                format!("scheduleMessageOffset_{level}"),
                format!("{offset},{max}"),
            )
        })
        .collect()
}

fn save_offset(b: &Broker, level: i32, offset: i64) {
    b.meta.lock().delay_offsets.update(level, offset);
    b.dirty.delay_offsets.store(true, Ordering::Release);
}

/// One level's static facts.
#[derive(Debug, Clone, Copy)]
struct LevelJob {
    level: i32,
    delay_ms: i64,
}

/// What happened to one entry.
enum Step {
    /// Delivered or skipped: the offset moves past it.
    Done,
    /// Not due yet: stop here.
    NotDue,
    /// The append failed for a reason that may pass: try the same entry later.
    Retry,
}

async fn deliver_entry(
    b: &Broker,
    reader: &StoreReader,
    job: LevelJob,
    offset: i64,
    e: CqEntry,
    log: &Logger,
) -> Step {
    if e.is_blank() {
        return Step::Done;
    }
    let now = crate::store::time::now_ms();
    if correct_deliver_timestamp(now, e.tags_code, job.delay_ms) > now {
        return Step::NotDue;
    }
    let msg = match read_parked(reader, &e) {
        Ok(m) => m,
        Err(err) => {
            error!(log, "skipping a parked message"; "level" => job.level, "offset" => offset, "error" => %err);
            return Step::Done;
        }
    };
    let (topic, queue_id) = (msg.topic.clone(), msg.queue_id);
    match b.store.writer.get().send(Put(msg)).await {
        Ok(Ok(put)) => {
            b.stats.count_put(&put);
            debug!(log, "delayed message delivered"; "level" => job.level, "offset" => offset,
                   "topic" => topic, "queue" => queue_id, "queue_offset" => put.queue_offset);
            Step::Done
        }
        Ok(Err(source)) if is_permanent(&source) => {
            let err = ScheduleError::Refused {
                phys: e.phys_offset,
                source,
            };
            error!(log, "skipping a parked message"; "level" => job.level, "offset" => offset, "error" => %err);
            Step::Done
        }
        Ok(Err(err)) => {
            warn!(log, "delivery failed; will retry"; "level" => job.level, "offset" => offset,
                  "topic" => topic, "error" => %err);
            Step::Retry
        }
        Err(err) => {
            warn!(log, "writer unavailable; will retry"; "level" => job.level, "offset" => offset,
                  "error" => %err);
            Step::Retry
        }
    }
}

/// One run of a level: delivers what is due from the level's offset; returns when to look again.
async fn run_level(
    b: Arc<Broker>,
    job: LevelJob,
    halted: Arc<AtomicBool>,
    log: Logger,
) -> Duration {
    let reader = b.store.reader();
    let Some(cq) = reader.cqs.find(SCHEDULE_TOPIC, job.level - 1) else {
        return DELAY_FOR_A_WHILE;
    };
    let stored = b.meta.lock().delay_offsets.get(job.level);
    let (min, max) = (cq.min_offset_in_queue(), cq.max_offset_in_queue());
    let mut offset = if stored < min {
        min
    } else if stored > max {
        max
    } else {
        stored
    };
    if offset != stored {
        warn!(log, "delay offset outside its queue; reset"; "level" => job.level,
              "offset" => stored, "min" => min, "max" => max, "reset_to" => offset);
        save_offset(&b, job.level, offset);
    }
    let mut handled = 0;
    while handled < MAX_PER_RUN {
        let Some(entries) = cq.entries_from(offset, SLICE).filter(|v| !v.is_empty()) else {
            return DELAY_FOR_A_WHILE;
        };
        for e in entries {
            if halted.load(Ordering::Acquire) {
                return DELAY_FOR_A_WHILE;
            }
            match deliver_entry(&b, &reader, job, offset, e, &log).await {
                Step::Done => {
                    offset += 1;
                    handled += 1;
                    save_offset(&b, job.level, offset);
                }
                Step::NotDue => return DELAY_FOR_A_WHILE,
                Step::Retry => return DELAY_AFTER_FAILURE,
            }
        }
    }
    // More may be due: look again on the next tick.
    Duration::ZERO
}

struct LevelState {
    job: LevelJob,
    busy: bool,
    next_run: Instant,
}

/// Stops delivering and resolves once no append is in flight (call before the final metadata
/// write of a clean stop, so that every delivered message has its offset written).
#[derive(Message)]
#[rtype(result = "()")]
pub struct Halt;

/// Test hook: fail the actor (the shared hook, feature `failpoints`).
#[cfg(feature = "failpoints")]
pub use crate::actors::supervisor::InjectFailure;

/// The scheduler actor of one master broker.
pub struct ScheduleService {
    broker: Weak<Broker>,
    levels: Vec<LevelState>,
    halted: Arc<AtomicBool>,
    /// Levels with a run in flight.
    in_flight: tokio::sync::watch::Sender<usize>,
    tracker: RestartTracker,
    log: Logger,
}

impl ScheduleService {
    /// A scheduler for the given level delays (level 1 first).
    pub fn new(
        broker: Weak<Broker>,
        delays: &[Duration],
        tracker: RestartTracker,
        log: Logger,
    ) -> Self {
        let now = Instant::now();
        let levels = delays
            .iter()
            .enumerate()
            .map(|(i, d)| LevelState {
                job: LevelJob {
                    level: i as i32 + 1,
                    delay_ms: i64::try_from(d.as_millis()).unwrap_or(i64::MAX),
                },
                busy: false,
                next_run: now,
            })
            .collect();
        ScheduleService {
            broker,
            levels,
            halted: Arc::default(),
            in_flight: tokio::sync::watch::Sender::new(0),
            tracker,
            log,
        }
    }

    fn tick(&mut self, ctx: &mut Context<Self>) {
        if self.halted.load(Ordering::Acquire) {
            return;
        }
        let Some(b) = self.broker.upgrade() else {
            return;
        };
        if b.store.reader().shut_down.load(Ordering::Acquire) {
            // A clean stop closed the store: nothing can be delivered any more.
            info!(self.log, "store shut down; scheduler halted");
            self.halted.store(true, Ordering::Release);
            return;
        }
        let now = Instant::now();
        for (i, lv) in self.levels.iter_mut().enumerate() {
            if lv.busy || lv.next_run > now {
                continue;
            }
            lv.busy = true;
            self.in_flight.send_modify(|n| *n += 1);
            let run = run_level(b.clone(), lv.job, self.halted.clone(), self.log.clone());
            ctx.spawn(
                actix::fut::wrap_future::<_, Self>(run).map(move |again, act, _| {
                    if let Some(lv) = act.levels.get_mut(i) {
                        lv.busy = false;
                        lv.next_run = Instant::now() + again;
                    }
                    act.in_flight.send_modify(|n| *n = n.saturating_sub(1));
                }),
            );
        }
    }
}

impl Actor for ScheduleService {
    type Context = Context<Self>;
    fn started(&mut self, ctx: &mut Context<Self>) {
        self.tracker.on_started(ctx);
        let first = Instant::now() + FIRST_DELAY;
        for lv in &mut self.levels {
            lv.next_run = first;
        }
        ctx.run_interval(DELAY_FOR_A_WHILE, |act, ctx| act.tick(ctx));
    }
}

impl Supervised for ScheduleService {
    fn restarting(&mut self, _: &mut Context<Self>) {
        self.tracker.on_restarting();
        // The runs in flight were dropped with the old context; their offsets are in the meta.
        for lv in &mut self.levels {
            lv.busy = false;
        }
        self.in_flight.send_replace(0);
    }
}

impl Handler<Halt> for ScheduleService {
    type Result = ResponseFuture<()>;
    fn handle(&mut self, _: Halt, _: &mut Context<Self>) -> Self::Result {
        self.halted.store(true, Ordering::Release);
        let mut idle = self.in_flight.subscribe();
        let log = self.log.clone();
        Box::pin(async move {
            // Deadlock guard: an append stuck in a dead writer must not hold a stop forever.
            let timed_out =
                tokio::time::timeout(Duration::from_secs(10), idle.wait_for(|n| *n == 0))
                    .await
                    .is_err();
            if timed_out {
                warn!(log, "halting with a delivery still in flight");
            }
        })
    }
}

crate::handle_inject_failure!(ScheduleService, "schedule");

/// Starts the scheduler of `broker` under `root` (component [`COMPONENT`]); `None` on a slave
/// or when `messageDelayLevel` does not parse (then nothing is ever delivered, and it is logged).
pub async fn start(
    broker: &Arc<Broker>,
    root: &Addr<RootSupervisor>,
    book: RestartBook,
    log: &Logger,
) -> Result<Option<Slot<ScheduleService>>, StoreError> {
    let log = log.new(slog::o!("component" => COMPONENT));
    if broker.is_slave() {
        info!(
            log,
            "slave: delayed messages arrive by replication; scheduler not started"
        );
        return Ok(None);
    }
    let delays = match broker.cfg.message_delay_levels() {
        Ok(d) => d,
        Err(e) => {
            error!(log, "messageDelayLevel does not parse; delayed messages will not be delivered";
                   "messageDelayLevel" => &broker.cfg.message_delay_level, "error" => %e);
            return Ok(None);
        }
    };
    let weak = Arc::downgrade(broker);
    let slot = root
        .send(Supervise {
            name: COMPONENT.into(),
            arbiter: Arbiter::current(),
            factory: Arc::new(move || {
                ScheduleService::new(
                    weak.clone(),
                    &delays,
                    RestartTracker::new(COMPONENT, book.clone(), log.clone()),
                    log.clone(),
                )
            }),
        })
        .await
        .map_err(|_| StoreError::ShutDown)?;
    Ok(Some(slot))
}
