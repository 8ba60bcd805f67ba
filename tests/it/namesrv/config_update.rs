//! UPDATE_NAMESRV_CONFIG (318) as Java 4.9.7's `DefaultRequestProcessor.updateConfig`: known
//! keys change (GET_NAMESRV_CONFIG reports them), unknown keys and unparsable values are
//! ignored, the path keys are refused, the whole config is persisted to `configStorePath`;
//! `orderMessageEnable` then puts the ORDER_TOPIC_CONFIG value into routes; and the unit-topic
//! lists GET_UNIT_TOPIC_LIST / GET_HAS_UNIT_SUB_TOPIC_LIST / GET_HAS_UNIT_SUB_UNUNIT_TOPIC_LIST
//! (311-313) from the topic system flags.

use std::collections::BTreeMap;
use std::time::Duration;

use crate::support::eventually;
use crate::support::raw::{register_req, route_req, Client};
use rocketactor::codec::codes::{request, response};
use rocketactor::codec::RemotingCommand;
use rocketactor::config::NamesrvConfig;
use rocketactor::logging::test_logger;
use rocketactor::namesrv::{start_namesrv, NamesrvSettings};
use rocketactor::protocol::cluster::TopicList;
use rocketactor::protocol::route::{QueueData, TopicRouteData};

fn lines(body: &[u8]) -> BTreeMap<String, String> {
    String::from_utf8_lossy(body)
        .lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn update(body: &str) -> RemotingCommand {
    RemotingCommand::request(request::UPDATE_NAMESRV_CONFIG).with_body(body.to_string())
}

#[actix_rt::test]
async fn update_config_applies_known_keys_persists_and_enables_order_topic_conf() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("namesrv.properties");
    let cfg = NamesrvConfig {
        config_store_path: store.clone(),
        kv_config_path: dir.path().join("kvConfig.json"),
        ..NamesrvConfig::default()
    };
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
    let r = c
        .call(register_req(
            "C",
            "broker-o",
            "10.0.0.9:10911",
            0,
            "10.0.0.9:10912",
            &[("OrderT", 4, 4, 6)],
            1,
        ))
        .await;
    assert_eq!(r.code, response::SUCCESS);
    let put = RemotingCommand::request(request::PUT_KV_CONFIG)
        .with_ext("namespace", "ORDER_TOPIC_CONFIG")
        .with_ext("key", "OrderT")
        .with_ext("value", "broker-o:4");
    assert_eq!(c.call(put).await.code, response::SUCCESS);
    let route = TopicRouteData::decode(&c.call(route_req("OrderT", 474)).await.body).unwrap();
    assert_eq!(route.order_topic_conf, None, "orderMessageEnable is off");

    let r = c
        .call(update(
            "orderMessageEnable=true\nclusterTest=true\nnoSuchKey=1\nserverChannelMaxIdleTimeSeconds=abc\n",
        ))
        .await;
    assert_eq!((r.code, r.remark.as_deref()), (response::SUCCESS, None));
    let got = lines(
        &c.call(RemotingCommand::request(request::GET_NAMESRV_CONFIG))
            .await
            .body,
    );
    assert_eq!(got["orderMessageEnable"], "true");
    assert_eq!(got["clusterTest"], "true");
    assert_eq!(
        got["serverChannelMaxIdleTimeSeconds"], "120",
        "bad value ignored"
    );
    assert!(!got.contains_key("noSuchKey"), "unknown keys are not added");
    eventually("the config persisted to configStorePath", || async {
        std::fs::read_to_string(&store).is_ok_and(|t| {
            let file = lines(t.as_bytes());
            file.get("orderMessageEnable").map(String::as_str) == Some("true")
                && file.len() == got.len()
        })
    })
    .await;
    let route = TopicRouteData::decode(&c.call(route_req("OrderT", 474)).await.body).unwrap();
    assert_eq!(route.order_topic_conf.as_deref(), Some("broker-o:4"));

    // The path keys are refused, and nothing of that body is applied.
    for key in ["kvConfigPath", "configStorePath"] {
        let r = c
            .call(update(&format!("clusterTest=false\n{key}=/tmp/x\n")))
            .await;
        assert_eq!(
            (r.code, r.remark.as_deref()),
            (response::NO_PERMISSION, Some("Can not update config path"))
        );
    }
    let got = lines(
        &c.call(RemotingCommand::request(request::GET_NAMESRV_CONFIG))
            .await
            .body,
    );
    assert_eq!(got["clusterTest"], "true");
    // An empty body changes nothing.
    assert_eq!(c.call(update("")).await.code, response::SUCCESS);
    ns.stop();
}

#[actix_rt::test]
async fn unit_topic_lists_follow_the_topic_sys_flags() {
    let ns = crate::support::raw::start_ns().await;
    let mut c = Client::connect(ns.local_addr()).await;
    let r = c
        .call(register_req(
            "C",
            "b",
            "10.0.0.1:10911",
            0,
            "10.0.0.1:10912",
            &[("Plain", 1, 1, 6)],
            1,
        ))
        .await;
    assert_eq!(r.code, response::SUCCESS);
    // flag 1 = unit, 2 = has unit subscription (Java TopicSysFlag).
    for (topic, flag) in [("Unit", 1), ("UnitSub", 2), ("Both", 3)] {
        let mut body = TopicRouteData::default();
        body.queue_datas.push(QueueData {
            broker_name: "b".into(),
            perm: 6,
            read_queue_nums: 1,
            topic_sys_flag: flag,
            write_queue_nums: 1,
        });
        let req = RemotingCommand::request(request::REGISTER_TOPIC_IN_NAMESRV)
            .with_ext("topic", topic)
            .with_body(body.encode(true).unwrap());
        assert_eq!(c.call(req).await.code, response::SUCCESS);
    }
    let mut answers = Vec::new();
    for code in [
        request::GET_UNIT_TOPIC_LIST,
        request::GET_HAS_UNIT_SUB_TOPIC_LIST,
        request::GET_HAS_UNIT_SUB_UNUNIT_TOPIC_LIST,
    ] {
        let r = c.call(RemotingCommand::request(code)).await;
        assert_eq!(r.code, response::SUCCESS);
        let t: TopicList = serde_json::from_slice(&r.body).unwrap();
        answers.push(t.topic_list.into_iter().collect::<Vec<_>>());
    }
    assert_eq!(answers[0], vec!["Both".to_string(), "Unit".to_string()]);
    assert_eq!(answers[1], vec!["Both".to_string(), "UnitSub".to_string()]);
    assert_eq!(answers[2], vec!["UnitSub".to_string()]);
    ns.stop();
}
