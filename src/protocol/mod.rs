//! JSON bodies of the remoting protocol (route data, registration, heartbeat, admin tables),
//! read as leniently as fastjson and written in the shapes Java writes, plus the superset of
//! fields that rocketmq-client-rust 1.0.0 requires.
pub mod admin;
pub mod admin_broker;
pub mod cluster;
pub mod consumer_status;
pub mod fastjson;
pub mod heartbeat;
pub mod kv;
pub mod lenient;
pub mod lock;
pub mod message_queue;
pub mod offset;
pub mod register;
pub mod reset_offset;
pub mod route;
pub mod subscription;
pub mod topic;
