//! The `rocketactor` command: a broker from a broker.properties file, a name server, and the
//! operator tools (effective configuration, doctor).

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Parser, Subcommand, ValueEnum};
use slog::{error, info, warn, Logger};

use rocketactor::actors::supervisor::{RestartBook, RootSupervisor};
use rocketactor::broker::start_broker;
use rocketactor::config::{
    load_broker_config, load_namesrv_config, render_effective, NamesrvConfig,
};
use rocketactor::logging::{root_logger, LogFormat};
use rocketactor::namesrv::{start_namesrv, NamesrvSettings};

/// mimalloc instead of glibc malloc: the broker and the bench client allocate a few dozen small
/// objects per message (header strings, futures, frames), often freed on another thread.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(
    name = "rocketactor",
    version,
    about = "A RocketMQ 4.x compatible broker and name server built on actix"
)]
struct Cli {
    /// Start a broker from this broker.properties file.
    #[arg(long, short = 'c', global = false)]
    config: Option<PathBuf>,
    /// Log format.
    #[arg(long, value_enum, default_value_t = Format::Text, global = true)]
    log_format: Format,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    Text,
    Json,
}

#[derive(Subcommand)]
enum Command {
    /// Start a name server.
    Namesrv {
        /// namesrv.properties file.
        #[arg(long, short = 'c')]
        config: Option<PathBuf>,
        /// Listen address (overrides the file), e.g. 0.0.0.0:9876.
        #[arg(long)]
        listen: Option<std::net::SocketAddr>,
    },
    /// Print the effective configuration of a broker.properties file, with each value's source.
    Config {
        /// The broker.properties file.
        file: PathBuf,
    },
    /// Benchmark a cluster: produce, consume or roundtrip through the name server.
    #[command(subcommand)]
    Bench(rocketactor::bench::BenchCommand),
    /// Check a running cluster from here: name servers, every broker's advertised address,
    /// fast channel (listenPort-2) and HA address; exits non-zero when something fails.
    /// mqadmin's sub-commands (clusterList, topicRoute, updateTopic, resetOffsetByTime, ...):
    /// `rocketactor admin --help` lists them, `rocketactor admin help <command>` shows one.
    /// The name servers come from `-n` or NAMESRV_ADDR; ACL credentials from
    /// ROCKETMQ_ACCESS_KEY/ROCKETMQ_SECRET_KEY or $ROCKETMQ_HOME/conf/tools.yml.
    #[command(disable_help_flag = true)]
    Admin {
        /// The sub-command and its mqadmin options.
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<String>,
    },
    /// The web dashboard (docs/dashboard.md): cluster, topics, consumer groups, producers,
    /// messages, DLQ and ACL pages and their JSON API under /api/, as a client of the cluster.
    Dashboard {
        /// Name servers, e.g. `ns1:9876;ns2:9876`.
        #[arg(long, short = 'n', env = "NAMESRV_ADDR")]
        namesrv: String,
        /// Where the dashboard listens.
        #[arg(long, default_value = "127.0.0.1:8080")]
        listen: std::net::SocketAddr,
        /// Seconds between two samples of the brokers' runtime info (the TPS chart).
        #[arg(long, default_value_t = 5)]
        poll_secs: u64,
        /// ACL access key, for a cluster with aclEnable=true.
        #[arg(long, env = "ROCKETMQ_ACCESS_KEY")]
        access_key: Option<String>,
        /// ACL secret key.
        #[arg(long, env = "ROCKETMQ_SECRET_KEY")]
        secret_key: Option<String>,
    },
    Doctor {
        /// Name servers, e.g. `ns1:9876;ns2:9876`.
        #[arg(long, env = "NAMESRV_ADDR")]
        namesrv: String,
        /// Per-probe timeout in milliseconds.
        #[arg(long, default_value_t = 3000)]
        timeout_ms: u64,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let log = root_logger(match cli.log_format {
        Format::Text => LogFormat::Text,
        Format::Json => LogFormat::Json,
    });
    let code = match (cli.command, cli.config) {
        (Some(Command::Config { file }), _) => print_config(&file),
        (Some(Command::Bench(cmd)), _) => run_bench(cmd),
        (Some(Command::Admin { args }), _) => run_admin(&args),
        (Some(Command::Namesrv { config, listen }), _) => run_namesrv(config, listen, log.clone()),
        (
            Some(Command::Doctor {
                namesrv,
                timeout_ms,
            }),
            _,
        ) => run_doctor(&namesrv, Duration::from_millis(timeout_ms)),
        (
            Some(Command::Dashboard {
                namesrv,
                listen,
                poll_secs,
                access_key,
                secret_key,
            }),
            _,
        ) => {
            let mut cfg = rocketactor::dashboard::DashboardConfig::new(namesrv, listen);
            cfg.poll_interval = Duration::from_secs(poll_secs.max(1));
            cfg.credentials = access_key
                .zip(secret_key)
                .map(|(a, s)| rocketactor::acl::SessionCredentials::new(a, s));
            run_dashboard(cfg, log.clone())
        }
        (None, Some(file)) => run_broker(&file, log.clone()),
        (None, None) => {
            eprintln!("rocketactor: give --config <broker.properties> to start a broker, or a subcommand (see --help)");
            ExitCode::from(2)
        }
    };
    // Let the async drain write the last records.
    drop(log);
    std::thread::sleep(Duration::from_millis(50));
    code
}

fn print_config(file: &std::path::Path) -> ExitCode {
    match load_broker_config(file) {
        Ok(loaded) => {
            for w in &loaded.warnings {
                eprintln!("warning: {w}");
            }
            print!("{}", render_effective(&loaded));
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Runs a bench workload and prints its summary (and the JSON line with --json).
fn run_bench(cmd: rocketactor::bench::BenchCommand) -> ExitCode {
    use rocketactor::bench::BenchCommand::*;
    let json = match &cmd {
        Produce(a) | Consume(a) | Roundtrip(a) => a.json,
    };
    match rocketactor::bench::run(cmd) {
        Ok(s) => {
            s.print_text();
            if json {
                println!("{}", s.json());
            }
            if s.verified == Some(false) {
                ExitCode::FAILURE
            } else {
                ExitCode::SUCCESS
            }
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Runs one `rocketactor admin` command and prints what it printed.
fn run_admin(args: &[String]) -> ExitCode {
    let o = rocketactor::tools::admin::run(args);
    print!("{}", o.stdout);
    eprint!("{}", o.stderr);
    ExitCode::from(o.code)
}

fn run_doctor(namesrv: &str, timeout: Duration) -> ExitCode {
    use rocketactor::tools::doctor;
    let rt = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let report = rt.block_on(doctor::run(&doctor::parse_namesrvs(namesrv), timeout));
    print!("{}", report.render());
    if report.failed() {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

/// Serves the dashboard until SIGINT or SIGTERM.
fn run_dashboard(cfg: rocketactor::dashboard::DashboardConfig, log: Logger) -> ExitCode {
    let sys = actix_rt::System::new();
    sys.block_on(async move {
        match rocketactor::dashboard::start(cfg).await {
            Ok(d) => {
                info!(log, "dashboard listening"; "component" => "dashboard", "addr" => %d.local_addr);
                // The line the process tests wait for.
                println!("dashboard listening on http://{}", d.local_addr);
                shutdown_signal().await;
                d.stop().await;
                ExitCode::SUCCESS
            }
            Err(e) => {
                error!(log, "dashboard failed to start"; "component" => "dashboard", "error" => %e);
                eprintln!("error: {e}");
                ExitCode::FAILURE
            }
        }
    })
}

/// Waits for SIGINT or SIGTERM.
async fn shutdown_signal() {
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => futures::future::pending::<()>().await,
        }
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {},
        _ = term => {},
    }
}

fn run_broker(file: &std::path::Path, log: Logger) -> ExitCode {
    let loaded = match load_broker_config(file) {
        Ok(l) => l,
        Err(e) => {
            error!(log, "invalid configuration; not starting"; "error" => %e);
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    for w in &loaded.warnings {
        warn!(log, "configuration warning"; "warning" => w);
    }
    let cfg = loaded.config;
    let system = actix::System::new();
    system.block_on(async move {
        use actix::Actor;
        let book = RestartBook::default();
        let root =
            RootSupervisor::new(log.new(slog::o!("component" => "supervisor")), book.clone())
                .start();
        let handle = match start_broker(cfg, &root, book, log.clone()).await {
            Ok(h) => h,
            Err(e) => {
                error!(log, "broker failed to start"; "error" => %e);
                eprintln!("error: {e}");
                return ExitCode::FAILURE;
            }
        };
        shutdown_signal().await;
        info!(log, "signal received; shutting down");
        root.do_send(rocketactor::actors::supervisor::StopWatching);
        handle.stop().await;
        ExitCode::SUCCESS
    })
}

fn run_namesrv(
    config: Option<PathBuf>,
    listen: Option<std::net::SocketAddr>,
    log: Logger,
) -> ExitCode {
    let loaded = match load_namesrv_config(config.as_deref()) {
        Ok(l) => l,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    for w in &loaded.warnings {
        warn!(log, "configuration warning"; "warning" => w);
    }
    let cfg = loaded.config;
    let metrics_listen = match cfg
        .metrics_listen
        .as_deref()
        .map(rocketactor::metrics::parse_listen)
        .transpose()
    {
        Ok(m) => m,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    let settings = NamesrvSettings {
        listen: listen
            .unwrap_or_else(|| std::net::SocketAddr::new(cfg.bind_address, cfg.listen_port)),
        scan_interval: Duration::from_millis(cfg.scan_not_active_broker_interval),
        expire: Duration::from_millis(cfg.broker_channel_expired_time),
        idle_timeout: Duration::from_secs(cfg.server_channel_max_idle_time_seconds as u64),
        kv_config_path: Some(cfg.kv_config_path.clone()),
        config: NamesrvConfig::keys()
            .iter()
            .map(|k| (k.name().to_string(), k.render(&cfg)))
            .collect(),
        metrics_listen,
        tls: cfg.tls.clone(),
        io_threads: rocketactor::actors::remoting::workers::threads_for(
            cfg.server_selector_threads,
        ),
    };
    let system = actix::System::new();
    system.block_on(async move {
        let handle = match start_namesrv(settings, log.clone()).await {
            Ok(h) => h,
            Err(e) => {
                eprintln!("error: {e}");
                return ExitCode::FAILURE;
            }
        };
        info!(log, "name server started"; "listen" => %handle.local_addr());
        shutdown_signal().await;
        info!(log, "signal received; shutting down");
        handle.stop();
        ExitCode::SUCCESS
    })
}
