//! The send response header (Java `SendMessageResponseHeader`) plus the two extFields the Java
//! broker always adds to a send response: `MSG_REGION` and `TRACE_ON` (a Java client NPEs
//! without extFields, so the broker side must always set them).

use crate::codec::ext::HeaderError;
use crate::codec::RemotingCommand;

/// extFields key of the broker's region id.
pub const MSG_REGION: &str = "MSG_REGION";
/// extFields key of the broker's trace switch.
pub const TRACE_ON: &str = "TRACE_ON";
/// Java `MixAll.DEFAULT_REGION` (`brokerConfig.regionId` default).
pub const DEFAULT_REGION: &str = "DefaultRegion";

/// The send response header.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SendMessageResponseHeader {
    /// offsetMsgId; for a batch the ids joined by `,`.
    pub msg_id: String,
    pub queue_id: i32,
    /// Consume-queue offset of the (first) message.
    pub queue_offset: i64,
    pub transaction_id: Option<String>,
    /// `MSG_REGION`; a broker should always set it.
    pub msg_region: Option<String>,
    /// `TRACE_ON`; a broker should always set it.
    pub trace_on: Option<bool>,
}

impl SendMessageResponseHeader {
    /// Decodes; msgId, queueId and queueOffset are required (every client needs them).
    pub fn from_command(cmd: &RemotingCommand) -> Result<Self, HeaderError> {
        Ok(SendMessageResponseHeader {
            msg_id: cmd.header_str("msgId")?.to_owned(),
            queue_id: cmd.header_i32("queueId")?,
            queue_offset: cmd.header_i64("queueOffset")?,
            transaction_id: cmd.opt_header_str("transactionId").map(str::to_owned),
            msg_region: cmd.opt_header_str(MSG_REGION).map(str::to_owned),
            trace_on: cmd.opt_header_bool(TRACE_ON)?,
        })
    }

    /// Writes every present field.
    pub fn write_to(&self, cmd: &mut RemotingCommand) {
        cmd.put_ext("msgId", &self.msg_id);
        cmd.put_ext("queueId", self.queue_id);
        cmd.put_ext("queueOffset", self.queue_offset);
        cmd.put_ext_opt("transactionId", self.transaction_id.as_ref());
        cmd.put_ext_opt(MSG_REGION, self.msg_region.as_ref());
        cmd.put_ext_opt(TRACE_ON, self.trace_on);
    }
}
