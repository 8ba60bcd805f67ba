//! The CONSUMER_SEND_MSG_BACK (36) request header (Java `ConsumerSendMsgBackRequestHeader`):
//! a consumer hands a message it failed to consume back to the broker for retry or DLQ.

use crate::codec::ext::HeaderError;
use crate::codec::RemotingCommand;

/// The send-back request header.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ConsumerSendMsgBackRequestHeader {
    /// Commit-log physical offset of the original message.
    pub offset: i64,
    pub group: String,
    /// 0: the broker picks 3 + reconsumeTimes; negative: straight to the DLQ.
    pub delay_level: i32,
    pub origin_msg_id: Option<String>,
    pub origin_topic: Option<String>,
    pub unit_mode: bool,
    /// Honoured when the request version is >= 121 (V3_4_9).
    pub max_reconsume_times: Option<i32>,
}

impl ConsumerSendMsgBackRequestHeader {
    /// Decodes; offset, group and delayLevel are required.
    pub fn from_command(cmd: &RemotingCommand) -> Result<Self, HeaderError> {
        Ok(ConsumerSendMsgBackRequestHeader {
            offset: cmd.header_i64("offset")?,
            group: cmd.header_str("group")?.to_owned(),
            delay_level: cmd.header_i32("delayLevel")?,
            origin_msg_id: cmd.opt_header_str("originMsgId").map(str::to_owned),
            origin_topic: cmd.opt_header_str("originTopic").map(str::to_owned),
            unit_mode: cmd.opt_header_bool("unitMode")?.unwrap_or(false),
            max_reconsume_times: cmd.opt_header_i32("maxReconsumeTimes")?,
        })
    }

    /// Writes every present field (`unitMode` always, as Java's primitive boolean).
    pub fn write_to(&self, cmd: &mut RemotingCommand) {
        cmd.put_ext("offset", self.offset);
        cmd.put_ext("group", &self.group);
        cmd.put_ext("delayLevel", self.delay_level);
        cmd.put_ext_opt("originMsgId", self.origin_msg_id.as_ref());
        cmd.put_ext_opt("originTopic", self.origin_topic.as_ref());
        cmd.put_ext("unitMode", self.unit_mode);
        cmd.put_ext_opt("maxReconsumeTimes", self.max_reconsume_times);
    }
}
