//! One interop test's fixtures, started together and stopped in the right order: our servers
//! with the test's topic created, and the client's runtime. The client goes first on the way
//! down, so that its shutdown still finds the servers up.

use rocketmq_client_rust::DefaultMQProducer;

use crate::client::{start_producer, ClientEnv};
use crate::cluster::ServerCluster;

/// The servers and the client runtime of one test.
pub struct TestBed {
    /// The client side; dropped before `cluster` (field order).
    pub env: ClientEnv,
    pub cluster: ServerCluster,
}

impl TestBed {
    /// Starts the servers, creates `topic` with `queues` queues and builds a client runtime
    /// whose threads are named after `scope`.
    pub fn start(scope: &str, topic: &str, queues: i32) -> TestBed {
        let cluster = ServerCluster::start();
        cluster.create_topic(topic, queues);
        let env = ClientEnv::new(scope);
        TestBed { env, cluster }
    }

    /// `ip:port` of the name server.
    pub fn ns(&self) -> &str {
        &self.cluster.namesrv_addr
    }

    /// A started producer of `group`.
    pub async fn producer(&self, group: &str) -> DefaultMQProducer {
        start_producer(&self.env, self.ns(), group).await
    }

    /// Shuts the client runtime down, then the servers.
    pub fn finish(self) {
        let TestBed { env, cluster } = self;
        drop(env);
        cluster.stop();
    }
}
