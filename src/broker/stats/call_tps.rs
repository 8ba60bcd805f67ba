//! The store's per-second call counters (Java `StoreStatsService`): one snapshot of a running
//! total every second, the last 601 kept, and the TPS over the last 10, 60 and 600 seconds as
//! GET_BROKER_RUNTIME_INFO's `putTps`, `getFoundTps`, `getMissTps`, `getTransferedTps` and
//! `getTotalTps` print them: `"tps10 tps60 tps600"`. A span not sampled long enough yet prints
//! `0.0` where Java prints an empty figure (its `result += ...` on an empty string): Java's
//! tools drop empty split parts, but the dashboard and other clients parse three numbers, and
//! `0.0` reads the same to Java's tools. docs/metrics.md.

use std::collections::VecDeque;

use parking_lot::Mutex;

use crate::broker::processors::runtime_disk::java_double;

/// Java `MAX_RECORDS_OF_SAMPLING + 1`.
const KEEP: usize = 601;

/// The three spans Java prints, in seconds.
pub const SPANS: [usize; 3] = [10, 60, 600];

/// One running total sampled every second.
#[derive(Debug, Default)]
pub struct CallTps {
    samples: Mutex<VecDeque<(i64, i64)>>,
}

impl CallTps {
    /// Records `total` at `now_ms`.
    pub fn sample(&self, now_ms: i64, total: i64) {
        let mut s = self.samples.lock();
        s.push_back((now_ms, total));
        if s.len() > KEEP {
            s.pop_front();
        }
    }

    /// Java `CallSnapshot.getTPS(lastBefore, last)` over the last `span` samples; `None` while
    /// fewer than `span + 1` samples exist.
    pub fn tps(&self, span: usize) -> Option<f64> {
        let s = self.samples.lock();
        if s.len() <= span {
            return None;
        }
        let (t1, v1) = *s.back()?;
        let (t0, v0) = s[s.len() - (span + 1)];
        Some((v1 - v0) as f64 / (t1 - t0) as f64 * 1000.0)
    }

    /// `"a b c"`, `0.0` for a span not yet sampled.
    pub fn render(&self) -> String {
        SPANS
            .iter()
            .map(|&n| java_double(self.tps(n).unwrap_or(0.0)))
            .collect::<Vec<_>>()
            .join(" ")
    }
}

/// `getTotalTps`: found + miss, `0.0` for a span not yet sampled (as Java).
pub fn render_sum(a: &CallTps, b: &CallTps) -> String {
    SPANS
        .iter()
        .map(|&n| java_double(a.tps(n).unwrap_or(0.0) + b.tps(n).unwrap_or(0.0)))
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 20 per second for 11 samples: the 10 s span is 20.0, the longer spans not sampled yet.
    #[test]
    fn spans_fill_like_java() {
        let c = CallTps::default();
        assert_eq!(c.render(), "0.0 0.0 0.0");
        for i in 0..11 {
            c.sample(i * 1000, i * 20);
        }
        assert_eq!(c.tps(10), Some(20.0));
        assert_eq!(c.render(), "20.0 0.0 0.0");
        let z = CallTps::default();
        assert_eq!(render_sum(&c, &z), "20.0 0.0 0.0");
        for i in 11..700 {
            c.sample(i * 1000, 11 * 20);
        }
        assert_eq!(c.render(), "0.0 0.0 0.0");
    }
}
