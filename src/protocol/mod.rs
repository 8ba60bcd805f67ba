//! JSON bodies of the remoting protocol (route data, registration, heartbeat, admin tables),
//! read as leniently as fastjson and written in the shapes Java writes, plus the superset of
//! fields that rocketmq-client-rust 1.0.0 requires.
pub mod lenient;
pub mod topic;
