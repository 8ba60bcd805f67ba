//! What every name-server request may touch ([`NamesrvState`]: route tables, KV store,
//! configuration) and the configuration's text form. Kept apart from the request table so that
//! handlers, `config_update` and the registry actor share it without file cycles.

use super::config_writer::ConfigWriter;
use super::kv_store::KvStore;
use super::tables::RouteTables;

/// Everything a name server request may touch.
#[derive(Debug, Default)]
pub struct NamesrvState {
    pub tables: RouteTables,
    pub kv: KvStore,
    /// What GET_NAMESRV_CONFIG answers (see `NamesrvSettings::config`); UPDATE_NAMESRV_CONFIG
    /// changes it.
    pub config: Vec<(String, String)>,
    /// Persists the configuration after an update (`config_update`).
    pub config_writer: ConfigWriter,
}

/// Sets (or adds) `listenPort` to the port actually bound (the config may ask for 0).
pub fn set_listen_port(config: &mut Vec<(String, String)>, port: u16) {
    match config.iter_mut().find(|(k, _)| k == "listenPort") {
        Some((_, v)) => *v = port.to_string(),
        None => config.push(("listenPort".to_string(), port.to_string())),
    }
}

/// GET_NAMESRV_CONFIG's body: `key=value` lines, as Java's `MixAll.properties2String`.
pub(super) fn config_text(config: &[(String, String)]) -> Vec<u8> {
    let mut out = String::new();
    for (k, v) in config {
        out.push_str(k);
        out.push('=');
        out.push_str(&v.replace('\n', "\\n"));
        out.push('\n');
    }
    out.into_bytes()
}
