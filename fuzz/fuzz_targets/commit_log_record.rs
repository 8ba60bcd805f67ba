//! Fuzz target: arbitrary bytes into `rocketactor::fuzzing::commit_log_record` (its doc lists the decoders
//! and the invariants checked). The same function runs with random input in the normal test
//! suite (`tests/it/codec/fuzz_props.rs`).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    rocketactor::fuzzing::commit_log_record(data);
});
