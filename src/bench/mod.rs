//! `rocketactor bench`: measure a cluster the way RocketMQ's benchmark Producer/Consumer does,
//! through the project's own client. `produce` sends numbered, checksummed messages with a
//! bounded number in flight; `consume` reads a topic back and verifies every body; `roundtrip`
//! does both at once and fails unless every produced message came back exactly once, intact.
//! Every run stops by itself (`--count` or `--duration`).

pub mod body;
pub mod consume;
pub mod produce;
pub mod progress;
pub mod stats;
pub mod tail;

use std::time::Duration;

use clap::{Args, Subcommand};

pub use stats::Summary;

/// Why a bench run could not start or finish.
#[derive(Debug, thiserror::Error)]
pub enum BenchError {
    #[error("client: {0}")]
    Client(#[from] crate::client::MqError),
    #[error("topic {topic} has no queues on {namesrv} after {waited:?}")]
    NoRoute {
        topic: String,
        namesrv: String,
        waited: Duration,
    },
    #[error("invalid arguments: {0}")]
    Args(String),
    #[error("roundtrip check failed: {0}")]
    Verify(String),
    #[error("TLS: {0}")]
    Tls(#[from] crate::tls::TlsError),
}

/// The workload to run.
#[derive(Debug, Clone, Subcommand)]
pub enum BenchCommand {
    /// Send messages and measure throughput and send latency.
    Produce(BenchArgs),
    /// Read a topic from the first offset and measure throughput (bodies are verified).
    Consume(BenchArgs),
    /// Produce and consume at once; exit non-zero unless every message came back once, intact.
    Roundtrip(BenchArgs),
}

/// Options shared by every workload.
#[derive(Debug, Clone, Args)]
pub struct BenchArgs {
    /// Name server list, `host:port[;host:port]`.
    #[arg(long, default_value = "127.0.0.1:9876")]
    pub namesrv: String,
    /// Topic (auto-created through TBW102 when the broker allows it).
    #[arg(long, default_value = "BenchmarkTest")]
    pub topic: String,
    /// Body size in bytes (at least 16: sequence number and checksum).
    #[arg(long, default_value_t = 1024)]
    pub size: usize,
    /// Requests in flight per producer.
    #[arg(long, default_value_t = 64)]
    pub inflight: usize,
    /// Producer instances (each with its own connections).
    #[arg(long, default_value_t = 1)]
    pub producers: usize,
    /// Messages to send (produce/roundtrip) or read (consume).
    #[arg(long, conflicts_with = "duration")]
    pub count: Option<u64>,
    /// Run for this many seconds instead of a count.
    #[arg(long)]
    pub duration: Option<u64>,
    /// Messages per SEND_BATCH_MESSAGE request (1 = single sends).
    #[arg(long, default_value_t = 1)]
    pub batch: usize,
    /// Tags to set, cycled over the messages (comma-separated).
    #[arg(long, value_delimiter = ',')]
    pub tags: Vec<String>,
    /// Producer / consumer group.
    #[arg(long, default_value = "rocketactor_bench")]
    pub group: String,
    /// Produce at most this many messages per second (0: as fast as the in-flight limit
    /// allows), e.g. half the peak rate to read the latency of a broker that is not saturated.
    #[arg(long, default_value_t = 0)]
    pub rate: u64,
    /// Client threads: 1 runs every sender on one thread (no cross-thread wake-ups; the
    /// cheapest per message), more uses a work-stealing runtime with that many workers.
    #[arg(long, default_value_t = 1)]
    pub threads: usize,
    /// Print one JSON object as the last line.
    #[arg(long)]
    pub json: bool,
    /// Hide the progress bar.
    #[arg(long)]
    pub quiet: bool,
    /// Connect over TLS, trusting any server certificate (Java's `useTLS` with the default
    /// `tls.test.mode.enable=true`; docs/tls.md).
    #[arg(long, alias = "use-tls")]
    pub tls: bool,
    /// consume only: measure long-poll wake-up latency instead of throughput (one message at a
    /// time to a parked pull; src/bench/tail.rs). `--count` is the number of rounds.
    #[arg(long)]
    pub tail: bool,
    /// consume only: pulls in flight per queue. Each one reads its own slice of the offsets
    /// stored when the run starts (the last slice also what arrives later), so no message is read
    /// twice. 1 (one pull loop per queue, as a Java pull consumer runs) is the default: on 2
    /// cores shared with the broker the client's decoding is the limit, and more pulls in flight
    /// measured no faster (BENCHMARKS.md "Consume").
    #[arg(long, default_value_t = 1)]
    pub pulls: usize,
}

/// Default message count when neither `--count` nor `--duration` is given.
pub const DEFAULT_COUNT: u64 = 100_000;
/// Hard stop for count-bounded runs, so a stalled broker cannot hang the tool.
pub const MAX_RUN: Duration = Duration::from_secs(600);

/// When a run stops.
#[derive(Debug, Clone, Copy)]
pub enum Limit {
    Count(u64),
    Time(Duration),
}

impl BenchArgs {
    /// The TLS context of `--tls`.
    pub fn client_tls(&self) -> Result<Option<crate::tls::ClientTls>, BenchError> {
        Ok(if self.tls {
            Some(crate::tls::ClientTls::insecure()?)
        } else {
            None
        })
    }

    /// A pull consumer of this run's consumer group (over TLS with `--tls`).
    pub fn consumer(&self) -> Result<crate::client::PullConsumer, BenchError> {
        let c =
            crate::client::PullConsumer::new(&self.namesrv, &format!("{}_consumer", self.group))?;
        Ok(match self.client_tls()? {
            Some(t) => c.with_tls(t),
            None => c,
        })
    }

    pub fn limit(&self) -> Limit {
        match (self.count, self.duration) {
            (_, Some(s)) => Limit::Time(Duration::from_secs(s.max(1))),
            (Some(n), None) => Limit::Count(n),
            (None, None) => Limit::Count(DEFAULT_COUNT),
        }
    }

    pub fn check(&self) -> Result<(), BenchError> {
        if self.size < body::HEADER {
            return Err(BenchError::Args(format!(
                "--size {} is below the {} bytes of sequence number and checksum",
                self.size,
                body::HEADER
            )));
        }
        if self.inflight == 0
            || self.producers == 0
            || self.batch == 0
            || self.threads == 0
            || self.pulls == 0
        {
            return Err(BenchError::Args(
                "--inflight, --producers, --batch, --threads and --pulls must be at least 1".into(),
            ));
        }
        Ok(())
    }
}

/// Runs a workload on a fresh tokio runtime (`--threads`); returns its summary.
pub fn run(cmd: BenchCommand) -> Result<Summary, BenchError> {
    let threads = match &cmd {
        BenchCommand::Produce(a) | BenchCommand::Consume(a) | BenchCommand::Roundtrip(a) => {
            a.threads
        }
    };
    let mut builder = if threads <= 1 {
        tokio::runtime::Builder::new_current_thread()
    } else {
        let mut b = tokio::runtime::Builder::new_multi_thread();
        b.worker_threads(threads);
        b
    };
    let rt = builder
        .enable_all()
        .build()
        .map_err(|e| BenchError::Args(format!("cannot start a runtime: {e}")))?;
    rt.block_on(async move {
        match cmd {
            BenchCommand::Produce(a) => {
                a.check()?;
                produce::run(&a, None).await
            }
            BenchCommand::Consume(a) if a.tail => {
                a.check()?;
                tail::run(&a).await
            }
            BenchCommand::Consume(a) => {
                a.check()?;
                consume::run(&a, None).await
            }
            BenchCommand::Roundtrip(a) => {
                a.check()?;
                consume::roundtrip(&a).await
            }
        }
    })
}
