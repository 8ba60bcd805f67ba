//! What every chaos scenario of this binary shares (issue #16): the ledger of invoked and
//! acknowledged sends, load lanes that fill it, reading a topic back from one broker by pulls,
//! counting what an acknowledged set is missing there, and the one OpenChaos-style result line
//! (`chaos <name>: enqueue_invoked= enqueue_acked= dequeued= lost= duplicated= unavailable_ms=
//! ...`). The line goes to the process's real stderr, which `cargo test` does not capture, so a
//! CI log shows it for passing tests too.

use std::collections::HashMap;
use std::io::Write as _;
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use parking_lot::Mutex;
use rocketactor::client::message::{decode_messages, Message, SendStatus};
use rocketactor::client::producer::Producer;
use rocketactor::client::remoting::RemotingClient;
use rocketactor::client::MqError;
use rocketactor::codec::codes::{request, response};
use rocketactor::codec::headers::pull_request::{pull_sys_flag, PullMessageRequestHeader};
use rocketactor::codec::RemotingCommand;

use crate::support::procs::store_env;

/// How long a read-back keeps retrying before it reports what is still missing.
pub const READ_DEADLINE: Duration = Duration::from_secs(60);

/// Whether `CHAOS_DEBUG` asks for progress on stderr.
pub fn debug() -> bool {
    std::env::var_os("CHAOS_DEBUG").is_some()
}

/// Every send of a scenario: unique key of each acknowledged (SEND_OK) one → (lane, seq), and
/// counts of the invoked ones and of those answered otherwise (not acknowledged).
#[derive(Default)]
pub struct Ledger {
    pub acked: Mutex<HashMap<String, (usize, u64)>>,
    pub invoked: AtomicU64,
    pub unconfirmed: AtomicU64,
}

impl Ledger {
    pub fn acked_len(&self) -> u64 {
        self.acked.lock().len() as u64
    }

    /// Counts one send and its outcome; true when it was acknowledged.
    pub fn record(&self, lane: usize, seq: u64, outcome: &Result<SendOutcome, MqError>) -> bool {
        self.invoked.fetch_add(1, Ordering::Relaxed);
        match outcome {
            Ok(SendOutcome {
                status: SendStatus::SendOk,
                msg_id,
            }) => {
                self.acked.lock().insert(msg_id.clone(), (lane, seq));
                true
            }
            _ => {
                self.unconfirmed.fetch_add(1, Ordering::Relaxed);
                false
            }
        }
    }
}

/// The part of a send result the ledger needs.
#[derive(Debug, Clone)]
pub struct SendOutcome {
    pub status: SendStatus,
    pub msg_id: String,
}

/// Sends one message and records it in `ledger`.
pub async fn send_logged(
    p: &Producer,
    topic: &str,
    body: String,
    lane: usize,
    seq: u64,
    ledger: &Ledger,
) -> Result<SendOutcome, MqError> {
    let out = p
        .send(topic, Message::new(body))
        .await
        .map(|r| SendOutcome {
            status: r.status,
            msg_id: r.msg_id,
        });
    ledger.record(lane, seq, &out);
    out
}

/// One load lane: sends `<tag>-lane<id>-seq<n>` until `stop` (at most `max` sends), pausing
/// 20 ms after a send that was not acknowledged; `observe` sees every outcome with the instants
/// the send was invoked and answered.
#[allow(clippy::too_many_arguments)]
pub async fn lane(
    p: Producer,
    topic: &'static str,
    tag: String,
    id: usize,
    max: u64,
    ledger: Arc<Ledger>,
    stop: Arc<AtomicBool>,
    observe: Observer,
) {
    for seq in 0..max {
        if stop.load(Ordering::Acquire) {
            return;
        }
        let invoked = Instant::now();
        let out = send_logged(
            &p,
            topic,
            format!("{tag}-lane{id}-seq{seq}"),
            id,
            seq,
            &ledger,
        )
        .await;
        observe(&out, invoked, Instant::now());
        if !matches!(&out, Ok(o) if o.status == SendStatus::SendOk) {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

/// Sends probes until one is acknowledged or `limit` passes; true when one was.
pub async fn probe_until_acked(
    p: &Producer,
    topic: &str,
    ledger: &Ledger,
    limit: Duration,
) -> bool {
    let until = Instant::now() + limit;
    for i in 0u64.. {
        if Instant::now() >= until {
            return false;
        }
        match send_logged(p, topic, format!("probe-{i}"), usize::MAX, i, ledger).await {
            Ok(o) if o.status == SendStatus::SendOk => return true,
            other => {
                if debug() && i % 20 == 0 {
                    eprintln!("probe {i}: {:?}", other.map(|o| o.status));
                }
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        }
    }
    false
}

/// Environment of a broker process: its store under `root` (small files), `listenPort`, the
/// name server and any other `ROCKETACTOR_<key>` overrides.
pub fn broker_env(
    root: &Path,
    port: u16,
    ns: &str,
    extra: &[(&str, String)],
) -> Vec<(String, String)> {
    let mut env = store_env(root);
    env.push(("ROCKETACTOR_listenPort".into(), port.to_string()));
    env.push(("ROCKETACTOR_namesrvAddr".into(), ns.to_string()));
    for (k, v) in extra {
        env.push((format!("ROCKETACTOR_{k}"), v.clone()));
    }
    env
}

fn pull_cmd(topic: &str, queue_id: i32, offset: i64) -> RemotingCommand {
    let header = PullMessageRequestHeader {
        consumer_group: "cg-chaos".into(),
        topic: topic.into(),
        queue_id,
        queue_offset: offset,
        max_msg_nums: 32,
        sys_flag: pull_sys_flag::SUBSCRIPTION,
        commit_offset: 0,
        suspend_timeout_millis: 0,
        subscription: Some("*".into()),
        sub_version: 0,
        expression_type: Some("TAG".into()),
        bname: None,
    };
    let mut cmd = RemotingCommand::request(request::PULL_MESSAGE);
    header.write_to(&mut cmd);
    cmd
}

/// Every message of `topic` (queues `0..queues`) on the broker at `addr`: unique key → how many
/// times it is stored.
pub async fn read_all(
    addr: &str,
    topic: &str,
    queues: i32,
) -> Result<HashMap<String, u32>, String> {
    let c = RemotingClient::connect(addr, Duration::from_secs(3))
        .await
        .map_err(|e| e.to_string())?;
    let mut seen = HashMap::new();
    for q in 0..queues {
        let mut offset = 0i64;
        // Bounded: at most 100k pulls of 32 per queue.
        for _ in 0..100_000 {
            let r = c
                .invoke(pull_cmd(topic, q, offset), Duration::from_secs(5))
                .await
                .map_err(|e| e.to_string())?;
            if r.code != response::SUCCESS {
                if debug() {
                    eprintln!("{addr} q{q} @{offset}: code {} {:?}", r.code, r.remark);
                }
                break;
            }
            for m in decode_messages(&r.body)? {
                *seen.entry(m.msg_id).or_insert(0) += 1;
            }
            let next = r.ext("nextBeginOffset").and_then(|v| v.parse().ok());
            match next {
                Some(n) if n > offset => offset = n,
                _ => break,
            }
        }
    }
    Ok(seen)
}

/// Acknowledged keys not found at `addr`, retried until none is missing or `limit` passes.
/// Returns how many are missing and what was read.
pub async fn missing_at(
    addr: &str,
    topic: &str,
    queues: i32,
    ledger: &Ledger,
    limit: Duration,
) -> (usize, HashMap<String, u32>) {
    let until = Instant::now() + limit;
    loop {
        let want: Vec<String> = ledger.acked.lock().keys().cloned().collect();
        let (missing, seen) = match read_all(addr, topic, queues).await {
            Ok(seen) => (want.iter().filter(|k| !seen.contains_key(*k)).count(), seen),
            Err(_) => (want.len(), HashMap::new()),
        };
        if debug() {
            eprintln!(
                "{addr}: {missing} of {} missing, {} keys seen",
                want.len(),
                seen.len()
            );
        }
        if missing == 0 || Instant::now() >= until {
            return (missing, seen);
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// The result line of one scenario, built field by field in the order given.
pub struct ResultLine {
    name: String,
    fields: Vec<(String, String)>,
}

impl ResultLine {
    pub fn new(name: &str) -> ResultLine {
        ResultLine {
            name: name.to_owned(),
            fields: Vec::new(),
        }
    }

    pub fn field(mut self, key: &str, value: impl std::fmt::Display) -> ResultLine {
        self.fields.push((key.to_owned(), value.to_string()));
        self
    }

    /// The OpenChaos counters from a ledger and a final read-back: `enqueue_invoked`,
    /// `enqueue_acked`, `unconfirmed`, `dequeued` (stored copies read), `lost` and
    /// `duplicated` (copies beyond the first of a key).
    pub fn counters(self, ledger: &Ledger, seen: &HashMap<String, u32>, lost: usize) -> ResultLine {
        let dequeued: u64 = seen.values().map(|n| u64::from(*n)).sum();
        let duplicated: u64 = seen.values().map(|n| u64::from(n.saturating_sub(1))).sum();
        self.field("enqueue_invoked", ledger.invoked.load(Ordering::Relaxed))
            .field("enqueue_acked", ledger.acked_len())
            .field("unconfirmed", ledger.unconfirmed.load(Ordering::Relaxed))
            .field("dequeued", dequeued)
            .field("lost", lost)
            .field("duplicated", duplicated)
    }

    pub fn text(&self) -> String {
        let fields: Vec<String> = self
            .fields
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        format!("chaos {}: {}", self.name, fields.join(" "))
    }

    /// Writes the line to the real stderr (shown even when the test passes).
    pub fn print(&self) {
        let _ = writeln!(std::io::stderr(), "{}", self.text());
    }
}

/// How one send was answered, as the scenarios count it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Answer {
    SendOk,
    FlushDiskTimeout,
    FlushSlaveTimeout,
    SlaveNotAvailable,
    /// A refusal with this response code (e.g. SERVICE_NOT_AVAILABLE on a full disk).
    Refused(i32),
    /// No answer: a timeout or a broken connection.
    Failed,
}

impl Answer {
    pub fn of(out: &Result<SendOutcome, MqError>) -> Answer {
        match out {
            Ok(o) => match o.status {
                SendStatus::SendOk => Answer::SendOk,
                SendStatus::FlushDiskTimeout => Answer::FlushDiskTimeout,
                SendStatus::FlushSlaveTimeout => Answer::FlushSlaveTimeout,
                SendStatus::SlaveNotAvailable => Answer::SlaveNotAvailable,
            },
            Err(MqError::Response { code, .. }) => Answer::Refused(*code),
            Err(_) => Answer::Failed,
        }
    }
}

/// Every answer of a scenario: (invoked, answered, answer).
#[derive(Default)]
pub struct Timeline(Mutex<Vec<(Instant, Instant, Answer)>>);

/// What a lane calls with each outcome, the instant the send was invoked and when answered.
pub type Observer = Arc<dyn Fn(&Result<SendOutcome, MqError>, Instant, Instant) + Send + Sync>;

/// Answer counts, by answer.
pub type Counts = std::collections::BTreeMap<Answer, usize>;

impl Timeline {
    /// An observer for [`lane`] that records into this timeline.
    pub fn observer(self: &Arc<Self>) -> Observer {
        let t = self.clone();
        Arc::new(move |out, invoked, answered| {
            t.0.lock().push((invoked, answered, Answer::of(out)))
        })
    }

    fn count(&self, keep: impl Fn(Instant, Instant) -> bool) -> Counts {
        let mut counts = Counts::new();
        for (invoked, answered, a) in self.0.lock().iter() {
            if keep(*invoked, *answered) {
                *counts.entry(*a).or_insert(0) += 1;
            }
        }
        counts
    }

    /// Answers of the sends invoked at or after `from` and answered before `to`: during a
    /// fault from `from` to `to`, these could not have been helped by anything before it, so
    /// they are judged without any grace time.
    pub fn within(&self, from: Instant, to: Instant) -> Counts {
        self.count(|i, a| i >= from && a < to)
    }

    /// Answers of the sends invoked before `at` and answered at or after it (in flight at `at`).
    pub fn spanning(&self, at: Instant) -> Counts {
        self.count(|i, a| i < at && a >= at)
    }

    /// Answers that arrived in `[from, to)`, whenever they were invoked.
    pub fn answered(&self, from: Instant, to: Instant) -> Counts {
        self.count(|_, a| a >= from && a < to)
    }

    /// The first SEND_OK that arrived at or after `from`.
    pub fn first_ok_after(&self, from: Instant) -> Option<Instant> {
        self.0
            .lock()
            .iter()
            .filter(|(_, at, a)| *at >= from && *a == Answer::SendOk)
            .map(|(_, at, _)| *at)
            .min()
    }
}

/// `{answer: count}` as `ok=N flush_slave_timeout=N ...` for a result line.
pub fn answer_counts(counts: &Counts) -> String {
    let parts: Vec<String> = counts
        .iter()
        .map(|(a, n)| match a {
            Answer::SendOk => format!("send_ok:{n}"),
            Answer::FlushDiskTimeout => format!("flush_disk_timeout:{n}"),
            Answer::FlushSlaveTimeout => format!("flush_slave_timeout:{n}"),
            Answer::SlaveNotAvailable => format!("slave_not_available:{n}"),
            Answer::Refused(c) => format!("code{c}:{n}"),
            Answer::Failed => format!("no_answer:{n}"),
        })
        .collect();
    if parts.is_empty() {
        "none".into()
    } else {
        parts.join(",")
    }
}
