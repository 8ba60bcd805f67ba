//! Store limits an operator may change while the broker runs (UPDATE_BROKER_CONFIG, issue #13,
//! docs/admin.md "Runtime configuration"): `maxMessageSize`, `fileReservedTime`, `deleteWhen`,
//! `diskMaxUsedSpaceRatio`. Java's store reads them from `MessageStoreConfig` at each use, so a
//! runtime update applies to the next put or cleanup pass; here every clone of a
//! [`StoreConfig`](crate::store::StoreConfig) shares one override cell, read where the values are
//! used ([`StoreConfig::max_message_size_now`](crate::store::StoreConfig::max_message_size_now),
//! [`StoreConfig::effective`](crate::store::StoreConfig::effective)).

use std::sync::Arc;

use parking_lot::RwLock;

/// Values set at runtime; `None` keeps the configured one.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct StoreOverrides {
    pub max_message_size: Option<usize>,
    pub file_reserved_time_hours: Option<u64>,
    pub delete_when: Option<String>,
    pub disk_max_used_space_ratio: Option<u32>,
}

/// The shared override cell (cheap to clone; clones share it).
#[derive(Debug, Default, Clone)]
pub struct StoreLive(Arc<RwLock<StoreOverrides>>);

impl StoreLive {
    /// Replaces the overrides.
    pub fn set(&self, o: StoreOverrides) {
        *self.0.write() = o;
    }

    /// The overrides in effect.
    pub fn get(&self) -> StoreOverrides {
        self.0.read().clone()
    }

    /// The runtime `maxMessageSize`, if set.
    pub fn max_message_size(&self) -> Option<usize> {
        self.0.read().max_message_size
    }
}
