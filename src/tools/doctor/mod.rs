//! `rocketactor doctor`: checks a running cluster from where the operator sits. Most RocketMQ
//! deployment trouble is an address that is advertised but not reachable: brokerIP1 left at a
//! private or bind address, a NAT that forwards listenPort but not listenPort-2 (fast channel)
//! or listenPort+1 (HA), a master whose brokerIP2 its slave cannot reach, or a broker missing
//! from one name server. `doctor` asks every name server for its cluster table, probes every
//! advertised address with a real request, and prints a table with a verdict per broker and,
//! for each failure, the likely cause and the fix.
//!
//! Split: `probe` does the I/O and returns plain [`Observations`]; `diagnose` and `ha` hold the
//! rules (pure, unit-tested); `report` is the verdict and its text.

pub mod addr;
mod diagnose;
mod ha;
pub mod observe;
mod probe;
pub mod report;
#[cfg(test)]
mod tests;

use std::time::Duration;

pub use diagnose::diagnose;
pub use observe::{BrokerObs, HaObs, NamesrvObs, Observations, Outcome};
pub use probe::observe;
pub use report::{BrokerRow, Cell, Finding, Level, NamesrvRow, Report};

/// Per-probe timeout when none is given.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(3);

/// Splits a `--namesrv` list (`a:9876;b:9876`, also `,` or blanks).
pub fn parse_namesrvs(list: &str) -> Vec<String> {
    crate::client::route::parse_addrs(list)
}

/// Observes the cluster behind `namesrvs` and diagnoses it.
pub async fn run(namesrvs: &[String], timeout: Duration) -> Report {
    diagnose(&observe(namesrvs, timeout).await)
}
