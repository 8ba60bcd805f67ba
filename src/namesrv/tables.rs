//! The name server's route tables and every rule that changes them (Java `RouteInfoManager`),
//! as plain data with no actors or sockets, so the rules can be tested directly.
//!
//! Tables: cluster -> broker names; broker name -> BrokerData (brokerId -> addr); topic ->
//! broker name -> QueueData; broker addr -> liveness (last registration, data version, the
//! connection it registered on, HA address); broker addr -> filter servers.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::time::{Duration, Instant};

use crate::actors::remoting::{ConnHandle, ConnId};
use crate::protocol::cluster::{ClusterInfo, TopicList};
use crate::protocol::register::RegisterBrokerResult;
use crate::protocol::route::{BrokerData, QueueData, TopicRouteData};
use crate::protocol::topic::{perm, DataVersion, TopicConfig, TopicConfigSerializeWrapper};

/// What the name server knows about one live broker address.
#[derive(Debug, Clone)]
pub struct BrokerLive {
    pub last_update: Instant,
    pub data_version: DataVersion,
    /// The connection the broker registered on; its close drops the broker.
    pub conn: Option<ConnHandle>,
    pub ha_server_addr: String,
}

/// One REGISTER_BROKER call, decoded.
#[derive(Debug, Clone)]
pub struct Registration {
    pub cluster: String,
    pub broker_name: String,
    pub broker_addr: String,
    pub broker_id: i64,
    pub ha_server_addr: String,
    pub topics: TopicConfigSerializeWrapper,
    pub filter_server_list: Vec<String>,
    pub conn: Option<ConnHandle>,
}

/// All route tables of one name server.
#[derive(Debug, Default)]
pub struct RouteTables {
    topic_queue: BTreeMap<String, BTreeMap<String, QueueData>>,
    broker_addr: BTreeMap<String, BrokerData>,
    cluster_addr: BTreeMap<String, BTreeSet<String>>,
    broker_live: HashMap<String, BrokerLive>,
    filter_server: HashMap<String, Vec<String>>,
}

fn queue_data(broker_name: &str, tc: &TopicConfig) -> QueueData {
    QueueData {
        broker_name: broker_name.to_string(),
        perm: tc.perm,
        read_queue_nums: tc.read_queue_nums,
        topic_sys_flag: tc.topic_sys_flag,
        write_queue_nums: tc.write_queue_nums,
    }
}

impl RouteTables {
    /// Registers (or refreshes) a broker; only a master (id 0) updates topic routes, and only when
    /// its data version changed or this is its first registration.
    pub fn register(&mut self, reg: Registration, now: Instant) -> RegisterBrokerResult {
        self.cluster_addr
            .entry(reg.cluster.clone())
            .or_default()
            .insert(reg.broker_name.clone());

        let mut first = !self.broker_addr.contains_key(&reg.broker_name);
        let data = self
            .broker_addr
            .entry(reg.broker_name.clone())
            .or_insert_with(|| BrokerData::new(&reg.cluster, &reg.broker_name));
        data.cluster = reg.cluster.clone();
        // The same address under another id means the broker switched role (slave <-> master).
        data.broker_addrs
            .retain(|id, addr| *addr != reg.broker_addr || *id == reg.broker_id);
        let old = data
            .broker_addrs
            .insert(reg.broker_id, reg.broker_addr.clone());
        first |= old.is_none();

        if reg.broker_id == 0 {
            let changed = self
                .broker_live
                .get(&reg.broker_addr)
                .is_none_or(|live| live.data_version != reg.topics.data_version);
            if changed || first {
                for tc in reg.topics.topic_config_table.values() {
                    self.topic_queue
                        .entry(tc.topic_name.clone())
                        .or_default()
                        .insert(reg.broker_name.clone(), queue_data(&reg.broker_name, tc));
                }
            }
        }

        self.broker_live.insert(
            reg.broker_addr.clone(),
            BrokerLive {
                last_update: now,
                data_version: reg.topics.data_version,
                conn: reg.conn,
                ha_server_addr: reg.ha_server_addr,
            },
        );
        if reg.filter_server_list.is_empty() {
            self.filter_server.remove(&reg.broker_addr);
        } else {
            self.filter_server
                .insert(reg.broker_addr.clone(), reg.filter_server_list);
        }

        let mut result = RegisterBrokerResult::default();
        if reg.broker_id != 0 {
            let master = self
                .broker_addr
                .get(&reg.broker_name)
                .and_then(|d| d.master_addr());
            if let Some(master) = master {
                if let Some(live) = self.broker_live.get(master) {
                    result.master_addr = Some(master.to_string());
                    result.ha_server_addr = Some(live.ha_server_addr.clone());
                }
            }
        }
        result
    }

    /// UNREGISTER_BROKER: drops the address; a broker name without addresses disappears with its
    /// queue data. Returns true if something was removed.
    pub fn unregister(&mut self, cluster: &str, broker_name: &str, addr: &str, id: i64) -> bool {
        let live = self.broker_live.remove(addr).is_some();
        self.filter_server.remove(addr);
        let mut removed_name = false;
        let mut removed = live;
        if let Some(data) = self.broker_addr.get_mut(broker_name) {
            removed |= data.broker_addrs.remove(&id).is_some();
            if data.broker_addrs.is_empty() {
                self.broker_addr.remove(broker_name);
                removed_name = true;
            }
        }
        if removed_name {
            if let Some(names) = self.cluster_addr.get_mut(cluster) {
                names.remove(broker_name);
                if names.is_empty() {
                    self.cluster_addr.remove(cluster);
                }
            }
            self.remove_queue_data_of(broker_name);
        }
        removed
    }

    /// Removes every trace of a broker address (its connection closed or it expired).
    fn remove_addr(&mut self, addr: &str) {
        self.broker_live.remove(addr);
        self.filter_server.remove(addr);
        let mut emptied = Vec::new();
        for (name, data) in self.broker_addr.iter_mut() {
            data.broker_addrs.retain(|_, a| a != addr);
            if data.broker_addrs.is_empty() {
                emptied.push(name.clone());
            }
        }
        for name in emptied {
            self.broker_addr.remove(&name);
            self.cluster_addr.retain(|_, names| {
                names.remove(&name);
                !names.is_empty()
            });
            self.remove_queue_data_of(&name);
        }
    }

    fn remove_queue_data_of(&mut self, broker_name: &str) {
        self.topic_queue.retain(|_, by_name| {
            by_name.remove(broker_name);
            !by_name.is_empty()
        });
    }

    /// Drops the brokers registered on connection `conn`; returns their addresses.
    pub fn connection_closed(&mut self, conn: ConnId) -> Vec<String> {
        let addrs: Vec<String> = self
            .broker_live
            .iter()
            .filter(|(_, live)| live.conn.as_ref().is_some_and(|c| c.id() == conn))
            .map(|(addr, _)| addr.clone())
            .collect();
        for addr in &addrs {
            self.remove_addr(addr);
        }
        addrs
    }

    /// Drops brokers whose last registration is older than `expire`; returns their addresses
    /// and connections (which the caller closes, as Java does).
    pub fn scan_expired(
        &mut self,
        now: Instant,
        expire: Duration,
    ) -> Vec<(String, Option<ConnHandle>)> {
        let expired: Vec<(String, Option<ConnHandle>)> = self
            .broker_live
            .iter()
            .filter(|(_, live)| now.saturating_duration_since(live.last_update) > expire)
            .map(|(addr, live)| (addr.clone(), live.conn.clone()))
            .collect();
        for (addr, _) in &expired {
            self.remove_addr(addr);
        }
        expired
    }

    /// The route of `topic`, or `None` if no live broker serves it.
    pub fn route(&self, topic: &str) -> Option<TopicRouteData> {
        let by_name = self.topic_queue.get(topic)?;
        let mut route = TopicRouteData::default();
        for (name, qd) in by_name {
            route.queue_datas.push(qd.clone());
            if let Some(data) = self.broker_addr.get(name) {
                for addr in data.broker_addrs.values() {
                    if let Some(filters) = self.filter_server.get(addr) {
                        route
                            .filter_server_table
                            .insert(addr.clone(), filters.clone());
                    }
                }
                route.broker_datas.push(data.clone());
            }
        }
        (!route.broker_datas.is_empty() && !route.queue_datas.is_empty()).then_some(route)
    }

    pub fn cluster_info(&self) -> ClusterInfo {
        ClusterInfo {
            broker_addr_table: self.broker_addr.clone(),
            cluster_addr_table: self.cluster_addr.clone(),
        }
    }

    pub fn all_topics(&self) -> TopicList {
        TopicList {
            broker_addr: None,
            topic_list: self.topic_queue.keys().cloned().collect(),
        }
    }

    /// Topics with queue data on any broker name of `cluster`.
    pub fn topics_of_cluster(&self, cluster: &str) -> TopicList {
        let mut list = TopicList::default();
        if let Some(names) = self.cluster_addr.get(cluster) {
            for (topic, by_name) in &self.topic_queue {
                if by_name.keys().any(|n| names.contains(n)) {
                    list.topic_list.insert(topic.clone());
                }
            }
        }
        list
    }

    /// Topics whose first queue data's `topicSysFlag` passes `pick` (Java
    /// `RouteInfoManager.topicQueueTableIter`: the unit-topic lists 311-313).
    pub fn topics_with_flags(&self, pick: impl Fn(i32) -> bool) -> TopicList {
        TopicList {
            topic_list: self
                .topic_queue
                .iter()
                .filter(|(_, by_name)| {
                    by_name
                        .values()
                        .next()
                        .is_some_and(|q| pick(q.topic_sys_flag))
                })
                .map(|(t, _)| t.clone())
                .collect(),
            ..Default::default()
        }
    }

    /// GET_SYSTEM_TOPIC_LIST_FROM_NS: cluster and broker names (each is a system topic), plus one
    /// broker address for the client to ask for the rest.
    pub fn system_topics(&self) -> TopicList {
        let mut list = TopicList::default();
        for (cluster, names) in &self.cluster_addr {
            list.topic_list.insert(cluster.clone());
            list.topic_list.extend(names.iter().cloned());
        }
        list.broker_addr = self
            .broker_addr
            .values()
            .find_map(|d| d.broker_addrs.values().next().cloned());
        list
    }

    /// DELETE_TOPIC_IN_NAMESRV: from one cluster's brokers, or everywhere.
    pub fn delete_topic(&mut self, topic: &str, cluster: Option<&str>) {
        match cluster.and_then(|c| self.cluster_addr.get(c)) {
            Some(names) => {
                if let Some(by_name) = self.topic_queue.get_mut(topic) {
                    by_name.retain(|n, _| !names.contains(n));
                    if by_name.is_empty() {
                        self.topic_queue.remove(topic);
                    }
                }
            }
            None if cluster.is_some() => {}
            None => {
                self.topic_queue.remove(topic);
            }
        }
    }

    /// REGISTER_TOPIC_IN_NAMESRV: adds queue data for broker names that are registered.
    pub fn register_topic(&mut self, topic: &str, queue_datas: Vec<QueueData>) -> usize {
        let mut added = 0;
        for qd in queue_datas {
            if self.broker_addr.contains_key(&qd.broker_name) {
                self.topic_queue
                    .entry(topic.to_string())
                    .or_default()
                    .insert(qd.broker_name.clone(), qd);
                added += 1;
            }
        }
        added
    }

    /// WIPE_WRITE_PERM_OF_BROKER / ADD_WRITE_PERM_OF_BROKER: returns the number of topics touched.
    pub fn set_write_perm(&mut self, broker_name: &str, writable: bool) -> usize {
        let mut count = 0;
        for by_name in self.topic_queue.values_mut() {
            if let Some(qd) = by_name.get_mut(broker_name) {
                qd.perm = if writable {
                    perm::READ | perm::WRITE
                } else {
                    qd.perm & !perm::WRITE
                };
                count += 1;
            }
        }
        count
    }

    /// QUERY_DATA_VERSION: whether `version` differs from the stored one, and the stored one.
    /// An unchanged version counts as a registration for liveness.
    pub fn query_data_version(
        &mut self,
        addr: &str,
        version: &DataVersion,
        now: Instant,
    ) -> (bool, Option<DataVersion>) {
        match self.broker_live.get_mut(addr) {
            Some(live) if live.data_version == *version => {
                live.last_update = now;
                (false, Some(live.data_version))
            }
            Some(live) => (true, Some(live.data_version)),
            None => (true, None),
        }
    }

    /// Whether `addr` has a live registration.
    pub fn is_live(&self, addr: &str) -> bool {
        self.broker_live.contains_key(addr)
    }

    /// Number of live broker addresses.
    pub fn live_count(&self) -> usize {
        self.broker_live.len()
    }

    /// (clusters, broker names, live broker addresses, topics), for `/metrics`.
    pub fn sizes(&self) -> (usize, usize, usize, usize) {
        (
            self.cluster_addr.len(),
            self.broker_addr.len(),
            self.broker_live.len(),
            self.topic_queue.len(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reg(name: &str, addr: &str, id: i64, topics: &[&str], counter: i64) -> Registration {
        let mut wrapper = TopicConfigSerializeWrapper::default();
        wrapper.data_version.counter = counter;
        for t in topics {
            wrapper
                .topic_config_table
                .insert(t.to_string(), TopicConfig::new(*t, 4, 4, 6));
        }
        Registration {
            cluster: "C".into(),
            broker_name: name.into(),
            broker_addr: addr.into(),
            broker_id: id,
            ha_server_addr: format!("{addr}-ha"),
            topics: wrapper,
            filter_server_list: Vec::new(),
            conn: None,
        }
    }

    #[test]
    fn role_switch_keeps_one_id_per_address() {
        let mut t = RouteTables::default();
        let now = Instant::now();
        t.register(reg("b", "a1", 0, &["T"], 1), now);
        t.register(reg("b", "a2", 1, &["T"], 1), now);
        // a2 becomes master: its old slave id disappears.
        t.register(reg("b", "a2", 0, &["T"], 2), now);
        let route = t.route("T").unwrap();
        let addrs: Vec<_> = route.broker_datas[0].broker_addrs.iter().collect();
        assert_eq!(addrs, [(&0, &"a2".to_string())]);
    }

    #[test]
    fn slave_registration_does_not_touch_topics_and_unchanged_version_is_skipped() {
        let mut t = RouteTables::default();
        let now = Instant::now();
        t.register(reg("b", "a2", 1, &["FromSlave"], 1), now);
        assert!(t.route("FromSlave").is_none());
        let r = t.register(reg("b", "a1", 0, &["T"], 1), now);
        assert_eq!(r.master_addr, None);
        // Same data version: the new topic list is not applied.
        t.register(reg("b", "a1", 0, &["T", "U"], 1), now);
        assert!(t.route("U").is_none());
        t.register(reg("b", "a1", 0, &["T", "U"], 2), now);
        assert!(t.route("U").is_some());
        let r = t.register(reg("b", "a2", 1, &[], 1), now);
        assert_eq!(r.master_addr.as_deref(), Some("a1"));
        assert_eq!(r.ha_server_addr.as_deref(), Some("a1-ha"));
    }

    #[test]
    fn expiry_and_delete_topic_by_cluster() {
        let mut t = RouteTables::default();
        let start = Instant::now();
        t.register(reg("b", "a1", 0, &["T"], 1), start);
        let later = start + Duration::from_secs(200);
        t.register(reg("c", "a3", 0, &["T"], 1), later);
        let expired = t.scan_expired(later, Duration::from_secs(120));
        assert_eq!(expired.len(), 1);
        assert_eq!(expired[0].0, "a1");
        assert_eq!(t.route("T").unwrap().queue_datas.len(), 1);
        assert!(!t.cluster_info().broker_addr_table.contains_key("b"));
        t.delete_topic("T", Some("Other"));
        assert!(t.route("T").is_some());
        t.delete_topic("T", Some("C"));
        assert!(t.route("T").is_none());
    }
}
