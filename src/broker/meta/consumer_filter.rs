//! The compiled SQL92 subscriptions per (topic, group), fed by heartbeats (Java
//! `ConsumerFilterManager`, RocketMQ 4.9.7): an expression is compiled once when it is first
//! seen or when a newer `subVersion` changes it; a newer version of the same expression only
//! bumps the stored version; an older or equal version is ignored; a newer version that does
//! not compile removes the entry, so the next pull answers FILTER_DATA_NOT_EXIST (27) — the
//! way Java "lets the client report the error". Not persisted (Java writes
//! consumerFilter.json, but only for its bloom-filter bit maps, which we do not compute).

use std::collections::HashMap;
use std::sync::Arc;

use crate::filter::{self, Selector};
use crate::protocol::heartbeat::SubscriptionData;

/// One registered SQL92 subscription (Java `ConsumerFilterData`).
#[derive(Debug, Clone)]
pub struct ConsumerFilterData {
    pub expression_type: String,
    pub client_version: i64,
    pub selector: Arc<Selector>,
}

/// (topic, group) → compiled subscription.
#[derive(Debug, Default)]
pub struct ConsumerFilterManager {
    table: HashMap<(String, String), ConsumerFilterData>,
}

impl ConsumerFilterManager {
    /// `register(group, subList)` on every heartbeat of a consumer group.
    pub fn register_group<'a>(
        &mut self,
        group: &str,
        subs: impl IntoIterator<Item = &'a SubscriptionData>,
    ) {
        for s in subs {
            self.register(
                &s.topic,
                group,
                &s.sub_string,
                &s.expression_type,
                s.sub_version,
            );
        }
    }

    /// Registers one subscription; true when the table changed or was confirmed.
    pub fn register(
        &mut self,
        topic: &str,
        group: &str,
        expression: &str,
        expression_type: &str,
        client_version: i64,
    ) -> bool {
        if filter::is_tag_type(Some(expression_type)) || expression.is_empty() {
            return false;
        }
        let key = (topic.to_string(), group.to_string());
        let build = || {
            filter::compile(expression_type, expression)
                .ok()
                .map(|sel| ConsumerFilterData {
                    expression_type: expression_type.to_string(),
                    client_version,
                    selector: Arc::new(sel),
                })
        };
        let Some(old) = self.table.get_mut(&key) else {
            return match build() {
                Some(d) => {
                    self.table.insert(key, d);
                    true
                }
                None => false,
            };
        };
        if client_version <= old.client_version {
            return false;
        }
        if old.selector.expression != expression || old.expression_type != expression_type {
            match build() {
                Some(d) => {
                    *old = d;
                    true
                }
                None => {
                    self.table.remove(&key);
                    false
                }
            }
        } else {
            old.client_version = client_version;
            true
        }
    }

    /// The registered subscription of `group` on `topic`.
    pub fn get(&self, topic: &str, group: &str) -> Option<&ConsumerFilterData> {
        self.table.get(&(topic.to_string(), group.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_decide() {
        let mut m = ConsumerFilterManager::default();
        assert!(!m.register("T", "g", "a = 1", "TAG", 1));
        assert!(!m.register("T", "g", "a =", "SQL92", 1));
        assert!(m.get("T", "g").is_none());
        assert!(m.register("T", "g", "a = 1", "SQL92", 5));
        // Older or equal versions are ignored, even with a new expression.
        assert!(!m.register("T", "g", "a = 2", "SQL92", 5));
        assert_eq!(
            m.get("T", "g").map(|d| d.selector.expression.as_str()),
            Some("a = 1")
        );
        // Same expression, newer version: only the version moves.
        assert!(m.register("T", "g", "a = 1", "SQL92", 6));
        assert_eq!(m.get("T", "g").map(|d| d.client_version), Some(6));
        // Newer version, new expression: recompiled.
        assert!(m.register("T", "g", "a = 2", "SQL92", 7));
        assert_eq!(
            m.get("T", "g").map(|d| d.selector.expression.as_str()),
            Some("a = 2")
        );
        // Newer version that does not compile: removed.
        assert!(!m.register("T", "g", "a = NULL", "SQL92", 8));
        assert!(m.get("T", "g").is_none());
    }
}
