//! Integration tests of the ha area (one module per former test file).

mod auth;
mod refusals;
mod replication;
mod tls;
