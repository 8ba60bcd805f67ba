//! GET_BROKER_CONFIG (26): the broker's whole configuration as `key=value` lines, the way
//! Java's `Configuration.getAllConfigsFormatString` answers mqadmin's `getBrokerConfig` and the
//! dashboard's broker config view, with the config's DataVersion in the `version` header.

use std::fmt::Write as _;
use std::sync::atomic::Ordering;

use crate::broker::node::state::Broker;
use crate::broker::processors::command::{CommandError, Outcome};
use crate::broker::processors::reply::ok;
use crate::codec::RemotingCommand;
use crate::config::BrokerConfig;
use crate::protocol::topic::DataVersion;

/// The body: every key of the broker key table, rendered as a properties file would hold it.
/// `listenPort` shows the bound port when the config asked for an OS-chosen one (0).
pub fn config_lines(b: &Broker) -> String {
    let mut out = String::new();
    let cfg = super::admin_update_config::effective(b);
    for spec in BrokerConfig::keys() {
        let mut value = spec.render(&cfg);
        if spec.name() == "listenPort" && b.cfg.listen_port == 0 {
            value = b.store_host().port().to_string();
        }
        // Java writes values raw; a line break inside one would split the line, so escape it.
        let value = value
            .replace('\\', "\\\\")
            .replace('\n', "\\n")
            .replace('\r', "\\r");
        let _ = writeln!(out, "{}={}", spec.name(), value);
    }
    out
}

/// The `version` header: the configuration's DataVersion (Java
/// `Configuration.getDataVersionJson`): counter 0 stamped at boot, bumped by every
/// UPDATE_BROKER_CONFIG.
pub fn config_version(b: &Broker) -> DataVersion {
    let v = b.live.version();
    if v.counter == 0 {
        // Never updated: the boot timestamp (GET_BROKER_RUNTIME_INFO's `bootTimestamp`).
        DataVersion {
            timestamp: b.stats.boot_ms.load(Ordering::Relaxed),
            ..v
        }
    } else {
        v
    }
}

/// GET_BROKER_CONFIG.
pub fn broker_config(b: &Broker, req: &RemotingCommand) -> Outcome {
    match serde_json::to_string(&config_version(b)) {
        Ok(version) => Ok(ok(req)
            .with_ext("version", version)
            .with_body(config_lines(b).into_bytes())),
        Err(e) => Err(CommandError::system(format!(
            "cannot encode the config version: {e}"
        ))),
    }
}
