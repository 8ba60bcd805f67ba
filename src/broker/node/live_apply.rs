//! Applies a runtime configuration change (UPDATE_BROKER_CONFIG, issue #13; Java
//! `AdminBrokerProcessor.updateBrokerConfig` + `Configuration.update`) to the pieces that copied
//! their settings at start-up. Request handlers read [`super::live_config::LiveConfig`] directly;
//! what is listed here is what runs on its own (docs/admin.md "Runtime configuration"):
//! - the store: `maxMessageSize`, `fileReservedTime`, `deleteWhen`, `diskMaxUsedSpaceRatio`
//!   (`crate::store::live`);
//! - the flush thread: `flushIntervalCommitLog`, `flushCommitLogLeastPages`,
//!   `flushCommitLogThoroughInterval`, `flushIntervalConsumeQueue`,
//!   `flushConsumeQueueLeastPages` (from its next round; `flushDiskType` stays);
//! - the topic table: `autoCreateTopicEnable`, `defaultTopicQueueNums`;
//! - `brokerPermission`: the topic DataVersion is bumped and the broker re-registers with every
//!   name server at once, as Java does.

use super::settings::{flush_settings, topic_options};
use super::state::Broker;
use crate::config::BrokerConfig;
use crate::store::live::StoreOverrides;

/// Makes `new` (already in `b.live`) take effect; `perm_changed` when the update named
/// `brokerPermission`.
pub fn apply(b: &Broker, new: &BrokerConfig, perm_changed: bool) {
    b.store.reader().config().live.set(StoreOverrides {
        max_message_size: Some(new.max_message_size as usize),
        file_reserved_time_hours: Some(new.file_reserved_time as u64),
        delete_when: Some(new.delete_when.clone()),
        disk_max_used_space_ratio: Some(new.disk_max_used_space_ratio),
    });
    b.store.flush.update_settings(flush_settings(new));
    {
        let mut meta = b.meta.lock();
        meta.topics.set_options(topic_options(new));
        if perm_changed {
            meta.topics.next_data_version();
        }
    }
    if perm_changed {
        // Marks topics.json dirty (it carries the DataVersion) and registers at once.
        b.topics_changed();
    }
}
