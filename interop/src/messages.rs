//! What the tests send and how they check what comes back: every message carries a body, tags,
//! keys and user properties derived from its number, and every received message is checked
//! field by field against the one that was sent. [`Inbox`] collects consumed messages from the
//! client's listener callbacks (which run on the client's threads).

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex};

use rocketmq_model::common::message::message_ext::MessageExt;
use rocketmq_model::common::message::message_single::Message;

/// One message to send (and expect back).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Spec {
    pub seq: usize,
    pub body: String,
    pub tags: String,
    pub keys: Vec<String>,
    pub props: BTreeMap<String, String>,
}

impl Spec {
    /// Message `seq` of a test run called `run`: tags cycle through TagA/TagB/TagC, two keys,
    /// three user properties (one with characters that need care on the wire).
    pub fn new(run: &str, seq: usize) -> Spec {
        let tags = ["TagA", "TagB", "TagC"][seq % 3].to_string();
        let mut props = BTreeMap::new();
        props.insert("run".to_string(), run.to_string());
        props.insert("seq".to_string(), seq.to_string());
        props.insert("note".to_string(), format!("héllo=wörld:{seq}"));
        Spec {
            seq,
            body: format!("{run}-body-{seq}-{}", "x".repeat(seq % 7)),
            tags,
            keys: vec![format!("{run}-key-{seq}"), format!("order-{}", seq % 5)],
            props,
        }
    }

    /// `count` specs numbered from 0.
    pub fn many(run: &str, count: usize) -> Vec<Spec> {
        (0..count).map(|i| Spec::new(run, i)).collect()
    }

    /// The client message for `topic`.
    pub fn message(&self, topic: &str) -> Message {
        let mut b = Message::builder()
            .topic(topic)
            .body_slice(self.body.as_bytes())
            .tags(self.tags.as_str())
            .keys(self.keys.clone());
        for (k, v) in &self.props {
            b = b
                .raw_property(k.as_str(), v.as_str())
                .expect("user property name is not reserved");
        }
        b.build().expect("valid message")
    }
}

/// A consumed message, copied out of the client's `MessageExt`.
#[derive(Debug, Clone)]
pub struct Received {
    pub topic: String,
    pub queue_id: i32,
    pub queue_offset: i64,
    pub body: String,
    pub tags: Option<String>,
    pub keys: Vec<String>,
    pub props: BTreeMap<String, String>,
    pub reconsume_times: i32,
    pub msg_id: String,
    pub born_timestamp: i64,
    pub store_timestamp: i64,
    /// Wall-clock time (ms since the epoch) when the listener saw it.
    pub received_ms: i64,
}

impl Received {
    pub fn from_ext(m: &MessageExt) -> Received {
        let inner = m.message_inner();
        Received {
            topic: m.topic().to_string(),
            queue_id: m.queue_id(),
            queue_offset: m.queue_offset(),
            body: String::from_utf8_lossy(inner.body_slice()).into_owned(),
            tags: inner.tags().map(str::to_string),
            keys: inner.keys().unwrap_or_default(),
            props: m
                .properties()
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            reconsume_times: m.reconsume_times(),
            msg_id: m.msg_id().to_string(),
            born_timestamp: m.born_timestamp(),
            store_timestamp: m.store_timestamp(),
            received_ms: now_ms(),
        }
    }

    /// The user property `seq`, i.e. which [`Spec`] this is.
    pub fn seq(&self) -> Option<usize> {
        self.props.get("seq").and_then(|s| s.parse().ok())
    }

    /// Asserts body, tags, keys and every user property equal the spec's.
    pub fn check(&self, spec: &Spec) {
        assert_eq!(self.body, spec.body, "body of message {}", spec.seq);
        assert_eq!(
            self.tags.as_deref(),
            Some(spec.tags.as_str()),
            "tags of message {}",
            spec.seq
        );
        assert_eq!(self.keys, spec.keys, "keys of message {}", spec.seq);
        for (k, v) in &spec.props {
            assert_eq!(
                self.props.get(k),
                Some(v),
                "user property `{k}` of message {} (all: {:?})",
                spec.seq,
                self.props
            );
        }
    }
}

/// Milliseconds since the epoch (the store's clock).
pub use rocketactor::store::time::now_ms;

/// Messages consumed so far, shared between listener callbacks and the test.
#[derive(Clone, Default)]
pub struct Inbox {
    inner: Arc<Mutex<Vec<Received>>>,
}

impl Inbox {
    pub fn push(&self, r: Received) {
        self.inner.lock().expect("inbox lock").push(r);
    }

    /// Everything received, in arrival order.
    pub fn all(&self) -> Vec<Received> {
        self.inner.lock().expect("inbox lock").clone()
    }

    pub fn len(&self) -> usize {
        self.inner.lock().expect("inbox lock").len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The distinct `seq` values received for `run`.
    pub fn distinct_seqs(&self, run: &str) -> BTreeSet<usize> {
        self.all()
            .iter()
            .filter(|r| r.props.get("run").map(String::as_str) == Some(run))
            .filter_map(Received::seq)
            .collect()
    }

    /// A short description for timeout messages.
    pub fn summary(&self) -> String {
        let all = self.all();
        let seqs: Vec<String> = all
            .iter()
            .map(|r| {
                format!(
                    "{}@q{}o{}",
                    r.seq().map_or(-1, |s| s as i64),
                    r.queue_id,
                    r.queue_offset
                )
            })
            .collect();
        format!("{} received: [{}]", all.len(), seqs.join(", "))
    }
}

/// Checks that `received` holds every spec at least once, nothing else, each copy matching its
/// spec; returns how many copies of each seq arrived.
pub fn check_all(received: &[Received], specs: &[Spec]) -> BTreeMap<usize, usize> {
    let mut counts = BTreeMap::new();
    for r in received {
        let seq = r
            .seq()
            .unwrap_or_else(|| panic!("received a message without `seq`: {r:?}"));
        let spec = specs
            .iter()
            .find(|s| s.seq == seq)
            .unwrap_or_else(|| panic!("received an unexpected message {seq}: {r:?}"));
        assert_eq!(
            r.props.get("run"),
            spec.props.get("run"),
            "message from another run"
        );
        r.check(spec);
        *counts.entry(seq).or_insert(0usize) += 1;
    }
    let missing: Vec<usize> = specs
        .iter()
        .map(|s| s.seq)
        .filter(|s| !counts.contains_key(s))
        .collect();
    assert!(missing.is_empty(), "messages never received: {missing:?}");
    counts
}

/// [`check_all`], and every spec arrived exactly once; `what` names the expectation in the
/// failure message. Returns the copies per seq (all 1).
pub fn check_each_once(
    received: &[Received],
    specs: &[Spec],
    what: &str,
) -> BTreeMap<usize, usize> {
    let counts = check_all(received, specs);
    assert!(counts.values().all(|&n| n == 1), "{what}: {counts:?}");
    counts
}
