//! The broker's runtime configuration cell (issue #13, docs/admin.md "Runtime configuration"):
//! the effective `BrokerConfig` (start-up config plus UPDATE_BROKER_CONFIG overrides) and the
//! configuration's DataVersion (Java `Configuration.dataVersion`, bumped by every update and
//! answered in GET_BROKER_CONFIG's `version` header).
//!
//! Request handlers read the keys an operator may change at runtime through
//! [`LiveConfig::get`] (an `Arc` clone under a read lock: cheap, never blocks on I/O); the
//! pieces that copied their settings at start-up (the store's limits and cleanup schedule, the
//! flush thread, the topic table) are told by [`super::live_apply`] when a value changes.
//! `Broker::cfg` stays the start-up configuration.

use std::sync::Arc;

use parking_lot::{Mutex, RwLock};

use crate::config::BrokerConfig;
use crate::protocol::topic::DataVersion;

/// The effective configuration and its version.
#[derive(Debug)]
pub struct LiveConfig {
    cur: RwLock<Arc<BrokerConfig>>,
    version: Mutex<DataVersion>,
}

impl LiveConfig {
    /// Starts at the start-up configuration, version counter 0 stamped `boot_ms`.
    pub fn new(cfg: &BrokerConfig, boot_ms: i64) -> Self {
        LiveConfig {
            cur: RwLock::new(Arc::new(cfg.clone())),
            version: Mutex::new(DataVersion {
                state_version: 0,
                timestamp: boot_ms,
                counter: 0,
            }),
        }
    }

    /// The configuration in effect now.
    pub fn get(&self) -> Arc<BrokerConfig> {
        self.cur.read().clone()
    }

    /// Replaces the configuration and bumps the version (Java `Configuration.update`:
    /// `dataVersion.nextVersion()`); returns the previous configuration and the new version.
    pub fn replace(&self, cfg: BrokerConfig) -> (Arc<BrokerConfig>, DataVersion) {
        let old = std::mem::replace(&mut *self.cur.write(), Arc::new(cfg));
        let mut v = self.version.lock();
        v.next();
        (old, *v)
    }

    /// The configuration's DataVersion.
    pub fn version(&self) -> DataVersion {
        *self.version.lock()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replace_swaps_the_config_and_bumps_the_version() {
        let cfg = BrokerConfig {
            broker_permission: 6,
            ..Default::default()
        };
        let live = LiveConfig::new(&cfg, 1000);
        assert_eq!(live.version().counter, 0);
        assert_eq!(live.version().timestamp, 1000);
        let mut next = cfg.clone();
        next.broker_permission = 4;
        let (old, v) = live.replace(next);
        assert_eq!(old.broker_permission, 6);
        assert_eq!(live.get().broker_permission, 4);
        assert_eq!(v.counter, 1);
        assert_eq!(live.version(), v);
    }
}
