//! Every property set shipped under conf/ loads, and each set can run on one host: no two
//! brokers of a set share a port (listen, fast channel, HA) or a store directory.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use rocketactor::config::{
    load_broker_config_with_env, load_namesrv_config_with_env, BrokerConfig, BrokerRole,
    FlushDiskType,
};

const NO_ENV: [(&str, &str); 0] = [];

fn conf_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("conf")
}

fn properties_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .expect("conf/ readable")
        .map(|e| e.expect("dir entry").path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            properties_files(&path, out);
        } else if path.extension().is_some_and(|x| x == "properties") {
            out.push(path);
        }
    }
}

fn load_set(set: &str) -> Vec<(String, BrokerConfig)> {
    let mut files = Vec::new();
    properties_files(&conf_dir().join(set), &mut files);
    files
        .into_iter()
        .map(|p| {
            let loaded = load_broker_config_with_env(&p, NO_ENV)
                .unwrap_or_else(|e| panic!("{} must load: {e}", p.display()));
            assert!(
                loaded.warnings.is_empty(),
                "{}: {:#?}",
                p.display(),
                loaded.warnings
            );
            let name = p.file_stem().unwrap().to_string_lossy().into_owned();
            (name, loaded.config)
        })
        .collect()
}

#[test]
fn every_file_under_conf_loads() {
    let mut files = Vec::new();
    properties_files(&conf_dir(), &mut files);
    assert!(files.len() >= 15, "{files:?}");
    for path in files {
        let is_namesrv = path
            .file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with("namesrv"));
        let result = if is_namesrv {
            load_namesrv_config_with_env(Some(&path), NO_ENV).map(|_| ())
        } else {
            load_broker_config_with_env(&path, NO_ENV).map(|_| ())
        };
        if let Err(e) = result {
            panic!("{} does not load: {e}", path.display());
        }
    }
}

#[test]
fn namesrv_properties_listens_on_9876() {
    let path = conf_dir().join("namesrv.properties");
    let loaded = load_namesrv_config_with_env(Some(&path), NO_ENV).unwrap();
    assert!(loaded.warnings.is_empty(), "{:#?}", loaded.warnings);
    assert_eq!(loaded.config.listen_port, 9876);
    assert_eq!(loaded.config.scan_not_active_broker_interval, 10_000);
    assert_eq!(loaded.config.broker_channel_expired_time, 120_000);
}

fn assert_fits_one_host(set: &str, brokers: &[(String, BrokerConfig)]) {
    let mut ports = BTreeSet::new();
    let mut roots = BTreeSet::new();
    for (name, c) in brokers {
        for port in [c.listen_port, c.fast_port(), c.ha_port()] {
            assert!(ports.insert(port), "{set}/{name}: port {port} used twice");
        }
        assert!(
            roots.insert(c.store_path_root_dir.clone()),
            "{set}/{name}: store reused"
        );
        assert_eq!(c.broker_ip1, "127.0.0.1", "{set}/{name}");
        assert_eq!(c.effective_broker_ip2(), "127.0.0.1", "{set}/{name}");
        assert!(
            c.store_path_root_dir.starts_with("/tmp/rocketactor"),
            "{set}/{name}"
        );
        for dir in [c.store_paths().commit_log, c.store_paths().index] {
            assert!(
                dir.starts_with(&c.store_path_root_dir),
                "{set}/{name}: {dir:?}"
            );
        }
        assert!(
            c.mapped_file_size_commit_log <= 64 * 1024 * 1024,
            "{set}/{name}"
        );
    }
}

fn by_name<'a>(brokers: &'a [(String, BrokerConfig)], name: &str) -> &'a BrokerConfig {
    &brokers.iter().find(|(n, _)| n == name).expect(name).1
}

#[test]
fn two_master_two_slave_sets_fit_one_host() {
    for (set, master_role) in [
        ("2m-2s-sync", BrokerRole::SyncMaster),
        ("2m-2s-async", BrokerRole::AsyncMaster),
    ] {
        let brokers = load_set(set);
        assert_eq!(brokers.len(), 4, "{set}");
        assert_fits_one_host(set, &brokers);
        for (name, port) in [
            ("broker-a", 10911),
            ("broker-a-s", 11913),
            ("broker-b", 12911),
            ("broker-b-s", 12915),
        ] {
            let c = by_name(&brokers, name);
            assert_eq!(c.listen_port, port, "{set}/{name}");
            assert_eq!(
                c.namesrv_addrs(),
                ["127.0.0.1:9876", "127.0.0.1:9877"],
                "{set}/{name}"
            );
            if let Some(master) = name.strip_suffix("-s") {
                assert_eq!(c.broker_role, BrokerRole::Slave, "{set}/{name}");
                assert_eq!(c.broker_id, 1, "{set}/{name}");
                assert_eq!(c.flush_disk_type, FlushDiskType::AsyncFlush, "{set}/{name}");
                assert_eq!(c.broker_name, master, "{set}/{name}");
            } else {
                assert_eq!(c.broker_role, master_role, "{set}/{name}");
                assert_eq!(c.broker_id, 0, "{set}/{name}");
                assert_eq!(c.flush_disk_type, FlushDiskType::SyncFlush, "{set}/{name}");
                assert_eq!(c.broker_name, name, "{set}/{name}");
            }
        }
    }
}

#[test]
fn two_master_no_slave_set_fits_one_host() {
    let brokers = load_set("2m-noslave");
    assert_eq!(brokers.len(), 2);
    assert_fits_one_host("2m-noslave", &brokers);
    for (name, c) in &brokers {
        assert_eq!(c.broker_role, BrokerRole::AsyncMaster, "{name}");
        assert_eq!(c.flush_disk_type, FlushDiskType::AsyncFlush, "{name}");
        assert_eq!(c.namesrv_addrs(), ["127.0.0.1:9876"], "{name}");
    }
}
