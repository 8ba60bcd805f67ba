//! The broker's own long-lived actors and threads, each supervised: name-server registration, the delay-level schedule, a slave's metadata sync and the
//! maintenance thread that writes metadata files off the event loops.

pub mod maintenance;
pub mod manual_clean;
pub mod registration;
pub mod schedule;
pub mod schedule_timeup;
pub mod slave_sync;
