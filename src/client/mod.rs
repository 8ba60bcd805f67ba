//! The project's own small RocketMQ client, used by the tools, the cluster demo and the tests.
//!
//! `remoting` is the transport: one pipelined TCP connection speaking the remoting protocol;
//! `pool` keeps one per peer. On top: `route` (name-server lookups and the route cache),
//! `producer`, `consumer` (pull), `selector` (SQL92 pulls and CHECK_CLIENT_CONFIG), `push`
//! (a minimal push consumer), `admin`. The pure parts
//! (`queues`, `allocate`, `message`, `msg_id`) hold the rules and are unit-tested.

pub mod admin;
pub mod allocate;
pub mod consumer;
pub mod error;
pub mod locks;
pub mod message;
pub mod mq_error;
pub mod msg_id;
pub mod pool;
pub mod producer;
pub mod push;
pub mod push_reset;
pub mod queues;
pub mod remoting;
pub mod route;
pub mod selector;
pub mod transaction;

pub use admin::{Admin, StatsData, StatsItem};
pub use consumer::{PullConsumer, PullResult, PullStatus};
pub use error::ClientError;
pub use message::{Message, MessageExt, SendResult, SendStatus};
pub use mq_error::MqError;
pub use pool::ConnectionPool;
pub use producer::{Producer, ProducerConfig, SendCode};
pub use push::{ConsumeResult, PushConfig, PushConsumer};
pub use remoting::RemotingClient;
pub use route::{NameServerClient, RouteCache};
pub use transaction::{LocalTransactionState, TransactionListener, TransactionProducer};
