//! HA replication (master/slave commit-log streaming over raw TCP, docs/protocol.md §6.4).
//!
//! - [`master::HaMasterHandle`]: the master's listener actor and one task per slave;
//! - [`slave::HaSlaveHandle`]: the slave's connection actor, appending through the store writer;
//! - [`replication::ReplicationTracker`]: acked offsets, attached slaves and the pipelined wait of
//!   SYNC_MASTER sends;
//! - [`protocol`]: the wire format, including our hello (a documented deviation from Java).
//!
//! Wiring on a master: create `let (tx, rx) = phys_end_channel();`, call
//! [`notify_arrival`]`(&tx, arrival)` from the store's `ArrivalHook`, and pass `rx` to
//! [`master::HaMasterHandle::start`].

pub mod auth;
pub(crate) mod connection;
pub mod error;
pub mod master;
pub mod protocol;
pub mod replication;
pub mod slave;

use tokio::sync::watch;

use crate::broker::store_actors::Arrival;
pub use error::HaError;
pub use master::{HaMaster, HaMasterConfig, HaMasterHandle};
pub use replication::{ReplicaError, ReplicationTracker, SlaveRegistration, SlaveStats};
pub use slave::{fixed_master, HaSlave, HaSlaveConfig, HaSlaveHandle, Halt, SlaveStatus};

/// The channel telling HA connections that the commit log grew (value: its new end).
pub fn phys_end_channel() -> (watch::Sender<i64>, watch::Receiver<i64>) {
    watch::channel(0)
}

/// Feeds an arrival into the `phys_end` channel; cheap, callable from the writer's hook.
pub fn notify_arrival(tx: &watch::Sender<i64>, arrival: &Arrival) {
    let end = match arrival {
        Arrival::Put { phys_end, .. } | Arrival::Replicated { phys_end, .. } => *phys_end,
        // A retried dispatch: the commit log did not grow.
        Arrival::Dispatched { .. } => return,
    };
    tx.send_if_modified(|v| {
        let grew = end > *v;
        if grew {
            *v = end;
        }
        grew
    });
}
