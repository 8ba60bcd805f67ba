//! GET_NAMESRV_CONFIG (319): the name server's configuration as `key=value` lines, the way
//! Java's `DefaultRequestProcessor.getConfig` answers mqadmin `getNamesrvConfig`
//! (`Configuration.getAllConfigsFormatString`), with `listenPort` the port actually bound.

use std::collections::BTreeMap;
use std::time::Duration;

use crate::support::raw::Client;
use rocketactor::codec::codes::{request, response};
use rocketactor::codec::RemotingCommand;
use rocketactor::config::NamesrvConfig;
use rocketactor::logging::test_logger;
use rocketactor::namesrv::{start_namesrv, NamesrvSettings};

fn lines(body: &[u8]) -> BTreeMap<String, String> {
    String::from_utf8_lossy(body)
        .lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

#[actix_rt::test]
async fn get_namesrv_config_reports_every_key_and_the_bound_port() {
    let cfg = NamesrvConfig::default();
    let settings = NamesrvSettings {
        listen: "127.0.0.1:0".parse().unwrap(),
        scan_interval: Duration::from_secs(3600),
        config: NamesrvConfig::keys()
            .iter()
            .map(|k| (k.name().to_string(), k.render(&cfg)))
            .collect(),
        ..NamesrvSettings::default()
    };
    let ns = start_namesrv(settings, test_logger()).await.unwrap();
    let mut c = Client::connect(ns.local_addr()).await;
    c.send(RemotingCommand::request(request::GET_NAMESRV_CONFIG))
        .await;
    let resp = c.recv().await.expect("an answer");
    assert_eq!(resp.code, response::SUCCESS, "{:?}", resp.remark);
    let got = lines(&resp.body);
    assert_eq!(
        got.get("listenPort"),
        Some(&ns.local_addr().port().to_string()),
        "the bound port, not the configured 0/9876"
    );
    assert_eq!(
        got.get("orderMessageEnable").map(String::as_str),
        Some("false")
    );
    assert_eq!(
        got.get("scanNotActiveBrokerInterval").map(String::as_str),
        Some("10000")
    );
    assert_eq!(got.len(), NamesrvConfig::keys().len(), "{got:?}");
    ns.stop();
}

#[actix_rt::test]
async fn without_a_config_the_answer_still_names_the_port() {
    let ns = crate::support::raw::start_ns().await;
    let mut c = Client::connect(ns.local_addr()).await;
    c.send(RemotingCommand::request(request::GET_NAMESRV_CONFIG))
        .await;
    let resp = c.recv().await.expect("an answer");
    assert_eq!(resp.code, response::SUCCESS);
    let got = lines(&resp.body);
    assert_eq!(
        got,
        BTreeMap::from([("listenPort".to_string(), ns.local_addr().port().to_string())])
    );
    ns.stop();
}
