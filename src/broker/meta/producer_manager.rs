//! Online producers per group, from heartbeats: used for GET_PRODUCER_CONNECTION_LIST and to
//! find a producer connection for transaction checks.

use std::collections::BTreeMap;

use slog::{info, warn, Logger};

use super::client_channel::{ClientChannelInfo, ConnId};
use crate::protocol::admin::ProducerConnection;

/// All online producer groups: group → connection → client.
#[derive(Debug)]
pub struct ProducerManager {
    groups: BTreeMap<String, BTreeMap<ConnId, ClientChannelInfo>>,
    log: Logger,
}

impl ProducerManager {
    pub fn new(log: &Logger) -> Self {
        ProducerManager {
            groups: BTreeMap::new(),
            log: log.new(slog::o!("component" => "producer-manager")),
        }
    }

    /// Registers or refreshes a producer from a heartbeat; true when the connection is new.
    pub fn register_producer(&mut self, group: &str, info: ClientChannelInfo) -> bool {
        let g = self.groups.entry(group.to_string()).or_default();
        let conn = info.conn;
        let client_id = info.client_id.clone();
        let new = g.insert(conn, info).is_none();
        if new {
            info!(self.log, "producer joined"; "group" => group, "client" => client_id, "conn" => %conn);
        }
        new
    }

    /// UNREGISTER_CLIENT for a producer group. Returns whether the connection was registered.
    pub fn unregister_producer(&mut self, group: &str, conn: ConnId) -> bool {
        let Some(g) = self.groups.get_mut(group) else {
            return false;
        };
        let removed = g.remove(&conn).is_some();
        if g.is_empty() {
            self.groups.remove(group);
        }
        removed
    }

    /// A connection closed: removes it everywhere. Returns the groups it was in.
    pub fn do_channel_close(&mut self, conn: ConnId) -> Vec<String> {
        let mut changed = Vec::new();
        for (name, g) in self.groups.iter_mut() {
            if let Some(c) = g.remove(&conn) {
                info!(self.log, "producer connection closed"; "group" => name.as_str(),
                    "client" => c.client_id, "conn" => %conn);
                changed.push(name.clone());
            }
        }
        self.groups.retain(|_, g| !g.is_empty());
        changed
    }

    /// Drops producers silent for longer than `expire_ms`; returns them so the caller can
    /// close their connections.
    pub fn scan_not_active(
        &mut self,
        now_ms: i64,
        expire_ms: i64,
    ) -> Vec<(String, ClientChannelInfo)> {
        let mut removed = Vec::new();
        for (name, g) in self.groups.iter_mut() {
            let expired: Vec<ConnId> = g
                .values()
                .filter(|c| c.is_expired(now_ms, expire_ms))
                .map(|c| c.conn)
                .collect();
            for conn in expired {
                if let Some(c) = g.remove(&conn) {
                    warn!(self.log, "producer expired"; "group" => name.as_str(),
                        "client" => &c.client_id, "last_update" => c.last_update);
                    removed.push((name.clone(), c));
                }
            }
        }
        self.groups.retain(|_, g| !g.is_empty());
        removed
    }

    /// Body of GET_PRODUCER_CONNECTION_LIST (204); `None` = no producer online (answer 1).
    pub fn connections(&self, group: &str) -> Option<ProducerConnection> {
        let g = self.groups.get(group).filter(|g| !g.is_empty())?;
        Some(ProducerConnection {
            connection_set: g.values().map(ClientChannelInfo::to_connection).collect(),
        })
    }

    /// Some live producer of the group (transaction state checks).
    pub fn any_channel(&self, group: &str) -> Option<&ClientChannelInfo> {
        self.groups
            .get(group)?
            .values()
            .max_by_key(|c| c.last_update)
    }

    /// Every connection of a group, in a stable order (Java `getAvailableChannel` picks one
    /// round-robin).
    pub fn channel_ids(&self, group: &str) -> Vec<ConnId> {
        self.groups
            .get(group)
            .map(|g| g.keys().copied().collect())
            .unwrap_or_default()
    }

    /// The producer connection of a client id, in any group.
    pub fn find_by_client_id(&self, client_id: &str) -> Option<&ClientChannelInfo> {
        self.groups
            .values()
            .flat_map(|g| g.values())
            .find(|c| c.client_id == client_id)
    }

    /// Every online producer by group (GET_ALL_PRODUCER_INFO).
    pub fn all_clients(&self) -> impl Iterator<Item = (&str, &ClientChannelInfo)> {
        self.groups
            .iter()
            .flat_map(|(g, conns)| conns.values().map(move |c| (g.as_str(), c)))
    }

    /// Names of all online producer groups.
    pub fn group_names(&self) -> impl Iterator<Item = &str> {
        self.groups.keys().map(String::as_str)
    }
}
