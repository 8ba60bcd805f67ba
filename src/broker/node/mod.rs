//! Wiring of one broker: [`start`] builds the shared [`state::Broker`] context and starts
//! every part under the root supervisor; [`replica`] is the replication role;
//! [`settings`] the values derived from the config.

pub mod arrival;
pub mod error;
pub mod live_apply;
pub mod live_config;
pub mod replica;
pub mod settings;
pub mod start;
pub mod state;
