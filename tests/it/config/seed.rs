//! The seed's four broker.properties files (conf/seed-2m-2s-sync, kept verbatim) load unchanged
//! and give the values a RocketMQ operator expects, including the old `maped*` spellings that
//! Java 4.9.7 ignores but we honour.

use std::path::{Path, PathBuf};

use rocketactor::config::{
    load_broker_config_with_env, render_effective, BrokerConfig, BrokerRole, FlushDiskType, Loaded,
    Source,
};

fn seed(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("conf/seed-2m-2s-sync")
        .join(format!("{name}.properties"))
}

fn load(name: &str) -> Loaded<BrokerConfig> {
    let path = seed(name);
    let no_env: [(&str, &str); 0] = [];
    load_broker_config_with_env(&path, no_env)
        .unwrap_or_else(|e| panic!("{} must load: {e}", path.display()))
}

/// The 1-based line of `key=` in the seed file (to check recorded sources).
fn line_of(name: &str, key: &str) -> usize {
    let text = std::fs::read_to_string(seed(name)).expect("seed file readable");
    let prefix = format!("{key}=");
    text.lines()
        .position(|l| l.starts_with(&prefix))
        .map(|i| i + 1)
        .unwrap_or_else(|| panic!("{key} not in {name}"))
}

struct Expect {
    name: &'static str,
    role: BrokerRole,
    broker_name: &'static str,
    broker_id: u64,
    ports: (u16, u16, u16),
    ip1: &'static str,
    ip2: &'static str,
    flush: FlushDiskType,
}

const EXPECTED: [Expect; 4] = [
    Expect {
        name: "broker-a",
        role: BrokerRole::SyncMaster,
        broker_name: "broker-a",
        broker_id: 0,
        ports: (10911, 10909, 10912),
        ip1: "202.199.6.118",
        ip2: "202.199.6.118",
        flush: FlushDiskType::SyncFlush,
    },
    Expect {
        name: "broker-a-s",
        role: BrokerRole::Slave,
        broker_name: "broker-a",
        broker_id: 1,
        ports: (11913, 11911, 11914),
        ip1: "219.216.64.216",
        ip2: "192.168.107.128",
        flush: FlushDiskType::AsyncFlush,
    },
    Expect {
        name: "broker-b",
        role: BrokerRole::SyncMaster,
        broker_name: "broker-b",
        broker_id: 0,
        ports: (10911, 10909, 10912),
        ip1: "219.216.64.216",
        ip2: "192.168.107.129",
        flush: FlushDiskType::SyncFlush,
    },
    Expect {
        name: "broker-b-s",
        role: BrokerRole::Slave,
        broker_name: "broker-b",
        broker_id: 1,
        ports: (12915, 12913, 12916),
        ip1: "219.216.64.216",
        ip2: "192.168.107.130",
        flush: FlushDiskType::AsyncFlush,
    },
];

#[test]
fn every_seed_file_loads_with_expected_identity_ports_and_addresses() {
    for e in &EXPECTED {
        let loaded = load(e.name);
        let c = &loaded.config;
        assert_eq!(c.broker_role, e.role, "{}", e.name);
        assert_eq!(c.is_master(), e.role != BrokerRole::Slave, "{}", e.name);
        assert_eq!(c.broker_cluster_name, "rocketmq-cluster", "{}", e.name);
        assert_eq!(c.broker_name, e.broker_name, "{}", e.name);
        assert_eq!(c.broker_id, e.broker_id, "{}", e.name);
        assert_eq!(
            (c.listen_port, c.fast_port(), c.ha_port()),
            e.ports,
            "{}",
            e.name
        );
        assert_eq!(c.broker_ip1, e.ip1, "{}", e.name);
        assert_eq!(c.effective_broker_ip2(), e.ip2, "{}", e.name);
        assert_eq!(
            c.client_addr(),
            format!("{}:{}", e.ip1, e.ports.0),
            "{}",
            e.name
        );
        assert_eq!(
            c.ha_addr(),
            format!("{}:{}", e.ip2, e.ports.2),
            "{}",
            e.name
        );
        assert_eq!(c.flush_disk_type, e.flush, "{}", e.name);
        assert_eq!(
            c.namesrv_addrs(),
            ["rocketmq-nameserver1:9876", "rocketmq-nameserver2:9876"],
            "{}",
            e.name
        );
    }
}

#[test]
fn every_seed_file_gives_the_store_settings() {
    for e in &EXPECTED {
        let c = load(e.name).config;
        let root = Path::new("/usr/local/rocketmq/store");
        let paths = c.store_paths();
        assert_eq!(paths.root, root, "{}", e.name);
        assert_eq!(paths.commit_log, root.join("commitlog"), "{}", e.name);
        assert_eq!(paths.consume_queue, root.join("consumequeue"), "{}", e.name);
        assert_eq!(paths.index, root.join("index"), "{}", e.name);
        assert_eq!(paths.checkpoint, root.join("checkpoint"), "{}", e.name);
        assert_eq!(paths.abort, root.join("abort"), "{}", e.name);
        assert_eq!(paths.config_dir, root.join("config"), "{}", e.name);
        assert_eq!(c.mapped_file_size_commit_log, 1_073_741_824, "{}", e.name);
        assert_eq!(c.mapped_file_size_consume_queue, 300_000, "{}", e.name);
        assert_eq!(c.max_message_size, 65_536, "{}", e.name);
        assert_eq!(c.file_reserved_time, 120, "{}", e.name);
        assert_eq!(c.disk_max_used_space_ratio, 88, "{}", e.name);
        assert_eq!(c.delete_when, "04", "{}", e.name);
        assert_eq!(c.delete_when_hours(), [4], "{}", e.name);
        assert_eq!(c.default_topic_queue_nums, 4, "{}", e.name);
        assert!(c.auto_create_topic_enable && c.auto_create_subscription_group);
        // Commented-out keys keep their defaults.
        assert_eq!(c.flush_commit_log_least_pages, 4, "{}", e.name);
        assert_eq!(
            c.destroy_maped_file_interval_forcibly, 120_000,
            "{}",
            e.name
        );
    }
}

#[test]
fn sources_name_the_seed_file_and_line() {
    for e in &EXPECTED {
        let loaded = load(e.name);
        for key in [
            "listenPort",
            "brokerRole",
            "namesrvAddr",
            "storePathRootDir",
        ] {
            assert_eq!(
                loaded.source(key),
                &Source::File {
                    path: seed(e.name),
                    line: line_of(e.name, key)
                },
                "{} {key}",
                e.name
            );
        }
        // Set through the old spelling, recorded under the canonical key.
        assert_eq!(
            loaded.source("mappedFileSizeCommitLog"),
            &Source::File {
                path: seed(e.name),
                line: line_of(e.name, "mapedFileSizeCommitLog")
            }
        );
        assert_eq!(loaded.source("haListenPort"), &Source::Default);
        assert_eq!(loaded.source("messageDelayLevel"), &Source::Default);
    }
}

#[test]
fn seed_warnings_are_only_about_the_old_spellings() {
    for e in &EXPECTED {
        let loaded = load(e.name);
        assert_eq!(
            loaded.warnings.len(),
            2,
            "{}: {:#?}",
            e.name,
            loaded.warnings
        );
        for w in &loaded.warnings {
            assert!(w.contains("old spelling"), "{}: {w}", e.name);
        }
    }
}

#[test]
fn seed_renders_every_key_and_the_derived_values() {
    let loaded = load("broker-b-s");
    let text = render_effective(&loaded);
    for key in BrokerConfig::keys() {
        assert!(
            text.contains(&format!("\n{}=", key.name())),
            "{} missing",
            key.name()
        );
    }
    let listen_line = text.lines().find(|l| l.starts_with("listenPort=")).unwrap();
    assert!(listen_line.contains("12915"), "{listen_line}");
    assert!(
        listen_line.contains("broker-b-s.properties:"),
        "{listen_line}"
    );
    assert!(text.contains("sendMessageThreadPoolNums="));
    assert!(text.contains("no effect in rocketactor"));
    for needle in [
        "12913 (listenPort-2)",
        "12916 (listenPort+1)",
        "219.216.64.216:12915",
        "192.168.107.130:12916",
        "/usr/local/rocketmq/store/commitlog",
        "/usr/local/rocketmq/store/config",
    ] {
        assert!(text.contains(needle), "{needle} missing from\n{text}");
    }
}
