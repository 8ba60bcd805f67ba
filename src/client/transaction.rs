//! A minimal transaction producer (Java `TransactionMQProducer`): sends the half message,
//! runs the local transaction, ends it with END_TRANSACTION (oneway), and answers the
//! broker's CHECK_TRANSACTION_STATE (39) with an END_TRANSACTION marked
//! `fromTransactionCheck`, on the connection the check came from. A background task
//! heartbeats the producer group to every broker it has used, so a restarted broker knows
//! whom to ask.

use std::sync::Arc;
use std::time::Duration;

use parking_lot::Mutex;
use slog::{debug, warn, Logger};
use tokio::task::JoinHandle;

use super::message::{decode_messages, Message, MessageExt, SendResult};
use super::mq_error::MqError;
use super::producer::{Producer, ProducerConfig};
use crate::codec::codes::request;
use crate::codec::headers::EndTransactionRequestHeader;
use crate::codec::RemotingCommand;
use crate::store::message::{decode_offset_msg_id, sys_flag};

/// Java `LocalTransactionState`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LocalTransactionState {
    CommitMessage,
    RollbackMessage,
    Unknow,
}

impl LocalTransactionState {
    /// The `commitOrRollback` value of END_TRANSACTION.
    pub fn code(self) -> i32 {
        match self {
            LocalTransactionState::CommitMessage => sys_flag::TRANSACTION_COMMIT_TYPE,
            LocalTransactionState::RollbackMessage => sys_flag::TRANSACTION_ROLLBACK_TYPE,
            LocalTransactionState::Unknow => sys_flag::TRANSACTION_NOT_TYPE,
        }
    }
}

/// Java `TransactionListener`.
pub trait TransactionListener: Send + Sync + 'static {
    /// The local transaction of a half message that was just stored.
    fn execute_local(&self, msg: &Message, sent: &SendResult) -> LocalTransactionState;
    /// The broker asks about a half message whose outcome it does not know.
    fn check_local(&self, msg: &MessageExt) -> LocalTransactionState;
}

/// Result of [`TransactionProducer::send_in_transaction`].
#[derive(Debug, Clone)]
pub struct TransactionSendResult {
    pub send: SendResult,
    pub state: LocalTransactionState,
}

/// The transaction producer.
pub struct TransactionProducer {
    producer: Producer,
    listener: Arc<dyn TransactionListener>,
    heartbeat_interval: Duration,
    tasks: Mutex<Vec<JoinHandle<()>>>,
    log: Logger,
}

impl TransactionProducer {
    /// A producer of `cfg.group` that heartbeats every `heartbeat_interval` (Java: 30 s).
    pub fn new(
        cfg: ProducerConfig,
        listener: Arc<dyn TransactionListener>,
        heartbeat_interval: Duration,
        log: Logger,
    ) -> Result<Self, MqError> {
        let producer = Producer::with_config(cfg, log.clone())?;
        Ok(TransactionProducer {
            producer,
            listener,
            heartbeat_interval,
            tasks: Mutex::default(),
            log,
        })
    }

    /// The underlying producer (plain sends, heartbeats).
    pub fn producer(&self) -> &Producer {
        &self.producer
    }

    /// Starts the producer, the check answering task and the heartbeat task (in the current
    /// tokio runtime).
    pub fn start(&self) -> Result<(), MqError> {
        self.producer.start()?;
        let mut tasks = self.tasks.lock();
        if let Some(mut rx) = self.producer.pool().take_server_requests() {
            let (p, l, log) = (
                self.producer.clone(),
                self.listener.clone(),
                self.log.clone(),
            );
            tasks.push(tokio::spawn(async move {
                while let Some(r) = rx.recv().await {
                    if r.cmd.code == request::CHECK_TRANSACTION_STATE {
                        answer_check(&p, l.as_ref(), &r.addr, &r.cmd, &log).await;
                    }
                }
            }));
        }
        let (p, every) = (self.producer.clone(), self.heartbeat_interval);
        tasks.push(tokio::spawn(async move {
            let mut tick = tokio::time::interval(every);
            loop {
                tick.tick().await;
                p.heartbeat_all().await;
            }
        }));
        Ok(())
    }

    /// Stops the tasks and closes every connection.
    pub fn shutdown(&self) {
        for t in self.tasks.lock().drain(..) {
            t.abort();
        }
        self.producer.shutdown();
    }

    /// Java `sendMessageInTransaction`: half message, local transaction, END_TRANSACTION.
    pub async fn send_in_transaction(
        &self,
        topic: &str,
        msg: Message,
    ) -> Result<TransactionSendResult, MqError> {
        let sent = self.producer.send_half(topic, msg.clone()).await?;
        let state = self.listener.execute_local(&msg, &sent);
        self.end_transaction(&sent, state).await?;
        Ok(TransactionSendResult { send: sent, state })
    }

    /// END_TRANSACTION (oneway) for a half message sent by this producer.
    pub async fn end_transaction(
        &self,
        sent: &SendResult,
        state: LocalTransactionState,
    ) -> Result<(), MqError> {
        let (_, phys) = decode_offset_msg_id(&sent.offset_msg_id).ok_or_else(|| {
            MqError::InvalidArgument(format!("bad offsetMsgId {}", sent.offset_msg_id))
        })?;
        let header = EndTransactionRequestHeader {
            producer_group: self.producer.config().group.clone(),
            tran_state_table_offset: sent.queue_offset,
            commit_log_offset: phys,
            commit_or_rollback: state.code(),
            from_transaction_check: false,
            msg_id: sent.msg_id.clone(),
            transaction_id: Some(sent.msg_id.clone()),
        };
        let mut cmd = RemotingCommand::request(request::END_TRANSACTION);
        header.write_to(&mut cmd);
        Ok(self
            .producer
            .pool()
            .invoke_oneway(&sent.broker_addr, cmd)
            .await?)
    }
}

impl Drop for TransactionProducer {
    fn drop(&mut self) {
        for t in self.tasks.lock().drain(..) {
            t.abort();
        }
    }
}

/// Java `DefaultMQProducerImpl.checkTransactionState`.
async fn answer_check(
    p: &Producer,
    listener: &dyn TransactionListener,
    addr: &str,
    cmd: &RemotingCommand,
    log: &Logger,
) {
    let header = (
        cmd.header_i64("tranStateTableOffset"),
        cmd.header_i64("commitLogOffset"),
    );
    let (Ok(tran_state_table_offset), Ok(commit_log_offset)) = header else {
        warn!(log, "CHECK_TRANSACTION_STATE without offsets"; "broker" => addr);
        return;
    };
    let msg = match decode_messages(&cmd.body) {
        Ok(mut v) if v.len() == 1 => v.remove(0),
        other => {
            warn!(log, "CHECK_TRANSACTION_STATE body is not one message"; "broker" => addr,
                  "decoded" => ?other.map(|v| v.len()));
            return;
        }
    };
    let state = listener.check_local(&msg);
    debug!(log, "answering a transaction check"; "broker" => addr, "msgId" => &msg.msg_id,
           "state" => ?state);
    let header = EndTransactionRequestHeader {
        producer_group: p.config().group.clone(),
        tran_state_table_offset,
        commit_log_offset,
        commit_or_rollback: state.code(),
        from_transaction_check: true,
        msg_id: msg.msg_id.clone(),
        transaction_id: cmd.opt_header_str("transactionId").map(str::to_owned),
    };
    let mut end = RemotingCommand::request(request::END_TRANSACTION);
    header.write_to(&mut end);
    if let Err(e) = p.pool().invoke_oneway(addr, end).await {
        warn!(log, "END_TRANSACTION after a check failed"; "broker" => addr, "error" => %e);
    }
}
