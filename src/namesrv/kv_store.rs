//! The name server's KV config (namespace -> key -> value; Java `KVConfigManager`), used for
//! order-topic config and by admin tools. Kept in memory; when a path is configured every change
//! is written to it (Java's `{"configTable":{…}}` form) by a dedicated thread, never by the actor.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crossbeam_channel::{Receiver, Sender};
use serde::{Deserialize, Serialize};
use slog::{warn, Logger};
use thiserror::Error;

use crate::protocol::kv::KVTable;

/// Namespace of the order-topic config returned to registering brokers.
pub const NAMESPACE_ORDER_TOPIC_CONFIG: &str = "ORDER_TOPIC_CONFIG";

#[derive(Debug, Error)]
pub enum KvStoreError {
    #[error("cannot read KV config {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("KV config {path} is not valid JSON: {source}")]
    Parse {
        path: PathBuf,
        source: serde_json::Error,
    },
}

/// The file form, as Java's `KVConfigSerializeWrapper`.
#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct KvFile {
    #[serde(default)]
    config_table: BTreeMap<String, BTreeMap<String, String>>,
}

/// The KV config of one name server.
#[derive(Debug, Default)]
pub struct KvStore {
    table: BTreeMap<String, BTreeMap<String, String>>,
    persist: Option<Sender<Vec<u8>>>,
}

impl KvStore {
    /// Loads `path` if it exists (a missing file is an empty store) and starts the writer thread.
    pub fn open(path: Option<&Path>, log: &Logger) -> Result<Self, KvStoreError> {
        let Some(path) = path else {
            return Ok(KvStore::default());
        };
        let table = match std::fs::read(path) {
            Ok(bytes) if bytes.iter().all(u8::is_ascii_whitespace) => BTreeMap::new(),
            Ok(bytes) => {
                let file: KvFile =
                    serde_json::from_slice(&bytes).map_err(|source| KvStoreError::Parse {
                        path: path.into(),
                        source,
                    })?;
                file.config_table
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => BTreeMap::new(),
            Err(source) => {
                return Err(KvStoreError::Read {
                    path: path.into(),
                    source,
                })
            }
        };
        let (tx, rx) = crossbeam_channel::unbounded();
        let (path, log) = (path.to_path_buf(), log.clone());
        std::thread::Builder::new()
            .name("namesrv-kv-writer".into())
            .spawn(move || writer_loop(rx, &path, &log))
            .map_err(|source| KvStoreError::Read {
                path: PathBuf::from("<writer thread>"),
                source,
            })?;
        Ok(KvStore {
            table,
            persist: Some(tx),
        })
    }

    pub fn put(&mut self, namespace: &str, key: &str, value: &str) {
        self.table
            .entry(namespace.to_string())
            .or_default()
            .insert(key.to_string(), value.to_string());
        self.save();
    }

    pub fn get(&self, namespace: &str, key: &str) -> Option<&str> {
        self.table.get(namespace)?.get(key).map(String::as_str)
    }

    pub fn delete(&mut self, namespace: &str, key: &str) {
        if let Some(ns) = self.table.get_mut(namespace) {
            if ns.remove(key).is_some() {
                if ns.is_empty() {
                    self.table.remove(namespace);
                }
                self.save();
            }
        }
    }

    /// The namespace as a KVTable, or `None` when it has no entries.
    pub fn list(&self, namespace: &str) -> Option<KVTable> {
        let ns = self.table.get(namespace).filter(|ns| !ns.is_empty())?;
        Some(KVTable { table: ns.clone() })
    }

    fn save(&self) {
        if let Some(tx) = &self.persist {
            let file = KvFile {
                config_table: self.table.clone(),
            };
            if let Ok(bytes) = serde_json::to_vec_pretty(&file) {
                let _ = tx.send(bytes);
            }
        }
    }
}

/// Writes snapshots; when several are queued only the newest is written.
fn writer_loop(rx: Receiver<Vec<u8>>, path: &Path, log: &Logger) {
    while let Ok(mut snapshot) = rx.recv() {
        while let Ok(newer) = rx.try_recv() {
            snapshot = newer;
        }
        let tmp = path.with_extension("json.tmp");
        let result = path
            .parent()
            .map_or(Ok(()), std::fs::create_dir_all)
            .and_then(|_| std::fs::write(&tmp, &snapshot))
            .and_then(|_| std::fs::rename(&tmp, path));
        if let Err(e) = result {
            warn!(log, "cannot persist KV config"; "path" => %path.display(), "error" => %e);
        }
    }
}
