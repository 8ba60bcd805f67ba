//! Tests that arm I/O failpoints (`rocketactor::failpoint`), in their own binary: the armed list
//! is process-global (scoped to each test's temp dir, so these tests do not disturb each other,
//! but they stay apart from the rest of the suite).

#[path = "../support/mod.rs"]
mod support;

mod broker;
mod ha_socket;
mod ha_waits;
mod startup;
mod store;
mod write_path;
