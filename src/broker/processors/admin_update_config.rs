//! UPDATE_BROKER_CONFIG (25), mqadmin's updateBrokerConfig (Java
//! `AdminBrokerProcessor.updateBrokerConfig` + `Configuration.update`/`persist`): the body is
//! `key=value` lines; every key the broker knows is taken (Java's `mergeIfExist`: unknown keys
//! and values that do not parse are skipped, as `MixAll.properties2Object` does), kept in the
//! broker's runtime overrides, shown by GET_BROKER_CONFIG, and the whole configuration is
//! written back to the file the broker was started from (`--config`; Java's `-c` file, which
//! `BrokerStartup` records as `brokerConfigPath`), or to `storePathRootDir/config/broker.properties`
//! for a broker configured in code (Java's default brokerConfigPath lies under the store's config
//! directory too). Every update bumps the configuration's DataVersion (Java
//! `Configuration.update`) and becomes the broker's live configuration
//! (`crate::broker::node::live_config`): the keys Java reads at each use take effect at once
//! (`crate::broker::node::live_apply`; an update naming `brokerPermission` also bumps the topic
//! DataVersion and re-registers with the name servers), the others (ports, paths, names, roles)
//! at the next start from that file (docs/admin.md "Runtime configuration"). As in Java, the
//! rewrite holds every key with its value and drops the file's comments.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Arc;

use slog::{info, warn};

use super::reply::{error, ok};
use crate::actors::remoting::Reply;
use crate::broker::node::state::Broker;
use crate::codec::RemotingCommand;
use crate::config::BrokerConfig;

/// The broker's configuration with the runtime overrides applied (the live configuration).
pub fn effective(b: &Broker) -> BrokerConfig {
    (*b.live.get()).clone()
}

/// The start-up configuration with every override recorded so far.
fn merged(b: &Broker) -> BrokerConfig {
    let mut cfg = b.cfg.clone();
    for (k, v) in b.config_updates.lock().iter() {
        if let Some(spec) = BrokerConfig::keys()
            .iter()
            .find(|s| s.spellings().any(|n| n == k))
        {
            let _ = (spec.apply)(&mut cfg, v);
        }
    }
    cfg
}

/// `key=value` (or `key: value`) lines; blank lines and `#`/`!` comments skipped.
fn parse(text: &str) -> BTreeMap<String, String> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#') && !l.starts_with('!'))
        .filter_map(|l| {
            let i = l.find(['=', ':'])?;
            Some((l[..i].trim().to_owned(), l[i + 1..].trim().to_owned()))
        })
        .collect()
}

/// Every key of `cfg` as a properties file (Java `Configuration.getAllConfigsInternal`).
fn render(cfg: &BrokerConfig) -> String {
    let mut out = String::new();
    for spec in BrokerConfig::keys() {
        let _ = writeln!(out, "{}={}", spec.name(), spec.render(cfg));
    }
    out
}

/// Where an update is persisted: the start-up file, else the store's config directory.
pub fn persist_path(cfg: &BrokerConfig) -> std::path::PathBuf {
    cfg.config_file
        .clone()
        .unwrap_or_else(|| cfg.store_paths().config_dir.join("broker.properties"))
}

/// UPDATE_BROKER_CONFIG; answers once the properties file is written.
pub fn handle(b: &Arc<Broker>, req: RemotingCommand) -> Reply {
    let Ok(text) = std::str::from_utf8(&req.body) else {
        return Reply::now(error(&req, "string2Properties error"));
    };
    let mut taken = Vec::new();
    let body_keys = parse(text);
    // Java: `properties.containsKey("brokerPermission")`, whatever the value.
    let perm_named = body_keys.contains_key("brokerPermission");
    {
        let mut probe = effective(b);
        let mut updates = b.config_updates.lock();
        for (k, v) in body_keys {
            let spec = BrokerConfig::keys()
                .iter()
                .find(|s| s.spellings().any(|n| n == k));
            match spec.map(|s| (s, (s.apply)(&mut probe, &v))) {
                Some((s, Ok(()))) => {
                    updates.insert(s.name().to_owned(), v.clone());
                    taken.push(format!("{}={v}", s.name()));
                }
                Some((_, Err(e))) => {
                    warn!(b.log, "updateBrokerConfig: value skipped"; "key" => &k, "error" => e)
                }
                None => warn!(b.log, "updateBrokerConfig: unknown key skipped"; "key" => &k),
            }
        }
    }
    let live = merged(b);
    let (_, version) = b.live.replace(live.clone());
    crate::broker::node::live_apply::apply(b, &live, perm_named);
    info!(b.log, "updateBrokerConfig"; "new" => taken.join(", "),
        "config_version" => version.counter, "reregistered" => perm_named);
    let body = render(&live);
    let path = persist_path(&b.cfg);
    let log = b.log.clone();
    Reply::later(async move {
        let write = tokio::task::spawn_blocking(move || -> std::io::Result<()> {
            if let Some(dir) = path.parent() {
                std::fs::create_dir_all(dir)?;
            }
            let mut tmp = path.clone().into_os_string();
            tmp.push(".tmp");
            std::fs::write(&tmp, body)?;
            std::fs::rename(&tmp, &path)
        })
        .await;
        match write {
            Ok(Ok(())) => {}
            // Java logs a failed persist and still answers success (the update is applied).
            Ok(Err(e)) => warn!(log, "updateBrokerConfig: persist failed"; "error" => %e),
            Err(e) => warn!(log, "updateBrokerConfig: persist task failed"; "error" => %e),
        }
        Some(ok(&req))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn properties_lines_parse() {
        let m = parse("# c\nflushIntervalCommitLog=700\n\n a : b \n!x\n");
        assert_eq!(m["flushIntervalCommitLog"], "700");
        assert_eq!(m["a"], "b");
        assert_eq!(m.len(), 2);
    }
}
