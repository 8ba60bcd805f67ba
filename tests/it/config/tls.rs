//! The `tls.*` keys (docs/tls.md): read from the broker and name-server properties files (an
//! extension: Java reads them as system properties), overlaid by `tls.config.file` whose values
//! win (as Java's file wins over `-D`), and bad values named by file, line and key.

use std::path::{Path, PathBuf};

use rocketactor::config::{
    load_broker_config_with_env, load_namesrv_config_with_env, ClientAuth, ConfigError, TlsMode,
};

const NO_ENV: [(&str, &str); 0] = [];

const BASE: &str =
    "brokerClusterName=c1\nbrokerName=b1\nbrokerIP1=127.0.0.1\nstorePathRootDir=/tmp/x\n";

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).expect("write");
    p
}

#[test]
fn tls_keys_in_the_broker_file_and_the_tls_file_overlay() {
    let dir = tempfile::tempdir().unwrap();
    let tls_file = write(
        dir.path(),
        "tls.properties",
        "tls.server.need.client.auth=require\ntls.test.mode.enable=false\n\
         tls.server.certPath=/from/file.pem\ntls.server.keyPath=/from/file.key\n",
    );
    let broker = write(
        dir.path(),
        "broker.properties",
        &format!(
            "{BASE}tls.server.mode=enforcing\ntls.server.certPath=/from/broker.pem\n\
             tls.server.keyPath=/from/broker.key\ntls.enable=true\ntls.config.file={}\n",
            tls_file.display()
        ),
    );
    let loaded = load_broker_config_with_env(&broker, NO_ENV).expect("loads");
    let tls = &loaded.config.tls;
    assert_eq!(tls.server_mode, TlsMode::Enforcing);
    assert_eq!(tls.server_need_client_auth, ClientAuth::Require);
    assert!(!tls.test_mode_enable);
    assert_eq!(tls.enable, Some(true));
    assert_eq!(
        tls.server_cert_path.as_deref(),
        Some(Path::new("/from/file.pem")),
        "tls.config.file wins over the properties file"
    );
    assert!(
        loaded.warnings.is_empty(),
        "dotted keys are known keys: {:?}",
        loaded.warnings
    );
}

#[test]
fn a_bad_tls_value_names_file_line_and_key() {
    let dir = tempfile::tempdir().unwrap();
    let broker = write(
        dir.path(),
        "broker.properties",
        &format!("{BASE}tls.server.mode=strict\n"),
    );
    let err = load_broker_config_with_env(&broker, NO_ENV).expect_err("rejected");
    assert_eq!(err.key(), Some("tls.server.mode"));
    assert_eq!(err.line(), Some(5));
    let msg = err.to_string();
    assert!(msg.contains("disabled, permissive, enforcing"), "{msg}");

    let tls_file = write(
        dir.path(),
        "tls.properties",
        "# comment\ntls.server.need.client.auth=always\n",
    );
    let ns = write(
        dir.path(),
        "namesrv.properties",
        &format!("tls.config.file={}\n", tls_file.display()),
    );
    let err = load_namesrv_config_with_env(Some(&ns), NO_ENV).expect_err("rejected");
    match &err {
        ConfigError::InvalidValue { origin, key, .. } => {
            assert_eq!(key, "tls.server.need.client.auth");
            assert_eq!(origin.to_string(), format!("{}:2", tls_file.display()));
        }
        other => panic!("expected InvalidValue, got {other}"),
    }
}

#[test]
fn an_explicit_missing_tls_file_and_half_a_key_pair_are_errors() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("absent.properties");
    let broker = write(
        dir.path(),
        "broker.properties",
        &format!("{BASE}tls.config.file={}\n", missing.display()),
    );
    let err = load_broker_config_with_env(&broker, NO_ENV).expect_err("rejected");
    assert!(
        err.to_string().contains(&missing.display().to_string()),
        "{err}"
    );

    let broker = write(
        dir.path(),
        "broker2.properties",
        &format!("{BASE}tls.server.certPath=/a.pem\n"),
    );
    let err = load_broker_config_with_env(&broker, NO_ENV).expect_err("rejected");
    assert_eq!(err.key(), Some("tls.server.certPath"));
    assert!(err.to_string().contains("tls.server.keyPath"), "{err}");
}
