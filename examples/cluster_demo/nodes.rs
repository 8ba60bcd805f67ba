//! Starting the demo's nodes: two name servers and the four brokers of `conf/2m-2s-sync/`
//! (loaded from those properties files, as an operator would), each broker under its own root
//! supervisor and restart book, with its store in the demo's temp dir. Ports are the files'
//! ports shifted by one offset, chosen so that every port is free on this machine.

use std::net::TcpListener;
use std::path::{Path, PathBuf};

use actix::prelude::*;
use rocketactor::actors::supervisor::{RestartBook, RootSupervisor};
use rocketactor::broker::{start_broker, BrokerHandle};
use rocketactor::config::{load_broker_config, BrokerConfig};
use rocketactor::namesrv::{start_namesrv, NamesrvHandle, NamesrvSettings};
use slog::Logger;

/// The property set the demo runs (the seed's layout on loopback).
pub const CONF_DIR: &str = "conf/2m-2s-sync";
pub const FILES: [&str; 4] = [
    "broker-a.properties",
    "broker-a-s.properties",
    "broker-b.properties",
    "broker-b-s.properties",
];
const NAMESRV_PORTS: [u16; 2] = [9876, 9877];

/// One broker of the demo, restartable on the same config.
pub struct Node {
    pub label: String,
    pub cfg: BrokerConfig,
    pub book: RestartBook,
    pub root: Addr<RootSupervisor>,
    pub handle: Option<BrokerHandle>,
}

impl Node {
    pub async fn start(&mut self, log: &Logger) -> Result<(), String> {
        let h = start_broker(self.cfg.clone(), &self.root, self.book.clone(), log.clone())
            .await
            .map_err(|e| format!("{}: {e}", self.label))?;
        self.handle = Some(h);
        Ok(())
    }

    pub async fn stop(&mut self) {
        if let Some(h) = self.handle.take() {
            h.stop().await;
        }
    }

    pub fn restarts(&self) -> u64 {
        self.book.snapshot().values().sum()
    }
}

fn ports_of(cfg: &BrokerConfig) -> [u16; 3] {
    [cfg.fast_port(), cfg.listen_port, cfg.ha_port()]
}

fn all_free(ports: &[u16]) -> bool {
    ports
        .iter()
        .all(|p| TcpListener::bind(("127.0.0.1", *p)).is_ok())
}

/// Loads the four broker files and shifts every port by the first offset (0, 100, 200, ...)
/// at which all of them, and the two name-server ports, are free.
pub fn load_configs(
    conf: &Path,
    store_root: &Path,
) -> Result<(Vec<BrokerConfig>, [u16; 2]), String> {
    let mut cfgs = Vec::new();
    for f in FILES {
        let path = conf.join(f);
        let loaded = load_broker_config(&path).map_err(|e| e.to_string())?;
        cfgs.push(loaded.config);
    }
    for step in 0..40u16 {
        let off = step * 100;
        let ns = NAMESRV_PORTS.map(|p| p + off);
        let mut ports: Vec<u16> = ns.to_vec();
        for c in &cfgs {
            ports.extend(ports_of(c).map(|p| p + off));
        }
        if !all_free(&ports) {
            continue;
        }
        let namesrv = ns.map(|p| format!("127.0.0.1:{p}")).join(";");
        for c in &mut cfgs {
            c.listen_port += off;
            c.namesrv_addr = Some(namesrv.clone());
            let dir: PathBuf = store_root.join(format!("{}-{}", c.broker_name, c.broker_id));
            c.store_path_root_dir = dir.clone();
            c.store_path_commit_log = Some(dir.join("commitlog"));
            c.store_path_consume_queue = Some(dir.join("consumequeue"));
            c.store_path_index = Some(dir.join("index"));
            c.store_checkpoint = Some(dir.join("checkpoint"));
            c.abort_file = Some(dir.join("abort"));
            // Small files so the demo's few MiB still roll over a file boundary.
            c.mapped_file_size_commit_log = 4 * 1024 * 1024;
        }
        return Ok((cfgs, ns));
    }
    Err("no free port layout found (tried offsets 0..4000 from the files' ports)".into())
}

/// Starts the two name servers.
pub async fn start_namesrvs(ports: [u16; 2], log: &Logger) -> Result<Vec<NamesrvHandle>, String> {
    let mut out = Vec::new();
    for p in ports {
        let settings = NamesrvSettings {
            listen: ([127, 0, 0, 1], p).into(),
            ..Default::default()
        };
        let h = start_namesrv(settings, log.new(slog::o!("namesrv" => p)))
            .await
            .map_err(|e| format!("name server on {p}: {e}"))?;
        out.push(h);
    }
    Ok(out)
}

/// A node per config, each with its own supervisor and restart book.
pub fn nodes(cfgs: Vec<BrokerConfig>, log: &Logger) -> Vec<Node> {
    cfgs.into_iter()
        .map(|cfg| {
            let book = RestartBook::default();
            let label = format!(
                "{}{}",
                cfg.broker_name,
                if cfg.broker_id == 0 { "" } else { "-s" }
            );
            let root = RootSupervisor::new(
                log.new(slog::o!("component" => "supervisor", "node" => label.clone())),
                book.clone(),
            )
            .start();
            Node {
                label,
                cfg,
                book,
                root,
                handle: None,
            }
        })
        .collect()
}
