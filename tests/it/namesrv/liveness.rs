//! Name server broker liveness over real TCP: expiry by the periodic scan, removal when the
//! registration connection closes, a slave keeping its master's topics routable, and a garbage
//! frame that costs only its own connection.

use std::time::Duration;

use crate::support::eventually;
use crate::support::raw::{register_req, route_req, Client};
use rocketactor::codec::codes::response;
use rocketactor::logging::test_logger;
use rocketactor::namesrv::{start_namesrv, LiveBrokers, NamesrvHandle, NamesrvSettings, ScanNow};
use rocketactor::protocol::route::TopicRouteData;

async fn start(scan_interval: Duration, expire: Duration) -> NamesrvHandle {
    let cfg = NamesrvSettings {
        listen: "127.0.0.1:0".parse().unwrap(),
        scan_interval,
        expire,
        ..NamesrvSettings::default()
    };
    start_namesrv(cfg, test_logger())
        .await
        .expect("start name server")
}

const TOPICS: [(&str, i32, i32, i32); 1] = [("T", 4, 4, 6)];

/// Asks for T's route until `want` is the answer code (bounded).
async fn wait_route_code(c: &mut Client, want: i32) -> TopicRouteData {
    let c = tokio::sync::Mutex::new(c);
    let r = eventually(&format!("route of T answers {want}"), || async {
        let r = c.lock().await.call(route_req("T", 474)).await;
        (r.code == want).then_some(r)
    })
    .await;
    if want == response::SUCCESS {
        TopicRouteData::decode(&r.body).unwrap()
    } else {
        TopicRouteData::default()
    }
}

#[actix_rt::test]
async fn scan_drops_expired_broker_and_closes_its_connection() {
    // The periodic scan is effectively off; the test triggers it so the outcome is deterministic.
    let ns = start(Duration::from_secs(3600), Duration::from_millis(1)).await;
    let mut broker = Client::connect(ns.local_addr()).await;
    let mut client = Client::connect(ns.local_addr()).await;
    let r = broker
        .call(register_req(
            "C",
            "b",
            "10.0.0.1:10911",
            0,
            "10.0.0.1:10912",
            &TOPICS,
            1,
        ))
        .await;
    assert_eq!(r.code, response::SUCCESS);
    assert_eq!(
        client.call(route_req("T", 474)).await.code,
        response::SUCCESS
    );
    // Scanned until the broker's 1 ms has passed and the scan drops it.
    eventually("the scan drops the expired broker", || async {
        ns.registry().send(ScanNow).await.unwrap();
        ns.registry().send(LiveBrokers).await.unwrap() == 0
    })
    .await;
    assert_eq!(
        client.call(route_req("T", 474)).await.code,
        response::TOPIC_NOT_EXIST
    );
    assert_eq!(ns.registry().send(LiveBrokers).await.unwrap(), 0);
    assert!(
        broker.recv().await.is_none(),
        "the expired broker's connection is closed"
    );
    ns.stop();
}

#[actix_rt::test]
async fn periodic_scan_runs_on_its_own() {
    let ns = start(Duration::from_millis(20), Duration::from_millis(50)).await;
    let mut broker = Client::connect(ns.local_addr()).await;
    broker
        .call(register_req(
            "C",
            "b",
            "10.0.0.1:10911",
            0,
            "10.0.0.1:10912",
            &TOPICS,
            1,
        ))
        .await;
    let mut client = Client::connect(ns.local_addr()).await;
    wait_route_code(&mut client, response::TOPIC_NOT_EXIST).await;
    ns.stop();
}

#[actix_rt::test]
async fn closing_the_registration_connection_drops_the_broker_but_slave_keeps_route() {
    let ns = start(Duration::from_secs(3600), Duration::from_secs(120)).await;
    let mut master = Client::connect(ns.local_addr()).await;
    let mut slave = Client::connect(ns.local_addr()).await;
    let mut client = Client::connect(ns.local_addr()).await;
    master
        .call(register_req(
            "C",
            "b",
            "10.0.0.1:10911",
            0,
            "10.0.0.1:10912",
            &TOPICS,
            1,
        ))
        .await;
    slave
        .call(register_req(
            "C",
            "b",
            "10.0.0.2:10911",
            1,
            "10.0.0.2:10912",
            &TOPICS,
            1,
        ))
        .await;
    assert_eq!(ns.registry().send(LiveBrokers).await.unwrap(), 2);

    drop(master);
    eventually("the master's registration is gone", || async {
        ns.registry().send(LiveBrokers).await.unwrap() == 1
    })
    .await;
    let route = wait_route_code(&mut client, response::SUCCESS).await;
    assert_eq!(route.broker_datas.len(), 1);
    let addrs: Vec<(i64, &str)> = route.broker_datas[0]
        .broker_addrs
        .iter()
        .map(|(k, v)| (*k, v.as_str()))
        .collect();
    assert_eq!(addrs, [(1, "10.0.0.2:10911")], "only the slave is left");
    assert_eq!(
        route.queue_datas.len(),
        1,
        "queue data stays while the slave lives"
    );

    drop(slave);
    wait_route_code(&mut client, response::TOPIC_NOT_EXIST).await;
    ns.stop();
}

#[actix_rt::test]
async fn garbage_frame_closes_only_that_connection() {
    let ns = start(Duration::from_secs(3600), Duration::from_secs(120)).await;
    let mut good = Client::connect(ns.local_addr()).await;
    good.call(register_req(
        "C",
        "b",
        "10.0.0.1:10911",
        0,
        "10.0.0.1:10912",
        &TOPICS,
        1,
    ))
    .await;
    let mut bad = Client::connect(ns.local_addr()).await;
    // A frame length far beyond the 16 MiB limit.
    bad.send_raw(&[0x7f, 0xff, 0xff, 0xff, 0, 0, 0, 0]).await;
    assert!(bad.recv().await.is_none());
    // The broker's registration connection and its route are unaffected.
    assert_eq!(good.call(route_req("T", 474)).await.code, response::SUCCESS);
    assert_eq!(ns.registry().send(LiveBrokers).await.unwrap(), 1);
    ns.stop();
}
