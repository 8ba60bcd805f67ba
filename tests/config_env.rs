//! Environment overrides from the real process environment. The environment is process-wide,
//! so this binary holds only these tests and they take a lock; the variables are unique to it.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use rocketactor::config::{load_broker_config, load_namesrv_config, Source};

static ENV_LOCK: Mutex<()> = Mutex::new(());

fn seed_master() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("conf/seed-2m-2s-sync/broker-a.properties")
}

#[test]
fn mixed_case_variable_overrides_the_file() {
    let _guard = ENV_LOCK.lock().unwrap_or_else(|e| e.into_inner());
    std::env::set_var("ROCKETACTOR_listenPort", "12000");
    let loaded = load_broker_config(&seed_master());
    std::env::remove_var("ROCKETACTOR_listenPort");
    let loaded = loaded.expect("loads");
    assert_eq!(loaded.config.listen_port, 12000);
    assert_eq!(
        (loaded.config.fast_port(), loaded.config.ha_port()),
        (11998, 12001)
    );
    assert_eq!(
        loaded.source("listenPort"),
        &Source::Env {
            var: "ROCKETACTOR_listenPort".into()
        }
    );
    assert!(
        loaded
            .warnings
            .iter()
            .any(|w| w.contains("ROCKETACTOR_listenPort overrides")),
        "{:#?}",
        loaded.warnings
    );
}

#[test]
fn upper_case_variable_overrides_the_file() {
    let _guard = ENV_LOCK.lock().unwrap_or_else(|e| e.into_inner());
    std::env::set_var("ROCKETACTOR_FILERESERVEDTIME", "7");
    std::env::set_var("ROCKETACTOR_BROKERROLE", "ASYNC_MASTER");
    let loaded = load_broker_config(&seed_master());
    std::env::remove_var("ROCKETACTOR_FILERESERVEDTIME");
    std::env::remove_var("ROCKETACTOR_BROKERROLE");
    let loaded = loaded.expect("loads");
    assert_eq!(loaded.config.file_reserved_time, 7);
    assert!(loaded.config.is_master());
    assert_eq!(
        loaded.source("fileReservedTime"),
        &Source::Env {
            var: "ROCKETACTOR_FILERESERVEDTIME".into()
        }
    );
}

#[test]
fn namesrv_variables_do_not_leak_into_the_broker() {
    let _guard = ENV_LOCK.lock().unwrap_or_else(|e| e.into_inner());
    std::env::set_var("ROCKETACTOR_NAMESRV_listenPort", "9877");
    let namesrv = load_namesrv_config(None);
    let broker = load_broker_config(&seed_master());
    std::env::remove_var("ROCKETACTOR_NAMESRV_listenPort");
    let namesrv = namesrv.expect("namesrv loads");
    assert_eq!(namesrv.config.listen_port, 9877);
    let broker = broker.expect("broker loads");
    assert_eq!(broker.config.listen_port, 10911);
    assert!(
        broker.warnings.iter().all(|w| !w.contains("NAMESRV")),
        "{:#?}",
        broker.warnings
    );
}

#[test]
fn unknown_variable_with_the_prefix_is_a_warning() {
    let _guard = ENV_LOCK.lock().unwrap_or_else(|e| e.into_inner());
    std::env::set_var("ROCKETACTOR_listenPrt", "1");
    let loaded = load_broker_config(&seed_master());
    std::env::remove_var("ROCKETACTOR_listenPrt");
    let loaded = loaded.expect("loads");
    assert!(
        loaded
            .warnings
            .iter()
            .any(|w| w.contains("ROCKETACTOR_listenPrt") && w.contains("`listenPort`")),
        "{:#?}",
        loaded.warnings
    );
}
