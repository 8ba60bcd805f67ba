//! The pull consumer's client registration: HEART_BEAT to every master of its topics and
//! UNREGISTER_CLIENT on close (moved out of `consumer.rs` to keep it under the size limit).

#[allow(unused_imports)]
use super::*;

impl PullConsumer {
    /// The heartbeat body for this consumer.
    pub fn heartbeat_data(
        &self,
        subscriptions: &[SubscriptionData],
        consume_type: ConsumeType,
        consume_from: ConsumeFromWhere,
    ) -> HeartbeatData {
        HeartbeatData {
            client_id: self.inner.client_id.clone(),
            consumer_data_set: vec![ConsumerData {
                consume_from_where: consume_from,
                consume_type,
                group_name: self.inner.group.clone(),
                message_model: MessageModel::Clustering,
                subscription_data_set: subscriptions.to_vec(),
                unit_mode: false,
            }],
            producer_data_set: Vec::new(),
        }
    }

    /// HEART_BEAT (34) as a pull consumer (CONSUME_ACTIVELY) to every broker of the
    /// subscribed topics; returns how many brokers accepted it.
    pub async fn heartbeat(&self, subscriptions: &[SubscriptionData]) -> Result<usize, MqError> {
        let data = self.heartbeat_data(
            subscriptions,
            ConsumeType::Actively,
            ConsumeFromWhere::LastOffset,
        );
        self.send_heartbeat(&data).await
    }

    /// Sends `data` to every broker (masters and slaves) of the topics it subscribes to.
    /// Fails only when no broker accepted it.
    pub async fn send_heartbeat(&self, data: &HeartbeatData) -> Result<usize, MqError> {
        let topics: Vec<String> = data
            .consumer_data_set
            .iter()
            .flat_map(|c| c.subscription_data_set.iter().map(|s| s.topic.clone()))
            .collect();
        for t in &topics {
            // A topic without a route (e.g. a retry topic not created yet) simply has no brokers.
            let _ = self.inner.routes.get(t).await;
        }
        let addrs = self.inner.routes.broker_addrs_of(&topics);
        let body = bytes::Bytes::from(data.encode());
        let mut ok = 0;
        let mut last_err = None;
        for addr in &addrs {
            let cmd = RemotingCommand::request(request::HEART_BEAT).with_body(body.clone());
            match self.call(addr, cmd).await {
                Ok(_) => ok += 1,
                Err(e) => last_err = Some(e),
            }
        }
        match last_err {
            Some(e) if ok == 0 => Err(e),
            _ => Ok(ok),
        }
    }

    /// UNREGISTER_CLIENT (35) to every broker of the cached routes, so the brokers drop us
    /// (and tell the rest of the group) now rather than at connection close. Fails with the
    /// last error when some broker did not accept it.
    pub async fn unregister(&self) -> Result<(), MqError> {
        let routes = &self.inner.routes;
        let mut last_err = None;
        for addr in routes.broker_addrs_of(&routes.topics()) {
            let cmd = RemotingCommand::request(request::UNREGISTER_CLIENT)
                .with_ext("clientID", &self.inner.client_id)
                .with_ext("consumerGroup", &self.inner.group);
            if let Err(e) = self.call(&addr, cmd).await {
                last_err = Some(e);
            }
        }
        last_err.map_or(Ok(()), Err)
    }
}
