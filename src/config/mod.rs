//! Configuration: Java `.properties` files (the broker.properties / namesrv.properties of a
//! RocketMQ 4.9.7 deployment) turned into typed [`BrokerConfig`] and [`NamesrvConfig`].
//!
//! Loading goes through the `config` crate: the file (read with [`PropertiesFormat`]) and then
//! environment overrides `ROCKETACTOR_<key>` for the broker, `ROCKETACTOR_NAMESRV_<key>` for the
//! name server (`ROCKETACTOR_listenPort=12000` and `ROCKETACTOR_LISTENPORT=12000` both work:
//! keys match case-insensitively). Every key keeps its [`Source`] (file and line, variable, or
//! default) for error messages and [`render_effective`].
//!
//! Compared with Java 4.9.7, which silently ignores unknown keys and unparsable values:
//! - unknown keys are warnings naming the nearest known key;
//! - bad numbers, booleans other than true/false, unknown enum names, bad ports, a SLAVE with
//!   brokerId 0 and malformed namesrvAddr entries are errors naming file, line, key and value;
//! - whitespace around values is trimmed with a warning (Java keeps trailing blanks and then
//!   fails to parse numbers);
//! - the old spellings `mapedFileSizeCommitLog`/`mapedFileSizeConsumeQueue` and the
//!   `storePathConsumeQueue`/`storePathIndex`/`storeCheckpoint`/`abortFile` keys, ignored by
//!   Java 4.9.7, are honoured, and so is `haListenPort` (Java overwrites it with listenPort+1);
//! - Java's fix-ups stay but are reported: a master's brokerId is forced to 0, and
//!   diskMaxUsedSpaceRatio is clamped to 10..=95.

mod broker;
mod broker_check;
mod broker_derived;
mod broker_keys;
mod delay;
mod error;
pub(crate) mod keys;
mod loader;
mod namesrv;
mod net;
pub mod properties;
mod render;
mod shared_keys;
mod tls;
pub(crate) mod value;

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

pub use broker::BrokerConfig;
pub use broker_derived::StorePaths;
pub use delay::{parse_delay_levels, DelayLevelError};
pub use error::ConfigError;
pub use keys::{KeySpec, Schema};
pub use namesrv::NamesrvConfig;
pub use properties::{parse_properties, Properties, PropertiesError, PropertiesFormat};
pub use render::render_effective;
pub use tls::{ClientAuth, TlsConfig, TlsMode, DEFAULT_TLS_CONFIG_FILE};
pub use value::{BrokerRole, FlushDiskType};

/// Where a key's effective value came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// Not set anywhere: the built-in (RocketMQ 4.9.7) default.
    Default,
    /// A properties file, at this 1-based line.
    File { path: PathBuf, line: usize },
    /// An environment variable.
    Env { var: String },
    /// Given in code ([`BrokerConfig::from_pairs`], or checked by `validate`).
    Code,
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Default => f.write_str("default"),
            Self::File { path, line } => write!(f, "{}:{line}", path.display()),
            Self::Env { var } => write!(f, "environment variable {var}"),
            Self::Code => f.write_str("set in code"),
        }
    }
}

/// A loaded configuration with the source of every key (canonical camelCase spelling) and the
/// warnings an operator should see (unknown keys, fix-ups, overrides).
#[derive(Debug, Clone)]
pub struct Loaded<T> {
    pub config: T,
    pub sources: BTreeMap<String, Source>,
    pub warnings: Vec<String>,
}

impl<T> Loaded<T> {
    /// The source of `key` (canonical spelling); `Default` for keys never set.
    pub fn source(&self, key: &str) -> &Source {
        self.sources.get(key).unwrap_or(&Source::Default)
    }
}

fn process_env() -> Vec<(String, String)> {
    std::env::vars_os()
        .filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?)))
        .collect()
}

/// Loads a broker.properties file plus `ROCKETACTOR_*` overrides from the process environment
/// (and `NAMESRV_ADDR` when namesrvAddr is set nowhere else, as Java does).
pub fn load_broker_config(path: &Path) -> Result<Loaded<BrokerConfig>, ConfigError> {
    load_broker_config_with_env(path, process_env())
}

/// [`load_broker_config`] with an explicit environment instead of the process's (for tests).
pub fn load_broker_config_with_env<I, K, V>(
    path: &Path,
    env: I,
) -> Result<Loaded<BrokerConfig>, ConfigError>
where
    I: IntoIterator<Item = (K, V)>,
    K: Into<String>,
    V: Into<String>,
{
    let env = env.into_iter().map(|(k, v)| (k.into(), v.into())).collect();
    let mut loaded: Loaded<BrokerConfig> = loader::load(Some(path), env)?;
    loaded.config.config_file = Some(path.to_path_buf());
    Ok(loaded)
}

/// Loads a namesrv.properties file (or only defaults when `None`) plus
/// `ROCKETACTOR_NAMESRV_*` overrides from the process environment.
pub fn load_namesrv_config(path: Option<&Path>) -> Result<Loaded<NamesrvConfig>, ConfigError> {
    loader::load(path, process_env())
}

/// [`load_namesrv_config`] with an explicit environment instead of the process's (for tests).
pub fn load_namesrv_config_with_env<I, K, V>(
    path: Option<&Path>,
    env: I,
) -> Result<Loaded<NamesrvConfig>, ConfigError>
where
    I: IntoIterator<Item = (K, V)>,
    K: Into<String>,
    V: Into<String>,
{
    let env = env.into_iter().map(|(k, v)| (k.into(), v.into())).collect();
    loader::load(path, env)
}
