//! Integration tests of the client area (one module per former test file).

mod namesrv;
mod push_fake;
mod remoting;
