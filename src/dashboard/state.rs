//! What every API handler shares: the admin client, the name-server list, the TPS history the
//! poller fills, and the cluster lookups (masters, broker names) of Java's `CommandUtil`.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use parking_lot::Mutex;

use super::tps::TpsHistory;
use super::ApiError;
use crate::acl::SessionCredentials;
use crate::client::{Admin, MqError, Producer, PullConsumer};
use crate::protocol::cluster::ClusterInfo;

/// One broker as the cluster info names it.
#[derive(Debug, Clone)]
pub struct BrokerRef {
    pub cluster: String,
    pub broker_name: String,
    pub broker_id: i64,
    pub addr: String,
}

#[derive(Clone)]
pub struct DashState {
    pub admin: Admin,
    pub namesrv: String,
    pub tps: Arc<Mutex<TpsHistory>>,
    /// ACL credentials every call is signed with (docs/acl.md), when the cluster needs them.
    pub credentials: Option<SessionCredentials>,
}

impl DashState {
    pub fn new(namesrv: &str, credentials: Option<SessionCredentials>) -> Result<Self, MqError> {
        let mut admin = Admin::new(namesrv)?.with_timeout(Duration::from_secs(5));
        if let Some(c) = &credentials {
            admin = admin.with_credentials(c.clone());
        }
        Ok(DashState {
            admin,
            namesrv: namesrv.to_owned(),
            tps: Arc::new(Mutex::new(TpsHistory::default())),
            credentials,
        })
    }

    /// A pull consumer of the dashboard's group, signed when credentials are set.
    pub fn pull_consumer(&self, group: &str) -> Result<PullConsumer, MqError> {
        let pc = PullConsumer::new(&self.namesrv, group)?;
        Ok(match &self.credentials {
            Some(c) => pc.with_credentials(c.clone()),
            None => pc,
        })
    }

    /// A producer of the dashboard's group, signed when credentials are set.
    pub fn producer(&self, group: &str) -> Result<Producer, MqError> {
        let p = Producer::new(&self.namesrv, group)?;
        Ok(match &self.credentials {
            Some(c) => p.with_credentials(c.clone()),
            None => p,
        })
    }

    /// GET_BROKER_CLUSTER_INFO from the name servers.
    pub async fn cluster_info(&self) -> Result<ClusterInfo, ApiError> {
        Ok(self.admin.name_server()?.cluster_info().await?)
    }

    /// Every broker (masters and slaves) with its cluster, sorted by cluster, name, id.
    pub async fn brokers(&self) -> Result<Vec<BrokerRef>, ApiError> {
        let info = self.cluster_info().await?;
        Ok(brokers_of(&info))
    }

    /// broker name → master address, over every cluster.
    pub async fn masters(&self) -> Result<BTreeMap<String, String>, ApiError> {
        Ok(self
            .brokers()
            .await?
            .into_iter()
            .filter(|b| b.broker_id == 0)
            .map(|b| (b.broker_name, b.addr))
            .collect())
    }
}

/// Flattens the cluster info into broker rows.
pub fn brokers_of(info: &ClusterInfo) -> Vec<BrokerRef> {
    let mut out = Vec::new();
    for (cluster, names) in &info.cluster_addr_table {
        for name in names {
            let Some(bd) = info.broker_addr_table.get(name) else {
                continue;
            };
            for (id, addr) in &bd.broker_addrs {
                out.push(BrokerRef {
                    cluster: cluster.clone(),
                    broker_name: name.clone(),
                    broker_id: *id,
                    addr: addr.clone(),
                });
            }
        }
    }
    out
}

impl DashState {
    /// One round of the TPS history: every broker's runtime info, recorded. Unreachable brokers
    /// are skipped (the cluster page shows their error).
    pub async fn poll_tps_once(&self) {
        let Ok(brokers) = self.brokers().await else {
            return;
        };
        let addrs: Vec<String> = brokers.iter().map(|b| b.addr.clone()).collect();
        for addr in &addrs {
            if let Ok(table) = self.admin.broker_runtime_info(addr).await {
                self.tps
                    .lock()
                    .record(addr, crate::store::time::now_ms(), &table);
            }
        }
        self.tps.lock().retain(&addrs);
    }

    /// The TPS poller of the dashboard process: a round every `interval`.
    pub async fn poll_tps_forever(self, interval: Duration) {
        let mut tick = tokio::time::interval(interval);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            self.poll_tps_once().await;
        }
    }
}
