//! rocketmq-client-rust 1.0.0 against our name server: a broker registered over raw frames is
//! visible through the client's admin API (route lookup and cluster info), which parses route
//! data strictly and therefore checks our superset fields and standard-JSON form.

use std::net::SocketAddr;
use std::sync::mpsc;
use std::time::Duration;

use cheetah_string::CheetahString;
use futures::{SinkExt, StreamExt};
use rocketactor::codec::codes::{request, response};
use rocketactor::codec::{RemotingCodec, RemotingCommand};
use rocketactor::namesrv::{start_namesrv, NamesrvSettings};
use rocketactor::protocol::register::RegisterBrokerBody;
use rocketactor::protocol::topic::{DataVersion, TopicConfig};
use rocketmq_client_rust::{
    ClientRuntime, ClientRuntimeConfig, DefaultMQAdminExt, MQAdminReadExt, TelemetryHandle,
};
use rocketmq_runtime::{RuntimeConfig, RuntimeOwner};
use tokio::net::TcpStream;
use tokio_util::codec::Framed;

const GUARD: Duration = Duration::from_secs(20);

/// Runs a name server on its own thread inside an actix System; returns its address and system.
fn spawn_namesrv() -> (SocketAddr, actix_rt::System) {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let sys = actix_rt::System::new();
        let started = sys.block_on(async {
            let cfg = NamesrvSettings {
                listen: "127.0.0.1:0".parse().unwrap(),
                ..Default::default()
            };
            start_namesrv(cfg, rocketactor::logging::test_logger()).await
        });
        let handle = started.expect("start name server");
        tx.send((handle.local_addr(), actix_rt::System::current()))
            .expect("report address");
        sys.run().expect("actix system");
    });
    rx.recv_timeout(GUARD).expect("name server did not start")
}

/// Registers master broker-a with topic `InteropTopic` (6 read / 4 write queues) and returns the
/// registration connection, which must stay open for the broker to stay registered.
async fn register_broker(ns: SocketAddr) -> Framed<TcpStream, RemotingCodec> {
    let stream = TcpStream::connect(ns)
        .await
        .expect("connect to name server");
    let mut framed = Framed::new(stream, RemotingCodec::default());
    let mut body = RegisterBrokerBody::default();
    body.topic_config_serialize_wrapper.data_version = DataVersion {
        counter: 1,
        state_version: 0,
        timestamp: 1_690_000_000_000,
    };
    body.topic_config_serialize_wrapper
        .topic_config_table
        .insert(
            "InteropTopic".into(),
            TopicConfig::new("InteropTopic", 6, 4, 6),
        );
    let mut req = RemotingCommand::request(request::REGISTER_BROKER)
        .with_ext("clusterName", "InteropCluster")
        .with_ext("brokerName", "broker-a")
        .with_ext("brokerAddr", "127.0.0.1:10911")
        .with_ext("brokerId", 0)
        .with_ext("haServerAddr", "127.0.0.1:10912")
        .with_ext("compressed", false)
        .with_body(body.encode_json().unwrap());
    req.opaque = 1;
    framed.send(req).await.expect("send register");
    let resp = tokio::time::timeout(GUARD, framed.next())
        .await
        .expect("register timed out")
        .expect("connection closed")
        .expect("decode");
    assert_eq!(resp.code, response::SUCCESS);
    framed
}

#[test]
fn client_reads_route_and_cluster_info() {
    let (ns, system) = spawn_namesrv();
    let owner = RuntimeOwner::plan(RuntimeConfig {
        thread_name: "interop-client".to_string(),
        ..Default::default()
    })
    .expect("runtime plan")
    .build()
    .expect("runtime owner");
    let client_runtime = ClientRuntime::try_new(
        owner.root_context().component("client"),
        ClientRuntimeConfig::default(),
        TelemetryHandle::noop(),
    )
    .expect("client runtime");

    let rt = tokio::runtime::Runtime::new().expect("tokio runtime");
    rt.block_on(async {
        let _registration = register_broker(ns).await;
        let mut admin = DefaultMQAdminExt::new(client_runtime.clone());
        admin.set_namesrv_addr(ns.to_string());
        tokio::time::timeout(GUARD, admin.start())
            .await
            .expect("start timed out")
            .expect("admin start");

        let route = tokio::time::timeout(
            GUARD,
            admin.examine_topic_route_info(CheetahString::from("InteropTopic")),
        )
        .await
        .expect("route lookup timed out")
        .expect("route lookup")
        .expect("route present");
        assert_eq!(route.queue_datas.len(), 1);
        let qd = &route.queue_datas[0];
        assert_eq!(qd.broker_name().as_str(), "broker-a");
        assert_eq!(
            (qd.read_queue_nums(), qd.write_queue_nums(), qd.perm()),
            (6, 4, 6)
        );
        assert_eq!(route.broker_datas.len(), 1);
        let bd = &route.broker_datas[0];
        assert_eq!(bd.cluster(), "InteropCluster");
        assert_eq!(
            bd.broker_addrs().get(&0).map(|a| a.as_str()),
            Some("127.0.0.1:10911")
        );
        assert!(!bd.enable_acting_master());

        let cluster = tokio::time::timeout(GUARD, admin.examine_broker_cluster_info())
            .await
            .expect("cluster info timed out")
            .expect("cluster info");
        let text = format!("{cluster:?}");
        assert!(
            text.contains("InteropCluster") && text.contains("broker-a"),
            "{text}"
        );

        let missing = tokio::time::timeout(
            GUARD,
            admin.examine_topic_route_info(CheetahString::from("NoSuchTopic")),
        )
        .await
        .expect("route lookup timed out");
        assert!(
            !matches!(missing, Ok(Some(_))),
            "unknown topic must have no route: {missing:?}"
        );
        admin.shutdown().await;
    });
    drop(rt);
    let _ = owner.shutdown_background();
    system.stop();
}
