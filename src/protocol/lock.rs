//! Bodies of LOCK_BATCH_MQ (41) and UNLOCK_BATCH_MQ (42): orderly consumers lock the queues
//! they own on the broker so that two clients never consume one queue at the same time.

use std::collections::BTreeSet;

use serde::{Deserialize, Deserializer, Serialize};

use super::lenient;
use super::message_queue::MessageQueue;

/// Request body of 41, and (same shape) of 42.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LockBatchRequestBody {
    #[serde(default, deserialize_with = "lenient::string")]
    pub client_id: String,
    #[serde(default, deserialize_with = "lenient::string")]
    pub consumer_group: String,
    #[serde(default, deserialize_with = "mq_set")]
    pub mq_set: BTreeSet<MessageQueue>,
}

/// Request body of 42; identical in shape to the lock request.
pub type UnlockBatchRequestBody = LockBatchRequestBody;

/// Response body of 41: the queues now locked by the requesting client.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct LockBatchResponseBody {
    #[serde(rename = "lockOKMQSet", default, deserialize_with = "mq_set")]
    pub lock_ok_mq_set: BTreeSet<MessageQueue>,
}

pub(crate) fn mq_set<'de, D: Deserializer<'de>>(d: D) -> Result<BTreeSet<MessageQueue>, D::Error> {
    Ok(Option::<BTreeSet<MessageQueue>>::deserialize(d)?.unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lock_bodies_round_trip() {
        let req: LockBatchRequestBody = serde_json::from_str(
            r#"{"clientId":"c1","consumerGroup":"g","mqSet":[{"brokerName":"b","queueId":"1","topic":"T"}],"onlyThisBroker":false}"#,
        )
        .unwrap();
        assert_eq!(req.mq_set.iter().next().unwrap().queue_id, 1);
        let resp = LockBatchResponseBody {
            lock_ok_mq_set: req.mq_set.clone(),
        };
        assert_eq!(
            serde_json::to_string(&resp).unwrap(),
            r#"{"lockOKMQSet":[{"brokerName":"b","queueId":1,"topic":"T"}]}"#
        );
    }
}
