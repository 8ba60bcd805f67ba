//! The in-process 2m-2s-sync cluster demo (the README's main job).
//!
//! One process runs two name servers and the four brokers of `conf/2m-2s-sync/` (broker-a and
//! broker-b as SYNC_MASTER + SYNC_FLUSH, each with a SLAVE), on loopback ports laid out like the
//! seed's, each broker with its own store dir and supervisor. It then:
//! 1. produces a few thousand messages over both brokers and consumes them all back;
//! 2. produces more, stops broker-a's master and consumes broker-a's queues from its slave;
//! 3. restarts broker-a's master on its store and ports, produces and consumes again;
//! 4. prints a table per broker and a PASS/FAIL line (exit code 1 on FAIL).
//!
//! It finishes by itself (every wait is bounded) and removes its temp dir.

mod nodes;
mod report;
mod traffic;

use std::path::Path;
use std::time::{Duration, Instant};

use rocketactor::logging::{root_logger, LogFormat};
use slog::Logger;

use nodes::{load_configs, nodes, start_namesrvs, Node, CONF_DIR};
use report::{print_table, Checks};
use traffic::Traffic;

const FIRST: usize = 4000;
const SECOND: usize = 2000;
const THIRD: usize = 500;

fn main() {
    let log = if std::env::var_os("DEMO_VERBOSE").is_some() {
        root_logger(LogFormat::Text)
    } else {
        rocketactor::logging::discard()
    };
    let system = actix::System::new();
    let ok = system.block_on(run(log));
    std::process::exit(if ok { 0 } else { 1 });
}

async fn run(log: Logger) -> bool {
    let started = Instant::now();
    let tmp = match tempfile::Builder::new()
        .prefix("rocketactor-demo-")
        .tempdir()
    {
        Ok(t) => t,
        Err(e) => {
            eprintln!("error: cannot create a temp dir: {e}");
            return false;
        }
    };
    let conf = Path::new(env!("CARGO_MANIFEST_DIR")).join(CONF_DIR);
    let (cfgs, ns_ports) = match load_configs(&conf, tmp.path()) {
        Ok(x) => x,
        Err(e) => {
            eprintln!("error: {e}");
            return false;
        }
    };
    println!(
        "rocketactor cluster demo: 2 name servers, 2 SYNC_MASTER/SYNC_FLUSH masters, 2 slaves"
    );
    println!(
        "config: {} (stores under {})",
        conf.display(),
        tmp.path().display()
    );
    let namesrvs = match start_namesrvs(ns_ports, &log).await {
        Ok(n) => n,
        Err(e) => {
            eprintln!("error: {e}");
            return false;
        }
    };
    let mut nodes = nodes(cfgs, &log);
    for n in &mut nodes {
        if let Err(e) = n.start(&log).await {
            eprintln!("error: {e}");
            return false;
        }
    }
    let mut checks = Checks::default();
    let ns = ns_ports.map(|p| format!("127.0.0.1:{p}")).join(";");
    let result = scenario(&mut nodes, &ns, &mut checks, &log).await;
    if let Err(e) = result {
        checks.fail(format!("scenario aborted: {e}"));
    }
    print_table(&nodes);
    for n in &mut nodes {
        n.stop().await;
    }
    for n in &namesrvs {
        n.stop();
    }
    checks.report(started.elapsed())
}

/// The reason of a failed verification, for the check line.
fn why(v: &Result<(), String>) -> String {
    v.as_ref()
        .err()
        .map(|e| format!(": {e}"))
        .unwrap_or_default()
}

/// Waits (bounded) until every master has an attached slave that reported its offset.
async fn wait_replication(nodes: &[Node], within: Duration) -> Result<(), String> {
    let deadline = Instant::now() + within;
    while Instant::now() < deadline {
        if nodes.iter().all(report::attached_or_slave) {
            return Ok(());
        }
        actix_rt::time::sleep(Duration::from_millis(100)).await;
    }
    Err(format!("slaves not attached within {within:?}"))
}

async fn scenario(
    nodes: &mut [Node],
    ns: &str,
    checks: &mut Checks,
    log: &Logger,
) -> Result<(), String> {
    wait_replication(nodes, Duration::from_secs(15)).await?;
    println!("\n[1] all four brokers registered; both slaves attached to their masters");
    let traffic = Traffic::start(ns).await?;
    traffic.create_topic(nodes).await?;

    let sent = traffic.produce(0..FIRST).await?;
    checks.expect(
        sent.not_ok == 0,
        format!(
            "phase 1: {FIRST} sends, SEND_OK {} (others {})",
            sent.ok, sent.not_ok
        ),
    );
    checks.expect(
        sent.by_broker.len() == 2,
        format!("phase 1: sends spread over {:?}", sent.by_broker),
    );
    let got = traffic.consume_all().await?;
    let v = got.verify(0..FIRST);
    checks.expect(
        v.is_ok(),
        format!(
            "phase 1: consumed {} of {FIRST}, each once with body, tags and keys intact{}",
            got.count(),
            why(&v)
        ),
    );

    // Phase 2: more messages, then broker-a's master goes away.
    let sent = traffic.produce(FIRST..FIRST + SECOND).await?;
    checks.expect(
        sent.not_ok == 0,
        format!("phase 2: {SECOND} sends, SEND_OK {}", sent.ok),
    );
    traffic.wait_slaves_have_topic(nodes).await?;
    println!("\n[2] stopping broker-a's master ...");
    nodes[0].stop().await;
    let got = traffic.consume_all().await?;
    let from_slave = got.count_from("broker-a", 1);
    let v = got.verify(FIRST..FIRST + SECOND);
    checks.expect(
        v.is_ok(),
        format!(
            "phase 2: consumed {} of {SECOND} with broker-a's master down, {from_slave} of them from broker-a's slave{}",
            got.count(),
            why(&v)
        ),
    );
    checks.expect(
        from_slave > 0,
        "phase 2: broker-a's queues were read from its slave".to_string(),
    );

    // Phase 3: the master comes back on its store and ports; the slave re-attaches.
    println!("\n[3] restarting broker-a's master ...");
    nodes[0].start(log).await?;
    wait_replication(nodes, Duration::from_secs(20)).await?;
    traffic.refresh().await;
    let sent = traffic
        .produce(FIRST + SECOND..FIRST + SECOND + THIRD)
        .await?;
    checks.expect(
        sent.not_ok == 0 && sent.by_broker.len() == 2,
        format!(
            "phase 3: {THIRD} sends after the restart, SEND_OK {} over {:?}",
            sent.ok, sent.by_broker
        ),
    );
    let got = traffic.consume_all().await?;
    let v = got.verify(FIRST + SECOND..FIRST + SECOND + THIRD);
    checks.expect(
        v.is_ok(),
        format!(
            "phase 3: consumed {} of {THIRD}, none of the earlier ones again{}",
            got.count(),
            why(&v)
        ),
    );
    checks.expect(
        report::replicas_in_sync(nodes),
        "replication: each slave's commit log ends where its master's does".to_string(),
    );
    traffic.shutdown();
    Ok(())
}
