//! The supervised statistics sampler (component `stats-sampler`): every second it samples the
//! store's call totals (runtime-info TPS), every 10 s / 10 min / 1 h the minute / hour / day
//! windows of every stats item (Java samples all three at start, then on those periods), and
//! at each local midnight it records the morning totals (Java `BrokerStats.record`). Counting
//! never waits for it; the windows live in the shared `Broker` state, so a restarted sampler
//! only adds one early sample. `SampleNow` samples every window at once (tests, docs/metrics.md).

use std::sync::atomic::Ordering;
use std::sync::{Arc, Weak};
use std::time::Duration;

use actix::prelude::*;
use slog::Logger;

use crate::actors::supervisor::{RestartBook, RestartTracker, RootSupervisor, Slot, Supervise};
use crate::broker::node::state::Broker;
use crate::broker::stats::item::Window;
use crate::store::StoreError;

/// Component name (supervisor child, restart book, logs).
pub const COMPONENT: &str = "stats-sampler";

/// Samples the store TPS and every window now (the timers keep their schedule).
#[derive(Message)]
#[rtype(result = "()")]
pub struct SampleNow;

/// Test hook: fail the actor (the shared hook, feature `failpoints`).
#[cfg(feature = "failpoints")]
pub use crate::actors::supervisor::InjectFailure;

/// The sampler of one broker.
pub struct StatsSampler {
    broker: Weak<Broker>,
    /// When each window is due next (ms since the epoch); 0 = at once.
    due: [i64; 3],
    next_morning: i64,
    tracker: RestartTracker,
}

impl StatsSampler {
    fn tick(&mut self) {
        let Some(b) = self.broker.upgrade() else {
            return;
        };
        if b.is_stopped() {
            return;
        }
        let now = crate::store::time::now_ms();
        sample_store(&b, now);
        for (i, w) in Window::ALL.into_iter().enumerate() {
            if now >= self.due[i] {
                b.stats.windows.sample_window(w, now);
                self.due[i] = now + w.period_ms();
            }
        }
        if now >= self.next_morning {
            if self.next_morning != 0 {
                let s = &b.stats;
                s.windows.morning.record(
                    s.put_msgs.load(Ordering::Relaxed) as i64,
                    s.get_msgs.load(Ordering::Relaxed) as i64,
                );
            }
            self.next_morning = next_local_midnight_ms(now);
        }
    }
}

/// One per-second sample of the store's running totals.
fn sample_store(b: &Broker, now: i64) {
    let s = &b.stats;
    let t = &s.windows.store_tps;
    let load = |a: &std::sync::atomic::AtomicU64| a.load(Ordering::Relaxed) as i64;
    t.put.sample(now, load(&s.put_msgs));
    t.get_found.sample(now, load(&s.get_found));
    t.get_miss.sample(now, load(&s.get_miss));
    t.get_transfered.sample(now, load(&s.get_msgs));
}

/// Java `UtilAll.computeNextMorningTimeMillis`: the next midnight in the local time zone.
pub fn next_local_midnight_ms(now_ms: i64) -> i64 {
    let secs = now_ms.div_euclid(1000) as libc::time_t;
    // SAFETY: localtime_r and mktime only read and write the structs passed here.
    unsafe {
        let mut tm: libc::tm = std::mem::zeroed();
        if libc::localtime_r(&secs, &mut tm).is_null() {
            return (now_ms.div_euclid(86_400_000) + 1) * 86_400_000;
        }
        tm.tm_mday += 1;
        tm.tm_hour = 0;
        tm.tm_min = 0;
        tm.tm_sec = 0;
        tm.tm_isdst = -1;
        let t = libc::mktime(&mut tm);
        if t == -1 {
            return (now_ms.div_euclid(86_400_000) + 1) * 86_400_000;
        }
        t as i64 * 1000
    }
}

impl Actor for StatsSampler {
    type Context = Context<Self>;
    fn started(&mut self, ctx: &mut Context<Self>) {
        self.tracker.on_started(ctx);
        ctx.run_interval(Duration::from_secs(1), |act, _| act.tick());
    }
}

impl Supervised for StatsSampler {
    fn restarting(&mut self, _: &mut Context<Self>) {
        self.tracker.on_restarting();
    }
}

impl Handler<SampleNow> for StatsSampler {
    type Result = ();
    fn handle(&mut self, _: SampleNow, _: &mut Context<Self>) {
        let Some(b) = self.broker.upgrade() else {
            return;
        };
        let now = crate::store::time::now_ms();
        sample_store(&b, now);
        for w in Window::ALL {
            b.stats.windows.sample_window(w, now);
        }
    }
}

crate::handle_inject_failure!(StatsSampler, "stats-sampler");

/// Starts the sampler of `broker` under `root`.
pub async fn start(
    broker: &Arc<Broker>,
    root: &Addr<RootSupervisor>,
    book: RestartBook,
    log: &Logger,
) -> Result<Slot<StatsSampler>, StoreError> {
    let log = log.new(slog::o!("component" => COMPONENT));
    let weak = Arc::downgrade(broker);
    root.send(Supervise {
        name: COMPONENT.into(),
        arbiter: Arbiter::current(),
        factory: Arc::new(move || StatsSampler {
            broker: weak.clone(),
            due: [0; 3],
            next_morning: 0,
            tracker: RestartTracker::new(COMPONENT, book.clone(), log.clone()),
        }),
    })
    .await
    .map_err(|_| StoreError::ShutDown)
}

#[cfg(test)]
mod tests {
    use super::next_local_midnight_ms;

    #[test]
    fn next_midnight_is_within_a_day_ahead() {
        let now = 1_764_771_234_567;
        let m = next_local_midnight_ms(now);
        assert!(m > now && m - now <= 25 * 3_600_000, "{m} vs {now}");
        assert_eq!(m % 1000, 0);
    }
}
