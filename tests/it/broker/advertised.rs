//! Advertised ports behind a NAT host (our extension keys `brokerAdvertisedPort`,
//! `haAdvertisedPort`; README.md "Advertised ports behind NAT"). A TCP forwarder in the test stands in
//! for the NAT host: the broker listens on OS-chosen ports and advertises the forwarder's ports.
//! Registration, route and cluster info carry the advertised address; our client sends and pulls
//! through it; the message id decodes to it; a slave replicates from the master through the
//! forwarded HA port (SYNC_MASTER, so every send waits for that slave's ack).

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use crate::support::cluster::attached_slaves;
use crate::support::{eventually, Cluster};
use rocketactor::client::consumer::PullStatus;
use rocketactor::client::route::NameServerClient;
use rocketactor::client::{Message, Producer, PullConsumer, SendStatus};
use rocketactor::store::message::decode_offset_msg_id;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

/// A port forwarder on 127.0.0.1: accepts at once, forwards once the target is known.
struct Forwarder {
    addr: SocketAddr,
    target: watch::Sender<Option<SocketAddr>>,
    accepted: Arc<AtomicUsize>,
}

impl Forwarder {
    async fn bind() -> Forwarder {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (target, rx) = watch::channel(None::<SocketAddr>);
        let accepted = Arc::new(AtomicUsize::new(0));
        let count = accepted.clone();
        actix_rt::spawn(async move {
            while let Ok((mut inbound, _)) = listener.accept().await {
                count.fetch_add(1, Ordering::SeqCst);
                let mut rx = rx.clone();
                actix_rt::spawn(async move {
                    let Ok(to) = rx.wait_for(Option::is_some).await.map(|t| t.unwrap()) else {
                        return;
                    };
                    if let Ok(mut outbound) = TcpStream::connect(to).await {
                        let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                    }
                });
            }
        });
        Forwarder {
            addr,
            target,
            accepted,
        }
    }

    fn forward_to(&self, to: SocketAddr) {
        let _ = self.target.send(Some(to));
    }
}

#[actix_rt::test]
async fn broker_behind_a_forwarder_advertises_its_outer_ports() {
    let (dir_m, dir_s) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let cluster = Cluster::start().await;
    let (outer, outer_ha) = (Forwarder::bind().await, Forwarder::bind().await);
    let mut cfg = cluster.ha_master_config("broker-nat", dir_m.path());
    cfg.broker_advertised_port = Some(outer.addr.port());
    cfg.ha_advertised_port = Some(outer_ha.addr.port());
    let master = cluster.broker(cfg).await;
    assert_ne!(
        master.listen_addr.port(),
        outer.addr.port(),
        "a distinct inner port"
    );
    outer.forward_to(master.listen_addr);
    outer_ha.forward_to(SocketAddr::from((
        [127, 0, 0, 1],
        master.ha.ha_port().unwrap(),
    )));
    let advertised = format!("127.0.0.1:{}", outer.addr.port());
    assert_eq!(master.client_addr(), advertised);

    // Registration: the cluster info and the slave's view name the outer ports.
    let ns = cluster.namesrv_addr();
    let nsc = NameServerClient::new(&ns).unwrap();
    let info = eventually("the master registered", || async {
        nsc.cluster_info()
            .await
            .ok()
            .filter(|i| i.broker_addr_table.contains_key("broker-nat"))
    })
    .await;
    assert_eq!(
        info.broker_addr_table["broker-nat"].broker_addrs[&0],
        advertised
    );
    let slave = cluster
        .broker(cluster.ha_slave_config("broker-nat", dir_s.path()))
        .await;
    eventually("the slave attached through the HA forwarder", || async {
        attached_slaves(&master) == 1
    })
    .await;
    assert!(
        outer_ha.accepted.load(Ordering::SeqCst) >= 1,
        "HA went through the forwarder"
    );
    let learned = slave.registered.borrow().clone().unwrap();
    assert_eq!(
        learned.ha_server_addr.as_deref(),
        Some(format!("127.0.0.1:{}", outer_ha.addr.port()).as_str())
    );

    // Send and pull through the route (auto-created topic on the master).
    let producer = Producer::new(&ns, "pg-nat").unwrap();
    producer.start().unwrap();
    let sent = producer
        .send("NAT_TOPIC", Message::new("through the NAT"))
        .await
        .unwrap();
    assert_eq!(
        sent.status,
        SendStatus::SendOk,
        "SYNC_MASTER: the slave acked via the forwarder"
    );
    assert_eq!(sent.broker_addr, advertised);
    let (store_host, _) = decode_offset_msg_id(&sent.offset_msg_id).unwrap();
    assert_eq!(
        store_host.to_string(),
        advertised,
        "the message id names the outer port"
    );
    let route = nsc.topic_route("NAT_TOPIC").await.unwrap();
    assert_eq!(route.broker_datas[0].broker_addrs[&0], advertised);

    let consumer = PullConsumer::new(&ns, "cg-nat").unwrap();
    let queues = consumer.fetch_queues("NAT_TOPIC").await.unwrap();
    let mq = queues
        .iter()
        .find(|q| q.queue_id == sent.queue.queue_id)
        .unwrap();
    let pulled = consumer
        .pull(mq, sent.queue_offset, 8, "*", None)
        .await
        .unwrap();
    assert_eq!(pulled.status, PullStatus::Found);
    assert_eq!(&pulled.messages[0].body[..], b"through the NAT");
    assert_eq!(pulled.messages[0].store_host.to_string(), advertised);
    assert!(
        outer.accepted.load(Ordering::SeqCst) >= 2,
        "clients went through the forwarder"
    );

    slave.stop().await;
    master.stop().await;
}
