//! Name server over real TCP: registration of a master/slave pair and a second broker name, route
//! and cluster info in the legacy and the standard JSON forms, topic listing and deletion,
//! KV config, write-perm wiping and unknown codes.

use crate::support::eventually;
use crate::support::raw::{register_req, route_req, start_ns, Client};
use rocketactor::codec::codes::{request, response};
use rocketactor::codec::RemotingCommand;
use rocketactor::logging::test_logger;
use rocketactor::namesrv::{start_namesrv, NamesrvSettings};
use rocketactor::protocol::cluster::{ClusterInfo, TopicList};
use rocketactor::protocol::kv::KVTable;
use rocketactor::protocol::route::TopicRouteData;

/// broker-a: master 10.0.0.1 + slave 10.0.0.2 (TopicA, TopicB); broker-b: master 10.0.0.3 (TopicA).
async fn register_cluster(c: &mut Client) {
    let topics = [("TopicA", 4, 4, 6), ("TopicB", 8, 8, 6)];
    let r = c
        .call(register_req(
            "DefaultCluster",
            "broker-a",
            "10.0.0.1:10911",
            0,
            "10.0.0.1:10912",
            &topics,
            1,
        ))
        .await;
    assert_eq!(r.code, response::SUCCESS);
    assert_eq!(r.ext("masterAddr"), None, "a master gets no masterAddr");
    let r = c
        .call(register_req(
            "DefaultCluster",
            "broker-a",
            "10.0.0.2:10911",
            1,
            "10.0.0.2:10912",
            &topics,
            1,
        ))
        .await;
    assert_eq!(r.code, response::SUCCESS);
    assert_eq!(r.ext("masterAddr"), Some("10.0.0.1:10911"));
    assert_eq!(r.ext("haServerAddr"), Some("10.0.0.1:10912"));
    let r = c
        .call(register_req(
            "DefaultCluster",
            "broker-b",
            "10.0.0.3:10911",
            0,
            "10.0.0.3:10912",
            &[("TopicA", 2, 2, 6)],
            1,
        ))
        .await;
    assert_eq!(r.code, response::SUCCESS);
}

#[actix_rt::test]
async fn route_and_cluster_info_in_both_json_forms() {
    let ns = start_ns().await;
    let mut c = Client::connect(ns.local_addr()).await;
    register_cluster(&mut c).await;

    // Legacy form (request version < 401): exact bytes, integer keys unquoted.
    let r = c.call(route_req("TopicB", 400)).await;
    assert_eq!(r.code, response::SUCCESS);
    assert_eq!(
        std::str::from_utf8(&r.body).unwrap(),
        r#"{"brokerDatas":[{"brokerAddrs":{0:"10.0.0.1:10911",1:"10.0.0.2:10911"},"brokerName":"broker-a","cluster":"DefaultCluster","enableActingMaster":false}],"filterServerTable":{},"queueDatas":[{"brokerName":"broker-a","perm":6,"readQueueNums":8,"topicSysFlag":0,"writeQueueNums":8}]}"#
    );

    // Standard form (401+, e.g. rocketmq-client-rust's 474).
    let r = c.call(route_req("TopicA", 474)).await;
    let text = std::str::from_utf8(&r.body).unwrap().to_string();
    assert!(
        text.contains(r#""brokerAddrs":{"0":"10.0.0.1:10911","1":"10.0.0.2:10911"}"#),
        "{text}"
    );
    let route: TopicRouteData = serde_json::from_slice(&r.body).expect("standard JSON");
    let names: Vec<&str> = route
        .broker_datas
        .iter()
        .map(|b| b.broker_name.as_str())
        .collect();
    assert_eq!(names, ["broker-a", "broker-b"]);
    assert_eq!(route.queue_datas.len(), 2);
    assert_eq!(route.queue_datas[1].write_queue_nums, 2);

    // acceptStandardJsonOnly also selects the standard form for old versions.
    let r = c
        .call(route_req("TopicA", 400).with_ext("acceptStandardJsonOnly", true))
        .await;
    assert!(serde_json::from_slice::<TopicRouteData>(&r.body).is_ok());

    // Cluster info: always legacy, readable leniently.
    let r = c
        .call(RemotingCommand::request(request::GET_BROKER_CLUSTER_INFO))
        .await;
    let text = std::str::from_utf8(&r.body).unwrap();
    assert!(
        text.contains(r#""clusterAddrTable":{"DefaultCluster":["broker-a","broker-b"]}"#),
        "{text}"
    );
    assert!(
        text.contains(r#"{0:"10.0.0.1:10911",1:"10.0.0.2:10911"}"#),
        "{text}"
    );
    let info = ClusterInfo::decode(&r.body).unwrap();
    assert_eq!(
        info.broker_addr_table["broker-b"].master_addr(),
        Some("10.0.0.3:10911")
    );

    // Unknown topic.
    let r = c.call(route_req("Nope", 474)).await;
    assert_eq!(r.code, response::TOPIC_NOT_EXIST);
    assert!(r.remark.unwrap().contains("Nope"));
    ns.stop();
}

#[actix_rt::test]
async fn topic_lists_delete_and_write_perm() {
    let ns = start_ns().await;
    let mut c = Client::connect(ns.local_addr()).await;
    register_cluster(&mut c).await;

    let r = c
        .call(RemotingCommand::request(
            request::GET_ALL_TOPIC_LIST_FROM_NAMESERVER,
        ))
        .await;
    let list: TopicList = serde_json::from_slice(&r.body).unwrap();
    assert_eq!(
        list.topic_list.iter().collect::<Vec<_>>(),
        ["TopicA", "TopicB"]
    );

    let r = c
        .call(
            RemotingCommand::request(request::GET_TOPICS_BY_CLUSTER)
                .with_ext("cluster", "DefaultCluster"),
        )
        .await;
    let list: TopicList = serde_json::from_slice(&r.body).unwrap();
    assert_eq!(list.topic_list.len(), 2);

    let r = c
        .call(RemotingCommand::request(
            request::GET_SYSTEM_TOPIC_LIST_FROM_NS,
        ))
        .await;
    let list: TopicList = serde_json::from_slice(&r.body).unwrap();
    assert!(list.topic_list.contains("DefaultCluster") && list.topic_list.contains("broker-b"));
    assert!(list.broker_addr.is_some());

    let r = c
        .call(
            RemotingCommand::request(request::WIPE_WRITE_PERM_OF_BROKER)
                .with_ext("brokerName", "broker-a"),
        )
        .await;
    assert_eq!(r.ext("wipeTopicCount"), Some("2"));
    let route = TopicRouteData::decode(&c.call(route_req("TopicB", 474)).await.body).unwrap();
    assert_eq!(route.queue_datas[0].perm, 4);

    let r = c
        .call(
            RemotingCommand::request(request::DELETE_TOPIC_IN_NAMESRV).with_ext("topic", "TopicB"),
        )
        .await;
    assert_eq!(r.code, response::SUCCESS);
    assert_eq!(
        c.call(route_req("TopicB", 474)).await.code,
        response::TOPIC_NOT_EXIST
    );
    assert_eq!(
        c.call(route_req("TopicA", 474)).await.code,
        response::SUCCESS
    );

    // Unregistering broker-b leaves TopicA on broker-a only.
    let r = c
        .call(
            RemotingCommand::request(request::UNREGISTER_BROKER)
                .with_ext("clusterName", "DefaultCluster")
                .with_ext("brokerName", "broker-b")
                .with_ext("brokerAddr", "10.0.0.3:10911")
                .with_ext("brokerId", 0),
        )
        .await;
    assert_eq!(r.code, response::SUCCESS);
    let route = TopicRouteData::decode(&c.call(route_req("TopicA", 474)).await.body).unwrap();
    assert_eq!(route.broker_datas.len(), 1);
    assert_eq!(route.queue_datas[0].broker_name, "broker-a");
    ns.stop();
}

#[actix_rt::test]
async fn kv_config_and_unknown_codes() {
    let ns = start_ns().await;
    let mut c = Client::connect(ns.local_addr()).await;
    let kv = |code, key: &str| {
        RemotingCommand::request(code)
            .with_ext("namespace", "ORDER_TOPIC_CONFIG")
            .with_ext("key", key)
    };
    assert_eq!(
        c.call(kv(request::GET_KV_CONFIG, "TopicA")).await.code,
        response::QUERY_NOT_FOUND
    );
    let r = c
        .call(kv(request::PUT_KV_CONFIG, "TopicA").with_ext("value", "broker-a:4"))
        .await;
    assert_eq!(r.code, response::SUCCESS);
    let r = c.call(kv(request::GET_KV_CONFIG, "TopicA")).await;
    assert_eq!(r.ext("value"), Some("broker-a:4"));
    let r = c
        .call(
            RemotingCommand::request(request::GET_KVLIST_BY_NAMESPACE)
                .with_ext("namespace", "ORDER_TOPIC_CONFIG"),
        )
        .await;
    let table = KVTable::decode(&r.body).unwrap();
    assert_eq!(table.table["TopicA"], "broker-a:4");

    // Registering brokers get the order-topic config as the body.
    let r = c
        .call(register_req(
            "C",
            "b",
            "10.0.0.9:10911",
            0,
            "10.0.0.9:10912",
            &[],
            1,
        ))
        .await;
    assert_eq!(
        KVTable::decode(&r.body).unwrap().table["TopicA"],
        "broker-a:4"
    );

    assert_eq!(
        c.call(kv(request::DELETE_KV_CONFIG, "TopicA")).await.code,
        response::SUCCESS
    );
    assert_eq!(
        c.call(kv(request::GET_KV_CONFIG, "TopicA")).await.code,
        response::QUERY_NOT_FOUND
    );

    // A missing mandatory header field is a SYSTEM_ERROR naming it.
    let r = c
        .call(RemotingCommand::request(request::GET_ROUTEINFO_BY_TOPIC))
        .await;
    assert_eq!(r.code, response::SYSTEM_ERROR);
    assert!(r.remark.unwrap().contains("topic"));

    let r = c.call(RemotingCommand::request(9999)).await;
    assert_eq!(r.code, response::REQUEST_CODE_NOT_SUPPORTED);
    assert_eq!(
        r.remark.as_deref(),
        Some(" request type 9999 not supported")
    );
    ns.stop();
}

#[actix_rt::test]
async fn compressed_body_crc_topic_registration_and_data_version() {
    use rocketactor::protocol::register::RegisterBrokerBody;
    use rocketactor::protocol::route::QueueData;

    let ns = start_ns().await;
    let mut c = Client::connect(ns.local_addr()).await;
    let plain = register_req(
        "C",
        "b",
        "10.0.0.1:10911",
        0,
        "10.0.0.1:10912",
        &[("Z", 3, 3, 6)],
        7,
    );
    let body = RegisterBrokerBody::decode(&plain.body, false).unwrap();
    let compressed = body.encode_compressed().unwrap();

    // A CRC that does not match the body is refused.
    let bad_crc = plain.clone().with_ext("bodyCrc32", 12345);
    let r = c.call(bad_crc).await;
    assert_eq!(
        (r.code, r.remark.as_deref()),
        (response::SYSTEM_ERROR, Some("crc32 not match"))
    );

    // The compressed form with its masked CRC registers the topic.
    let crc = crc32fast::hash(&compressed) & 0x7FFF_FFFF;
    let req = plain
        .with_ext("compressed", true)
        .with_ext("bodyCrc32", crc)
        .with_body(compressed);
    assert_eq!(c.call(req).await.code, response::SUCCESS);
    let route = TopicRouteData::decode(&c.call(route_req("Z", 474)).await.body).unwrap();
    assert_eq!(route.queue_datas[0].read_queue_nums, 3);

    // REGISTER_TOPIC_IN_NAMESRV adds queue data for a registered broker name only.
    let mut route_body = TopicRouteData::default();
    for name in ["b", "unknown"] {
        route_body.queue_datas.push(QueueData {
            broker_name: name.into(),
            perm: 6,
            read_queue_nums: 4,
            topic_sys_flag: 0,
            write_queue_nums: 4,
        });
    }
    let req = RemotingCommand::request(request::REGISTER_TOPIC_IN_NAMESRV)
        .with_ext("topic", "AutoCreated")
        .with_body(route_body.encode(true).unwrap());
    assert_eq!(c.call(req).await.code, response::SUCCESS);
    let route = TopicRouteData::decode(&c.call(route_req("AutoCreated", 474)).await.body).unwrap();
    assert_eq!(route.queue_datas.len(), 1);
    assert_eq!(route.broker_datas[0].broker_name, "b");

    // QUERY_DATA_VERSION: same version is unchanged, another one changed.
    let dv = |counter: i64| {
        RemotingCommand::request(request::QUERY_DATA_VERSION)
            .with_ext("brokerAddr", "10.0.0.1:10911")
            .with_ext("brokerName", "b")
            .with_ext("clusterName", "C")
            .with_ext("brokerId", 0)
            .with_body(format!(
                r#"{{"counter":{counter},"timestamp":1690000000000}}"#
            ))
    };
    assert_eq!(c.call(dv(7)).await.ext("changed"), Some("false"));
    let r = c.call(dv(8)).await;
    assert_eq!(r.ext("changed"), Some("true"));
    assert!(std::str::from_utf8(&r.body)
        .unwrap()
        .contains(r#""counter":7"#));
    ns.stop();
}

#[actix_rt::test]
async fn kv_config_survives_a_restart_through_its_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("namesrv").join("kvConfig.json");
    let cfg = NamesrvSettings {
        listen: "127.0.0.1:0".parse().unwrap(),
        kv_config_path: Some(path.clone()),
        ..NamesrvSettings::default()
    };
    let ns = start_namesrv(cfg.clone(), test_logger()).await.unwrap();
    let mut c = Client::connect(ns.local_addr()).await;
    let put = RemotingCommand::request(request::PUT_KV_CONFIG)
        .with_ext("namespace", "NS")
        .with_ext("key", "k")
        .with_ext("value", "v1");
    assert_eq!(c.call(put).await.code, response::SUCCESS);
    // The file is written by a background thread; wait (bounded) until it is there.
    let saved = eventually("the KV file holds v1", || {
        std::future::ready(
            std::fs::read_to_string(&path)
                .ok()
                .filter(|saved| saved.contains("v1")),
        )
    })
    .await;
    assert!(saved.contains("configTable"), "{saved}");
    ns.stop();

    let ns = start_namesrv(cfg, test_logger()).await.unwrap();
    let mut c = Client::connect(ns.local_addr()).await;
    let get = RemotingCommand::request(request::GET_KV_CONFIG)
        .with_ext("namespace", "NS")
        .with_ext("key", "k");
    assert_eq!(c.call(get).await.ext("value"), Some("v1"));
    ns.stop();
}
