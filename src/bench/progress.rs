//! The live progress bar the produce, consume and roundtrip workloads share.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressStyle};

use super::stats::Recorder;
use super::{BenchArgs, Limit};

/// A live progress bar (stderr; hidden with --quiet/--json or when stderr is not a terminal).
pub struct Progress {
    bar: ProgressBar,
    stop: Arc<AtomicBool>,
}

impl Progress {
    pub fn finish(&self) {
        self.stop.store(true, Ordering::Relaxed);
        self.bar.finish_and_clear();
    }
}

pub fn progress(a: &BenchArgs, limit: Limit, rec: Arc<Recorder>) -> Progress {
    let bar = match (a.quiet || a.json, limit) {
        (true, _) => ProgressBar::hidden(),
        (false, Limit::Count(n)) => ProgressBar::new(n),
        (false, Limit::Time(_)) => ProgressBar::new_spinner(),
    };
    if let Ok(style) =
        ProgressStyle::with_template("{spinner} [{elapsed_precise}] {bar:40} {pos}/{len} {msg}")
    {
        bar.set_style(style);
    }
    let stop = Arc::new(AtomicBool::new(false));
    let (b, s) = (bar.clone(), stop.clone());
    tokio::spawn(async move {
        let (mut last, mut last_t) = (0u64, Instant::now());
        while !s.load(Ordering::Relaxed) {
            tokio::time::sleep(Duration::from_millis(250)).await;
            let now = rec.messages();
            let rate = (now - last) as f64 / last_t.elapsed().as_secs_f64().max(1e-6);
            (last, last_t) = (now, Instant::now());
            b.set_position(now);
            b.set_message(format!("{rate:.0} msgs/s"));
        }
    });
    Progress { bar, stop }
}
