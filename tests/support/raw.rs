//! Shared helpers of the name-server and remoting integration tests: an in-process name server
//! on 127.0.0.1, a raw-frame client over `Framed<TcpStream, RemotingCodec>` and request builders.

use std::net::SocketAddr;
use std::time::Duration;

use futures::{SinkExt, StreamExt};
use rocketactor::codec::codes::request;
use rocketactor::codec::{RemotingCodec, RemotingCommand};
use rocketactor::logging::test_logger;
use rocketactor::namesrv::{start_namesrv, NamesrvHandle, NamesrvSettings};
use rocketactor::protocol::register::RegisterBrokerBody;
use rocketactor::protocol::topic::{DataVersion, TopicConfig};
use tokio::net::TcpStream;
use tokio_util::codec::Framed;

/// Deadlock guard for every network wait; never reached when things work.
pub const GUARD: Duration = Duration::from_secs(10);

/// A name server on 127.0.0.1 with an OS-chosen port whose broker scan runs once an hour, so
/// that no registered broker expires during a test.
pub async fn start_ns() -> NamesrvHandle {
    let cfg = NamesrvSettings {
        listen: "127.0.0.1:0".parse().unwrap(),
        scan_interval: Duration::from_secs(3600),
        ..NamesrvSettings::default()
    };
    start_namesrv(cfg, test_logger())
        .await
        .expect("start name server")
}

pub struct Client {
    framed: Framed<TcpStream, RemotingCodec>,
    next_opaque: i32,
}

impl Client {
    pub async fn connect(addr: SocketAddr) -> Client {
        let stream = tokio::time::timeout(GUARD, TcpStream::connect(addr))
            .await
            .expect("connect timed out")
            .expect("connect");
        Client {
            framed: Framed::new(stream, RemotingCodec::default()),
            next_opaque: 1,
        }
    }

    /// Sends `req` with a fresh opaque and returns that opaque.
    pub async fn send(&mut self, mut req: RemotingCommand) -> i32 {
        let opaque = self.next_opaque;
        self.next_opaque += 1;
        req.opaque = opaque;
        self.framed.send(req).await.expect("send");
        opaque
    }

    /// Sends raw bytes (for garbage-frame tests).
    pub async fn send_raw(&mut self, bytes: &[u8]) {
        use tokio::io::AsyncWriteExt;
        self.framed
            .get_mut()
            .write_all(bytes)
            .await
            .expect("raw write");
    }

    /// The next frame, or `None` when the server closed the connection.
    pub async fn recv(&mut self) -> Option<RemotingCommand> {
        match tokio::time::timeout(GUARD, self.framed.next())
            .await
            .expect("recv timed out")
        {
            Some(Ok(cmd)) => Some(cmd),
            _ => None,
        }
    }

    /// Sends `req` and waits for the response with its opaque.
    pub async fn call(&mut self, req: RemotingCommand) -> RemotingCommand {
        let opaque = self.send(req).await;
        for _ in 0..100 {
            let resp = self
                .recv()
                .await
                .expect("connection closed while waiting for a response");
            if resp.is_response() && resp.opaque == opaque {
                return resp;
            }
        }
        panic!("no response with opaque {opaque}");
    }
}

/// A REGISTER_BROKER request with JSON body holding `topics` as (name, read, write, perm).
pub fn register_req(
    cluster: &str,
    name: &str,
    addr: &str,
    id: i64,
    ha: &str,
    topics: &[(&str, i32, i32, i32)],
    counter: i64,
) -> RemotingCommand {
    let mut body = RegisterBrokerBody::default();
    body.topic_config_serialize_wrapper.data_version = DataVersion {
        counter,
        state_version: 0,
        timestamp: 1_690_000_000_000,
    };
    for (t, r, w, p) in topics {
        body.topic_config_serialize_wrapper
            .topic_config_table
            .insert(t.to_string(), TopicConfig::new(*t, *r, *w, *p));
    }
    RemotingCommand::request(request::REGISTER_BROKER)
        .with_ext("clusterName", cluster)
        .with_ext("brokerName", name)
        .with_ext("brokerAddr", addr)
        .with_ext("brokerId", id)
        .with_ext("haServerAddr", ha)
        .with_ext("compressed", false)
        .with_body(body.encode_json().expect("encode"))
}

/// GET_ROUTEINFO_BY_TOPIC with the given request version.
pub fn route_req(topic: &str, version: i32) -> RemotingCommand {
    let mut req =
        RemotingCommand::request(request::GET_ROUTEINFO_BY_TOPIC).with_ext("topic", topic);
    req.version = version;
    req
}
