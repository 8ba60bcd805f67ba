//! Integration tests of the remoting area (one module per former test file).

mod arbiters;
mod server;
mod tls;
