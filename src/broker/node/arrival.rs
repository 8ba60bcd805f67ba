//! The broker's arrival hook, run by the writer after every append *before* any flush or
//! slave wait: it tells the topic queue registry which queues were written (the registry wakes
//! a topic's actor only when a pull is parked on that queue; other topics hear nothing) and
//! then runs the extra hooks (HA master wake-ups, a slave's metadata sync).

use std::sync::Arc;

use crate::broker::queues::TopicQueues;
use crate::broker::store_actors::{Arrival, ArrivalHook, ArrivalHooks};

/// The hook handed to the writer; `queues` parks nothing until the broker binds it.
pub fn arrival_hook(queues: &TopicQueues, hooks: &ArrivalHooks) -> ArrivalHook {
    let (queues, hooks) = (queues.clone(), hooks.clone());
    Arc::new(move |a: &Arrival| {
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
            } => queues.arrived(topic, *queue_id, *next_queue_offset, tags_codes),
            Arrival::Replicated {
                queues: written, ..
            }
            | Arrival::Dispatched { queues: written } => {
                for (topic, queue_id, next) in written {
                    queues.arrived(topic, *queue_id, *next, &[]);
                }
            }
        }
        for f in hooks.lock().iter() {
            f(a);
        }
    })
}
