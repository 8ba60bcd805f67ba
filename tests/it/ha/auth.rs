//! The authenticated HA link (`haAuthSecret`, docs/acl.md): a master with a secret streams
//! nothing to a peer whose hello has no proof or a wrong one (it is refused and logged with its
//! address), and a slave that knows the secret attaches and replicates.

use crate::support::ha as ha_common;

use std::time::Duration;

use ha_common::*;
use rocketactor::broker::ha::auth::prove;
use rocketactor::broker::ha::protocol::{encode_hello, encode_hello_with, encode_report, Hello};
use rocketactor::broker::ha::{
    fixed_master, HaMasterConfig, HaMasterHandle, HaSlaveConfig, HaSlaveHandle, ReplicationTracker,
};
use rocketactor::broker::store_actors::StoreHandle;
use rocketactor::logging::test_logger;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::watch;

const SECRET: &str = "ha-shared-secret";

async fn master(env: &Env, store: &StoreHandle, phys_end: watch::Receiver<i64>) -> HaMasterHandle {
    let mut cfg = HaMasterConfig::new("127.0.0.1:0".parse().unwrap(), BROKER, CLUSTER);
    cfg.auth_secret = Some(SECRET.into());
    HaMasterHandle::start(
        cfg,
        store.clone(),
        ReplicationTracker::new(),
        phys_end,
        &env.root,
        env.book.clone(),
        "m-ha-auth",
        test_logger(),
    )
    .await
    .expect("HA master starts")
}

async fn slave(
    env: &Env,
    store: &StoreHandle,
    master: &HaMasterHandle,
    secret: &str,
    name: &str,
) -> HaSlaveHandle {
    let mut cfg = HaSlaveConfig::new(BROKER, CLUSTER, 1);
    cfg.reconnect_min = Duration::from_millis(100);
    cfg.reconnect_max = Duration::from_millis(500);
    cfg.auth_secret = Some(secret.into());
    HaSlaveHandle::start(
        cfg,
        store.clone(),
        fixed_master(master.local_addr().to_string()),
        &env.root,
        env.book.clone(),
        name,
        test_logger(),
    )
    .await
    .expect("HA slave starts")
}

/// Sends `bytes` and reads until the master closes; returns what was received before.
async fn send_and_expect_close(master: &HaMasterHandle, bytes: &[u8]) -> Vec<u8> {
    let mut s = TcpStream::connect(master.local_addr()).await.unwrap();
    s.write_all(bytes).await.unwrap();
    let mut got = Vec::new();
    let r = tokio::time::timeout(GUARD, s.read_to_end(&mut got))
        .await
        .expect("master closes the connection");
    if let Err(e) = r {
        assert_eq!(e.kind(), std::io::ErrorKind::ConnectionReset);
    }
    got
}

fn hello() -> Hello {
    Hello {
        broker_name: BROKER.into(),
        cluster: CLUSTER.into(),
        broker_id: 1,
    }
}

#[actix_rt::test]
async fn rogue_peers_are_refused_and_a_real_slave_attaches() {
    let env = Env::new();
    let (mdir, sdir, wdir) = (
        tempfile::tempdir().unwrap(),
        tempfile::tempdir().unwrap(),
        tempfile::tempdir().unwrap(),
    );
    let (store, phys_end) = env.store(mdir.path(), "m-store").await;
    let master = master(&env, &store, phys_end).await;
    let end = put_many(&store, 0, 40).await;

    // The right identity without a proof, and with a proof made from another secret.
    let mut bytes = encode_hello(&hello()).to_vec();
    bytes.extend_from_slice(&encode_report(0));
    assert!(
        send_and_expect_close(&master, &bytes).await.is_empty(),
        "nothing streamed without proof"
    );
    let now = rocketactor::store::time::now_ms();
    let forged = prove(&hello(), "guessed-secret", now);
    let mut bytes = encode_hello_with(&hello(), Some(&forged)).to_vec();
    bytes.extend_from_slice(&encode_report(0));
    assert!(
        send_and_expect_close(&master, &bytes).await.is_empty(),
        "nothing streamed to a forged proof"
    );

    // A slave with a wrong secret keeps being refused.
    let (wrong_store, _) = env.store(wdir.path(), "w-store").await;
    let wrong = slave(&env, &wrong_store, &master, "not-the-secret", "w-ha").await;
    eventually("wrong slave refused twice", || {
        std::future::ready(wrong.status().sessions >= 2 && wrong.status().last_error.is_some())
    })
    .await;
    assert_eq!(wrong_store.reader().max_phys_offset(), 0);
    assert_eq!(master.tracker().acked_offset(), 0);

    // The real slave attaches and replicates everything.
    let (slave_store, _) = env.store(sdir.path(), "s-store").await;
    let _slave = slave(&env, &slave_store, &master, SECRET, "s-ha").await;
    replicated(master.tracker(), end, "the authenticated slave replicates").await;
    assert_eq!(slave_store.reader().max_phys_offset(), end);
}
