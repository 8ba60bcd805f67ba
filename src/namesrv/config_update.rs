//! UPDATE_NAMESRV_CONFIG (318; Java 4.9.7 `DefaultRequestProcessor.updateConfig` and
//! `Configuration.update`/`persist`): a properties body whose keys the name server already
//! knows replace their values (unknown keys are ignored, values that do not parse for their
//! field keep the old value, as Java's `properties2Object` swallows the error); the two path
//! keys are refused with NO_PERMISSION. The whole configuration is then written, as
//! `key=value` lines, to `configStorePath` — by a dedicated thread, never by the registry
//! actor. `orderMessageEnable` takes effect on the next route request; the other keys are
//! read at start only, as in Java.

use std::path::PathBuf;

use slog::{info, warn, Logger};

use super::state::{config_text, NamesrvState};
use crate::codec::codes::response;
use crate::codec::RemotingCommand;
use crate::config::properties::parse_properties;
use crate::config::NamesrvConfig;

/// The keys Java refuses to change at run time.
const PATH_KEYS: [&str; 2] = ["kvConfigPath", "configStorePath"];

/// Handles UPDATE_NAMESRV_CONFIG. An empty body changes nothing and is SUCCESS.
pub fn update_config(
    state: &mut NamesrvState,
    req: &RemotingCommand,
    log: &Logger,
) -> RemotingCommand {
    if req.body.is_empty() {
        return RemotingCommand::response_to(req, response::SUCCESS);
    }
    let text = String::from_utf8_lossy(&req.body);
    let Ok(props) = parse_properties(&text) else {
        return RemotingCommand::response_to(req, response::SYSTEM_ERROR)
            .with_remark("string2Properties error");
    };
    if PATH_KEYS.iter().any(|k| props.get(k).is_some()) {
        return RemotingCommand::response_to(req, response::NO_PERMISSION)
            .with_remark("Can not update config path");
    }
    let mut changed = Vec::new();
    for (key, value) in state.config.iter_mut() {
        let Some(new) = props.get(key) else {
            continue;
        };
        match normalized(key, new) {
            Some(v) => {
                *value = v;
                changed.push(key.clone());
            }
            None => {
                warn!(log, "updateConfig: value ignored"; "key" => key.as_str(), "value" => new)
            }
        }
    }
    info!(log, "name server config updated"; "keys" => changed.join(","));
    let path = state
        .config
        .iter()
        .find(|(k, _)| k == "configStorePath")
        .map(|(_, v)| PathBuf::from(v))
        .filter(|p| !p.as_os_str().is_empty());
    if let Some(path) = path {
        state.config_writer.save(path, config_text(&state.config));
    }
    RemotingCommand::response_to(req, response::SUCCESS)
}

/// `value` as the field of `key` renders it, `None` when it does not parse. Keys outside
/// [`NamesrvConfig`]'s table are taken as given.
fn normalized(key: &str, value: &str) -> Option<String> {
    let Some(spec) = NamesrvConfig::keys().iter().find(|s| s.name() == key) else {
        return Some(value.trim().to_string());
    };
    let mut probe = NamesrvConfig::default();
    (spec.apply)(&mut probe, value.trim()).ok()?;
    Some(spec.render(&probe))
}

/// Whether `orderMessageEnable` is on in the running configuration.
pub fn order_message_enable(state: &NamesrvState) -> bool {
    state
        .config
        .iter()
        .any(|(k, v)| k == "orderMessageEnable" && v.trim().eq_ignore_ascii_case("true"))
}
