//! Integration tests of the namesrv area (one module per former test file).

mod config;
mod config_update;
mod liveness;
mod routes;
