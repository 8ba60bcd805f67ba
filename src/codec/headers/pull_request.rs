//! The PULL_MESSAGE (11) / LITE_PULL_MESSAGE (361) request header and the pull sysFlag bits.

use crate::codec::ext::HeaderError;
use crate::codec::RemotingCommand;

/// Pull sysFlag bits (Java `PullSysFlag`).
pub mod pull_sys_flag {
    /// The request carries `commitOffset` to persist.
    pub const COMMIT_OFFSET: i32 = 0x1;
    /// Long polling: park the request when nothing is new.
    pub const SUSPEND: i32 = 0x2;
    /// The request carries the subscription expression.
    pub const SUBSCRIPTION: i32 = 0x4;
    /// Class filter mode.
    pub const CLASS_FILTER: i32 = 0x8;
    /// Lite pull consumer.
    pub const LITE_PULL: i32 = 0x10;
}

/// The pull request header (Java `PullMessageRequestHeader`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PullMessageRequestHeader {
    pub consumer_group: String,
    pub topic: String,
    pub queue_id: i32,
    /// Logical offset (entry index in the consume queue).
    pub queue_offset: i64,
    pub max_msg_nums: i32,
    /// See [`pull_sys_flag`].
    pub sys_flag: i32,
    pub commit_offset: i64,
    pub suspend_timeout_millis: i64,
    pub subscription: Option<String>,
    pub sub_version: i64,
    /// `TAG` or `SQL92`; absent means TAG.
    pub expression_type: Option<String>,
    /// Broker name (4.9.5+).
    pub bname: Option<String>,
}

impl PullMessageRequestHeader {
    /// Decodes; every @CFNotNull field of the Java header is required.
    pub fn from_command(cmd: &RemotingCommand) -> Result<Self, HeaderError> {
        Ok(PullMessageRequestHeader {
            consumer_group: cmd.header_str("consumerGroup")?.to_owned(),
            topic: cmd.header_str("topic")?.to_owned(),
            queue_id: cmd.header_i32("queueId")?,
            queue_offset: cmd.header_i64("queueOffset")?,
            max_msg_nums: cmd.header_i32("maxMsgNums")?,
            sys_flag: cmd.header_i32("sysFlag")?,
            commit_offset: cmd.header_i64("commitOffset")?,
            suspend_timeout_millis: cmd.header_i64("suspendTimeoutMillis")?,
            subscription: cmd.opt_header_str("subscription").map(str::to_owned),
            sub_version: cmd.header_i64("subVersion")?,
            expression_type: cmd.opt_header_str("expressionType").map(str::to_owned),
            bname: cmd.opt_header_str("bname").map(str::to_owned),
        })
    }

    /// Writes every present field.
    pub fn write_to(&self, cmd: &mut RemotingCommand) {
        cmd.put_ext("consumerGroup", &self.consumer_group);
        cmd.put_ext("topic", &self.topic);
        cmd.put_ext("queueId", self.queue_id);
        cmd.put_ext("queueOffset", self.queue_offset);
        cmd.put_ext("maxMsgNums", self.max_msg_nums);
        cmd.put_ext("sysFlag", self.sys_flag);
        cmd.put_ext("commitOffset", self.commit_offset);
        cmd.put_ext("suspendTimeoutMillis", self.suspend_timeout_millis);
        cmd.put_ext_opt("subscription", self.subscription.as_ref());
        cmd.put_ext("subVersion", self.sub_version);
        cmd.put_ext_opt("expressionType", self.expression_type.as_ref());
        cmd.put_ext_opt("bname", self.bname.as_ref());
    }

    /// Bit 0: the request carries an offset to commit.
    pub fn has_commit_offset(&self) -> bool {
        self.sys_flag & pull_sys_flag::COMMIT_OFFSET != 0
    }

    /// Bit 1: the broker may park the request (long polling).
    pub fn has_suspend(&self) -> bool {
        self.sys_flag & pull_sys_flag::SUSPEND != 0
    }

    /// Bit 2: the subscription in the header replaces the heartbeat's.
    pub fn has_subscription(&self) -> bool {
        self.sys_flag & pull_sys_flag::SUBSCRIPTION != 0
    }

    /// Bit 3: class filter mode.
    pub fn has_class_filter(&self) -> bool {
        self.sys_flag & pull_sys_flag::CLASS_FILTER != 0
    }

    /// Bit 4: sent by a lite pull consumer.
    pub fn is_lite_pull(&self) -> bool {
        self.sys_flag & pull_sys_flag::LITE_PULL != 0
    }
}
