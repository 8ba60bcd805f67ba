//! Interoperability test crate: its tests drive rocketactor's servers with third-party RocketMQ
//! clients (rocketmq-client-rust 1.0.0). Kept out of the main crate so that the heavy client
//! dependency tree is only built when these tests run.
