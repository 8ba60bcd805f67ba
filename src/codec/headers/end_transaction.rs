//! The END_TRANSACTION (37) request header (Java `EndTransactionRequestHeader`): a producer's
//! commit or rollback of a half message, also sent in answer to CHECK_TRANSACTION_STATE.

use crate::codec::ext::HeaderError;
use crate::codec::RemotingCommand;

/// Java `EndTransactionRequestHeader`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EndTransactionRequestHeader {
    pub producer_group: String,
    pub tran_state_table_offset: i64,
    pub commit_log_offset: i64,
    pub commit_or_rollback: i32,
    pub from_transaction_check: bool,
    pub msg_id: String,
    pub transaction_id: Option<String>,
}

impl EndTransactionRequestHeader {
    /// Decodes; every field but `fromTransactionCheck` and `transactionId` is required.
    pub fn from_command(cmd: &RemotingCommand) -> Result<Self, HeaderError> {
        Ok(EndTransactionRequestHeader {
            producer_group: cmd.header_str("producerGroup")?.to_owned(),
            tran_state_table_offset: cmd.header_i64("tranStateTableOffset")?,
            commit_log_offset: cmd.header_i64("commitLogOffset")?,
            commit_or_rollback: cmd.header_i32("commitOrRollback")?,
            from_transaction_check: cmd
                .opt_header_bool("fromTransactionCheck")?
                .unwrap_or(false),
            msg_id: cmd.header_str("msgId")?.to_owned(),
            transaction_id: cmd.opt_header_str("transactionId").map(str::to_owned),
        })
    }

    /// Writes the header (the client side).
    pub fn write_to(&self, cmd: &mut RemotingCommand) {
        cmd.put_ext("producerGroup", &self.producer_group);
        cmd.put_ext("tranStateTableOffset", self.tran_state_table_offset);
        cmd.put_ext("commitLogOffset", self.commit_log_offset);
        cmd.put_ext("commitOrRollback", self.commit_or_rollback);
        cmd.put_ext("fromTransactionCheck", self.from_transaction_check);
        cmd.put_ext("msgId", &self.msg_id);
        cmd.put_ext_opt("transactionId", self.transaction_id.as_ref());
    }
}
