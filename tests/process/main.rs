//! Real `rocketactor` processes: start/stop as a user does (`cli`), and the chaos suite
//! (issue #16, docs/chaos.md): faults injected from outside — SIGKILL (`kill9`), SIGSTOP of the
//! slave or the master (`sigstop`), a full tmpfs (`disk_full`), connection abuse (`abuse`) —
//! with every acknowledged message counted; each scenario prints one result line in
//! OpenChaos's terms (`enqueue_invoked`, `enqueue_acked`, `dequeued`, `lost`, `duplicated`,
//! `unavailable_ms`; `chaos_log`) on the real stderr, visible in `cargo test` output.

#[path = "../support/mod.rs"]
mod support;

mod abuse;
mod bench_cli;
mod chaos_log;
mod cli;
mod disk_full;
mod ha_pair;
mod kill9;
mod sigstop;

#[test]
fn kill9_of_a_sync_master_loses_no_acknowledged_message() {
    kill9::run();
}

#[test]
fn sigstop_of_the_slave_turns_sync_master_sends_into_timeouts_never_send_ok() {
    sigstop::run(sigstop::Target::Slave);
}

#[test]
fn sigstop_of_the_master_acknowledges_nothing_until_sigcont_and_loses_nothing() {
    sigstop::run(sigstop::Target::Master);
}

#[test]
fn connection_abuse_leaves_well_behaved_clients_served_and_memory_bounded() {
    abuse::run();
}

#[test]
fn disk_full_under_load_refuses_as_java_and_resumes_when_space_returns() {
    disk_full::run();
}
