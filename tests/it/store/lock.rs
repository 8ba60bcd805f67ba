//! The store's `lock` file excludes a second broker process from a store directory, the way
//! Java's DefaultMessageStore does (an exclusive POSIX record lock on byte 0 of
//! `<storePathRootDir>/lock`, content "lock"): a broker process refuses to start on a store this
//! test process holds open, and this process cannot open a store a running broker holds. The
//! same lock makes a Java 4.9.7 broker and ours exclude each other (interop/java StoreSwapTest).

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use rocketactor::store::{MessageStore, StoreConfig, StoreError};

fn config(root: &Path) -> StoreConfig {
    let mut cfg = StoreConfig::for_dir(root);
    cfg.mapped_file_size_commit_log = 1024 * 1024;
    cfg
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// A broker process on `store`, its output in `dir/broker.log`; its name server address is a
/// closed loopback port (it only logs failed registrations).
fn spawn_broker(dir: &Path, store: &Path) -> Child {
    let props = dir.join("broker.properties");
    let text = format!(
        "brokerName=lock-test\nbrokerId=0\nlistenPort={}\nnamesrvAddr=127.0.0.1:{}\n\
         brokerIP1=127.0.0.1\nstorePathRootDir={}\nmappedFileSizeCommitLog=1048576\n\
         maxMessageSize=65536\n",
        free_port() + 2,
        free_port(),
        store.display()
    );
    std::fs::write(&props, text).expect("write broker.properties");
    let log = std::fs::File::create(dir.join("broker.log")).expect("create broker.log");
    let log2 = log.try_clone().expect("clone the log handle");
    Command::new(env!("CARGO_BIN_EXE_rocketactor"))
        .args(["--config", props.to_str().expect("utf-8 path")])
        .stdin(Stdio::null())
        .stdout(log)
        .stderr(log2)
        .spawn()
        .expect("spawn rocketactor")
}

/// Waits (bounded) for the child to exit; None if it still runs after `limit`.
fn wait_exit(child: &mut Child, limit: Duration) -> Option<std::process::ExitStatus> {
    let start = Instant::now();
    while start.elapsed() < limit {
        if let Ok(Some(s)) = child.try_wait() {
            return Some(s);
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    None
}

/// Stops our own child by its handle and returns its output.
fn reap(mut child: Child, dir: &Path) -> String {
    if let Ok(None) = child.try_wait() {
        let _ = child.kill();
    }
    let _ = child.wait();
    std::fs::read_to_string(dir.join("broker.log")).unwrap_or_default()
}

#[test]
fn a_broker_refuses_a_store_another_process_holds() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path().join("store");
    let held = MessageStore::open(config(&root), &rocketactor::logging::test_logger())
        .expect("open the store here");
    let mut child = spawn_broker(dir.path(), &root);
    let status = wait_exit(&mut child, Duration::from_secs(60));
    let out = reap(child, dir.path());
    let status = status.unwrap_or_else(|| panic!("broker kept running on a locked store:\n{out}"));
    assert!(!status.success(), "broker exits non-zero: {out}");
    assert!(out.contains("Lock failed"), "output says why: {out}");
    drop(held);
}

#[test]
fn a_store_a_running_broker_holds_cannot_be_opened() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path().join("store");
    let mut child = spawn_broker(dir.path(), &root);
    // The broker creates the abort file once its store is open (and locked).
    let start = Instant::now();
    while !root.join("abort").exists() && start.elapsed() < Duration::from_secs(60) {
        assert!(
            matches!(child.try_wait(), Ok(None)),
            "broker exited early: {}",
            reap(child, dir.path())
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let opened = MessageStore::open(config(&root), &rocketactor::logging::test_logger());
    // Read only now: closing a descriptor of the file drops this process's own POSIX locks.
    let content = std::fs::read(root.join("lock")).expect("read the lock file");
    let running = matches!(child.try_wait(), Ok(None));
    let out = reap(child, dir.path());
    assert!(running, "broker still running: {out}");
    assert_eq!(content, b"lock", "the lock file holds what Java writes");
    match opened {
        Err(StoreError::Locked { path }) => assert_eq!(path, root.join("lock")),
        Err(e) => panic!("expected Locked, got {e}"),
        Ok(_) => panic!("opened a store a running broker holds"),
    }
}
