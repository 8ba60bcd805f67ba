//! The arbiters a listener spreads its connections over (issue #17): Java's Netty server runs
//! `serverSelectorThreads` event loops; we run `ServerSettings::io_threads` actix arbiters and
//! hand each accepted socket to the next one, round-robin, so that frame decoding, request
//! handling and response encoding of different clients run on different cores, and a page
//! fault taken while serving one client does not hold up the clients of the other arbiters.
//!
//! With no arbiters (`io_threads == 0`, the default of [`super::ServerSettings`]) connections
//! run on the listener's own arbiter, as they always did. The store writer and the flush stay
//! single-owner threads of their own: only connection actors live here.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use actix::{Arbiter, ArbiterHandle};

/// How long a stopping listener lets its connections finish closing (each runs its `stopped`,
/// telling the request handler) before their arbiters are stopped.
const CLOSE_GRACE: Duration = Duration::from_secs(2);
const CLOSE_POLL: Duration = Duration::from_millis(10);

/// Most connection arbiters a listener starts, whatever the configuration says.
const MAX_THREADS: usize = 16;

/// The connection arbiters of a server configured with `serverSelectorThreads = selector`
/// (Java's default is 3): no more than the cores (more event loops than cores would only add
/// thread switches), at most [`MAX_THREADS`]; 0 keeps connections on the listener's arbiter.
pub fn threads_for(selector: u32) -> usize {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    (selector as usize).min(cores).min(MAX_THREADS)
}

/// A listener's connection arbiters.
pub struct ConnArbiters {
    arbiters: Vec<ArbiterHandle>,
    next: AtomicUsize,
}

impl ConnArbiters {
    /// Starts `n` arbiters in the current actix System (none when `n == 0`).
    pub fn start(n: usize) -> Self {
        ConnArbiters {
            arbiters: (0..n).map(|_| Arbiter::new().handle()).collect(),
            next: AtomicUsize::new(0),
        }
    }

    pub fn len(&self) -> usize {
        self.arbiters.len()
    }

    pub fn is_empty(&self) -> bool {
        self.arbiters.is_empty()
    }

    /// The arbiter for the next connection, or `None` when connections stay on the
    /// listener's arbiter.
    pub fn pick(&self) -> Option<&ArbiterHandle> {
        if self.arbiters.is_empty() {
            return None;
        }
        let i = self.next.fetch_add(1, Ordering::Relaxed) % self.arbiters.len();
        Some(&self.arbiters[i])
    }

    /// Stops the arbiters once `open()` reports no connection left (they were told to close),
    /// or after [`CLOSE_GRACE`]. Runs on a short-lived thread of its own, so that it works
    /// whether or not the caller is inside a runtime, and never blocks an event loop.
    pub fn stop_after_close(&self, open: impl Fn() -> usize + Send + 'static) {
        if self.arbiters.is_empty() {
            return;
        }
        let arbiters = self.arbiters.clone();
        let stop = move || {
            let polls = CLOSE_GRACE.as_millis() / CLOSE_POLL.as_millis();
            for _ in 0..polls {
                if open() == 0 {
                    break;
                }
                std::thread::sleep(CLOSE_POLL);
            }
            for a in &arbiters {
                a.stop();
            }
        };
        if std::thread::Builder::new()
            .name("conn-arbiters-stop".into())
            .spawn(stop)
            .is_err()
        {
            // No thread to wait on: stop now (connections still open are dropped, which closes
            // their sockets).
            for a in &self.arbiters {
                a.stop();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thread_count_follows_the_selector_key_within_the_cores() {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        assert_eq!(threads_for(0), 0);
        assert_eq!(threads_for(1), 1);
        assert_eq!(threads_for(3), cores.min(3));
        assert_eq!(threads_for(u32::MAX), cores.min(MAX_THREADS));
    }

    #[actix_rt::test]
    async fn sockets_go_round_robin_and_none_means_the_listeners_own() {
        let none = ConnArbiters::start(0);
        assert!(none.pick().is_none() && none.is_empty());
        let three = ConnArbiters::start(3);
        assert_eq!(three.len(), 3);
        let (tx, rx) = crossbeam_channel::unbounded();
        for _ in 0..6 {
            let tx = tx.clone();
            let arb = three.pick().expect("an arbiter");
            assert!(arb.spawn_fn(move || {
                let _ = tx.send(std::thread::current().id());
            }));
        }
        let mut ids: Vec<_> = (0..6)
            .map(|_| rx.recv_timeout(Duration::from_secs(10)).expect("ran"))
            .collect();
        ids.sort_by_key(|id| format!("{id:?}"));
        ids.dedup();
        assert_eq!(ids.len(), 3, "six connections over three threads");
        assert!(!ids.contains(&std::thread::current().id()));
        three.stop_after_close(|| 0);
    }
}
