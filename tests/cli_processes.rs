//! Start/stop as a user does: `rocketactor namesrv` and `rocketactor --config
//! conf/2m-noslave/broker-a.properties` as real processes (ports and store paths moved by
//! `ROCKETACTOR_<key>` overrides so the test never needs fixed ports), a client producing and
//! consuming through them, then SIGTERM: both exit 0 and the broker leaves no abort file.

use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use rocketactor::client::consumer::{PullConsumer, PullStatus};
use rocketactor::client::message::Message;
use rocketactor::client::producer::Producer;

/// A port p with p-2, p and p+1 all free right now (the broker's fast, main and HA ports).
fn free_broker_port() -> u16 {
    for _ in 0..200 {
        let Ok(l) = TcpListener::bind("127.0.0.1:0") else {
            continue;
        };
        let Ok(addr) = l.local_addr() else { continue };
        let p = addr.port();
        if !(1026..=65000).contains(&p) {
            continue;
        }
        drop(l);
        if [p - 2, p, p + 1]
            .iter()
            .all(|q| TcpListener::bind(("127.0.0.1", *q)).is_ok())
        {
            return p;
        }
    }
    panic!("no free port triple found");
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

struct Proc(Child);

impl Proc {
    fn terminate(&mut self) -> i32 {
        let pid = nix::unistd::Pid::from_raw(self.0.id() as i32);
        let _ = nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGTERM);
        for _ in 0..300 {
            if let Ok(Some(status)) = self.0.try_wait() {
                return status.code().unwrap_or(-1);
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.0.kill();
        panic!("process {} did not exit after SIGTERM", self.0.id());
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        // Only our own child, by PID.
        if let Ok(None) = self.0.try_wait() {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
}

fn spawn(args: &[&str], env: &[(String, String)]) -> Proc {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_rocketactor"));
    cmd.args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    cmd.current_dir(env!("CARGO_MANIFEST_DIR"));
    for (k, v) in env {
        cmd.env(k, v);
    }
    Proc(cmd.spawn().expect("spawn rocketactor"))
}

fn store_env(root: &Path) -> Vec<(String, String)> {
    let r = root.display();
    vec![
        ("ROCKETACTOR_storePathRootDir".into(), format!("{r}")),
        (
            "ROCKETACTOR_storePathCommitLog".into(),
            format!("{r}/commitlog"),
        ),
        (
            "ROCKETACTOR_storePathConsumeQueue".into(),
            format!("{r}/consumequeue"),
        ),
        ("ROCKETACTOR_storePathIndex".into(), format!("{r}/index")),
        (
            "ROCKETACTOR_storeCheckpoint".into(),
            format!("{r}/checkpoint"),
        ),
        ("ROCKETACTOR_abortFile".into(), format!("{r}/abort")),
    ]
}

#[test]
fn namesrv_and_broker_processes_serve_a_client_and_stop_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    let ns_port = free_port();
    let ns_addr = format!("127.0.0.1:{ns_port}");
    let mut ns = spawn(
        &["namesrv", "--listen", &ns_addr],
        &[(
            "ROCKETACTOR_NAMESRV_kvConfigPath".into(),
            dir.path().join("kv.json").display().to_string(),
        )],
    );
    let port = free_broker_port();
    let mut env = store_env(&dir.path().join("store"));
    env.push(("ROCKETACTOR_listenPort".into(), port.to_string()));
    env.push(("ROCKETACTOR_namesrvAddr".into(), ns_addr.clone()));
    let mut broker = spawn(&["--config", "conf/2m-noslave/broker-a.properties"], &env);

    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let producer = Producer::new(&ns_addr, "pg-proc").unwrap();
        producer.start().unwrap();
        let mut ready = false;
        for _ in 0..200 {
            if producer.publish_queues("TBW102").await.is_ok() {
                ready = true;
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        assert!(ready, "broker registered with the name server");
        for i in 0..50 {
            producer
                .send("PROC_TOPIC", Message::new(format!("m{i}")).with_tags("T"))
                .await
                .expect("send");
        }
        let consumer = PullConsumer::new(&ns_addr, "cg-proc").unwrap();
        let mut queues = Vec::new();
        for _ in 0..200 {
            if let Ok(q) = consumer.fetch_queues("PROC_TOPIC").await {
                queues = q;
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
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
