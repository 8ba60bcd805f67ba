//! The broker's arrival hook, run by the writer after every append *before* any flush or
//! slave wait: it wakes the pulls parked on the queues that were written (only while some
//! pull is parked) and then runs the extra hooks (HA master wake-ups, a slave's metadata sync).

use std::sync::Arc;

use crate::broker::actors::hold::{Arrived, HoldSlot, ParkedPulls};
use crate::broker::store_actors::{Arrival, ArrivalHook, ArrivalHooks};

/// The hook handed to the writer; `holds` is filled in once the pull-hold actor runs.
pub fn arrival_hook(holds: &HoldSlot, hooks: &ArrivalHooks, parked: &ParkedPulls) -> ArrivalHook {
    let (holds, hooks, parked) = (holds.clone(), hooks.clone(), parked.clone());
    Arc::new(move |a: &Arrival| {
        // No parked pull (the common case under a pure send load): no wake-up message.
        // A pull parking right now re-checks the store under the same lock (`Park`).
        let waiting = !parked.is_empty();
        if let Some(h) = holds.lock().as_ref().filter(|_| waiting) {
            match a {
                // Not in its queue yet: the retried dispatch wakes the pulls later.
                Arrival::Put {
                    dispatched: false, ..
                } => {}
                Arrival::Put {
                    topic,
                    queue_id,
                    next_queue_offset,
                    tags_codes,
                    ..
                } => h.get().do_send(Arrived {
                    topic: topic.clone(),
                    queue_id: *queue_id,
                    next_queue_offset: *next_queue_offset,
                    tags_codes: tags_codes.clone(),
                }),
                Arrival::Replicated { queues, .. } | Arrival::Dispatched { queues } => {
                    for (topic, queue_id, next) in queues {
                        h.get().do_send(Arrived {
                            topic: topic.clone(),
                            queue_id: *queue_id,
                            next_queue_offset: *next,
                            tags_codes: Vec::new(),
                        });
                    }
                }
            }
        }
        for f in hooks.lock().iter() {
            f(a);
        }
    })
}
