//! Integration tests of the remoting area (one module per former test file).

mod server;
mod tls;
