//! What a heartbeat, an UNREGISTER_CLIENT or a closed connection does to the broker's tables,
//! as one synchronous step (Java `ClientManageProcessor` + `ClientHousekeepingService`), so the
//! actor that owns the tables only decodes, calls, persists and sends notifications.
//!
//! For each consumer group of a heartbeat: find or auto-create the subscription group, create
//! `%RETRY%{group}` with the group's retry queue count (perm RW), register the client; groups
//! whose client set or topic set changed, and whose config allows it, are reported for
//! NOTIFY_CONSUMER_IDS_CHANGED (40).

use super::client_channel::{ClientChannelInfo, ConnId};
use super::consumer_manager::ConsumerManager;
use super::producer_manager::ProducerManager;
use super::subscription_group::SubscriptionGroupManager;
use super::topic_config::TopicConfigManager;
use super::topic_validator::retry_topic;
use crate::protocol::heartbeat::HeartbeatData;
use crate::protocol::topic::perm;

/// topicSysFlag bit of a unit-mode subscriber's retry topic (Java `TopicSysFlag.FLAG_UNIT_SUB`).
pub const FLAG_UNIT_SUB: i32 = 2;

/// The tables a client event touches.
pub struct ClientTables<'a> {
    pub topics: &'a mut TopicConfigManager,
    pub groups: &'a mut SubscriptionGroupManager,
    pub consumers: &'a mut ConsumerManager,
    pub producers: &'a mut ProducerManager,
    /// BrokerConfig `autoCreateSubscriptionGroup`.
    pub auto_create_subscription_group: bool,
}

/// What the caller must do after an event.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ClientEventEffects {
    /// Consumer groups whose clients get NOTIFY_CONSUMER_IDS_CHANGED (send to
    /// `ConsumerManager::channels(group)`).
    pub notify_groups: Vec<String>,
    /// A topic was created: persist topics.json and re-register with the name servers.
    pub topics_changed: bool,
    /// A subscription group was created: persist subscriptionGroup.json.
    pub groups_changed: bool,
}

impl ClientTables<'_> {
    fn notify_enabled(&self, group: &str) -> bool {
        self.groups
            .find(group)
            .map(|c| c.notify_consumer_ids_changed_enable)
            .unwrap_or(true)
    }

    /// HEART_BEAT (34). `client` carries the connection, address, language and version of the
    /// request; its `client_id` is replaced by the body's `clientID`.
    pub fn apply_heartbeat(
        &mut self,
        hb: &HeartbeatData,
        mut client: ClientChannelInfo,
    ) -> ClientEventEffects {
        client.client_id = hb.client_id.clone();
        let mut fx = ClientEventEffects::default();
        for data in &hb.consumer_data_set {
            let lookup = self
                .groups
                .find_or_create(&data.group_name, self.auto_create_subscription_group);
            let mut notify = true;
            if let Some(l) = lookup {
                fx.groups_changed |= l.created;
                notify = l.config.notify_consumer_ids_changed_enable;
                let sys_flag = if data.unit_mode { FLAG_UNIT_SUB } else { 0 };
                let created = self.topics.create_topic_in_send_back(
                    &retry_topic(&data.group_name),
                    l.config.retry_queue_nums,
                    perm::READ | perm::WRITE,
                    sys_flag,
                );
                fx.topics_changed |= created.created;
            }
            let changed = self.consumers.register_consumer(
                &data.group_name,
                client.clone(),
                data.consume_type,
                data.message_model,
                data.consume_from_where,
                &data.subscription_data_set,
            );
            if changed && notify {
                fx.notify_groups.push(data.group_name.clone());
            }
        }
        for data in &hb.producer_data_set {
            self.producers
                .register_producer(&data.group_name, client.clone());
        }
        fx
    }

    /// UNREGISTER_CLIENT (35) from connection `conn`.
    pub fn apply_unregister(
        &mut self,
        conn: ConnId,
        producer_group: Option<&str>,
        consumer_group: Option<&str>,
    ) -> ClientEventEffects {
        let mut fx = ClientEventEffects::default();
        if let Some(g) = producer_group.filter(|g| !g.is_empty()) {
            self.producers.unregister_producer(g, conn);
        }
        if let Some(g) = consumer_group.filter(|g| !g.is_empty()) {
            if self.consumers.unregister_consumer(g, conn) && self.notify_enabled(g) {
                fx.notify_groups.push(g.to_string());
            }
        }
        fx
    }

    /// A client connection closed (TCP close, idle, error): drop it everywhere and notify the
    /// rest of its consumer groups.
    pub fn apply_connection_closed(&mut self, conn: ConnId) -> ClientEventEffects {
        self.producers.do_channel_close(conn);
        let groups = self.consumers.do_channel_close(conn);
        ClientEventEffects {
            notify_groups: groups
                .into_iter()
                .filter(|g| self.notify_enabled(g))
                .collect(),
            ..Default::default()
        }
    }
}
