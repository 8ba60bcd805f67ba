//! Integration tests of the codec area (one module per former test file).

mod body_parts;
mod fuzz_props;
mod golden;
mod json_fast;
mod malformed;
mod props;
