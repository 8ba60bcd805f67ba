//! One statistics item (Java `StatsItem`): a value and a call count, added to with atomics on
//! the hot path, and three sample windows read by VIEW_BROKER_STATS_DATA and `/metrics`.
//! The windows follow Java exactly: the minute window is sampled every 10 s and keeps 7
//! snapshots, the hour window every 10 min (7), the day window every hour (25); the first
//! sample of a window is preceded by a zero snapshot one period earlier, and a window's figures
//! are `sum = last - first`, `tps = sum * 1000 / (last.ts - first.ts)`,
//! `avgpt = sum / (last.times - first.times)` (0 when no calls). docs/metrics.md.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicI64, Ordering};

use parking_lot::Mutex;

/// The three windows of an item.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Window {
    /// Sampled every 10 s, 7 snapshots: the last minute.
    Minute,
    /// Sampled every 10 min, 7 snapshots: the last hour.
    Hour,
    /// Sampled every hour, 25 snapshots: the last day.
    Day,
}

impl Window {
    /// The sampling period in milliseconds.
    pub const fn period_ms(self) -> i64 {
        match self {
            Window::Minute => 10_000,
            Window::Hour => 600_000,
            Window::Day => 3_600_000,
        }
    }

    /// How many snapshots the window keeps.
    const fn capacity(self) -> usize {
        match self {
            Window::Minute | Window::Hour => 7,
            Window::Day => 25,
        }
    }

    pub const ALL: [Window; 3] = [Window::Minute, Window::Hour, Window::Day];
}

/// One sample: when, how many calls, how much value (Java `CallSnapshot`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Snapshot {
    pub timestamp: i64,
    pub times: i64,
    pub value: i64,
}

/// A window's figures (Java `StatsSnapshot`).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Figures {
    pub sum: i64,
    pub tps: f64,
    pub avgpt: f64,
    pub times: i64,
}

/// Java `StatsItem.computeStatsData`: first and last snapshot of the window. Two snapshots with
/// the same timestamp give Java's `0.0 / 0` (NaN), kept as is.
pub fn compute(list: &VecDeque<Snapshot>) -> Figures {
    let (Some(first), Some(last)) = (list.front(), list.back()) else {
        return Figures::default();
    };
    let sum = last.value - first.value;
    let tps = (sum as f64 * 1000.0) / (last.timestamp - first.timestamp) as f64;
    let times = last.times - first.times;
    let avgpt = if times > 0 {
        sum as f64 / times as f64
    } else {
        0.0
    };
    Figures {
        sum,
        tps,
        avgpt,
        times,
    }
}

/// A counter pair with its windows.
#[derive(Debug, Default)]
pub struct StatsItem {
    value: AtomicI64,
    times: AtomicI64,
    minute: Mutex<VecDeque<Snapshot>>,
    hour: Mutex<VecDeque<Snapshot>>,
    day: Mutex<VecDeque<Snapshot>>,
}

impl StatsItem {
    /// Hot path: two relaxed atomic adds.
    pub fn add(&self, value: i64, times: i64) {
        self.value.fetch_add(value, Ordering::Relaxed);
        self.times.fetch_add(times, Ordering::Relaxed);
    }

    /// The running totals since the item was created.
    pub fn value(&self) -> i64 {
        self.value.load(Ordering::Relaxed)
    }

    pub fn times(&self) -> i64 {
        self.times.load(Ordering::Relaxed)
    }

    fn list(&self, w: Window) -> &Mutex<VecDeque<Snapshot>> {
        match w {
            Window::Minute => &self.minute,
            Window::Hour => &self.hour,
            Window::Day => &self.day,
        }
    }

    /// Java `samplingInSeconds` / `samplingInMinutes` / `samplingInHour` at `now_ms`.
    pub fn sample(&self, w: Window, now_ms: i64) {
        let mut list = self.list(w).lock();
        if list.is_empty() {
            list.push_back(Snapshot {
                timestamp: now_ms - w.period_ms(),
                times: 0,
                value: 0,
            });
        }
        list.push_back(Snapshot {
            timestamp: now_ms,
            times: self.times(),
            value: self.value(),
        });
        if list.len() > w.capacity() {
            list.pop_front();
        }
    }

    /// The figures of one window.
    pub fn figures(&self, w: Window) -> Figures {
        compute(&self.list(w).lock())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Hand-computed with Java's formulas: seed (t0-10s, 0, 0), then (t0, 3 calls, 30),
    /// (t0+10s, 5 calls, 80): minute sum 80, tps 80*1000/20000 = 4.0, avgpt 80/5 = 16.0.
    #[test]
    fn minute_window_matches_java_arithmetic() {
        let item = StatsItem::default();
        let t0 = 1_000_000;
        item.add(30, 3);
        item.sample(Window::Minute, t0);
        let f = item.figures(Window::Minute);
        assert_eq!(f.sum, 30);
        assert_eq!(f.tps, 3.0); // 30 * 1000 / 10000
        assert_eq!(f.avgpt, 10.0);
        item.add(50, 2);
        item.sample(Window::Minute, t0 + 10_000);
        let f = item.figures(Window::Minute);
        assert_eq!((f.sum, f.times), (80, 5));
        assert_eq!(f.tps, 4.0);
        assert_eq!(f.avgpt, 16.0);
    }

    /// Seven snapshots kept: after 8 samples of +10 every 10 s the seed is gone and the window
    /// spans 60 s with sum 60 (tps 1.0); the hour window keeps its own list.
    #[test]
    fn windows_roll_like_java() {
        let item = StatsItem::default();
        for i in 0..8 {
            item.add(10, 1);
            item.sample(Window::Minute, i * 10_000);
        }
        let f = item.figures(Window::Minute);
        assert_eq!(f.sum, 60);
        assert_eq!(f.tps, 1.0);
        assert_eq!(f.avgpt, 10.0);
        assert_eq!(item.figures(Window::Hour), Figures::default());
        item.sample(Window::Hour, 0);
        let h = item.figures(Window::Hour);
        // 80 over the seeded 600 s: 0.1333.. per second.
        assert_eq!(h.sum, 80);
        assert!((h.tps - 80.0 / 600.0).abs() < 1e-12);
        for i in 1..=30 {
            item.sample(Window::Day, i * 3_600_000);
        }
        let d = item.figures(Window::Day);
        assert_eq!(d.sum, 0, "no adds during the day samples");
        assert_eq!(d.tps, 0.0);
    }

    #[test]
    fn empty_window_is_zero() {
        let f = StatsItem::default().figures(Window::Day);
        assert_eq!(f, Figures::default());
    }
}
