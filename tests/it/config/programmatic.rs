//! Configs built in code (tests, the in-process demo): defaults, `from_pairs`, `validate`,
//! derived values, and the name server's config.

use std::path::Path;
use std::time::Duration;

use rocketactor::config::{
    load_namesrv_config_with_env, render_effective, BrokerConfig, BrokerRole, FlushDiskType,
    NamesrvConfig, Source,
};

#[test]
fn defaults_are_rocketmq_4_9_7_defaults() {
    let c = BrokerConfig::default();
    assert_eq!(c.broker_cluster_name, "DefaultCluster");
    assert!(!c.broker_name.is_empty());
    assert_eq!((c.broker_id, c.broker_role), (0, BrokerRole::AsyncMaster));
    assert_eq!(c.flush_disk_type, FlushDiskType::AsyncFlush);
    assert_eq!(
        (c.listen_port, c.fast_port(), c.ha_port()),
        (10911, 10909, 10912)
    );
    assert_eq!(c.effective_broker_ip2(), c.broker_ip1);
    assert_eq!(c.bind_address.to_string(), "0.0.0.0");
    assert_eq!(c.namesrv_addr, None);
    assert!(c.namesrv_addrs().is_empty());
    assert_eq!(c.default_topic_queue_nums, 8);
    assert_eq!(c.file_reserved_time, 72);
    assert_eq!(c.disk_max_used_space_ratio, 75);
    assert_eq!(c.mapped_file_size_commit_log, 1 << 30);
    assert_eq!(c.mapped_file_size_consume_queue, 6_000_000);
    assert_eq!(c.max_message_size, 4_194_304);
    assert_eq!((c.sync_flush_timeout, c.slave_timeout), (5000, 3000));
    assert_eq!(c.ha_slave_fallbehind_max, 256 * 1024 * 1024);
    assert_eq!(c.slave_not_available_gap(), 256 * 1024 * 1024);
    assert_eq!(c.register_broker_timeout_mills, 6000);
    assert_eq!(c.register_interval(), Duration::from_secs(30));
    assert!(c.store_path_root_dir.ends_with("store"));
    let levels = c.message_delay_levels().unwrap();
    assert_eq!(levels.len(), 18);
    assert_eq!(levels[2], Duration::from_secs(10));
    c.validate().expect("defaults are valid");
}

#[test]
fn loopback_helper_builds_a_valid_slave() {
    let c = BrokerConfig::loopback(
        "broker-a",
        BrokerRole::Slave,
        20911,
        "127.0.0.1:9876",
        "/tmp/s",
    );
    assert_eq!(c.broker_id, 1);
    assert_eq!(c.client_addr(), "127.0.0.1:20911");
    assert_eq!(c.ha_addr(), "127.0.0.1:20912");
    assert_eq!(c.listen_socket_addr().to_string(), "127.0.0.1:20911");
    assert_eq!(c.fast_socket_addr().to_string(), "127.0.0.1:20909");
    assert_eq!(c.store_paths().commit_log, Path::new("/tmp/s/commitlog"));
    c.validate().expect("valid");
}

#[test]
fn explicit_store_keys_and_ha_port_are_honoured() {
    let c = BrokerConfig {
        store_path_root_dir: "/data/root".into(),
        store_path_index: Some("/fast/index".into()),
        abort_file: Some("/run/abort".into()),
        ha_listen_port: Some(30000),
        ..BrokerConfig::default()
    };
    let p = c.store_paths();
    assert_eq!(p.index, Path::new("/fast/index"));
    assert_eq!(p.abort, Path::new("/run/abort"));
    assert_eq!(p.consume_queue, Path::new("/data/root/consumequeue"));
    assert_eq!(p.config_dir, Path::new("/data/root/config"));
    assert_eq!(c.ha_port(), 30000);
    c.validate().expect("valid");
}

#[test]
fn validate_rejects_what_loading_would_fix_up() {
    let c = BrokerConfig {
        broker_id: 2,
        ..BrokerConfig::default()
    };
    let err = c.validate().unwrap_err().to_string();
    assert!(
        err.contains("`brokerId`") && err.contains("set in code"),
        "{err}"
    );
    let c = BrokerConfig {
        broker_role: BrokerRole::Slave,
        ..BrokerConfig::default()
    };
    let err = c.validate().unwrap_err().to_string();
    assert!(err.contains("`brokerId`") && err.contains("SLAVE"), "{err}");
    let c = BrokerConfig {
        mapped_file_size_consume_queue: 1001,
        ..BrokerConfig::default()
    };
    assert!(c.validate().is_err());
}

#[test]
fn from_pairs_parses_like_a_file() {
    let loaded = BrokerConfig::from_pairs([
        ("brokerName", "broker-x"),
        ("brokerRole", "SLAVE"),
        ("brokerId", "2"),
        ("listenPort", "20000"),
        ("namesrvAddr", "127.0.0.1:9876; 127.0.0.1:9877;"),
        ("haMaxGapNotInSync", "1024"),
        ("mapedFileSizeCommitLog", "67108864"),
        ("sendMessageThreadPoolNums", "64"),
        ("brokerNam", "typo"),
    ])
    .expect("valid");
    let c = &loaded.config;
    assert_eq!(c.broker_name, "broker-x");
    assert_eq!((c.broker_role, c.broker_id), (BrokerRole::Slave, 2));
    assert_eq!(c.namesrv_addrs(), ["127.0.0.1:9876", "127.0.0.1:9877"]);
    assert_eq!(c.slave_not_available_gap(), 1024);
    assert_eq!(c.mapped_file_size_commit_log, 64 << 20);
    assert_eq!(c.send_message_thread_pool_nums, 64);
    assert_eq!(loaded.source("listenPort"), &Source::Code);
    assert_eq!(loaded.source("slaveTimeout"), &Source::Default);
    assert!(loaded
        .warnings
        .iter()
        .any(|w| w.contains("`brokerNam`") && w.contains("`brokerName`")));

    let err = BrokerConfig::from_pairs([("listenPort", "x")])
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("set in code") && err.contains("`listenPort`"),
        "{err}"
    );
}

#[test]
fn every_known_key_renders_back_to_an_equal_config() {
    // Rendering then re-reading every key gives the same configuration.
    let original = BrokerConfig::from_pairs([
        ("brokerName", "b"),
        ("namesrvAddr", "h:1"),
        ("haListenPort", "30000"),
        ("storePathIndex", "/i"),
    ])
    .unwrap()
    .config;
    let pairs: Vec<(String, String)> = BrokerConfig::keys()
        .iter()
        .map(|k| (k.name().to_owned(), k.render(&original)))
        .collect();
    let again = BrokerConfig::from_pairs(pairs).expect("rendered values load");
    assert_eq!(again.config, original);
    assert!(
        again.warnings.iter().all(|w| !w.contains("unknown")),
        "{:#?}",
        again.warnings
    );
}

#[test]
fn known_keys_are_unique_ignoring_case() {
    let mut seen = std::collections::BTreeSet::new();
    for k in BrokerConfig::keys() {
        for s in std::iter::once(k.name()).chain(k.aliases().iter().copied()) {
            assert!(seen.insert(s.to_lowercase()), "{s} twice");
        }
    }
}

#[test]
fn namesrv_defaults_file_and_render() {
    let c = NamesrvConfig::default();
    assert_eq!(c.listen_port, 9876);
    assert_eq!(c.scan_interval(), Duration::from_secs(10));
    assert_eq!(c.broker_expiry(), Duration::from_secs(120));
    assert_eq!(c.server_channel_max_idle_time_seconds, 120);
    assert!(c.kv_config_path.ends_with("namesrv/kvConfig.json"));
    c.validate().unwrap();
    assert_eq!(
        NamesrvConfig::loopback(0).listen_socket_addr().to_string(),
        "127.0.0.1:0"
    );

    let no_env: [(&str, &str); 0] = [];
    let loaded = load_namesrv_config_with_env(None, no_env).unwrap();
    assert_eq!(loaded.config, NamesrvConfig::default());
    let loaded = load_namesrv_config_with_env(
        None,
        [("ROCKETACTOR_NAMESRV_BROKERCHANNELEXPIREDTIME", "5000")],
    )
    .unwrap();
    assert_eq!(loaded.config.broker_expiry(), Duration::from_secs(5));
    let text = render_effective(&loaded);
    assert!(text.contains("brokerChannelExpiredTime=5000"), "{text}");
    assert!(
        text.contains("ROCKETACTOR_NAMESRV_BROKERCHANNELEXPIREDTIME"),
        "{text}"
    );
    assert!(text.contains("0.0.0.0:9876"), "{text}");

    let err = NamesrvConfig::from_pairs([("scanNotActiveBrokerInterval", "0")]).unwrap_err();
    assert!(
        err.to_string().contains("`scanNotActiveBrokerInterval`"),
        "{err}"
    );
}

#[test]
fn namesrv_addr_falls_back_to_the_namesrv_addr_variable() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("b.properties");
    std::fs::write(&path, "brokerName=b\n").unwrap();
    let loaded = rocketactor::config::load_broker_config_with_env(
        &path,
        [("NAMESRV_ADDR", "10.0.0.1:9876")],
    )
    .unwrap();
    assert_eq!(loaded.config.namesrv_addrs(), ["10.0.0.1:9876"]);
    assert_eq!(
        loaded.source("namesrvAddr"),
        &Source::Env {
            var: "NAMESRV_ADDR".into()
        }
    );
    // A file value wins over NAMESRV_ADDR, as in Java.
    std::fs::write(&path, "brokerName=b\nnamesrvAddr=ns:1\n").unwrap();
    let loaded = rocketactor::config::load_broker_config_with_env(
        &path,
        [("NAMESRV_ADDR", "10.0.0.1:9876")],
    )
    .unwrap();
    assert_eq!(loaded.config.namesrv_addrs(), ["ns:1"]);
}
