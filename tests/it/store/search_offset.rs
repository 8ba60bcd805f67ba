//! SEARCH_OFFSET_BY_TIMESTAMP semantics of Java 4.9.7's ConsumeQueue.getOffsetInQueueByTime
//! (used by consumers starting CONSUME_FROM_TIMESTAMP and by offset resets): an exact store
//! time finds its message, any other time the message stored closest to it (the older one on
//! a tie), the first message before everything and the last one after everything.

use crate::support::store as common;

use common::*;

/// Messages stored a few milliseconds apart, with their store times as read back.
fn store_spaced(
    n: usize,
) -> (
    tempfile::TempDir,
    rocketactor::store::MessageStore,
    Vec<i64>,
) {
    let dir = tempfile::tempdir().unwrap();
    let mut store = open(&small_config(dir.path()));
    let mut times: Vec<i64> = Vec::new();
    // Bounded: each message waits until its store time is at least 4 ms after the previous.
    for i in 0..n {
        for _attempt in 0..1000 {
            std::thread::sleep(std::time::Duration::from_millis(2));
            let now = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_millis() as i64;
            if times.last().is_none_or(|t| now >= t + 4) {
                break;
            }
        }
        let m = msg(
            "SEARCH_T",
            0,
            format!("m{i}").as_bytes(),
            "TagA",
            "",
            &format!("U{i}"),
        );
        store.put_message(&m).unwrap();
        let r = store.reader();
        let phys = r
            .commit_log_offset_in_queue("SEARCH_T", 0, i as i64)
            .expect("dispatched");
        times.push(r.store_time_at(phys).expect("store time"));
    }
    (dir, store, times)
}

#[test]
fn offset_by_time_finds_the_closest_message_like_java() {
    let (_dir, store, t) = store_spaced(5);
    for w in t.windows(2) {
        assert!(w[1] - w[0] >= 4, "store times {t:?} are spaced");
    }
    let r = store.reader();
    let at = |ts: i64| r.offset_by_time("SEARCH_T", 0, ts);
    assert_eq!(at(t[0] - 10_000), 0, "before everything: the first message");
    assert_eq!(
        at(t[4] + 10_000),
        4,
        "after everything: the last message, not the max offset"
    );
    for (i, ts) in t.iter().enumerate() {
        assert_eq!(at(*ts), i as i64, "exact store time of message {i}");
    }
    // Just after message 2 (closer to it than to 3) and just before message 3.
    assert_eq!(at(t[2] + 1), 2);
    assert_eq!(at(t[3] - 1), 3);
    // Exactly between two messages: the older one.
    let (a, b) = (t[0], t[1]);
    if (b - a) % 2 == 0 {
        assert_eq!(at(a + (b - a) / 2), 0);
    } else {
        assert_eq!(at(a + (b - a) / 2), 0, "closer to message 0");
        assert_eq!(at(a + (b - a) / 2 + 1), 1, "closer to message 1");
    }
    assert_eq!(r.offset_by_time("NO_SUCH_TOPIC", 0, t[0]), 0);
}
