//! `rocketactor bench` as an operator runs it, against real name server and broker processes:
//! a produce of a known count, then `consume --pulls 4` (several pulls in flight per queue, each
//! over its own slice of the stored offsets) and `--pulls 1` both read every stored message
//! exactly once with intact bodies. Figures are printed by the tool, never asserted here.

use std::process::Command;

use crate::support::procs::{namesrv, spawn_broker, store_paths as store_env};

const COUNT: u64 = 3000;

/// Runs `rocketactor bench ARGS --json` and returns its last line as JSON.
fn bench(args: &[&str]) -> serde_json::Value {
    let out = Command::new(env!("CARGO_BIN_EXE_rocketactor"))
        .arg("bench")
        .args(args)
        .args(["--quiet", "--json"])
        .output()
        .expect("bench runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "bench {args:?} failed: {stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let last = stdout.lines().last().expect("a JSON line");
    serde_json::from_str(last).expect("the last line is JSON")
}

#[test]
fn consume_with_several_pulls_per_queue_reads_every_message_once() {
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
    let n = COUNT.to_string();
    let common = ["--namesrv", ns_addr.as_str(), "--topic", "BENCH_CLI"];
    let produced = bench(&[&["produce"], &common[..], &["--count", &n, "--size", "256"]].concat());
    assert_eq!(produced["sent"], COUNT, "{produced}");
    assert_eq!(produced["errors"], 0, "{produced}");

    for pulls in ["4", "1"] {
        let group = format!("bench_cli_{pulls}");
        let read = bench(
            &[
                &["consume"],
                &common[..],
                &["--count", &n, "--pulls", pulls, "--group", &group],
            ]
            .concat(),
        );
        assert_eq!(read["sent"], COUNT, "--pulls {pulls}: {read}");
        assert_eq!(read["errors"], 0, "--pulls {pulls}: {read}");
        assert_eq!(
            read["statuses"]["FOUND"], COUNT,
            "every message came in a FOUND pull: {read}"
        );
    }

    assert_eq!(broker.terminate(), 0, "the broker stops cleanly");
    assert_eq!(ns.terminate(), 0, "the name server stops cleanly");
}
