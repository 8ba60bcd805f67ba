//! The relayed client calls waiting for an answer (`call_client.rs`), by opaque: a file of its
//! own so that the shared `Broker` holds the table without depending on the relay.

use std::collections::HashMap;
use std::sync::atomic::AtomicI32;

use parking_lot::Mutex;
use tokio::sync::oneshot;

use crate::codec::RemotingCommand;

/// Relayed requests waiting for their client's answer, by opaque.
#[derive(Default)]
pub struct PendingCalls {
    pub(super) next: AtomicI32,
    pub(super) waiting: Mutex<HashMap<i32, oneshot::Sender<RemotingCommand>>>,
}
