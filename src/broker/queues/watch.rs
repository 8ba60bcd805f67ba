//! The watch over a broker's topic queue actors: every [`WATCH_INTERVAL`] it rebuilds the
//! actors that died (a panic drops an actor with its actix `Supervisor`) while pulls are parked
//! on them, so those pulls are still answered at their deadline when no message comes to
//! trigger a rebuild. One per broker, supervised by the node's `RootSupervisor` (component
//! `topic-queues-watch`); its state is the registry itself.

use std::time::Duration;

use actix::prelude::*;

use super::registry::TopicQueues;
use crate::actors::supervisor::RestartTracker;

/// As often as the root supervisor's own watchdog.
pub const WATCH_INTERVAL: Duration = Duration::from_millis(100);

/// The component name of the watch in the restart book.
pub const WATCH_COMPONENT: &str = "topic-queues-watch";

pub struct QueueWatch {
    queues: TopicQueues,
    tracker: RestartTracker,
}

impl QueueWatch {
    pub fn new(queues: TopicQueues, tracker: RestartTracker) -> Self {
        QueueWatch { queues, tracker }
    }
}

impl Actor for QueueWatch {
    type Context = Context<Self>;

    fn started(&mut self, ctx: &mut Context<Self>) {
        self.tracker.on_started(ctx);
        ctx.run_interval(WATCH_INTERVAL, |act, _| act.queues.check_actors());
    }
}

impl Supervised for QueueWatch {
    fn restarting(&mut self, _: &mut Context<Self>) {
        self.tracker.on_restarting();
    }
}

crate::handle_inject_failure!(QueueWatch, "topic-queues-watch");
