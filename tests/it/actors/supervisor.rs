//! The root supervisor brings a crashed actor back (stop-on-error and panic) while a sibling
//! keeps serving, and counts every restart.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use actix::prelude::*;
use rocketactor::actors::supervisor::{
    guard, RestartBook, RestartTracker, RootSupervisor, Slot, Supervise,
};
use rocketactor::logging::test_logger;

use crate::support::eventually;

/// Pings handled by all incarnations of one worker: lives outside the actor, as durable state must.
#[derive(Default)]
struct Durable {
    pings: AtomicU64,
}

struct Worker {
    tracker: RestartTracker,
    durable: Arc<Durable>,
    log: slog::Logger,
}

impl Actor for Worker {
    type Context = Context<Self>;
    fn started(&mut self, ctx: &mut Context<Self>) {
        self.tracker.on_started(ctx);
    }
}

impl Supervised for Worker {
    fn restarting(&mut self, _ctx: &mut Context<Self>) {
        self.tracker.on_restarting();
    }
}

#[derive(Message)]
#[rtype(result = "u64")]
struct Ping;

#[derive(Message)]
#[rtype(result = "()")]
enum Crash {
    /// The actor hits an error and stops itself.
    Stop,
    /// A handler panics with no guard.
    Panic,
    /// A handler panics inside `guard`.
    GuardedPanic,
}

impl Handler<Ping> for Worker {
    type Result = u64;
    fn handle(&mut self, _: Ping, _: &mut Context<Self>) -> u64 {
        self.durable.pings.fetch_add(1, Ordering::SeqCst) + 1
    }
}

impl Handler<Crash> for Worker {
    type Result = ();
    fn handle(&mut self, msg: Crash, ctx: &mut Context<Self>) {
        match msg {
            Crash::Stop => ctx.stop(),
            Crash::Panic => panic!("injected panic"),
            Crash::GuardedPanic => {
                let log = self.log.clone();
                guard(self, ctx, &log, |_, _| panic!("injected guarded panic"));
            }
        }
    }
}

fn supervise(
    root: &Addr<RootSupervisor>,
    name: &'static str,
    book: &RestartBook,
    durable: Arc<Durable>,
) -> Request<RootSupervisor, Supervise<Worker>> {
    let book = book.clone();
    let log = test_logger();
    root.send(Supervise {
        name: name.into(),
        arbiter: Arbiter::new().handle(),
        factory: Arc::new(move || Worker {
            tracker: RestartTracker::new(name, book.clone(), log.clone()),
            durable: durable.clone(),
            log: log.clone(),
        }),
    })
}

/// Pings through the slot until the worker answers (bounded).
async fn ping_until_alive(slot: &Slot<Worker>) -> u64 {
    eventually("the worker answers", || async {
        slot.get().send(Ping).await.ok()
    })
    .await
}

#[actix_rt::test]
async fn crashed_actor_restarts_while_sibling_keeps_working() {
    let book = RestartBook::default();
    let root = RootSupervisor::new(test_logger(), book.clone()).start();
    let durable = Arc::new(Durable::default());
    let sibling_durable = Arc::new(Durable::default());
    let worker = supervise(&root, "worker", &book, durable.clone())
        .await
        .unwrap();
    let sibling = supervise(&root, "sibling", &book, sibling_durable.clone())
        .await
        .unwrap();

    assert_eq!(worker.get().send(Ping).await.unwrap(), 1);

    // Stop on error: actix restarts it in place, same address.
    let before = worker.get();
    worker.get().do_send(Crash::Stop);
    assert_eq!(ping_until_alive(&worker).await, 2);
    assert_eq!(sibling.get().send(Ping).await.unwrap(), 1);
    assert_eq!(book.count("worker"), 1);
    assert!(
        worker.get() == before,
        "stop-on-error restart keeps the address"
    );

    // Guarded panic: turned into a stop, restarted in place.
    worker.get().do_send(Crash::GuardedPanic);
    assert_eq!(ping_until_alive(&worker).await, 3);
    assert_eq!(book.count("worker"), 2);

    // Unguarded panic: the task dies, the root's watchdog rebuilds it from the factory.
    worker.get().do_send(Crash::Panic);
    let mut sibling_pings = 1;
    for _ in 0..5 {
        sibling_pings = sibling.get().send(Ping).await.unwrap();
    }
    assert_eq!(
        sibling_pings, 6,
        "the sibling answered every ping during the crash"
    );
    assert_eq!(
        ping_until_alive(&worker).await,
        4,
        "durable state survives the rebuild"
    );
    assert_eq!(book.count("worker"), 3);
    assert_eq!(book.count("sibling"), 0);
    assert_eq!(durable.pings.load(Ordering::SeqCst), 4);
}

/// What the supervised test thread is told to do next.
enum ThreadCmd {
    Panic,
    /// End as if after an error.
    Exit,
    /// End because it was retired.
    Stop,
}

#[actix_rt::test]
async fn supervised_thread_is_respawned_until_retired() {
    use rocketactor::actors::supervisor::{SuperviseThread, ThreadSlot};

    let book = RestartBook::default();
    let root = RootSupervisor::new(test_logger(), book.clone()).start();
    // The channel and the run counter outlive every incarnation of the thread.
    let (tx, rx) = crossbeam_channel::unbounded::<ThreadCmd>();
    let runs = Arc::new(AtomicU64::new(0));
    let slot = ThreadSlot::new();
    let spawn = {
        let runs = runs.clone();
        Arc::new(move || {
            let (rx, runs) = (rx.clone(), runs.clone());
            std::thread::Builder::new()
                .name("supervised-test-thread".into())
                .spawn(move || {
                    runs.fetch_add(1, Ordering::SeqCst);
                    // Bounded: ends on the first command or when the channel closes.
                    match rx.recv() {
                        Ok(ThreadCmd::Panic) => panic!("injected thread panic"),
                        Ok(ThreadCmd::Exit) | Ok(ThreadCmd::Stop) | Err(_) => {}
                    }
                })
        })
    };
    root.send(SuperviseThread {
        name: "worker-thread".into(),
        slot: slot.clone(),
        spawn,
    })
    .await
    .unwrap();

    let wait_runs = |n: u64| {
        let runs = runs.clone();
        async move {
            eventually(&format!("the thread reaches run {n}"), || {
                std::future::ready(runs.load(Ordering::SeqCst) == n)
            })
            .await
        }
    };
    wait_runs(1).await;
    tx.send(ThreadCmd::Panic).unwrap();
    wait_runs(2).await;
    assert_eq!(book.count("worker-thread"), 1, "a panic is one restart");
    tx.send(ThreadCmd::Exit).unwrap();
    wait_runs(3).await;
    assert_eq!(
        book.count("worker-thread"),
        2,
        "an error exit is one restart"
    );

    // Retired: it ends for good and is not respawned.
    let last = slot.retire();
    tx.send(ThreadCmd::Stop).unwrap();
    last.expect("a running thread").join().unwrap();
    // A few watchdog ticks, proven by a probe thread that ends at once: each of its deaths is
    // recorded by a separate tick, and every tick looks at every child, the retired one too.
    let probe: rocketactor::actors::supervisor::ThreadSpawn =
        Arc::new(|| std::thread::Builder::new().spawn(|| {}));
    root.send(SuperviseThread {
        name: "probe-thread".into(),
        slot: ThreadSlot::new(),
        spawn: probe,
    })
    .await
    .unwrap();
    eventually("two watchdog ticks saw the probe die", || {
        std::future::ready(book.count("probe-thread") >= 2)
    })
    .await;
    assert_eq!(runs.load(Ordering::SeqCst), 3);
    assert_eq!(book.count("worker-thread"), 2);
}
