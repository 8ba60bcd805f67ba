//! Integration tests of the config area (one module per former test file).

mod advertised;
mod errors;
mod programmatic;
mod properties;
mod seed;
mod sets;
mod tls;
