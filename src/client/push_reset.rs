//! RESET_CONSUMER_CLIENT_OFFSET (220), which a broker sends the push consumers of a group
//! when an operator resets its offsets (mqadmin resetOffsetByTime, skipAccumulatedMessage;
//! the broker side is Java `Broker2Client.resetOffset`). The push consumer stops the workers of
//! the listed queues, commits the new offsets and lets the rebalance start them again there
//! (Java `MQClientInstance.resetOffset`).

use std::collections::BTreeMap;

use crate::codec::codes::request;
use crate::codec::RemotingCommand;
use crate::protocol::message_queue::MessageQueue;
use crate::protocol::reset_offset::ResetOffsetBody;

/// The offset table of a RESET_CONSUMER_CLIENT_OFFSET request for `group`; `None` for any
/// other request (or another group's, or a body that does not decode).
pub fn reset_table(cmd: &RemotingCommand, group: &str) -> Option<BTreeMap<MessageQueue, i64>> {
    if cmd.code != request::RESET_CONSUMER_CLIENT_OFFSET {
        return None;
    }
    if cmd.ext("group").is_some_and(|g| g != group) {
        return None;
    }
    let text = std::str::from_utf8(&cmd.body).ok()?;
    ResetOffsetBody::decode(text).ok().map(|b| b.offset_table)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_resets_of_this_group_decode() {
        let mut table = BTreeMap::new();
        table.insert(MessageQueue::new("T", "b", 0), 7);
        let body = ResetOffsetBody {
            offset_table: table.clone(),
        }
        .encode();
        let cmd = RemotingCommand::request(request::RESET_CONSUMER_CLIENT_OFFSET)
            .with_ext("group", "g1")
            .with_body(body.into_bytes());
        assert_eq!(reset_table(&cmd, "g1"), Some(table));
        assert_eq!(reset_table(&cmd, "g2"), None);
        let other = RemotingCommand::request(request::NOTIFY_CONSUMER_IDS_CHANGED);
        assert_eq!(reset_table(&other, "g1"), None);
    }
}
