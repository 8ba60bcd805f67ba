//! Real `rocketactor` processes for the chaos scenarios: a name server and brokers started from
//! the shipped property sets with ports and store paths moved by `ROCKETACTOR_<key>` overrides,
//! stopped or killed by their own PID only (never by name), and killed on drop.

use std::io::{BufRead, BufReader};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{mpsc, Arc, Mutex};
use std::time::Duration;
use std::time::Instant;

/// A port p with p-2, p and p+1 all free right now (a broker's fast, main and HA ports).
pub use super::ports::free_port_triple as free_broker_port;
use super::ports::{is_addr_in_use, BIND_TRIES};

/// One child process of ours.
pub struct Proc(Child);

impl Proc {
    /// Starts `rocketactor <args>` with `env` (output discarded).
    pub fn spawn(args: &[&str], env: &[(String, String)]) -> Proc {
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

    /// The process's PID.
    pub fn pid(&self) -> u32 {
        self.0.id()
    }

    /// Sends `sig` to this process only (by its PID): SIGSTOP / SIGCONT for the pause scenarios.
    pub fn signal(&self, sig: nix::sys::signal::Signal) {
        let pid = nix::unistd::Pid::from_raw(self.0.id() as i32);
        nix::sys::signal::kill(pid, sig).unwrap_or_else(|e| panic!("{sig} to {pid}: {e}"));
    }

    /// True while the process runs (not exited, not reaped).
    pub fn is_running(&mut self) -> bool {
        matches!(self.0.try_wait(), Ok(None))
    }

    /// SIGKILL by PID, then reaps the process.
    pub fn kill9(&mut self) {
        let pid = nix::unistd::Pid::from_raw(self.0.id() as i32);
        let _ = nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGKILL);
        let _ = self.0.wait();
    }

    /// SIGTERM by PID; waits (bounded) for the exit code, SIGKILL after 15 s.
    pub fn terminate(&mut self) -> i32 {
        let pid = nix::unistd::Pid::from_raw(self.0.id() as i32);
        let _ = nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGTERM);
        for _ in 0..300 {
            if let Ok(Some(status)) = self.0.try_wait() {
                return status.code().unwrap_or(-1);
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        self.kill9();
        panic!("process {} did not exit after SIGTERM", self.0.id());
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        if let Ok(None) = self.0.try_wait() {
            self.kill9();
        }
    }
}

/// Store-path overrides putting a broker's whole store under `root`, with small commit-log
/// files (the scenarios write a few MiB).
pub fn store_env(root: &Path) -> Vec<(String, String)> {
    let mut env = store_paths(root);
    env.push((
        "ROCKETACTOR_mappedFileSizeCommitLog".into(),
        (4 * 1024 * 1024).to_string(),
    ));
    env
}

/// Store-path overrides putting a broker's whole store under `root` (default file sizes).
pub fn store_paths(root: &Path) -> Vec<(String, String)> {
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

/// A name server listening on port 0, its KV file under `dir`. Returns it and the address it
/// bound, read back from its "name server started" log line (no pre-chosen port, no race).
pub fn namesrv(dir: &Path) -> (Proc, String) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_rocketactor"));
    cmd.args(["namesrv", "--listen", "127.0.0.1:0"])
        .env(
            "ROCKETACTOR_NAMESRV_kvConfigPath",
            dir.join("kv.json").display().to_string(),
        )
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("spawn rocketactor namesrv");
    let stderr = child.stderr.take().expect("piped stderr");
    let proc = Proc(child);
    let (tx, rx) = mpsc::channel();
    // Reads the log to its end (a full pipe would block the name server); the first
    // "name server started" line gives the address.
    std::thread::spawn(move || {
        let mut tx = Some(tx);
        for line in BufReader::new(stderr).lines() {
            let Ok(line) = line else { break };
            if let Some(addr) = started_addr(&line) {
                if let Some(tx) = tx.take() {
                    let _ = tx.send(addr);
                }
            }
        }
    });
    let addr = rx
        .recv_timeout(Duration::from_secs(30))
        .expect("the name server logs its bound address");
    (proc, addr)
}

/// The address in a "name server started, listen: ADDR" log line.
fn started_addr(line: &str) -> Option<String> {
    let rest = line.split("name server started").nth(1)?;
    let addr = rest.split("listen: ").nth(1)?;
    let addr = addr.split([',', ' ']).next()?.trim();
    (!addr.is_empty()).then(|| addr.to_string())
}

/// Starts a broker process `rocketactor <args>` on a fresh port triple (`env(port)` gives its
/// environment, `listenPort` included) and waits until it accepts on the ports `ready(port)`
/// names; a start that fails because a port was taken after the probe is retried on a fresh
/// triple (at most [`BIND_TRIES`] times). Returns the process and its listen port. A restart on
/// the same ports (which cannot move) uses [`Proc::spawn`].
pub fn spawn_broker(
    args: &[&str],
    env: impl Fn(u16) -> Vec<(String, String)>,
    ready: impl Fn(u16) -> Vec<u16>,
) -> (Proc, u16) {
    for attempt in 1..=BIND_TRIES {
        let port = free_broker_port();
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_rocketactor"));
        cmd.args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .current_dir(env!("CARGO_MANIFEST_DIR"));
        for (k, v) in env(port) {
            cmd.env(k, v);
        }
        let mut child = cmd.spawn().expect("spawn rocketactor");
        let log = Arc::new(Mutex::new(String::new()));
        let mut reader = None;
        if let Some(stderr) = child.stderr.take() {
            let log = log.clone();
            // Drains the log for the life of the process (a full pipe would block it).
            reader = Some(std::thread::spawn(move || {
                for line in BufReader::new(stderr).lines() {
                    let Ok(line) = line else { break };
                    let mut log = log.lock().unwrap_or_else(|e| e.into_inner());
                    if log.len() < 64 * 1024 {
                        log.push_str(&line);
                        log.push('\n');
                    }
                }
            }));
        }
        let mut proc = Proc(child);
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Ok(Some(status)) = proc.0.try_wait() {
                // The log ends with the process: the reader has it all once it is done.
                if let Some(r) = reader.take() {
                    let _ = r.join();
                }
                let text = log.lock().unwrap_or_else(|e| e.into_inner()).clone();
                if attempt < BIND_TRIES && is_addr_in_use(&text) {
                    break;
                }
                panic!("broker on port {port} exited with {status} at start-up:\n{text}");
            }
            let up = ready(port)
                .iter()
                .all(|p| TcpStream::connect(("127.0.0.1", *p)).is_ok());
            if up {
                return (proc, port);
            }
            assert!(
                Instant::now() < deadline,
                "broker on port {port} never listened"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
    panic!("no broker start-up within {BIND_TRIES} port triples");
}
