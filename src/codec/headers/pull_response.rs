//! The pull response header (Java `PullMessageResponseHeader`). Every field is required by both
//! the Java client and rocketmq-client-rust, so the broker must always write all four.

use crate::codec::ext::HeaderError;
use crate::codec::RemotingCommand;

/// The pull response header.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PullMessageResponseHeader {
    /// 0 = master; otherwise the slave the client should pull from next.
    pub suggest_which_broker_id: i64,
    pub next_begin_offset: i64,
    /// The queue's min logical offset.
    pub min_offset: i64,
    /// The queue's max logical offset (next offset to be written).
    pub max_offset: i64,
}

impl PullMessageResponseHeader {
    /// Decodes; all four fields are required.
    pub fn from_command(cmd: &RemotingCommand) -> Result<Self, HeaderError> {
        Ok(PullMessageResponseHeader {
            suggest_which_broker_id: cmd.header_i64("suggestWhichBrokerId")?,
            next_begin_offset: cmd.header_i64("nextBeginOffset")?,
            min_offset: cmd.header_i64("minOffset")?,
            max_offset: cmd.header_i64("maxOffset")?,
        })
    }

    /// Writes all four fields.
    pub fn write_to(&self, cmd: &mut RemotingCommand) {
        cmd.put_ext("suggestWhichBrokerId", self.suggest_which_broker_id);
        cmd.put_ext("nextBeginOffset", self.next_begin_offset);
        cmd.put_ext("minOffset", self.min_offset);
        cmd.put_ext("maxOffset", self.max_offset);
    }
}
