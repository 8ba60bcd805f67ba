//! Wires HA replication into a broker: a master (SYNC_MASTER or ASYNC_MASTER) runs the HA
//! master actor on its HA port and plugs a [`ReplicationWait`] into the send path; a SLAVE runs
//! the HA slave actor, pointed at `haMasterAddress` or at the `haServerAddr` its name-server
//! registrations return. The HA actors themselves live in [`crate::broker::ha`]; this file only
//! translates broker config into their settings and exposes their state to the broker.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use actix::prelude::*;
use futures::future::BoxFuture;
use futures::FutureExt;
use slog::{info, Logger};
use tokio::sync::watch;

use crate::actors::supervisor::{RestartBook, RootSupervisor};
use crate::broker::ha::{
    fixed_master, notify_arrival, phys_end_channel, HaError, HaMasterConfig, HaMasterHandle,
    HaSlaveConfig, HaSlaveHandle, ReplicationTracker, SlaveStats, SlaveStatus,
};
use crate::broker::node::state::ReplicationWait;
use crate::broker::store_actors::ArrivalHooks;
use crate::broker::store_actors::StoreHandle;
use crate::config::{BrokerConfig, BrokerRole};

/// Component names in the restart book.
pub const HA_MASTER: &str = "ha-master";
pub const HA_SLAVE: &str = "ha-slave";

/// The running HA side of a broker.
#[derive(Clone)]
pub enum HaRole {
    Master(HaMasterHandle),
    Slave {
        handle: HaSlaveHandle,
        /// Set from registration results when `haMasterAddress` is not configured.
        master_tx: Option<Arc<watch::Sender<Option<String>>>>,
    },
}

/// Replication state as the demo and runtime info show it.
#[derive(Debug, Clone)]
pub enum HaStatus {
    Master { slaves: Vec<SlaveStats> },
    Slave(SlaveStatus),
}

impl HaRole {
    /// Starts the HA side for `cfg`'s role. `ha_bind` is the HA listen address (port 0 in tests).
    #[allow(clippy::too_many_arguments)]
    /// Runs before the [`Broker`](crate::broker::node::state::Broker) exists and answers its
    /// `replication` field too.
    pub async fn start(
        cfg: &BrokerConfig,
        store: &StoreHandle,
        tls: &crate::tls::NodeTls,
        hooks: &ArrivalHooks,
        ha_bind: SocketAddr,
        root: &Addr<RootSupervisor>,
        book: RestartBook,
        log: &Logger,
    ) -> Result<(HaRole, Arc<dyn ReplicationWait>), HaError> {
        let store = store.clone();
        let heartbeat = Duration::from_millis(cfg.ha_send_heartbeat_interval.max(1));
        let housekeeping = Duration::from_millis(cfg.ha_housekeeping_interval.max(1));
        if cfg.broker_role == BrokerRole::Slave {
            let (master_tx, master_rx) = match cfg.ha_master_address.as_deref() {
                Some(addr) if !addr.trim().is_empty() => (None, fixed_master(addr.trim())),
                _ => {
                    let (tx, rx) = watch::channel(None);
                    (Some(Arc::new(tx)), rx)
                }
            };
            let mut scfg = HaSlaveConfig::new(
                cfg.broker_name.clone(),
                cfg.broker_cluster_name.clone(),
                cfg.broker_id as i64,
            );
            scfg.heartbeat_interval = heartbeat;
            scfg.housekeeping_interval = housekeeping;
            scfg.auth_secret = ha_secret(cfg, log);
            scfg.tls = tls.client.clone();
            let handle =
                HaSlaveHandle::start(scfg, store, master_rx, root, book, HA_SLAVE, log.clone())
                    .await?;
            let info: Arc<dyn ReplicationWait> = Arc::new(SlaveInfo(handle.clone()));
            return Ok((HaRole::Slave { handle, master_tx }, info));
        }
        let (tx, rx) = phys_end_channel();
        tx.send_replace(store.reader().max_phys_offset());
        hooks.lock().push(Arc::new(move |a| notify_arrival(&tx, a)));
        let mut mcfg = HaMasterConfig::new(
            ha_bind,
            cfg.broker_name.clone(),
            cfg.broker_cluster_name.clone(),
        );
        mcfg.transfer_batch_size = cfg.ha_transfer_batch_size.max(1) as usize;
        mcfg.heartbeat_interval = heartbeat;
        mcfg.housekeeping_interval = housekeeping;
        mcfg.auth_secret = ha_secret(cfg, log);
        mcfg.tls = tls.server.clone();
        let tracker = ReplicationTracker::new();
        let handle = HaMasterHandle::start(
            mcfg,
            store.clone(),
            tracker.clone(),
            rx,
            root,
            book,
            HA_MASTER,
            log.clone(),
        )
        .await?;
        let gap = cfg
            .ha_max_gap_not_in_sync
            .unwrap_or(cfg.ha_slave_fallbehind_max)
            .min(i64::MAX as u64) as i64;
        let wait: Arc<dyn ReplicationWait> = Arc::new(MasterWait {
            tracker,
            store,
            gap,
            timeout: Duration::from_millis(cfg.slave_timeout.max(1)),
        });
        info!(log, "HA master started"; "addr" => %handle.local_addr());
        Ok((HaRole::Master(handle), wait))
    }

    /// The bound HA port (masters), for the advertised `brokerIP2:haPort`.
    pub fn ha_port(&self) -> Option<u16> {
        match self {
            HaRole::Master(h) => Some(h.local_addr().port()),
            HaRole::Slave { .. } => None,
        }
    }

    /// Where a slave learns its master's HA address from registrations (None on masters and
    /// on slaves with a fixed `haMasterAddress`).
    pub fn master_sink(&self) -> Option<Arc<watch::Sender<Option<String>>>> {
        match self {
            HaRole::Slave { master_tx, .. } => master_tx.clone(),
            HaRole::Master(_) => None,
        }
    }

    pub fn status(&self) -> HaStatus {
        match self {
            HaRole::Master(h) => HaStatus::Master { slaves: h.slaves() },
            HaRole::Slave { handle, .. } => HaStatus::Slave(handle.status()),
        }
    }

    /// Clean stop: masters close the HA port and every slave connection; slaves stop pulling.
    pub async fn stop(&self) {
        match self {
            HaRole::Master(h) => h.shutdown(),
            HaRole::Slave { handle, .. } => handle.halt().await,
        }
    }
}

/// Publishes a registration's `haServerAddr` to the slave (only when it changed).
pub fn learn_master(sink: &watch::Sender<Option<String>>, ha_server_addr: Option<&str>) {
    let Some(addr) = ha_server_addr.filter(|a| !a.is_empty()) else {
        return;
    };
    sink.send_if_modified(|cur| {
        let changed = cur.as_deref() != Some(addr);
        if changed {
            *cur = Some(addr.to_string());
        }
        changed
    });
}

/// The SYNC_MASTER step of a send: refuse at once without an in-sync slave, else wait for the
/// ack without blocking anything (the tracker parks a oneshot per pending send).
struct MasterWait {
    tracker: ReplicationTracker,
    store: StoreHandle,
    gap: i64,
    timeout: Duration,
}

impl ReplicationWait for MasterWait {
    fn wait(&self, offset: i64) -> BoxFuture<'static, Result<(), i32>> {
        let (tracker, gap, timeout) = (self.tracker.clone(), self.gap, self.timeout);
        async move {
            tracker
                .await_sync_master(offset, gap, timeout)
                .await
                .map_err(|e| e.response_code())
        }
        .boxed()
    }

    fn info(&self) -> Vec<(String, String)> {
        let master = self.store.reader().max_phys_offset();
        let slaves = self.tracker.slaves(master);
        let best = slaves.iter().map(|s| s.acked_offset).max().unwrap_or(-1);
        vec![
            ("haSlaveNum".into(), slaves.len().to_string()),
            ("haSlaveAckOffset".into(), best.to_string()),
            (
                "haSlaveLag".into(),
                if best < 0 {
                    master
                } else {
                    (master - best).max(0)
                }
                .to_string(),
            ),
        ]
    }
}

/// Runtime-info lines of a slave (it never waits on replication).
struct SlaveInfo(HaSlaveHandle);

impl ReplicationWait for SlaveInfo {
    fn wait(&self, _offset: i64) -> BoxFuture<'static, Result<(), i32>> {
        async { Ok(()) }.boxed()
    }

    fn info(&self) -> Vec<(String, String)> {
        let s = self.0.status();
        vec![
            ("haMasterAddr".into(), s.master_addr.unwrap_or_default()),
            ("haConnected".into(), s.connected.to_string()),
            ("haLocalMaxOffset".into(), s.local_max_offset.to_string()),
        ]
    }
}

/// `haAuthSecret` when set (not blank); with ACL on and no secret, a warning: the HA link then
/// only checks the slave's cluster and broker name (docs/acl.md).
fn ha_secret(cfg: &crate::config::BrokerConfig, log: &slog::Logger) -> Option<String> {
    let secret = cfg.ha_auth_secret.clone().filter(|s| !s.trim().is_empty());
    if secret.is_none() && cfg.acl_enable {
        slog::warn!(log, "aclEnable=true but no haAuthSecret: the HA link checks only the slave's cluster and broker name");
    }
    secret
}
