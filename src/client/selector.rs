//! SQL92 subscriptions for the project's client: CHECK_CLIENT_CONFIG (46), which a Java
//! consumer sends before it starts (`MQClientInstance.checkClientInBroker`), and pulls that
//! carry a SQL92 expression in their header (as Java's `DefaultMQPullConsumer` with a
//! `MessageSelector` does). The broker evaluates the expression (docs/protocol.md §2.6).

use crate::client::consumer::PullSpec;
use crate::client::{MqError, PullConsumer, PullResult};
use crate::codec::codes::request;
use crate::codec::RemotingCommand;
use crate::protocol::heartbeat::{CheckClientRequestBody, SubscriptionData};
use crate::protocol::message_queue::MessageQueue;

impl PullConsumer {
    /// CHECK_CLIENT_CONFIG to every broker of `sub.topic`: `Ok` when each accepts the
    /// subscription; the first refusal (code and remark) otherwise.
    pub async fn check_client_config(&self, sub: &SubscriptionData) -> Result<(), MqError> {
        self.routes().get(&sub.topic).await?;
        let body = CheckClientRequestBody {
            client_id: self.client_id().to_owned(),
            group: self.group().to_owned(),
            subscription_data: Some(sub.clone()),
        };
        let json = serde_json::to_vec(&body)
            .map_err(|e| MqError::InvalidArgument(format!("subscription: {e}")))?;
        for addr in self
            .routes()
            .broker_addrs_of(std::slice::from_ref(&sub.topic))
        {
            let cmd =
                RemotingCommand::request(request::CHECK_CLIENT_CONFIG).with_body(json.clone());
            self.call(&addr, cmd).await?;
        }
        Ok(())
    }

    /// PULL_MESSAGE with a SQL92 expression in the header: the broker returns only the
    /// messages whose properties (and TAGS) satisfy it.
    pub async fn pull_sql92(
        &self,
        mq: &MessageQueue,
        offset: i64,
        max_nums: i32,
        expression: &str,
    ) -> Result<PullResult, MqError> {
        let sub = SubscriptionData::build_sql92(&mq.topic, expression, 0);
        let spec = PullSpec {
            max_nums,
            expression: Some(expression),
            filter: Some(&sub),
            suspend: None,
            commit_offset: None,
        };
        self.pull_with(mq, offset, &spec).await
    }
}
