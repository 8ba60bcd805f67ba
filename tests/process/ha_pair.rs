//! A SYNC_MASTER + SYNC_FLUSH master with its slave as real processes (the shipped
//! `conf/2m-2s-sync` broker-a pair, ports and stores moved), with a name server: the set-up
//! of the pause scenarios. Deployment order as in Java: the slave starts once the master is
//! registered, so its registration names the master's HA address.

use std::time::{Duration, Instant};

use rocketactor::client::producer::{Producer, ProducerConfig};

use crate::chaos_log::broker_env;
use crate::support::procs::{namesrv, spawn_broker, Proc};

pub const MASTER_CONF: [&str; 2] = ["--config", "conf/2m-2s-sync/broker-a.properties"];
pub const SLAVE_CONF: [&str; 2] = ["--config", "conf/2m-2s-sync/broker-a-s.properties"];

/// The running pair; every process is killed on drop (by PID).
pub struct HaPair {
    pub ns: Proc,
    pub ns_addr: String,
    pub master: Proc,
    pub master_addr: String,
    pub slave: Proc,
    /// Stores, configs and logs (removed on drop).
    _dir: tempfile::TempDir,
}

/// A producer of group `group` with `send_timeout`, started.
pub fn producer(ns_addr: &str, group: &str, send_timeout: Duration) -> Producer {
    let mut cfg = ProducerConfig::new(ns_addr, group);
    cfg.send_timeout = send_timeout;
    let p = Producer::with_config(cfg, rocketactor::logging::discard()).expect("producer");
    p.start().expect("producer start");
    p
}

impl HaPair {
    /// Starts the name server, the master (with `master_extra` overrides), waits for its
    /// registration, then the slave (with `slave_extra`). Bounded: 60 s for the registration.
    pub async fn start(master_extra: &[(&str, String)], slave_extra: &[(&str, String)]) -> HaPair {
        let dir = tempfile::tempdir().expect("temp dir");
        let (ns, ns_addr) = namesrv(dir.path());
        let master_root = dir.path().join("master");
        let (master, mport) = spawn_broker(
            &MASTER_CONF,
            |p| broker_env(&master_root, p, &ns_addr, master_extra),
            |p| vec![p, p - 2, p + 1],
        );
        let probe = producer(&ns_addr, "pg-chaos-pair", Duration::from_secs(3));
        let until = Instant::now() + Duration::from_secs(60);
        while probe.publish_queues("TBW102").await.is_err() {
            assert!(Instant::now() < until, "the master never registered");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        probe.shutdown();
        let slave_root = dir.path().join("slave");
        let mut extra: Vec<(&str, String)> =
            vec![("haMasterAddress", format!("127.0.0.1:{}", mport + 1))];
        extra.extend(slave_extra.iter().cloned());
        let (slave, _) = spawn_broker(
            &SLAVE_CONF,
            |p| broker_env(&slave_root, p, &ns_addr, &extra),
            |p| vec![p, p - 2],
        );
        HaPair {
            ns,
            ns_addr,
            master,
            master_addr: format!("127.0.0.1:{mport}"),
            slave,
            _dir: dir,
        }
    }

    /// SIGTERM to every process (slave, master, name server); each must exit with 0.
    pub fn stop(mut self) {
        assert_eq!(self.slave.terminate(), 0, "slave exit code");
        assert_eq!(self.master.terminate(), 0, "master exit code");
        assert_eq!(self.ns.terminate(), 0, "name server exit code");
    }
}
