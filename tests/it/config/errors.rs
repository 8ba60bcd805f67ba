//! Bad configurations: every error names the file, the line, the key, the value and what was
//! expected; Java's silent fix-ups become warnings; unknown keys are warnings with a hint.

use std::path::PathBuf;

use rocketactor::config::{
    load_broker_config_with_env, BrokerConfig, BrokerRole, ConfigError, Loaded,
};

const NO_ENV: [(&str, &str); 0] = [];

/// A minimal valid master; tests append or replace lines.
const BASE: &str =
    "brokerClusterName=c1\nbrokerName=b1\nbrokerIP1=127.0.0.1\nstorePathRootDir=/tmp/x\n";

struct Case {
    _dir: tempfile::TempDir,
    path: PathBuf,
}

fn write(text: &str) -> Case {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("broker.properties");
    std::fs::write(&path, text).expect("write config");
    Case { _dir: dir, path }
}

fn load(text: &str) -> (Case, Result<Loaded<BrokerConfig>, ConfigError>) {
    let case = write(text);
    let result = load_broker_config_with_env(&case.path, NO_ENV);
    (case, result)
}

/// Loads `BASE` + `extra` and expects an error at `line` mentioning `key`, the value and
/// every `needles` (the expectation text). Returns the message.
fn expect_error(extra: &str, line: usize, key: &str, value: &str, needles: &[&str]) -> String {
    let (case, result) = load(&format!("{BASE}{extra}"));
    let err = match result {
        Ok(_) => panic!("`{extra}` must be rejected"),
        Err(e) => e,
    };
    let msg = err.to_string();
    let at = format!("{}:{line}:", case.path.display());
    assert!(msg.contains(&at), "`{msg}` does not name {at}");
    assert!(
        msg.contains(&format!("`{key}`")),
        "`{msg}` does not name key {key}"
    );
    assert!(
        msg.contains(&format!("{value:?}")),
        "`{msg}` does not show value {value:?}"
    );
    assert!(
        msg.contains("expected"),
        "`{msg}` does not say what was expected"
    );
    for needle in needles {
        assert!(msg.contains(needle), "`{msg}` lacks `{needle}`");
    }
    assert_eq!(err.line(), Some(line));
    assert_eq!(err.key(), Some(key));
    msg
}

#[test]
fn bad_number_names_file_line_key_and_value() {
    expect_error(
        "listenPort=109x1\n",
        5,
        "listenPort",
        "109x1",
        &["an integer in 0..=65535"],
    );
    expect_error(
        "fileReservedTime=-1\n",
        5,
        "fileReservedTime",
        "-1",
        &["an integer"],
    );
    expect_error(
        "maxMessageSize=4194304.0\n",
        5,
        "maxMessageSize",
        "4194304.0",
        &["integer"],
    );
}

#[test]
fn bad_boolean_is_rejected_instead_of_read_as_false() {
    expect_error(
        "autoCreateTopicEnable=yes\n",
        5,
        "autoCreateTopicEnable",
        "yes",
        &["true or false"],
    );
}

#[test]
fn unknown_enum_values_list_the_valid_ones() {
    expect_error(
        "brokerRole=MASTER\n",
        5,
        "brokerRole",
        "MASTER",
        &["one of ASYNC_MASTER, SYNC_MASTER, SLAVE"],
    );
    expect_error(
        "flushDiskType=FSYNC\n",
        5,
        "flushDiskType",
        "FSYNC",
        &["ASYNC_FLUSH, SYNC_FLUSH"],
    );
}

#[test]
fn listen_port_must_leave_room_for_fast_and_ha_ports() {
    expect_error("listenPort=2\n", 5, "listenPort", "2", &["3..=65534"]);
    expect_error(
        "listenPort=65535\n",
        5,
        "listenPort",
        "65535",
        &["3..=65534"],
    );
    expect_error(
        "listenPort=70000\n",
        5,
        "listenPort",
        "70000",
        &["0..=65535"],
    );
    expect_error(
        "listenPort=10911\nhaListenPort=10909\n",
        6,
        "haListenPort",
        "10909",
        &["other than listenPort"],
    );
}

#[test]
fn slave_needs_a_broker_id_of_at_least_one() {
    expect_error(
        "brokerRole=SLAVE\nbrokerId=0\n",
        6,
        "brokerId",
        "0",
        &["SLAVE"],
    );
    // brokerId never set: the error points at the brokerRole line.
    expect_error(
        "brokerRole=SLAVE\n",
        5,
        "brokerRole",
        "SLAVE",
        &["brokerId >= 1"],
    );
}

#[test]
fn master_broker_id_is_forced_to_zero_with_a_warning() {
    let (_case, result) = load(&format!("{BASE}brokerRole=SYNC_MASTER\nbrokerId=3\n"));
    let loaded = result.expect("loads");
    assert_eq!(loaded.config.broker_id, 0);
    assert_eq!(loaded.config.broker_role, BrokerRole::SyncMaster);
    assert!(
        loaded
            .warnings
            .iter()
            .any(|w| w.contains("brokerId=3 forced to 0") && w.contains(":6:")),
        "{:#?}",
        loaded.warnings
    );
}

#[test]
fn empty_broker_name_is_rejected() {
    expect_error("brokerName=\n", 5, "brokerName", "", &["non-empty"]);
}

#[test]
fn malformed_namesrv_entries_are_named() {
    let msg = expect_error(
        "namesrvAddr=ns1:9876;ns2\n",
        5,
        "namesrvAddr",
        "ns1:9876;ns2",
        &["host:port", "`ns2`"],
    );
    assert!(msg.contains("no `:port`"), "{msg}");
    expect_error(
        "namesrvAddr=ns1:98x6\n",
        5,
        "namesrvAddr",
        "ns1:98x6",
        &["valid port"],
    );
    expect_error(
        "namesrvAddr=ns1:0\n",
        5,
        "namesrvAddr",
        "ns1:0",
        &["1..=65535"],
    );
    expect_error(
        "namesrvAddr=:9876\n",
        5,
        "namesrvAddr",
        ":9876",
        &["valid host"],
    );
}

#[test]
fn disk_ratio_outside_10_to_95_is_clamped_with_a_warning() {
    for (value, clamped) in [("99", 95), ("5", 10)] {
        let (_case, result) = load(&format!("{BASE}diskMaxUsedSpaceRatio={value}\n"));
        let loaded = result.expect("loads");
        assert_eq!(loaded.config.disk_max_used_space_ratio, clamped);
        assert!(
            loaded
                .warnings
                .iter()
                .any(|w| w.contains("clamped") && w.contains(":5:")),
            "{:#?}",
            loaded.warnings
        );
    }
}

#[test]
fn zero_mapped_file_sizes_are_rejected_in_either_spelling() {
    expect_error(
        "mappedFileSizeCommitLog=0\n",
        5,
        "mappedFileSizeCommitLog",
        "0",
        &["1..="],
    );
    expect_error(
        "mapedFileSizeCommitLog=0\n",
        5,
        "mappedFileSizeCommitLog",
        "0",
        &["1..="],
    );
    expect_error(
        "mapedFileSizeConsumeQueue=0\n",
        5,
        "mappedFileSizeConsumeQueue",
        "0",
        &["20"],
    );
}

#[test]
fn consume_queue_size_is_rounded_up_to_whole_entries() {
    let (_case, result) = load(&format!("{BASE}mappedFileSizeConsumeQueue=1001\n"));
    let loaded = result.expect("loads");
    assert_eq!(loaded.config.mapped_file_size_consume_queue, 1020);
    assert!(loaded
        .warnings
        .iter()
        .any(|w| w.contains("rounded up to 1020")));
}

#[test]
fn message_size_must_fit_in_a_commit_log_file() {
    expect_error(
        "mappedFileSizeCommitLog=1048576\nmaxMessageSize=1048576\n",
        6,
        "maxMessageSize",
        "1048576",
        &["mappedFileSizeCommitLog 1048576"],
    );
    // Only the file size set: it is the one blamed.
    expect_error(
        "mappedFileSizeCommitLog=1048576\n",
        5,
        "mappedFileSizeCommitLog",
        "1048576",
        &["maxMessageSize 4194304"],
    );
}

#[test]
fn bad_delay_levels_and_delete_hours_are_rejected() {
    expect_error(
        "messageDelayLevel=1s 5x\n",
        5,
        "messageDelayLevel",
        "1s 5x",
        &["level 2 `5x`"],
    );
    expect_error("deleteWhen=04;25\n", 5, "deleteWhen", "04;25", &["0..=23"]);
    expect_error(
        "bindAddress=localhost\n",
        5,
        "bindAddress",
        "localhost",
        &["IP address"],
    );
    expect_error(
        "storePathCommitLog=/a,/b\n",
        5,
        "storePathCommitLog",
        "/a,/b",
        &["not supported"],
    );
}

#[test]
fn missing_file_is_an_error_naming_the_path() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("nope.properties");
    let err = load_broker_config_with_env(&path, NO_ENV).unwrap_err();
    assert!(matches!(err, ConfigError::NotFound { .. }), "{err:?}");
    assert!(
        err.to_string().contains(&path.display().to_string()),
        "{err}"
    );
}

#[test]
fn unreadable_file_is_an_error_naming_the_path() {
    // A directory cannot be read as a file, whatever our privileges.
    let dir = tempfile::tempdir().unwrap();
    let err = load_broker_config_with_env(dir.path(), NO_ENV).unwrap_err();
    assert!(matches!(err, ConfigError::Unreadable { .. }), "{err:?}");
    assert!(
        err.to_string().contains(&dir.path().display().to_string()),
        "{err}"
    );
}

#[test]
fn malformed_unicode_escape_is_a_syntax_error_with_its_line() {
    let (case, result) = load(&format!("{BASE}brokerName=b\\u12G4\n"));
    let err = result.unwrap_err();
    assert!(
        matches!(err, ConfigError::Syntax { line: 5, .. }),
        "{err:?}"
    );
    let msg = err.to_string();
    assert!(
        msg.contains(&format!("{}:5:", case.path.display())),
        "{msg}"
    );
    assert!(msg.contains("\\uxxxx"), "{msg}");
}

#[test]
fn unknown_keys_warn_with_the_nearest_known_key() {
    let (_case, result) = load(&format!(
        "{BASE}brokerNmae=oops\nlistenport=10911\nenableDLegerCommitLog=true\n"
    ));
    let loaded = result.expect("unknown keys are not errors");
    let w = &loaded.warnings;
    assert!(
        w.iter()
            .any(|w| w.contains(":5:") && w.contains("`brokerNmae`") && w.contains("`brokerName`")),
        "{w:#?}"
    );
    assert_eq!(loaded.config.broker_name, "b1");
    // Case-insensitive match is accepted, with a warning.
    assert!(
        w.iter()
            .any(|w| w.contains(":6:") && w.contains("ignoring case")),
        "{w:#?}"
    );
    assert!(
        w.iter()
            .any(|w| w.contains("enableDLegerCommitLog") && w.contains("does not implement")),
        "{w:#?}"
    );
}

#[test]
fn surrounding_whitespace_is_trimmed_with_a_warning() {
    let (_case, result) = load(&format!(
        "{BASE}listenPort=12000   \nbrokerRole = SLAVE \t\nbrokerId=2\n"
    ));
    let loaded = result.expect("loads");
    assert_eq!(loaded.config.listen_port, 12000);
    assert_eq!(loaded.config.broker_role, BrokerRole::Slave);
    assert_eq!(
        loaded
            .warnings
            .iter()
            .filter(|w| w.contains("whitespace"))
            .count(),
        2
    );
}

#[test]
fn duplicate_keys_warn_and_the_last_wins() {
    let (_case, result) = load(&format!("{BASE}listenPort=12000\nlistenPort=13000\n"));
    let loaded = result.expect("loads");
    assert_eq!(loaded.config.listen_port, 13000);
    assert!(
        loaded.warnings.iter().any(|w| w.contains("lines 5, 6")),
        "{:#?}",
        loaded.warnings
    );
    // New spelling and old spelling together: the later line wins.
    let (_case, result) = load(&format!(
        "{BASE}mappedFileSizeCommitLog=67108864\nmapedFileSizeCommitLog=134217728\n"
    ));
    let loaded = result.expect("loads");
    assert_eq!(loaded.config.mapped_file_size_commit_log, 134_217_728);
    assert!(
        loaded.warnings.iter().any(|w| w.contains("more than once")),
        "{:#?}",
        loaded.warnings
    );
}

#[test]
fn environment_values_are_checked_and_named() {
    let case = write(BASE);
    let err =
        load_broker_config_with_env(&case.path, [("ROCKETACTOR_listenPort", "abc")]).unwrap_err();
    let msg = err.to_string();
    assert!(
        msg.contains("environment variable ROCKETACTOR_listenPort"),
        "{msg}"
    );
    assert!(
        msg.contains("`listenPort`") && msg.contains("\"abc\""),
        "{msg}"
    );
}
