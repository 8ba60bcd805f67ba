//! The put/get TPS history of the cluster page: every `interval` the dashboard process asks
//! each broker for its runtime info (GET_BROKER_RUNTIME_INFO, 28) and keeps the last
//! [`KEEP`] samples per broker: the TPS the broker reports (`putTps`, `getTransferedTps`,
//! first field of each) and the rate derived from the `msgPutTotalTodayNow` /
//! `msgGetTotalTodayNow` counters between two samples.

use std::collections::{BTreeMap, VecDeque};

use serde::Serialize;

/// Samples kept per broker (at 5 s, ten minutes).
pub const KEEP: usize = 120;

#[derive(Debug, Clone, Copy, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Sample {
    pub time_ms: i64,
    /// `putTps` as the broker reports it.
    pub put_tps: f64,
    /// `getTransferedTps` as the broker reports it.
    pub get_tps: f64,
    /// Messages put per second since the previous sample (from the counters).
    pub put_rate: f64,
    /// Messages got per second since the previous sample (from the counters).
    pub get_rate: f64,
    #[serde(skip)]
    put_total: i64,
    #[serde(skip)]
    get_total: i64,
}

/// broker address → samples, oldest first.
#[derive(Debug, Default)]
pub struct TpsHistory {
    pub brokers: BTreeMap<String, VecDeque<Sample>>,
}

impl TpsHistory {
    /// Adds one sample of `addr` from its runtime table.
    pub fn record(&mut self, addr: &str, time_ms: i64, table: &BTreeMap<String, String>) {
        let num = |k: &str| table.get(k).and_then(|v| v.trim().parse::<i64>().ok());
        let first = |k: &str| {
            table
                .get(k)
                .and_then(|v| v.split_whitespace().next())
                .and_then(|v| v.parse::<f64>().ok())
                .unwrap_or(0.0)
        };
        let put_total = num("msgPutTotalTodayNow").unwrap_or(0);
        let get_total = num("msgGetTotalTodayNow").unwrap_or(0);
        let q = self.brokers.entry(addr.to_owned()).or_default();
        let (put_rate, get_rate) = match q.back() {
            Some(prev) if time_ms > prev.time_ms => {
                let secs = (time_ms - prev.time_ms) as f64 / 1000.0;
                (
                    (put_total - prev.put_total).max(0) as f64 / secs,
                    (get_total - prev.get_total).max(0) as f64 / secs,
                )
            }
            _ => (0.0, 0.0),
        };
        q.push_back(Sample {
            time_ms,
            put_tps: first("putTps"),
            get_tps: first("getTransferedTps"),
            put_rate,
            get_rate,
            put_total,
            get_total,
        });
        while q.len() > KEEP {
            q.pop_front();
        }
    }

    /// Forgets brokers no longer in the cluster.
    pub fn retain(&mut self, live: &[String]) {
        self.brokers.retain(|a, _| live.contains(a));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(put: i64, get: i64) -> BTreeMap<String, String> {
        [
            ("msgPutTotalTodayNow", put.to_string()),
            ("msgGetTotalTodayNow", get.to_string()),
            ("putTps", "2.5 1.0 0.5".to_owned()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect()
    }

    #[test]
    fn rates_come_from_counter_deltas_and_history_is_bounded() {
        let mut h = TpsHistory::default();
        h.record("b:1", 1_000, &table(10, 0));
        h.record("b:1", 3_000, &table(30, 4));
        let q = &h.brokers["b:1"];
        assert_eq!(q[0].put_rate, 0.0);
        assert_eq!(q[1].put_rate, 10.0);
        assert_eq!(q[1].get_rate, 2.0);
        assert_eq!(q[1].put_tps, 2.5);
        for i in 0..(KEEP as i64 + 10) {
            h.record("b:1", 4_000 + i * 1000, &table(30, 4));
        }
        assert_eq!(h.brokers["b:1"].len(), KEEP);
        h.retain(&[]);
        assert!(h.brokers.is_empty());
    }
}
