//! Online consumers per group, from heartbeats: which connections belong to a group, what the
//! group subscribes to, and when the set of clients changes (the broker then sends
//! NOTIFY_CONSUMER_IDS_CHANGED so the group's clients rebalance).

use std::collections::{BTreeMap, BTreeSet};

use slog::{info, warn, Logger};

use super::client_channel::{ClientChannelInfo, ConnId};
use crate::protocol::admin::ConsumerConnection;
use crate::protocol::heartbeat::{ConsumeFromWhere, ConsumeType, MessageModel, SubscriptionData};

/// One online consumer group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsumerGroupInfo {
    pub group_name: String,
    pub consume_type: ConsumeType,
    pub message_model: MessageModel,
    pub consume_from_where: ConsumeFromWhere,
    /// topic → subscription.
    pub subscriptions: BTreeMap<String, SubscriptionData>,
    /// connection → client.
    pub channels: BTreeMap<ConnId, ClientChannelInfo>,
    pub last_update: i64,
}

impl ConsumerGroupInfo {
    fn new(group: &str, ct: ConsumeType, mm: MessageModel, cfw: ConsumeFromWhere) -> Self {
        ConsumerGroupInfo {
            group_name: group.to_string(),
            consume_type: ct,
            message_model: mm,
            consume_from_where: cfw,
            subscriptions: BTreeMap::new(),
            channels: BTreeMap::new(),
            last_update: 0,
        }
    }

    /// Adds or refreshes a client; true when the connection is new to the group.
    fn update_channel(&mut self, info: ClientChannelInfo) -> bool {
        self.last_update = info.last_update;
        match self.channels.get_mut(&info.conn) {
            None => {
                self.channels.insert(info.conn, info);
                true
            }
            Some(old) => {
                // A connection carries one client; a different id on it is a client bug, kept
                // as the newest word (Java does the same) without counting as a change.
                *old = info;
                false
            }
        }
    }

    /// Applies the heartbeat's subscription list: a new topic is added, a known topic replaced
    /// only by a higher subVersion, topics not listed removed. True when the topic set changed.
    fn update_subscriptions(&mut self, subs: &[SubscriptionData]) -> bool {
        let mut changed = false;
        for sub in subs {
            match self.subscriptions.get(&sub.topic) {
                None => {
                    self.subscriptions.insert(sub.topic.clone(), sub.clone());
                    changed = true;
                }
                Some(old) if sub.sub_version > old.sub_version => {
                    self.subscriptions.insert(sub.topic.clone(), sub.clone());
                }
                Some(_) => {}
            }
        }
        let listed: BTreeSet<&str> = subs.iter().map(|s| s.topic.as_str()).collect();
        let before = self.subscriptions.len();
        self.subscriptions
            .retain(|topic, _| listed.contains(topic.as_str()));
        changed || self.subscriptions.len() != before
    }

    /// Client ids of the group's connections.
    pub fn client_ids(&self) -> Vec<String> {
        self.channels
            .values()
            .map(|c| c.client_id.clone())
            .collect()
    }
}

/// All online consumer groups.
#[derive(Debug)]
pub struct ConsumerManager {
    groups: BTreeMap<String, ConsumerGroupInfo>,
    log: Logger,
}

impl ConsumerManager {
    pub fn new(log: &Logger) -> Self {
        ConsumerManager {
            groups: BTreeMap::new(),
            log: log.new(slog::o!("component" => "consumer-manager")),
        }
    }

    /// Registers a consumer from a heartbeat. Returns true when the group's clients must be
    /// told to rebalance: a new connection joined, or a topic was added to or removed from the
    /// group's subscriptions (a higher subVersion alone does not count).
    pub fn register_consumer(
        &mut self,
        group: &str,
        info: ClientChannelInfo,
        consume_type: ConsumeType,
        message_model: MessageModel,
        consume_from_where: ConsumeFromWhere,
        subscriptions: &[SubscriptionData],
    ) -> bool {
        let g = self.groups.entry(group.to_string()).or_insert_with(|| {
            ConsumerGroupInfo::new(group, consume_type, message_model, consume_from_where)
        });
        g.consume_type = consume_type;
        g.message_model = message_model;
        g.consume_from_where = consume_from_where;
        let client_id = info.client_id.clone();
        let conn = info.conn;
        let joined = g.update_channel(info);
        let subs_changed = g.update_subscriptions(subscriptions);
        if joined {
            info!(self.log, "consumer joined"; "group" => group, "client" => &client_id, "conn" => %conn);
        }
        if subs_changed {
            info!(self.log, "consumer subscriptions changed"; "group" => group,
                "topics" => ?g.subscriptions.keys().collect::<Vec<_>>());
        }
        joined || subs_changed
    }

    /// UNREGISTER_CLIENT for a consumer group. Returns whether the connection was in the group.
    pub fn unregister_consumer(&mut self, group: &str, conn: ConnId) -> bool {
        let Some(g) = self.groups.get_mut(group) else {
            return false;
        };
        let removed = g.channels.remove(&conn);
        if let Some(c) = &removed {
            info!(self.log, "consumer unregistered"; "group" => group, "client" => &c.client_id);
        }
        if g.channels.is_empty() {
            self.groups.remove(group);
        }
        removed.is_some()
    }

    /// A connection closed: removes it from every group. Returns the groups it was in, whose
    /// remaining clients should be notified.
    pub fn do_channel_close(&mut self, conn: ConnId) -> Vec<String> {
        let mut changed = Vec::new();
        for (name, g) in self.groups.iter_mut() {
            if let Some(c) = g.channels.remove(&conn) {
                warn!(self.log, "consumer connection closed"; "group" => name.as_str(),
                    "client" => &c.client_id, "conn" => %conn);
                changed.push(name.clone());
            }
        }
        self.groups.retain(|_, g| !g.channels.is_empty());
        changed
    }

    /// Drops clients silent for longer than `expire_ms` (normally 120 s). Returns what was
    /// removed so the caller can close those connections. No notification, as in Java.
    pub fn scan_not_active(
        &mut self,
        now_ms: i64,
        expire_ms: i64,
    ) -> Vec<(String, ClientChannelInfo)> {
        let mut removed = Vec::new();
        for (name, g) in self.groups.iter_mut() {
            let expired: Vec<ConnId> = g
                .channels
                .values()
                .filter(|c| c.is_expired(now_ms, expire_ms))
                .map(|c| c.conn)
                .collect();
            for conn in expired {
                if let Some(c) = g.channels.remove(&conn) {
                    warn!(self.log, "consumer expired"; "group" => name.as_str(),
                        "client" => &c.client_id, "last_update" => c.last_update);
                    removed.push((name.clone(), c));
                }
            }
        }
        self.groups.retain(|_, g| !g.channels.is_empty());
        removed
    }

    /// The online group, if any.
    pub fn group(&self, group: &str) -> Option<&ConsumerGroupInfo> {
        self.groups.get(group)
    }

    /// Names of all online groups.
    pub fn group_names(&self) -> impl Iterator<Item = &str> {
        self.groups.keys().map(String::as_str)
    }

    /// The group's subscription to `topic`.
    pub fn find_subscription(&self, group: &str, topic: &str) -> Option<&SubscriptionData> {
        self.groups
            .get(group)
            .and_then(|g| g.subscriptions.get(topic))
    }

    /// Client ids of the group (GET_CONSUMER_LIST_BY_GROUP); empty when offline.
    pub fn consumer_ids(&self, group: &str) -> Vec<String> {
        self.groups
            .get(group)
            .map(ConsumerGroupInfo::client_ids)
            .unwrap_or_default()
    }

    /// Connections of the group (targets of NOTIFY_CONSUMER_IDS_CHANGED).
    pub fn channels(&self, group: &str) -> Vec<ConnId> {
        self.groups
            .get(group)
            .map(|g| g.channels.keys().copied().collect())
            .unwrap_or_default()
    }

    /// The connection of `client_id` in `group` (forwarding 307/309 to a client).
    pub fn find_channel(&self, group: &str, client_id: &str) -> Option<&ClientChannelInfo> {
        self.groups
            .get(group)?
            .channels
            .values()
            .find(|c| c.client_id == client_id)
    }

    /// Online groups subscribed to `topic` (QUERY_TOPIC_CONSUME_BY_WHO).
    pub fn groups_by_topic(&self, topic: &str) -> BTreeSet<String> {
        self.groups
            .iter()
            .filter(|(_, g)| g.subscriptions.contains_key(topic))
            .map(|(n, _)| n.clone())
            .collect()
    }

    /// Body of GET_CONSUMER_CONNECTION_LIST (203); `None` = group offline (answer 206).
    pub fn connections(&self, group: &str) -> Option<ConsumerConnection> {
        let g = self.groups.get(group).filter(|g| !g.channels.is_empty())?;
        Some(ConsumerConnection {
            connection_set: g
                .channels
                .values()
                .map(ClientChannelInfo::to_connection)
                .collect(),
            consume_from_where: g.consume_from_where,
            consume_type: g.consume_type,
            message_model: g.message_model,
            subscription_table: g.subscriptions.clone(),
        })
    }
}
