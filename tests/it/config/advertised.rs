//! The advertised-port extension keys (`brokerAdvertisedPort`, `brokerAdvertisedFastPort`,
//! `haAdvertisedPort`; README.md "Advertised ports behind NAT") and `storeReplyMessageEnable`, loaded
//! from a real properties file: values, derived addresses, the 0 refusal and the fast-port
//! warning.

use rocketactor::config::{load_broker_config_with_env, BrokerConfig, ConfigError, Loaded};

const NO_ENV: [(&str, &str); 0] = [];
const BASE: &str = "brokerClusterName=c1\nbrokerName=b1\nbrokerIP1=10.0.0.5\nbrokerIP2=10.0.0.6\n\
                    storePathRootDir=/tmp/x\nlistenPort=10911\n";

fn load(extra: &str) -> Result<Loaded<BrokerConfig>, ConfigError> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("broker.properties");
    std::fs::write(&path, format!("{BASE}{extra}")).unwrap();
    load_broker_config_with_env(&path, NO_ENV)
}

#[test]
fn unset_keys_advertise_the_listen_ports() {
    let c = load("").unwrap().config;
    assert_eq!(c.broker_advertised_port, None);
    assert_eq!(c.client_addr(), "10.0.0.5:10911");
    assert_eq!(c.ha_addr(), "10.0.0.6:10912");
    assert_eq!(c.advertised_fast_port(10911), 10909);
    assert!(c.store_reply_message_enable);
}

#[test]
fn advertised_keys_replace_the_ports_others_see() {
    let loaded =
        load("brokerAdvertisedPort=20911\nhaAdvertisedPort=20912\nstoreReplyMessageEnable=false\n")
            .unwrap();
    let c = loaded.config;
    assert_eq!(
        c.listen_port, 10911,
        "the broker still listens on listenPort"
    );
    assert_eq!(c.client_addr(), "10.0.0.5:20911");
    assert_eq!(c.ha_addr(), "10.0.0.6:20912");
    assert_eq!(c.advertised_port(10911), 20911);
    assert_eq!(
        c.advertised_fast_port(10911),
        20909,
        "clients derive port - 2"
    );
    assert!(!c.store_reply_message_enable);
    assert!(loaded.warnings.is_empty(), "{:?}", loaded.warnings);
}

#[test]
fn a_fast_port_other_than_the_derived_one_is_honoured_with_a_warning() {
    let loaded = load("brokerAdvertisedPort=20911\nbrokerAdvertisedFastPort=30000\n").unwrap();
    assert_eq!(loaded.config.advertised_fast_port(10911), 30000);
    assert!(
        loaded
            .warnings
            .iter()
            .any(|w| w.contains("brokerAdvertisedFastPort=30000") && w.contains("20909")),
        "{:?}",
        loaded.warnings
    );
}

#[test]
fn port_zero_is_refused() {
    for key in [
        "brokerAdvertisedPort",
        "brokerAdvertisedFastPort",
        "haAdvertisedPort",
    ] {
        let err = match load(&format!("{key}=0\n")) {
            Ok(_) => panic!("{key}=0 must be refused"),
            Err(e) => e.to_string(),
        };
        assert!(err.contains(key) && err.contains("1..=65535"), "{err}");
    }
}
