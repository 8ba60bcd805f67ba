//! Topic and broker admin commands against a real in-process broker, driven by the project's
//! `Admin` client over TCP: UPDATE_AND_CREATE_TOPIC (17), GET_ALL_TOPIC_CONFIG (21),
//! GET_TOPIC_STATS_INFO (202), GET_MAX/MIN_OFFSET (30/31), DELETE_TOPIC_IN_BROKER (215),
//! GET_BROKER_CONFIG (26) and GET_BROKER_RUNTIME_INFO (28). Every answer is checked against
//! what was sent, in the shapes and with the rules of the Java 4.9.7 broker.

use std::collections::BTreeMap;

use crate::support::{admin_env, code_of, eventually, response_remark};
use rocketactor::client::{Admin, Message, Producer, PullConsumer, PullStatus};
use rocketactor::codec::codes::{request, response};
use rocketactor::codec::RemotingCommand;
use rocketactor::protocol::message_queue::MessageQueue;
use rocketactor::protocol::topic::{DataVersion, TopicConfig, TopicFilterType};

/// The raw stored record at `offset` (VIEW_MESSAGE_BY_ID body), for its exact length.
async fn raw_record(admin: &Admin, addr: &str, offset: i64) -> bytes::Bytes {
    let cmd = RemotingCommand::request(request::VIEW_MESSAGE_BY_ID).with_ext("offset", offset);
    admin.call(addr, cmd).await.expect("view by offset").body
}

#[actix_rt::test]
async fn topic_create_list_stats_and_delete() {
    let (_keep, broker, addr, ns, admin) =
        admin_env("broker-adm", |cfg| cfg.auto_create_topic_enable = false).await;

    let before = admin.get_all_topic_config(&addr).await.unwrap();
    assert!(before
        .topic_config_table
        .contains_key("SCHEDULE_TOPIC_XXXX"));
    assert!(
        !before.topic_config_table.contains_key("TBW102"),
        "no default topic without autoCreateTopicEnable"
    );
    assert!(!before.topic_config_table.contains_key("ADMIN_T"));

    // More read than write queues, MULTI_TAG: stored exactly as asked.
    let mut tc = TopicConfig::new("ADMIN_T", 4, 3, 6);
    tc.topic_filter_type = TopicFilterType::MultiTag;
    admin.create_topic(&addr, &tc).await.expect("create topic");
    let after = admin.get_all_topic_config(&addr).await.unwrap();
    assert_eq!(after.topic_config_table["ADMIN_T"], tc);
    assert_eq!(after.data_version.counter, before.data_version.counter + 1);
    assert!(after.data_version.timestamp >= before.data_version.timestamp);

    // The broker re-registers at once: the name server routes the new topic.
    let nsc = admin.name_server().unwrap().clone();
    eventually("topic routed", || {
        let nsc = nsc.clone();
        async move { nsc.topic_route("ADMIN_T").await.is_ok() }
    })
    .await;
    let route = nsc.topic_route("ADMIN_T").await.unwrap();
    assert_eq!(route.queue_datas.len(), 1);
    let qd = &route.queue_datas[0];
    assert_eq!(
        (
            qd.broker_name.as_str(),
            qd.read_queue_nums,
            qd.write_queue_nums,
            qd.perm
        ),
        ("broker-adm", 4, 3, 6)
    );

    // Three messages on queue 0, one on queue 1, none on queue 2.
    let producer = Producer::new(&ns, "pg-adm").unwrap();
    producer.start().unwrap();
    let mq = |qid| MessageQueue::new("ADMIN_T", "broker-adm", qid);
    let mut last = BTreeMap::new();
    for (qid, n) in [(0, 3), (1, 1)] {
        for i in 0..n {
            let body = format!("q{qid}-{i}");
            let r = producer
                .send_to_queue(&mq(qid), Message::new(body).with_tags("TagA"))
                .await
                .expect("send");
            assert_eq!(r.queue, mq(qid));
            assert_eq!(r.queue_offset, i64::from(i));
            last.insert(qid, r);
        }
    }
    let stored = admin.view_message(&last[&0].offset_msg_id).await.unwrap();
    assert_ne!(
        stored.sys_flag & 2,
        0,
        "MULTI_TAG topic sets MULTI_TAGS_FLAG"
    );

    let stats = admin.topic_stats(&addr, "ADMIN_T").await.unwrap();
    assert_eq!(
        stats.offset_table.keys().cloned().collect::<Vec<_>>(),
        vec![mq(0), mq(1), mq(2)],
        "one entry per write queue"
    );
    for (qid, max) in [(0, 3), (1, 1), (2, 0)] {
        let o = stats.offset_table[&mq(qid)];
        assert_eq!((o.min_offset, o.max_offset), (0, max), "queue {qid}");
        let newest = match last.get(&qid) {
            Some(r) => {
                admin
                    .view_message(&r.offset_msg_id)
                    .await
                    .unwrap()
                    .store_timestamp
            }
            None => 0,
        };
        assert_eq!(o.last_update_timestamp, newest, "queue {qid}");
        assert_eq!(admin.max_offset(&addr, "ADMIN_T", qid).await.unwrap(), max);
        assert_eq!(admin.min_offset(&addr, "ADMIN_T", qid).await.unwrap(), 0);
    }
    assert_eq!(stats.topic_put_tps, 0.0);
    // On the wire: fastjson's object-keyed map, as Java tools parse it.
    let raw = admin
        .call(
            &addr,
            RemotingCommand::request(request::GET_TOPIC_STATS_INFO).with_ext("topic", "ADMIN_T"),
        )
        .await
        .unwrap();
    let text = String::from_utf8(raw.body.to_vec()).unwrap();
    assert!(
        text.starts_with(
            r#"{"offsetTable":{{"brokerName":"broker-adm","queueId":0,"topic":"ADMIN_T"}:{"lastUpdateTimestamp":"#
        ),
        "{text}"
    );

    // Upsert: the same name with new queue counts and perm replaces the config.
    let narrowed = TopicConfig::new("ADMIN_T", 2, 2, 4);
    admin.create_topic(&addr, &narrowed).await.expect("update");
    let table = admin.get_all_topic_config(&addr).await.unwrap();
    assert_eq!(table.topic_config_table["ADMIN_T"], narrowed);
    assert_eq!(table.data_version.counter, after.data_version.counter + 1);
    let stats = admin.topic_stats(&addr, "ADMIN_T").await.unwrap();
    assert_eq!(stats.offset_table.len(), 2);
    assert_eq!(stats.offset_table[&mq(0)].max_offset, 3, "data kept");

    // Refusals: system topics and illegal names are SYSTEM_ERROR, nothing changes.
    let (code, remark) = code_of(
        admin
            .create_topic(&addr, &TopicConfig::new("SCHEDULE_TOPIC_XXXX", 1, 1, 6))
            .await,
    );
    assert_eq!(code, response::SYSTEM_ERROR);
    assert_eq!(
        remark,
        "The topic[SCHEDULE_TOPIC_XXXX] is conflict with system topic."
    );
    let (code, _) = code_of(
        admin
            .create_topic(&addr, &TopicConfig::new("bad/name", 1, 1, 6))
            .await,
    );
    assert_eq!(code, response::SYSTEM_ERROR);
    let (code, _) = code_of(admin.delete_topic_in_broker(&addr, "BenchmarkTest").await);
    assert_eq!(code, response::SYSTEM_ERROR);
    let table = admin.get_all_topic_config(&addr).await.unwrap();
    assert!(!table.topic_config_table.contains_key("bad/name"));
    assert_eq!(table.topic_config_table["SCHEDULE_TOPIC_XXXX"].perm, 6);
    assert!(table.topic_config_table.contains_key("BenchmarkTest"));

    // Writable again, and the producer's route says so before the topic is deleted.
    admin
        .create_topic(&addr, &TopicConfig::new("ADMIN_T", 2, 2, 6))
        .await
        .expect("update");
    eventually("route writable again", || {
        let nsc = nsc.clone();
        async move {
            nsc.topic_route("ADMIN_T")
                .await
                .is_ok_and(|r| r.queue_datas.iter().all(|q| q.perm == 6))
        }
    })
    .await;
    producer.routes().refresh("ADMIN_T").await.unwrap();

    // Delete: gone from the table, stats answer TOPIC_NOT_EXIST, an unknown topic is SUCCESS.
    admin
        .delete_topic_in_broker(&addr, "ADMIN_T")
        .await
        .expect("delete");
    let table = admin.get_all_topic_config(&addr).await.unwrap();
    assert!(!table.topic_config_table.contains_key("ADMIN_T"));
    let (code, remark) = code_of(admin.topic_stats(&addr, "ADMIN_T").await);
    assert_eq!(code, response::TOPIC_NOT_EXIST);
    assert!(remark.contains("ADMIN_T"), "{remark}");
    admin
        .delete_topic_in_broker(&addr, "NEVER_EXISTED")
        .await
        .expect("deleting an unknown topic is SUCCESS");

    // The producer still holds the old route: the broker refuses with TOPIC_NOT_EXIST (auto
    // creation is off) and nothing is created again.
    let err = producer
        .send("ADMIN_T", Message::new("late"))
        .await
        .unwrap_err();
    let remark = response_remark(&err, &addr, response::TOPIC_NOT_EXIST);
    assert!(
        remark.starts_with("topic[ADMIN_T] not exist, apply first please!"),
        "{remark}"
    );
    let table = admin.get_all_topic_config(&addr).await.unwrap();
    assert!(!table.topic_config_table.contains_key("ADMIN_T"));
    producer.shutdown();
    broker.stop().await;
}

#[actix_rt::test]
async fn broker_config_and_runtime_info() {
    let (keep, broker, addr, ns, admin) =
        admin_env("broker-rt", |cfg| cfg.max_message_size = 65_536).await;

    // GET_BROKER_CONFIG: the running configuration as key=value lines.
    let conf = admin.broker_config(&addr).await.expect("broker config");
    let expect = [
        ("brokerName", "broker-rt".to_string()),
        ("brokerClusterName", keep.cluster_name.clone()),
        ("brokerId", "0".into()),
        ("brokerRole", "ASYNC_MASTER".into()),
        ("brokerIP1", "127.0.0.1".into()),
        ("namesrvAddr", ns.clone()),
        ("listenPort", broker.listen_addr.port().to_string()),
        ("maxMessageSize", "65536".into()),
        ("autoCreateTopicEnable", "true".into()),
        ("flushDiskType", "ASYNC_FLUSH".into()),
        ("storePathRootDir", keep.dir.path().display().to_string()),
    ];
    for (k, v) in expect {
        assert_eq!(conf.get(k), Some(&v), "key {k}");
    }
    // Keys mqadmin's exportConfigs / exportMetrics read unconditionally (a missing one is a
    // NullPointerException in ExportConfigsCommand.needBrokerProprties).
    assert_eq!(conf.get("useTLS").map(String::as_str), Some("false"));
    assert_eq!(conf.get("filterServerNums").map(String::as_str), Some("0"));
    let cpus: u32 = conf
        .get("clientCallbackExecutorThreads")
        .expect("clientCallbackExecutorThreads")
        .parse()
        .expect("a number");
    assert!(cpus >= 1);
    // The `version` header is the configuration's DataVersion as JSON.
    let raw = admin
        .call(&addr, RemotingCommand::request(request::GET_BROKER_CONFIG))
        .await
        .unwrap();
    let version: DataVersion =
        serde_json::from_str(raw.ext("version").expect("version header")).unwrap();
    assert!(version.timestamp > 0);

    // Fresh broker: nothing put or got yet.
    let info = admin
        .broker_runtime_info(&addr)
        .await
        .expect("runtime info");
    assert_eq!(info["brokerVersionDesc"], "V4_9_7");
    assert_eq!(info["brokerVersion"], "407");
    assert_eq!(info["brokerRole"], "ASYNC_MASTER");
    assert_eq!(info["msgPutTotalTodayNow"], "0");
    assert_eq!(info["msgGetTotalTodayNow"], "0");
    assert_eq!(info["commitLogMaxOffset"], "0");
    assert_eq!(info["restartsTotal"], "0");
    // Disk figures of the store's file system (Java DefaultMessageStore.getRuntimeInfo):
    // clusterList's #SPACE and exportMetrics' diskRatio.
    for k in ["commitLogDiskRatio", "consumeQueueDiskRatio"] {
        let r: f64 = info[k].parse().expect("a ratio");
        assert!(r > 0.0 && r <= 1.0, "{k} = {r}");
    }
    assert!(
        info["commitLogDirCapacity"].starts_with("Total : "),
        "{}",
        info["commitLogDirCapacity"]
    );
    assert_eq!(
        info["bootTimestamp"],
        version.timestamp.to_string(),
        "config version is stamped at boot"
    );

    // Five messages in, three pulled out.
    let producer = Producer::new(&ns, "pg-rt").unwrap();
    producer.start().unwrap();
    eventually("broker registered", || async {
        producer.publish_queues("TBW102").await.is_ok()
    })
    .await;
    let first = producer
        .send("RT_TOPIC", Message::new("m0"))
        .await
        .expect("send");
    let mut last = first.clone();
    for i in 1..5 {
        last = producer
            .send_to_queue(&first.queue, Message::new(format!("m{i}")))
            .await
            .expect("send");
    }
    let consumer = PullConsumer::new(&ns, "cg-rt").unwrap();
    let pulled = consumer
        .pull(&first.queue, 0, 3, "*", None)
        .await
        .expect("pull");
    assert_eq!(pulled.status, PullStatus::Found);
    assert_eq!(pulled.messages.len(), 3);

    let info = admin.broker_runtime_info(&addr).await.unwrap();
    assert_eq!(info["msgPutTotalTodayNow"], "5");
    assert_eq!(info["putMessageTimesTotal"], "5");
    assert_eq!(info["msgGetTotalTodayNow"], "3");
    let first_msg = admin.view_message(&first.offset_msg_id).await.unwrap();
    let last_msg = admin.view_message(&last.offset_msg_id).await.unwrap();
    let last_len = raw_record(&admin, &addr, last_msg.commit_log_offset)
        .await
        .len() as i64;
    let end = last_msg.commit_log_offset + last_len;
    assert_eq!(info["commitLogMinOffset"], "0");
    assert_eq!(info["commitLogMaxOffset"], end.to_string());
    assert_eq!(
        info["putMessageSizeTotal"],
        end.to_string(),
        "bytes of the 5 records"
    );
    assert_eq!(
        info["earliestMessageTimeStamp"],
        first_msg.store_timestamp.to_string()
    );
    let boot: i64 = info["bootTimestamp"].parse().unwrap();
    assert!(boot <= first_msg.store_timestamp);
    // StoreStatsService.getFormatRuntime: "[ 0 days, 0 hours, 0 minutes, 1 seconds ]"
    let runtime = &info["runtime"];
    let parts: Vec<&str> = runtime.split(' ').collect();
    assert_eq!(parts.len(), 10, "{runtime}");
    assert_eq!(
        (parts[0], parts[2], parts[4], parts[6], parts[8], parts[9]),
        ("[", "days,", "hours,", "minutes,", "seconds", "]"),
        "{runtime}"
    );
    assert_eq!(
        info["putMessageAverageSize"],
        format!("{:?}", end as f64 / 5.0),
        "size total / times total, as a Java double"
    );
    // Java's human-readable byte count ("0 B", "1.2 KiB").
    let backlog = &info["remainHowManyDataToFlush"];
    assert!(
        backlog.ends_with(" B") || backlog.ends_with("iB"),
        "{backlog}"
    );
    // Every key Java 4.9.7 always writes is there (mqadmin clusterList prints several).
    for k in [
        "msgPutTotalYesterdayMorning",
        "msgPutTotalTodayMorning",
        "msgGetTotalYesterdayMorning",
        "msgGetTotalTodayMorning",
        "sendThreadPoolQueueSize",
        "sendThreadPoolQueueHeadWaitTimeMills",
        "pullThreadPoolQueueSize",
        "pullThreadPoolQueueHeadWaitTimeMills",
        "queryThreadPoolQueueSize",
        "queryThreadPoolQueueHeadWaitTimeMills",
        "EndTransactionQueueSize",
        "dispatchBehindBytes",
        "pageCacheLockTimeMills",
        "startAcceptSendRequestTimeStamp",
        "remainTransientStoreBufferNumbs",
    ] {
        let v: i64 = info
            .get(k)
            .unwrap_or_else(|| panic!("{k} missing"))
            .parse()
            .unwrap_or_else(|e| panic!("{k}: {e}"));
        assert!(v >= 0, "{k}");
    }
    assert_eq!(info["sendThreadPoolQueueCapacity"], "10000");
    assert_eq!(info["pullThreadPoolQueueCapacity"], "100000");
    assert_eq!(info["queryThreadPoolQueueCapacity"], "20000");
    assert_eq!(info["EndTransactionThreadPoolQueueCapacity"], "100000");
    // The dashboard splits the TPS strings on spaces and parses three numbers.
    for k in ["putTps", "getTotalTps", "getTransferedTps"] {
        let parts: Vec<f64> = info[k]
            .split(' ')
            .map(|p| p.parse().expect("a number"))
            .collect();
        assert_eq!(parts.len(), 3, "{k}");
    }
    producer.shutdown();
    broker.stop().await;
}
