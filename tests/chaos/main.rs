//! The chaos suite (issue #16): real `rocketactor` processes on 127.0.0.1 with temp-dir stores,
//! faults injected from outside (signals), every acknowledged message counted. Each scenario is
//! bounded in count and time and prints one result line in OpenChaos's terms
//! (`enqueue_invoked`, `enqueue_acked`, `dequeued`, `lost`, `duplicated`, `unavailable_ms`).
//! Run with `cargo test --test chaos -- --nocapture` to see the lines.

mod kill9;
mod procs;

#[test]
fn kill9_of_a_sync_master_loses_no_acknowledged_message() {
    kill9::run();
}
