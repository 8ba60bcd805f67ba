//! Integration tests of the tools area (one module per former test file).

mod admin_cli;
mod dashboard_api;
mod doctor;
