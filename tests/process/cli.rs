//! Start/stop as a user does: `rocketactor namesrv` and `rocketactor --config
//! conf/2m-noslave/broker-a.properties` as real processes (ports and store paths moved by
//! `ROCKETACTOR_<key>` overrides so the test never needs fixed ports), a client producing and
//! consuming through them, then SIGTERM: both exit 0 and the broker leaves no abort file.

use std::process::Command;

use rocketactor::client::consumer::{PullConsumer, PullStatus};
use rocketactor::client::message::Message;
use rocketactor::client::producer::Producer;

use crate::support::eventually;
use crate::support::procs::{namesrv, spawn_broker, store_paths as store_env};

#[test]
fn namesrv_and_broker_processes_serve_a_client_and_stop_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    let (mut ns, ns_addr) = namesrv(dir.path());
    let store = dir.path().join("store");
    let (mut broker, _port) = spawn_broker(
        &["--config", "conf/2m-noslave/broker-a.properties"],
        |port| {
            let mut env = store_env(&store);
            env.push(("ROCKETACTOR_listenPort".into(), port.to_string()));
            env.push(("ROCKETACTOR_namesrvAddr".into(), ns_addr.clone()));
            env
        },
        |port| vec![port, port - 2],
    );

    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let producer = Producer::new(&ns_addr, "pg-proc").unwrap();
        producer.start().unwrap();
        eventually("broker registered with the name server", || async {
            producer.publish_queues("TBW102").await.is_ok()
        })
        .await;
        for i in 0..50 {
            producer
                .send("PROC_TOPIC", Message::new(format!("m{i}")).with_tags("T"))
                .await
                .expect("send");
        }
        let consumer = PullConsumer::new(&ns_addr, "cg-proc").unwrap();
        let queues = eventually("PROC_TOPIC routable", || async {
            consumer.fetch_queues("PROC_TOPIC").await.ok()
        })
        .await;
        let mut got = 0;
        for mq in &queues {
            let mut off = 0;
            loop {
                let r = consumer.pull(mq, off, 32, "*", None).await.expect("pull");
                if r.status != PullStatus::Found {
                    break;
                }
                got += r.messages.len();
                off = r.next_begin_offset;
            }
        }
        assert_eq!(got, 50);
    });
    assert_eq!(broker.terminate(), 0, "broker exits 0 on SIGTERM");
    assert!(
        !dir.path().join("store/abort").exists(),
        "clean shutdown removes the abort file"
    );
    assert!(
        dir.path().join("store/config/topics.json").exists(),
        "metadata written at shutdown"
    );
    assert_eq!(ns.terminate(), 0, "name server exits 0 on SIGTERM");
}

#[test]
fn bad_config_exits_non_zero_naming_the_key() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("bad.properties");
    std::fs::write(
        &file,
        "brokerName=b\nbrokerRole=SLAVE\nbrokerId=0\nlistenPort=12000\n",
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_rocketactor"))
        .args(["--config", file.to_str().unwrap()])
        .env("ROCKETACTOR_storePathRootDir", dir.path().join("store"))
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("brokerId"), "stderr names the key: {err}");
    assert!(
        !dir.path().join("store").exists(),
        "the store is not touched"
    );
}
