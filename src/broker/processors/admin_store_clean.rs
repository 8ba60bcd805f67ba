//! Store housekeeping on demand (Java 4.9.7 `AdminBrokerProcessor`): CLEAN_EXPIRED_CONSUMEQUEUE
//! (306, mqadmin `cleanExpiredCQ`), CLEAN_UNUSED_TOPIC (316, `cleanUnusedTopic`) and
//! DELETE_EXPIRED_COMMITLOG (329, `deleteExpiredCommitLog`). All three answer SUCCESS without a
//! remark, as Java does; docs/protocol.md §5.7 describes the cleanup they drive.
//!
//! 306 and 316 drop whole consume queues through the store's writer (the owner of the queue
//! table, see `store_actors::writer::queue_sweep`); 329 arms the maintenance thread's manual
//! passes (`actors::maintenance::ManualClean`), which deletes the files off every event loop.

use std::collections::HashSet;
use std::sync::Arc;

use slog::{info, warn};

use crate::actors::remoting::Reply;
use crate::broker::meta::topic_validator::{FIXED_SYSTEM_TOPICS, RMQ_SYS_TRANS_OP_HALF_TOPIC};
use crate::broker::node::state::Broker;
use crate::broker::processors::reply::{error, ok};
use crate::broker::store_actors::{DropQueues, QueueSweep};
use crate::codec::RemotingCommand;

/// CLEAN_EXPIRED_CONSUMEQUEUE: drops the queues whose records all left the commit log.
pub fn clean_expired_cq(b: &Arc<Broker>, req: RemotingCommand) -> Reply {
    sweep(b, req, QueueSweep::Expired)
}

/// CLEAN_UNUSED_TOPIC: drops the queues of topics that have no topic config.
pub fn clean_unused_topic(b: &Arc<Broker>, req: RemotingCommand) -> Reply {
    sweep(b, req, QueueSweep::UnusedTopics(topics_in_use(b)))
}

/// The topics whose queues CLEAN_UNUSED_TOPIC and DELETE_TOPIC_IN_BROKER keep: every topic with
/// a config, the transaction op topic (Java's `cleanUnusedTopic` spares it) and, beyond Java,
/// every system topic: the half topic's config is only created by the first check scan, and a
/// half message must not vanish because some other topic was deleted before that.
pub fn topics_in_use(b: &Broker) -> HashSet<String> {
    let meta = b.meta.lock();
    let mut keep: HashSet<String> = meta.topics.table().keys().cloned().collect();
    keep.extend(meta.topics.system_topics());
    keep.extend(FIXED_SYSTEM_TOPICS.iter().map(|t| t.to_string()));
    keep.insert(RMQ_SYS_TRANS_OP_HALF_TOPIC.to_string());
    keep
}

fn sweep(b: &Arc<Broker>, req: RemotingCommand, what: QueueSweep) -> Reply {
    let b = b.clone();
    Reply::later(async move {
        let kind = match what {
            QueueSweep::Expired => "cleanExpiredConsumeQueue",
            QueueSweep::UnusedTopics(_) => "cleanUnusedTopic",
        };
        Some(match b.store.writer.get().send(DropQueues(what)).await {
            Ok(Ok(dropped)) => {
                info!(b.log, "consume queues dropped"; "by" => kind, "queues" => dropped.len());
                ok(&req)
            }
            Ok(Err(e)) => {
                warn!(b.log, "dropping consume queues failed"; "by" => kind, "error" => %e);
                error(&req, format!("{kind} failed: {e}"))
            }
            Err(e) => error(
                &req,
                format!("{kind} failed: the store writer is gone: {e}"),
            ),
        })
    })
}

/// DELETE_EXPIRED_COMMITLOG: the next cleanup passes delete expired commit-log files whatever
/// the `deleteWhen` hour; the first runs at once on the maintenance thread.
pub fn delete_expired_commit_log(b: &Broker, req: &RemotingCommand) -> RemotingCommand {
    info!(b.log, "executeDeleteFilesManually was invoked");
    b.manual_clean.request();
    ok(req)
}
