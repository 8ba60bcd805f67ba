//! Real `rocketactor` processes: start/stop as a user does (`cli`), and the chaos suite
//! (issue #16, `kill9`): faults injected from outside (signals), every acknowledged message
//! counted; each chaos scenario prints one result line in OpenChaos's terms (`enqueue_invoked`,
//! `enqueue_acked`, `dequeued`, `lost`, `duplicated`, `unavailable_ms`).
//! Run with `cargo test --test process -- --nocapture` to see the lines.

#[path = "../support/mod.rs"]
mod support;

mod chaos_log;
mod cli;
mod kill9;

#[test]
fn kill9_of_a_sync_master_loses_no_acknowledged_message() {
    kill9::run();
}
