//! Bench measurements: a latency histogram (hdrhistogram, microseconds), send-status counts,
//! errors, and the summary printed as text and as one JSON line.

use std::collections::BTreeMap;
use std::time::Duration;

use hdrhistogram::Histogram;
use parking_lot::Mutex;
use serde::Serialize;

/// Shared, lock-protected counters (one lock per completed request: cheap next to a round trip).
pub struct Recorder {
    inner: Mutex<Inner>,
}

struct Inner {
    hist: Histogram<u64>,
    statuses: BTreeMap<String, u64>,
    messages: u64,
    bytes: u64,
    errors: u64,
    first_error: Option<String>,
}

impl Default for Recorder {
    fn default() -> Self {
        Recorder {
            inner: Mutex::new(Inner {
                // 1 µs .. 60 s, 3 significant digits; creation cannot fail for these bounds.
                hist: Histogram::new_with_bounds(1, 60_000_000, 3)
                    .unwrap_or_else(|_| Histogram::new(3).expect("histogram")),
                statuses: BTreeMap::new(),
                messages: 0,
                bytes: 0,
                errors: 0,
                first_error: None,
            }),
        }
    }
}

impl Recorder {
    /// One completed request carrying `messages` messages of `bytes` in all.
    pub fn ok(&self, latency: Duration, status: &str, messages: u64, bytes: u64) {
        let mut s = self.inner.lock();
        let us = (latency.as_micros() as u64).clamp(1, 60_000_000);
        let _ = s.hist.record(us);
        *s.statuses.entry(status.to_string()).or_default() += messages;
        s.messages += messages;
        s.bytes += bytes;
    }

    pub fn error(&self, what: String) {
        let mut s = self.inner.lock();
        s.errors += 1;
        if s.first_error.is_none() {
            s.first_error = Some(what);
        }
    }

    pub fn messages(&self) -> u64 {
        self.inner.lock().messages
    }

    pub fn summary(&self, workload: &str, elapsed: Duration) -> Summary {
        let s = self.inner.lock();
        let secs = elapsed.as_secs_f64().max(1e-9);
        let q = |p: f64| {
            if s.hist.is_empty() {
                0
            } else {
                s.hist.value_at_quantile(p)
            }
        };
        Summary {
            workload: workload.to_string(),
            sent: s.messages,
            errors: s.errors,
            elapsed_s: secs,
            msgs_per_s: s.messages as f64 / secs,
            mib_per_s: s.bytes as f64 / secs / (1024.0 * 1024.0),
            p50_us: q(0.50),
            p99_us: q(0.99),
            p999_us: q(0.999),
            max_us: if s.hist.is_empty() { 0 } else { s.hist.max() },
            statuses: s.statuses.clone(),
            first_error: s.first_error.clone(),
            verified: None,
        }
    }
}

/// The result of one run.
#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    pub workload: String,
    /// Messages acknowledged (produce) or read (consume).
    pub sent: u64,
    pub errors: u64,
    pub elapsed_s: f64,
    pub msgs_per_s: f64,
    pub mib_per_s: f64,
    pub p50_us: u64,
    pub p99_us: u64,
    pub p999_us: u64,
    pub max_us: u64,
    /// Send statuses (SEND_OK, FLUSH_DISK_TIMEOUT, ...) or pull statuses, counted per message.
    pub statuses: BTreeMap<String, u64>,
    pub first_error: Option<String>,
    /// Roundtrip: whether every message came back exactly once, intact.
    pub verified: Option<bool>,
}

impl Summary {
    pub fn print_text(&self) {
        println!("workload        {}", self.workload);
        println!("messages        {} in {:.2} s", self.sent, self.elapsed_s);
        println!(
            "throughput      {:.0} msgs/s, {:.2} MiB/s",
            self.msgs_per_s, self.mib_per_s
        );
        println!(
            "latency (us)    p50 {}  p99 {}  p999 {}  max {}",
            self.p50_us, self.p99_us, self.p999_us, self.max_us
        );
        for (k, v) in &self.statuses {
            println!("status          {k}: {v}");
        }
        println!("errors          {}", self.errors);
        if let Some(e) = &self.first_error {
            println!("first error     {e}");
        }
        if let Some(v) = self.verified {
            println!(
                "verified        {}",
                if v {
                    "every message exactly once, intact"
                } else {
                    "FAILED"
                }
            );
        }
    }

    /// One JSON object with the status counts flattened in as `status_<NAME>` too.
    pub fn json(&self) -> String {
        let mut v = serde_json::to_value(self).unwrap_or(serde_json::Value::Null);
        if let Some(obj) = v.as_object_mut() {
            for (k, n) in &self.statuses {
                obj.insert(format!("status_{k}"), serde_json::Value::from(*n));
            }
        }
        v.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summary_counts_and_quantiles() {
        let r = Recorder::default();
        for i in 1..=100u64 {
            r.ok(Duration::from_micros(i * 10), "SEND_OK", 1, 1024);
        }
        r.error("boom".into());
        let s = r.summary("produce", Duration::from_secs(2));
        assert_eq!(s.sent, 100);
        assert_eq!(s.errors, 1);
        assert!((s.msgs_per_s - 50.0).abs() < 1e-9);
        assert!((495..=505).contains(&s.p50_us), "{}", s.p50_us);
        assert!(s.max_us >= 1000);
        let j: serde_json::Value = serde_json::from_str(&s.json()).unwrap();
        assert_eq!(j["status_SEND_OK"], 100);
        assert_eq!(j["sent"], 100);
    }
}
