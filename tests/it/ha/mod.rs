//! Integration tests of the ha area (one module per former test file).

mod refusals;
mod replication;
