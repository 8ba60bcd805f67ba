//! Integration tests of the namesrv area (one module per former test file).

mod config;
mod liveness;
mod routes;
