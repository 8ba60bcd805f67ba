//! Harness of the NAT test: builds the seed's topology with `tests/nat/topology.sh` (network
//! namespaces, veth pairs, bridges, nftables), runs name servers and brokers in it as real
//! `rocketactor` processes with the seed's four properties files (only addresses and store
//! paths substituted), runs test code inside a namespace, and tears everything down on drop,
//! panics included: the processes it started (by PID), the namespaces, host2's nft table and
//! the `/etc/netns/<ns>` directories.
#![allow(dead_code)]

use std::fs::File;
use std::io::Write as _;
use std::os::fd::AsRawFd;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};

/// The seed's hosts, moved into 198.18.0.0/15: (address in the seed, address here).
pub const ADDRESS_MAP: [(&str, &str); 5] = [
    ("202.199.6.118", HOST1),
    ("219.216.64.216", HOST2),
    ("192.168.107.128", VM1),
    ("192.168.107.129", VM2),
    ("192.168.107.130", VM3),
];
/// Physical host 1 (public): name server 1, master broker-a.
pub const HOST1: &str = "198.18.0.1";
/// Physical host 2 (public): the NAT router in front of the VMs.
pub const HOST2: &str = "198.18.0.2";
/// VM1 (private): name server 2, slave broker-a.
pub const VM1: &str = "198.19.0.11";
/// VM2 (private): master broker-b.
pub const VM2: &str = "198.19.0.12";
/// VM3 (private): slave broker-b.
pub const VM3: &str = "198.19.0.13";
/// The seed's store root, replaced by a temp dir per broker.
const SEED_STORE: &str = "/usr/local/rocketmq/store";
const SEED_DIR: &str = "conf/seed-2m-2s-sync";

/// A process we started, stopped by its PID only.
struct Proc {
    name: String,
    child: Child,
}

impl Proc {
    fn kill(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            // Child::kill is SIGKILL to this child's PID.
            let _ = self.child.kill();
        }
        let _ = self.child.wait();
    }
}

/// The running topology; dropping it removes everything it made.
pub struct Topology {
    prefix: String,
    script: PathBuf,
    dir: tempfile::TempDir,
    procs: Vec<Proc>,
    /// The same-port variant (see [`Topology::up_or_skip_with`]).
    same_port: bool,
}

/// Prints a skip where `cargo test` shows it even for a passing test (the harness captures
/// `print!`/`eprint!` of passing tests, not direct writes to the stderr handle).
pub fn announce_skip(test: &str, why: &str) {
    // CI (.ci/run, root, nft installed) requires these tests: a skip there is a failure.
    if std::env::var_os("ROCKETACTOR_REQUIRE_NETNS_TESTS").is_some()
        && std::env::var_os("ROCKETACTOR_SKIP_NETNS").is_none()
    {
        panic!("{test}: ROCKETACTOR_REQUIRE_NETNS_TESTS is set but the test cannot run: {why}");
    }
    // Written to the real stderr (not captured by the test harness), so the cargo log shows
    // it; scripts/compat-matrix.py counts every such line as a skipped test.
    let _ = writeln!(
        std::io::stderr(),
        "\nSKIPPED {test}: {why} (needs root, `ip` from iproute2 and `nft` from nftables; \
         .ci/run installs both and runs as root)\n"
    );
}

fn tool_works(cmd: &str, arg: &str) -> bool {
    Command::new(cmd)
        .arg(arg)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

impl Topology {
    /// Builds the topology, or explains on stderr why it cannot and returns `None`.
    pub fn up_or_skip(test: &str) -> Option<Topology> {
        Self::up_or_skip_with(test, false)
    }

    /// [`Topology::up_or_skip`]; with `same_port` every VM broker listens on 10911 and host2
    /// forwards the seed's distinct outer ports onto it, which the brokers advertise
    /// (`brokerAdvertisedPort`, our extension key).
    pub fn up_or_skip_with(test: &str, same_port: bool) -> Option<Topology> {
        if std::env::var_os("ROCKETACTOR_SKIP_NETNS").is_some() {
            announce_skip(test, "ROCKETACTOR_SKIP_NETNS is set");
            return None;
        }
        // SAFETY: geteuid has no preconditions and cannot fail.
        if unsafe { libc::geteuid() } != 0 {
            announce_skip(test, "not running as root");
            return None;
        }
        if !tool_works("ip", "-V") {
            announce_skip(test, "`ip` (iproute2) is not installed");
            return None;
        }
        if !tool_works("nft", "--version") {
            announce_skip(test, "`nft` (nftables) is not installed");
            return None;
        }
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/nat/topology.sh");
        let prefix = format!(
            "ra{}{}",
            std::process::id(),
            if same_port { "s" } else { "" }
        );
        let probe = Command::new("bash")
            .arg(&script)
            .args(["probe", &prefix])
            .output()
            .expect("bash runs");
        if !probe.status.success() {
            let why = String::from_utf8_lossy(&probe.stderr).trim().to_owned();
            announce_skip(
                test,
                &format!("network namespaces or nftables NAT unusable: {why}"),
            );
            return None;
        }
        let dir = tempfile::tempdir().expect("temp dir");
        let hosts = dir.path().join("hosts");
        let seed_hosts = read_seed("hosts");
        std::fs::write(&hosts, substitute(&seed_hosts, None)).expect("write hosts");
        // From here on the guard exists, so a failing `up` is cleaned up too.
        let topo = Topology {
            prefix,
            script,
            dir,
            procs: Vec::new(),
            same_port,
        };
        let out = topo.script(&["up", &topo.prefix, &hosts.to_string_lossy()]);
        assert!(
            out.status.success(),
            "topology.sh up failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        Some(topo)
    }

    fn script(&self, args: &[&str]) -> Output {
        Command::new("bash")
            .arg(&self.script)
            .args(args)
            .env("NAT_SAME_PORT", if self.same_port { "1" } else { "0" })
            .output()
            .expect("bash runs")
    }

    /// The namespace of `host` (`host1`, `host2`, `vm1`..`vm3`, `client`).
    pub fn netns(&self, host: &str) -> String {
        format!("{}-{host}", self.prefix)
    }

    /// The temp dir holding configs, stores and logs.
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// Starts `rocketactor ARGS` in `host`'s namespace as process `name` (log in the temp dir,
    /// HOME in its own directory there so nothing lands in the real home).
    pub fn spawn(&mut self, name: &str, host: &str, args: &[&str]) {
        let home = self.dir.path().join("home").join(name);
        std::fs::create_dir_all(&home).expect("home dir");
        let log = File::options()
            .create(true)
            .append(true)
            .open(self.log_path(name))
            .expect("log file");
        let err = log.try_clone().expect("log file clone");
        // `ip netns exec` execs the program: the PID we get is the broker's own.
        let child = Command::new("ip")
            .args(["netns", "exec", &self.netns(host)])
            .arg(env!("CARGO_BIN_EXE_rocketactor"))
            .args(args)
            .env("HOME", &home)
            .stdin(Stdio::null())
            .stdout(log)
            .stderr(err)
            .spawn()
            .expect("spawn rocketactor");
        self.procs.push(Proc {
            name: name.to_owned(),
            child,
        });
    }

    /// Starts a name server on `host`, port 9876.
    pub fn start_namesrv(&mut self, name: &str, host: &str) {
        self.spawn(name, host, &["namesrv", "--listen", "0.0.0.0:9876"]);
    }

    /// Writes the seed's `file` (e.g. `broker-a.properties`) with addresses and store paths
    /// substituted and starts it as a broker on `host`. Returns the written config's path.
    pub fn start_broker(&mut self, file: &str, host: &str) -> PathBuf {
        self.start_broker_with(file, host, "")
    }

    /// [`Topology::start_broker`] with `extra` property lines appended to the written config
    /// (the last occurrence of a key wins, as in Java's Properties), e.g. shorter HA timeouts.
    pub fn start_broker_with(&mut self, file: &str, host: &str, extra: &str) -> PathBuf {
        let name = file.trim_end_matches(".properties");
        let store = self.dir.path().join("store").join(name);
        let conf_dir = self.dir.path().join("conf");
        std::fs::create_dir_all(&conf_dir).expect("conf dir");
        let conf = conf_dir.join(file);
        if !conf.exists() {
            let mut text = substitute(&read_seed(file), Some(&store));
            // Same-port variant: the VM slaves listen on 10911 and advertise the seed's port
            // (the last occurrence of a key wins, as in Java's Properties).
            let outer = match file {
                "broker-a-s.properties" => Some(11913),
                "broker-b-s.properties" => Some(12915),
                _ => None,
            };
            if let Some(outer) = outer.filter(|_| self.same_port) {
                text.push_str(&format!(
                    "\n# same-port NAT variant\nlistenPort=10911\nbrokerAdvertisedPort={outer}\n"
                ));
            }
            if !extra.is_empty() {
                text.push_str(&format!("\n# overrides of this test\n{extra}\n"));
            }
            std::fs::write(&conf, text).expect("write conf");
        }
        let conf_s = conf.to_string_lossy().into_owned();
        self.spawn(name, host, &["--config", &conf_s]);
        conf
    }

    /// The PID of process `name`.
    pub fn pid(&self, name: &str) -> u32 {
        self.procs
            .iter()
            .find(|p| p.name == name)
            .map(|p| p.child.id())
            .unwrap_or_else(|| panic!("no process {name}"))
    }

    /// SIGKILLs process `name` (by its PID) and reaps it.
    pub fn kill(&mut self, name: &str) {
        let i = self
            .procs
            .iter()
            .position(|p| p.name == name)
            .unwrap_or_else(|| panic!("no process {name}"));
        let mut p = self.procs.remove(i);
        // `ip netns exec` exec'd the binary, so this PID is the broker itself, not `ip`.
        let exe = std::fs::read_link(format!("/proc/{}/exe", p.child.id())).unwrap_or_default();
        assert_eq!(
            exe.file_name(),
            Path::new(env!("CARGO_BIN_EXE_rocketactor")).file_name(),
            "PID {} of {name} is not rocketactor",
            p.child.id()
        );
        p.kill();
    }

    /// True while process `name` runs.
    pub fn running(&mut self, name: &str) -> bool {
        self.procs
            .iter_mut()
            .find(|p| p.name == name)
            .is_some_and(|p| matches!(p.child.try_wait(), Ok(None)))
    }

    fn log_path(&self, name: &str) -> PathBuf {
        self.dir.path().join(format!("{name}.log"))
    }

    /// The last lines of process `name`'s log.
    pub fn log_tail(&self, name: &str, lines: usize) -> String {
        let text = std::fs::read_to_string(self.log_path(name)).unwrap_or_default();
        let all: Vec<&str> = text.lines().collect();
        all[all.len().saturating_sub(lines)..].join("\n")
    }

    /// Every process's log tail, for failure messages.
    pub fn all_logs(&self) -> String {
        self.procs
            .iter()
            .map(|p| format!("--- {} ---\n{}", p.name, self.log_tail(&p.name, 15)))
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// Runs `rocketactor ARGS` to completion in `host`'s namespace.
    pub fn run(&self, host: &str, args: &[&str]) -> Output {
        Command::new("ip")
            .args(["netns", "exec", &self.netns(host)])
            .arg(env!("CARGO_BIN_EXE_rocketactor"))
            .args(args)
            .stdin(Stdio::null())
            .output()
            .expect("run rocketactor")
    }

    /// Applies an nftables script in `host`'s namespace (`nft -f -`), e.g. a partition.
    pub fn nft(&self, host: &str, script: &str) {
        let mut child = Command::new("ip")
            .args(["netns", "exec", &self.netns(host), "nft", "-f", "-"])
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("run nft");
        if let Some(mut stdin) = child.stdin.take() {
            stdin.write_all(script.as_bytes()).expect("nft script");
        }
        let out = child.wait_with_output().expect("nft output");
        assert!(
            out.status.success(),
            "nft in {host}: {}\n{script}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// Drops every packet between `host` and `peer` (an address) in `host`'s namespace, both
    /// directions, in an nft table of its own named `table`; [`Topology::heal`] removes it.
    pub fn partition(&self, host: &str, peer: &str, table: &str) {
        self.nft(
            host,
            &format!(
                "table inet {table} {{\n\
                   chain input {{ type filter hook input priority 0; policy accept; ip saddr {peer} drop; }}\n\
                   chain output {{ type filter hook output priority 0; policy accept; ip daddr {peer} drop; }}\n\
                 }}\n"
            ),
        );
    }

    /// Removes the partition table `table` of `host`.
    pub fn heal(&self, host: &str, table: &str) {
        self.nft(host, &format!("delete table inet {table}\n"));
    }

    /// Removes host2's port forward of `port`.
    pub fn unforward(&self, port: u16) {
        let out = self.script(&["unforward", &self.prefix, &port.to_string()]);
        assert!(
            out.status.success(),
            "unforward {port}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

impl Drop for Topology {
    fn drop(&mut self) {
        for p in &mut self.procs {
            p.kill();
        }
        let out = self.script(&["down", &self.prefix]);
        if !out.status.success() {
            let _ = writeln!(
                std::io::stderr(),
                "topology.sh down {}: {}",
                self.prefix,
                String::from_utf8_lossy(&out.stderr)
            );
        }
    }
}

fn read_seed(file: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join(SEED_DIR)
        .join(file);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The seed's text with its addresses moved into 198.18.0.0/15 and, given a store, its store
/// paths under that directory. Nothing else changes.
pub fn substitute(text: &str, store: Option<&Path>) -> String {
    let mut out = text.to_owned();
    for (seed, here) in ADDRESS_MAP {
        out = out.replace(seed, here);
    }
    if let Some(store) = store {
        out = out.replace(SEED_STORE, &store.to_string_lossy());
    }
    out
}

/// Runs `f` on a new thread whose network namespace is `netns` (setns affects only the calling
/// thread), with a current-thread tokio runtime: every socket the client code opens, and every
/// child process it starts, lives in that namespace. A panic in `f` is re-raised here.
pub fn in_netns<T: Send>(netns: &str, f: impl FnOnce() -> T + Send) -> T {
    let path = format!("/var/run/netns/{netns}");
    std::thread::scope(|s| {
        let handle = s.spawn(move || {
            let ns = File::open(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
            // SAFETY: a valid namespace fd; switching this thread's network namespace only.
            let rc = unsafe { libc::setns(ns.as_raw_fd(), libc::CLONE_NEWNET) };
            assert_eq!(rc, 0, "setns({path}): {}", std::io::Error::last_os_error());
            f()
        });
        match handle.join() {
            Ok(v) => v,
            Err(panic) => std::panic::resume_unwind(panic),
        }
    })
}

/// A current-thread runtime for client code.
pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("tokio runtime")
}
