//! The one bounded wait of the test suite: poll a condition until it holds, panic with its name
//! after a deadline. The deadline is a deadlock guard, never a timing assertion.

use std::future::Future;
use std::time::{Duration, Instant};

/// The default deadline of [`eventually`]; never reached when things work.
pub const GUARD: Duration = Duration::from_secs(30);

/// How often a condition is polled.
const EVERY: Duration = Duration::from_millis(20);

/// What a polled condition returns: `bool` (done or not) or `Option<T>` (done with a value).
pub trait Ready {
    type Value;
    fn ready(self) -> Option<Self::Value>;
}

impl Ready for bool {
    type Value = ();
    fn ready(self) -> Option<()> {
        self.then_some(())
    }
}

impl<T> Ready for Option<T> {
    type Value = T;
    fn ready(self) -> Option<T> {
        self
    }
}

/// Polls `f` until it is ready (`true` or `Some`), at most [`GUARD`]; returns the value.
/// A synchronous condition is passed as `|| std::future::ready(cond())`.
pub async fn eventually<R, F, Fut>(what: &str, f: F) -> R::Value
where
    R: Ready,
    F: FnMut() -> Fut,
    Fut: Future<Output = R>,
{
    eventually_within(what, GUARD, f).await
}

/// [`eventually`] with its own deadline `limit`.
pub async fn eventually_within<R, F, Fut>(what: &str, limit: Duration, mut f: F) -> R::Value
where
    R: Ready,
    F: FnMut() -> Fut,
    Fut: Future<Output = R>,
{
    let deadline = Instant::now() + limit;
    loop {
        if let Some(v) = f().await.ready() {
            return v;
        }
        if Instant::now() >= deadline {
            panic!("timed out after {limit:?} waiting for: {what}");
        }
        tokio::time::sleep(EVERY).await;
    }
}

/// The blocking form for tests without a runtime (process tests): polls `f` on this thread.
pub fn eventually_blocking<R: Ready>(
    what: &str,
    limit: Duration,
    mut f: impl FnMut() -> R,
) -> R::Value {
    let deadline = Instant::now() + limit;
    loop {
        if let Some(v) = f().ready() {
            return v;
        }
        if Instant::now() >= deadline {
            panic!("timed out after {limit:?} waiting for: {what}");
        }
        std::thread::sleep(EVERY);
    }
}
