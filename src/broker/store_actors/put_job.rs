//! The message a queued send travels in from the [`PutQueue`](super::PutQueue) to the
//! [`StoreWriter`](super::StoreWriter), on its own so that neither side imports the other.

use actix::prelude::*;
use tokio::sync::oneshot;

use crate::store::{MessageInner, PutResult, StoreError};

/// How the message of one queued send is appended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PutKind {
    /// One message (`put_message`).
    Single,
    /// A SEND_BATCH_MESSAGE body (`put_batch`).
    Batch,
}

/// The result of one queued send.
pub type PutReply = oneshot::Receiver<Result<PutResult, StoreError>>;

/// One queued send.
pub struct PutJob {
    pub kind: PutKind,
    pub msg: MessageInner,
    pub reply: oneshot::Sender<Result<PutResult, StoreError>>,
}

/// Appends every job in order, answering each through its own channel.
#[derive(Message)]
#[rtype(result = "()")]
pub struct PutMany(pub Vec<PutJob>);
