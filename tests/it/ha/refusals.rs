//! The master refuses slaves that do not identify themselves correctly, and offset reports it
//! cannot have produced; neither ever advances the acked offset.

use crate::support::ha as ha_common;

use std::time::Duration;

use ha_common::*;
use rocketactor::broker::ha::protocol::{encode_hello, encode_report, Hello};
use rocketactor::broker::ha::{fixed_master, HaMasterHandle, ReplicaError};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Sends `bytes` and reads until the master closes; returns what was received before.
async fn send_and_expect_close(master: &HaMasterHandle, bytes: &[u8]) -> Vec<u8> {
    let mut s = TcpStream::connect(master.local_addr()).await.unwrap();
    s.write_all(bytes).await.unwrap();
    let mut got = Vec::new();
    let r = tokio::time::timeout(GUARD, s.read_to_end(&mut got))
        .await
        .expect("master closes the connection");
    // A reset is as good as an orderly close.
    if let Err(e) = r {
        assert_eq!(e.kind(), std::io::ErrorKind::ConnectionReset);
    }
    got
}

fn hello(broker: &str, cluster: &str) -> Vec<u8> {
    encode_hello(&Hello {
        broker_name: broker.into(),
        cluster: cluster.into(),
        broker_id: 1,
    })
    .to_vec()
}

#[actix_rt::test]
async fn foreign_or_silent_slaves_and_bad_reports_are_refused() {
    let env = Env::new();
    let mdir = tempfile::tempdir().unwrap();
    let (store, phys_end) = env.store(mdir.path(), "m-store").await;
    let master = env.master(&store, phys_end, "m-ha").await;
    let end = put_many(&store, 0, 50).await;

    // A Java-style slave (no hello, just a report).
    let got = send_and_expect_close(&master, &encode_report(0)).await;
    assert!(
        got.is_empty(),
        "nothing is streamed to a slave without hello"
    );

    // Wrong broker name, wrong cluster.
    for (b, c) in [("broker-b", CLUSTER), (BROKER, "OtherCluster")] {
        let mut bytes = hello(b, c);
        bytes.extend_from_slice(&encode_report(0));
        assert!(send_and_expect_close(&master, &bytes).await.is_empty());
    }

    // A report beyond the master's max offset.
    let mut bytes = hello(BROKER, CLUSTER);
    bytes.extend_from_slice(&encode_report(end + 1));
    assert!(send_and_expect_close(&master, &bytes).await.is_empty());

    // A good first report followed by one beyond the max: the first streams data, the second
    // closes the connection and acks nothing beyond what the slave could have.
    let mut bytes = hello(BROKER, CLUSTER);
    bytes.extend_from_slice(&encode_report(end));
    bytes.extend_from_slice(&encode_report(end + 4096));
    send_and_expect_close(&master, &bytes).await;

    let tracker = master.tracker();
    assert_eq!(
        tracker.acked_offset(),
        end,
        "only the valid report was acked"
    );
    eventually("no slave attached", || {
        std::future::ready(tracker.connected() == 0)
    })
    .await;
    let end2 = put_many(&store, 50, 1).await;
    assert!(matches!(
        tracker
            .wait_replicated(end2, Duration::from_millis(200))
            .await,
        Err(ReplicaError::Timeout { .. })
    ));
}

#[actix_rt::test]
async fn slave_with_wrong_broker_name_never_replicates() {
    let env = Env::new();
    let (mdir, sdir) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let (store, phys_end) = env.store(mdir.path(), "m-store").await;
    let master = env.master(&store, phys_end, "m-ha").await;
    let end = put_many(&store, 0, 50).await;
    let (slave_store, _) = env.store(sdir.path(), "s-store").await;
    let slave = env
        .slave_named(
            &slave_store,
            fixed_master(master.local_addr().to_string()),
            "s-ha",
            "broker-b",
        )
        .await;
    // It connects, is refused, and retries with backoff; the master never attaches it.
    eventually("refused twice", || {
        std::future::ready(slave.status().sessions >= 2 && slave.status().last_error.is_some())
    })
    .await;
    assert_eq!(master.tracker().connected(), 0);
    assert_eq!(master.tracker().acked_offset(), 0);
    assert_eq!(slave_store.reader().max_phys_offset(), 0);
    assert!(!master.tracker().slave_ok(end, 1 << 28));
}
