//! Queue locks of orderly consumption (LOCK_BATCH_MQ 41 / UNLOCK_BATCH_MQ 42): a consumer
//! locks the queues it owns on their masters so two members never consume one queue at once.

use std::collections::{BTreeMap, BTreeSet};

use super::consumer::PullConsumer;
use super::mq_error::MqError;
use crate::codec::codes::request;
use crate::codec::RemotingCommand;
use crate::protocol::lock::{LockBatchRequestBody, LockBatchResponseBody};
use crate::protocol::message_queue::MessageQueue;

impl PullConsumer {
    /// LOCK_BATCH_MQ (41) on each queue's master; returns the queues now locked by us.
    pub async fn lock_batch(
        &self,
        mqs: &[MessageQueue],
    ) -> Result<BTreeSet<MessageQueue>, MqError> {
        let mut locked = BTreeSet::new();
        for (addr, set) in self.by_master(mqs).await? {
            let body = self.lock_body(set);
            let cmd = RemotingCommand::request(request::LOCK_BATCH_MQ).with_body(body);
            let resp = self.call(&addr, cmd).await?;
            let got: LockBatchResponseBody = serde_json::from_slice(&resp.body)
                .map_err(|e| MqError::bad(&addr, request::LOCK_BATCH_MQ, e.to_string()))?;
            locked.extend(got.lock_ok_mq_set);
        }
        Ok(locked)
    }

    /// UNLOCK_BATCH_MQ (42) on each queue's master.
    pub async fn unlock_batch(&self, mqs: &[MessageQueue]) -> Result<(), MqError> {
        for (addr, set) in self.by_master(mqs).await? {
            let body = self.lock_body(set);
            let cmd = RemotingCommand::request(request::UNLOCK_BATCH_MQ).with_body(body);
            self.call(&addr, cmd).await?;
        }
        Ok(())
    }

    fn lock_body(&self, mq_set: BTreeSet<MessageQueue>) -> Vec<u8> {
        let body = LockBatchRequestBody {
            client_id: self.client_id().to_owned(),
            consumer_group: self.group().to_owned(),
            mq_set,
        };
        serde_json::to_vec(&body).unwrap_or_default()
    }

    async fn by_master(
        &self,
        mqs: &[MessageQueue],
    ) -> Result<BTreeMap<String, BTreeSet<MessageQueue>>, MqError> {
        let mut groups: BTreeMap<String, BTreeSet<MessageQueue>> = BTreeMap::new();
        for mq in mqs {
            let addr = self.master_addr(mq).await?;
            groups.entry(addr).or_default().insert(mq.clone());
        }
        Ok(groups)
    }
}
