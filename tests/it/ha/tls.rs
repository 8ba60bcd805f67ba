//! The HA port under `tls.server.mode=enforcing` (docs/tls.md; Java's HA port has no TLS, this
//! is ours): a plaintext peer sending a valid hello gets nothing and is closed, a slave that
//! connects over TLS attaches and replicates.

use crate::support::ha as ha_common;

use std::time::Duration;

use ha_common::*;
use rocketactor::broker::ha::protocol::{encode_hello, encode_report, Hello};
use rocketactor::broker::ha::{
    fixed_master, HaMasterConfig, HaMasterHandle, HaSlaveConfig, HaSlaveHandle, ReplicationTracker,
};
use rocketactor::config::{TlsConfig, TlsMode};
use rocketactor::logging::test_logger;
use rocketactor::tls::{ClientTls, ServerTls};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

#[actix_rt::test]
async fn enforcing_ha_port_refuses_plaintext_and_replicates_over_tls() {
    let env = Env::new();
    let (mdir, sdir) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let (store, phys_end) = env.store(mdir.path(), "m-store-tls").await;
    let mut cfg = HaMasterConfig::new("127.0.0.1:0".parse().unwrap(), BROKER, CLUSTER);
    let tls = TlsConfig {
        server_mode: TlsMode::Enforcing,
        ..TlsConfig::default()
    };
    cfg.tls = ServerTls::from_config(&tls).expect("server TLS (self-signed)");
    let tracker = ReplicationTracker::new();
    let master = HaMasterHandle::start(
        cfg,
        store.clone(),
        tracker.clone(),
        phys_end,
        &env.root,
        env.book.clone(),
        "m-ha-tls",
        test_logger(),
    )
    .await
    .expect("HA master starts");
    let end = put_many(&store, 0, 40).await;

    // A plaintext peer with a valid hello: refused, nothing streamed.
    let hello = Hello {
        broker_name: BROKER.into(),
        cluster: CLUSTER.into(),
        broker_id: 1,
    };
    let mut bytes = encode_hello(&hello).to_vec();
    bytes.extend_from_slice(&encode_report(0));
    let mut s = TcpStream::connect(master.local_addr()).await.unwrap();
    s.write_all(&bytes).await.unwrap();
    let mut got = Vec::new();
    let r = tokio::time::timeout(GUARD, s.read_to_end(&mut got))
        .await
        .expect("master closes the plaintext connection");
    if let Err(e) = r {
        assert_eq!(e.kind(), std::io::ErrorKind::ConnectionReset);
    }
    assert!(got.is_empty(), "nothing streamed over plaintext");

    // A slave over TLS attaches and gets everything.
    let (sstore, _) = env.store(sdir.path(), "s-store-tls").await;
    let mut scfg = HaSlaveConfig::new(BROKER, CLUSTER, 1);
    scfg.reconnect_min = Duration::from_millis(100);
    scfg.reconnect_max = Duration::from_millis(500);
    scfg.tls = Some(ClientTls::insecure().expect("client TLS"));
    let _slave: HaSlaveHandle = HaSlaveHandle::start(
        scfg,
        sstore.clone(),
        fixed_master(master.local_addr().to_string()),
        &env.root,
        env.book.clone(),
        "s-ha-tls",
        test_logger(),
    )
    .await
    .expect("HA slave starts");
    replicated(&tracker, end, "slave over TLS acked everything").await;
    assert_eq!(sstore.reader().max_phys_offset(), end);
}
