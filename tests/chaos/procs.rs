//! Real `rocketactor` processes for the chaos scenarios: a name server and brokers started from
//! the shipped property sets with ports and store paths moved by `ROCKETACTOR_<key>` overrides,
//! stopped or killed by their own PID only (never by name), and killed on drop.

use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// A port p with p-2, p and p+1 all free right now (a broker's fast, main and HA ports).
pub fn free_broker_port() -> u16 {
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

/// A free port right now.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

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

/// Store-path overrides putting a broker's whole store under `root`.
pub fn store_env(root: &Path) -> Vec<(String, String)> {
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
        // Small files: the scenarios write a few MiB.
        (
            "ROCKETACTOR_mappedFileSizeCommitLog".into(),
            (4 * 1024 * 1024).to_string(),
        ),
    ]
}

/// A name server on a free port, its KV file under `dir`. Returns it and its address.
pub fn namesrv(dir: &Path) -> (Proc, String) {
    let addr = format!("127.0.0.1:{}", free_port());
    let p = Proc::spawn(
        &["namesrv", "--listen", &addr],
        &[(
            "ROCKETACTOR_NAMESRV_kvConfigPath".into(),
            dir.join("kv.json").display().to_string(),
        )],
    );
    (p, addr)
}
