//! The name server's configuration file writer: UPDATE_NAMESRV_CONFIG (`config_update`) hands
//! it each new snapshot, and a dedicated thread writes the newest one atomically, so the
//! registry actor never does file I/O.

use std::path::{Path, PathBuf};

use crossbeam_channel::{Receiver, Sender};
use slog::{warn, Logger};

/// Writes the configuration file off the actor; `None` when nothing is persisted.
#[derive(Debug, Default)]
pub struct ConfigWriter {
    tx: Option<Sender<(PathBuf, Vec<u8>)>>,
}

impl ConfigWriter {
    /// Starts the writer thread (a failed spawn is logged; updates then stay in memory).
    pub fn start(log: &Logger) -> Self {
        let (tx, rx) = crossbeam_channel::unbounded();
        let thread_log = log.clone();
        let spawned = std::thread::Builder::new()
            .name("namesrv-config-writer".into())
            .spawn(move || writer_loop(rx, &thread_log));
        match spawned {
            Ok(_) => ConfigWriter { tx: Some(tx) },
            Err(e) => {
                warn!(log, "cannot start the config writer"; "error" => %e);
                ConfigWriter::default()
            }
        }
    }

    pub(super) fn save(&self, path: PathBuf, text: Vec<u8>) {
        if let Some(tx) = &self.tx {
            let _ = tx.send((path, text));
        }
    }
}

/// Writes snapshots; when several are queued only the newest is written.
fn writer_loop(rx: Receiver<(PathBuf, Vec<u8>)>, log: &Logger) {
    while let Ok(mut snapshot) = rx.recv() {
        while let Ok(newer) = rx.try_recv() {
            snapshot = newer;
        }
        let (path, text) = snapshot;
        if let Err(e) = write_atomic(&path, &text) {
            warn!(log, "cannot persist the name server config"; "path" => %path.display(), "error" => %e);
        }
    }
}

fn write_atomic(path: &Path, text: &[u8]) -> std::io::Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    let tmp = path.with_extension("properties.tmp");
    std::fs::write(&tmp, text)?;
    std::fs::rename(&tmp, path)
}
