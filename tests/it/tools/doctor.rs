//! `doctor` on loopback, no root needed: an in-process name server with a SYNC_MASTER and its
//! slave passes; then a "NAT" that forwards only listenPort (a TCP proxy registered under
//! another broker name, its port-2 left closed) and a dead name server are named, with the
//! `rocketactor doctor` command exiting non-zero.

use std::process::Command;
use std::time::Duration;

use crate::support::{eventually, free_port_triple, Cluster};
use rocketactor::config::{BrokerRole, FlushDiskType};
use rocketactor::tools::doctor::{self, Level};
use tokio::net::TcpListener;

const TIMEOUT: Duration = Duration::from_secs(2);

/// Forwards connections on `listener` to `target` (at most 64, then stops accepting).
async fn forward_only(listener: TcpListener, target: String) {
    for _ in 0..64 {
        let Ok((mut inbound, _)) = listener.accept().await else {
            return;
        };
        let target = target.clone();
        tokio::spawn(async move {
            if let Ok(mut outbound) = tokio::net::TcpStream::connect(&target).await {
                let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
            }
        });
    }
}

/// Runs the `rocketactor doctor` command off the runtime thread (the brokers live on it).
async fn doctor_cli(namesrv: String) -> (i32, String) {
    let out = tokio::task::spawn_blocking(move || {
        Command::new(env!("CARGO_BIN_EXE_rocketactor"))
            .args(["doctor", "--namesrv", &namesrv, "--timeout-ms", "2000"])
            .output()
            .expect("run doctor")
    })
    .await
    .expect("join");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    (out.status.code().unwrap_or(-1), text)
}

#[actix_rt::test]
async fn doctor_passes_a_healthy_cluster_and_names_a_missing_fast_channel_forward() {
    let c = Cluster::start().await;
    let ns = c.namesrv_addr();
    let (dm, ds) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let mut m = c.broker_config("broker-a", BrokerRole::SyncMaster, dm.path());
    m.flush_disk_type = FlushDiskType::SyncFlush;
    let master = c.broker_on_free_ports(&mut m).await;
    let mut s = c.broker_config("broker-a", BrokerRole::Slave, ds.path());
    s.broker_id = 1;
    let _slave = c.broker_on_free_ports(&mut s).await;

    // Healthy: both rows OK once the slave has connected.
    let addrs = vec![ns.clone()];
    eventually("doctor passes", || async {
        !doctor::run(&addrs, TIMEOUT).await.failed()
    })
    .await;
    let report = doctor::run(&addrs, TIMEOUT).await;
    let text = report.render();
    assert_eq!(report.brokers.len(), 2, "{text}");
    assert!(
        report.brokers.iter().all(|b| b.verdict == Level::Ok),
        "{text}"
    );
    assert!(report.findings.is_empty(), "{text}");
    let slave_row = report.broker("broker-a", 1).expect("slave row");
    assert!(
        slave_row
            .ha
            .text
            .starts_with(&format!("<- 127.0.0.1:{}", m.listen_port + 1)),
        "{text}"
    );
    let (code, cli) = doctor_cli(ns.clone()).await;
    assert_eq!(code, 0, "{cli}");
    assert!(cli.contains("verdict: OK"), "{cli}");

    // A NAT forwarding only listenPort: a proxy to the master's client port, registered as
    // broker-nat; its port-2 stays closed.
    let p = free_port_triple();
    let listener = TcpListener::bind(("127.0.0.1", p)).await.unwrap();
    let proxy = tokio::spawn(forward_only(
        listener,
        format!("127.0.0.1:{}", master.listen_addr.port()),
    ));
    let proxy_addr = format!("127.0.0.1:{p}");
    let mut reg = crate::support::raw::Client::connect(ns.parse().unwrap()).await;
    let resp = reg
        .call(crate::support::raw::register_req(
            &m.broker_cluster_name,
            "broker-nat",
            &proxy_addr,
            0,
            &format!("127.0.0.1:{}", p + 1),
            &[],
            1,
        ))
        .await;
    assert_eq!(resp.code, 0, "fake registration");
    let dead = free_port_triple();
    let with_dead = vec![ns.clone(), format!("127.0.0.1:{dead}")];
    let report = doctor::run(&with_dead, TIMEOUT).await;
    let text = report.render();
    assert!(report.failed(), "{text}");
    let nat = report.broker("broker-nat", 0).expect("broker-nat row");
    assert_eq!(
        (nat.client.text.as_str(), nat.fast.text.as_str()),
        ("ok", "refused"),
        "{text}"
    );
    assert_eq!(nat.verdict, Level::Fail);
    assert!(
        text.contains(&format!(
            "{} (fast channel, listenPort-2) not reachable at 127.0.0.1:{}",
            p - 2,
            p - 2
        )),
        "{text}"
    );
    assert!(
        text.contains("or have clients disable the VIP channel"),
        "{text}"
    );
    assert!(
        text.contains(&format!(
            "{proxy_addr} answers as broker-a/0, but the name servers list it as broker-nat/0"
        )),
        "{text}"
    );
    assert!(
        text.contains(&format!("FAIL name server 127.0.0.1:{dead}")),
        "{text}"
    );
    for id in [0, 1] {
        assert_eq!(
            report.broker("broker-a", id).unwrap().verdict,
            Level::Ok,
            "{text}"
        );
    }
    let (code, cli) = doctor_cli(ns.clone()).await;
    assert_eq!(code, 1, "{cli}");
    assert!(
        cli.contains("broker-nat/0") && cli.contains("verdict: FAIL"),
        "{cli}"
    );
    proxy.abort();
}
