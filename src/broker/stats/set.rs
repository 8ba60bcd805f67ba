//! A named set of statistics items keyed by string (Java `StatsItemSet`), e.g. every topic of
//! TOPIC_PUT_NUMS. The key -> item lookup is a sharded concurrent map: the hot path takes one
//! shard's read lock and two atomic adds; only the first use of a key writes to the map.

use std::sync::Arc;

use dashmap::DashMap;

use crate::broker::stats::item::{Figures, StatsItem, Window};

/// The items of one stats name.
#[derive(Debug, Default)]
pub struct StatsItemSet {
    items: DashMap<String, Arc<StatsItem>>,
}

impl StatsItemSet {
    /// Java `addValue(statsKey, incValue, incTimes)`.
    pub fn add(&self, key: &str, value: i64, times: i64) {
        if let Some(item) = self.items.get(key) {
            item.add(value, times);
            return;
        }
        self.items
            .entry(key.to_string())
            .or_default()
            .add(value, times);
    }

    /// The item of `key`, if anything was ever counted for it.
    pub fn get(&self, key: &str) -> Option<Arc<StatsItem>> {
        self.items.get(key).map(|i| i.clone())
    }

    /// Java `getStatsDataInMinute(statsKey)` etc.: zero figures for an unknown key.
    pub fn figures(&self, key: &str, w: Window) -> Figures {
        self.get(key).map(|i| i.figures(w)).unwrap_or_default()
    }

    /// Samples every item's window `w` at `now_ms` (the sampler actor's tick).
    pub fn sample(&self, w: Window, now_ms: i64) {
        // Copy the items out first: no shard lock is held while the window locks are taken.
        let items: Vec<Arc<StatsItem>> = self.items.iter().map(|e| e.value().clone()).collect();
        for i in items {
            i.sample(w, now_ms);
        }
    }

    /// Every key with its item (for `/metrics`).
    pub fn entries(&self) -> Vec<(String, Arc<StatsItem>)> {
        self.items
            .iter()
            .map(|e| (e.key().clone(), e.value().clone()))
            .collect()
    }

    /// Java `delValueByPrefixKey` / `delValueBySuffixKey` family: forgets matching keys.
    pub fn remove_where(&self, pred: impl Fn(&str) -> bool) {
        self.items.retain(|k, _| !pred(k));
    }
}
