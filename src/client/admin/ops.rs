//! The admin calls `rocketactor admin` needs beyond the dashboard's: broker write-permission
//! switches on the name servers, runtime broker configuration, consume-offset reads and
//! writes by queue, the broker-driven offset reset (222) and broker stats (315).

use std::collections::BTreeMap;

use super::Admin;
use crate::client::mq_error::{expect_success, MqError};
use crate::codec::codes::{request, response};
use crate::codec::RemotingCommand;
use crate::protocol::message_queue::MessageQueue;
use crate::protocol::reset_offset::ResetOffsetBody;

/// One window of VIEW_BROKER_STATS_DATA (Java `BrokerStatsItem`).
#[derive(Debug, Clone, Copy, PartialEq, Default, serde::Deserialize)]
pub struct StatsItem {
    #[serde(default)]
    pub sum: i64,
    #[serde(default)]
    pub tps: f64,
    #[serde(default)]
    pub avgpt: f64,
}

/// The body of VIEW_BROKER_STATS_DATA (Java `BrokerStatsData`).
#[derive(Debug, Clone, Copy, PartialEq, Default, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StatsData {
    #[serde(default)]
    pub stats_minute: StatsItem,
    #[serde(default)]
    pub stats_hour: StatsItem,
    #[serde(default)]
    pub stats_day: StatsItem,
}

impl Admin {
    /// WIPE_WRITE_PERM_OF_BROKER (205) or ADD_WRITE_PERM_OF_BROKER (327) on every name server:
    /// (name server, topics touched or the error) per name server.
    pub async fn set_write_perm(
        &self,
        broker_name: &str,
        writable: bool,
    ) -> Result<Vec<(String, Result<i64, MqError>)>, MqError> {
        let (code, header) = if writable {
            (request::ADD_WRITE_PERM_OF_BROKER, "addTopicCount")
        } else {
            (request::WIPE_WRITE_PERM_OF_BROKER, "wipeTopicCount")
        };
        let cmd = RemotingCommand::request(code).with_ext("brokerName", broker_name);
        let mut out = Vec::new();
        for (addr, r) in self.name_server()?.invoke_all(cmd).await {
            let counted = r.and_then(|resp| {
                let resp = expect_success(&addr, code, resp)?;
                resp.header_i64(header)
                    .map_err(|e| MqError::bad(&addr, code, e.to_string()))
            });
            out.push((addr, counted));
        }
        Ok(out)
    }

    /// UPDATE_BROKER_CONFIG (25): the body is `key=value` lines (Java
    /// `MixAll.properties2String`).
    pub async fn update_broker_config(
        &self,
        addr: &str,
        props: &BTreeMap<String, String>,
    ) -> Result<(), MqError> {
        let body: String = props.iter().map(|(k, v)| format!("{k}={v}\n")).collect();
        let cmd = RemotingCommand::request(request::UPDATE_BROKER_CONFIG).with_body(body);
        self.call(addr, cmd).await.map(|_| ())
    }

    /// QUERY_CONSUMER_OFFSET (14) of `group` on `mq` at `addr`; `None` when the broker has none.
    pub async fn consumer_offset(
        &self,
        addr: &str,
        group: &str,
        mq: &MessageQueue,
    ) -> Result<Option<i64>, MqError> {
        let code = request::QUERY_CONSUMER_OFFSET;
        let cmd = RemotingCommand::request(code)
            .with_ext("consumerGroup", group)
            .with_ext("topic", &mq.topic)
            .with_ext("queueId", mq.queue_id);
        let resp = self.pool.invoke(addr, cmd, self.timeout).await?;
        if resp.code == response::QUERY_NOT_FOUND {
            return Ok(None);
        }
        let resp = expect_success(addr, code, resp)?;
        resp.header_i64("offset")
            .map(Some)
            .map_err(|e| MqError::bad(addr, code, e.to_string()))
    }

    /// UPDATE_CONSUMER_OFFSET (15), answered (not oneway) as `updateConsumeOffset` does.
    pub async fn update_consumer_offset(
        &self,
        addr: &str,
        group: &str,
        mq: &MessageQueue,
        offset: i64,
    ) -> Result<(), MqError> {
        let cmd = RemotingCommand::request(request::UPDATE_CONSUMER_OFFSET)
            .with_ext("consumerGroup", group)
            .with_ext("topic", &mq.topic)
            .with_ext("queueId", mq.queue_id)
            .with_ext("commitOffset", offset);
        self.call(addr, cmd).await.map(|_| ())
    }

    /// INVOKE_BROKER_TO_RESET_OFFSET (222): the broker computes each queue's offset for
    /// `timestamp` (-1 = the max offset) and pushes it to the group's online consumers; an
    /// offline group is code 206 (CONSUMER_NOT_ONLINE).
    pub async fn invoke_reset_offset(
        &self,
        addr: &str,
        topic: &str,
        group: &str,
        timestamp: i64,
        force: bool,
    ) -> Result<BTreeMap<MessageQueue, i64>, MqError> {
        let code = request::INVOKE_BROKER_TO_RESET_OFFSET;
        let cmd = RemotingCommand::request(code)
            .with_ext("topic", topic)
            .with_ext("group", group)
            .with_ext("timestamp", timestamp)
            .with_ext("isForce", force);
        let resp = self.call(addr, cmd).await?;
        if resp.body.is_empty() {
            return Ok(BTreeMap::new());
        }
        let text = String::from_utf8_lossy(&resp.body);
        ResetOffsetBody::decode(&text)
            .map(|b| b.offset_table)
            .map_err(|e| MqError::bad(addr, code, e.to_string()))
    }

    /// VIEW_BROKER_STATS_DATA (315) of one stats item (`TOPIC_PUT_NUMS`, key = topic, ...).
    pub async fn view_broker_stats(
        &self,
        addr: &str,
        stats_name: &str,
        stats_key: &str,
    ) -> Result<StatsData, MqError> {
        let cmd = RemotingCommand::request(request::VIEW_BROKER_STATS_DATA)
            .with_ext("statsName", stats_name)
            .with_ext("statsKey", stats_key);
        self.call_json(addr, cmd).await
    }
}

impl Admin {
    /// GET_SYSTEM_TOPIC_LIST_FROM_BROKER (304): the broker's system topics.
    pub async fn system_topics(&self, addr: &str) -> Result<Vec<String>, MqError> {
        let list: crate::protocol::admin::TopicList = self
            .call_json(
                addr,
                RemotingCommand::request(request::GET_SYSTEM_TOPIC_LIST_FROM_BROKER),
            )
            .await?;
        Ok(list.topic_list)
    }
}
