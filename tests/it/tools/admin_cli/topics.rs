//! Cluster and topic commands: clusterList, topicList, topicRoute, topicStatus,
//! topicClusterList, updateTopic, deleteTopic, updateTopicPerm.

use super::*;

#[actix_rt::test]
async fn cluster_list() {
    let e = env().await;
    // NAMESRV_ADDR instead of -n, as mqadmin reads it.
    let o = run(
        vec![("NAMESRV_ADDR".into(), e.ns.clone())],
        s(&["clusterList"]),
    )
    .await;
    assert_eq!(o.code, 0, "{o:?}");
    assert!(o.out.starts_with("#Cluster Name"), "{}", o.out);
    let r = row(&o.out, &e.cluster);
    assert_eq!(r[1..5], ["broker-a", "0", e.addr.as_str(), "V4_9_7"]);
    let space: f64 = r.last().unwrap().parse().unwrap();
    assert!(space > 0.0 && space <= 1.0, "{}", o.out);

    e.topic("CL_T", 1).await;
    e.send("CL_T", 3, 1).await;
    let m = e.ok("clusterList", &["-m"]).await;
    let r = row(&m, &e.cluster);
    assert_eq!(r[1], "broker-a");
    let in_today: i64 = r[4].parse().unwrap();
    assert!(in_today >= 3, "{m}");
}

#[actix_rt::test]
async fn topic_list() {
    let e = env().await;
    e.topic("TL_T", 2).await;
    e.commit("cg-tl", "TL_T", 2, 0).await;
    let o = e.ok("topicList", &[]).await;
    assert!(o.lines().any(|l| l == "TL_T"), "{o}");
    let c = e.ok("topicList", &["-c"]).await;
    assert!(
        c.lines().any(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            f == [e.cluster.as_str(), "TL_T", "cg-tl"]
        }),
        "{c}"
    );
    assert!(!c.contains("%RETRY%"), "retry topics left out: {c}");
}

#[actix_rt::test]
async fn topic_route() {
    let e = env().await;
    e.topic("TR_T", 4).await;
    let o = e.ok("topicRoute", &["-t", "TR_T"]).await;
    let v: serde_json::Value = serde_json::from_str(&o).expect("route JSON");
    assert_eq!(v["brokerDatas"][0]["brokerName"], "broker-a");
    assert_eq!(v["brokerDatas"][0]["brokerAddrs"]["0"], e.addr);
    assert_eq!(v["queueDatas"][0]["writeQueueNums"], 4);
    let l = e.ok("topicRoute", &["-t", "TR_T", "-l"]).await;
    let r = row(&l, &e.cluster);
    assert_eq!(r[1], "broker-a");
    assert_eq!(r[2], format!("{{0={}}}", e.addr));
    assert_eq!(&r[3..], ["4", "4", "6"]);
    assert_eq!(row(&l, "Total:")[1..], ["1", "4", "4"]);
}

#[actix_rt::test]
async fn topic_status() {
    let e = env().await;
    e.topic("TS_T", 2).await;
    e.send("TS_T", 5, 2).await;
    let o = e.ok("topicStatus", &["-t", "TS_T"]).await;
    let rows: Vec<Vec<&str>> = o
        .lines()
        .filter(|l| l.starts_with("broker-a"))
        .map(|l| l.split_whitespace().collect())
        .collect();
    assert_eq!(rows.len(), 2, "{o}");
    assert_eq!(&rows[0][..4], ["broker-a", "0", "0", "3"]);
    assert_eq!(&rows[1][..4], ["broker-a", "1", "0", "2"]);
    assert!(rows[0].len() > 4, "last updated shown: {o}");
}

#[actix_rt::test]
async fn topic_cluster_list() {
    let e = env().await;
    e.topic("TCL_T", 1).await;
    let o = e.ok("topicClusterList", &["-t", "TCL_T"]).await;
    assert_eq!(o.trim(), e.cluster);
}

#[actix_rt::test]
async fn update_topic() {
    let e = env().await;
    let o = e
        .ok(
            "updateTopic",
            &["-b", &e.addr, "-t", "UT_T", "-r", "3", "-w", "3"],
        )
        .await;
    assert!(
        o.starts_with(&format!("create topic to {} success.", e.addr)),
        "{o}"
    );
    assert!(
        o.contains("TopicConfig [topicName=UT_T, readQueueNums=3, writeQueueNums=3, perm=RW-"),
        "{o}"
    );
    let all = e.admin.get_all_topic_config(&e.addr).await.unwrap();
    assert_eq!(all.topic_config_table["UT_T"].read_queue_nums, 3);
    let c = e.ok("updateTopic", &["-c", &e.cluster, "-t", "UT_C"]).await;
    assert!(
        c.contains(&format!("create topic to {} success.", e.addr)),
        "{c}"
    );
    let all = e.admin.get_all_topic_config(&e.addr).await.unwrap();
    assert_eq!(all.topic_config_table["UT_C"].write_queue_nums, 8);
}

#[actix_rt::test]
async fn delete_topic() {
    let e = env().await;
    e.topic("DT_T", 1).await;
    let o = e.ok("deleteTopic", &["-t", "DT_T", "-c", &e.cluster]).await;
    assert!(
        o.contains(&format!(
            "delete topic [DT_T] from cluster [{}] success.",
            e.cluster
        )),
        "{o}"
    );
    assert!(
        o.contains("delete topic [DT_T] from NameServer success."),
        "{o}"
    );
    let all = e.admin.get_all_topic_config(&e.addr).await.unwrap();
    assert!(!all.topic_config_table.contains_key("DT_T"));
    let topics = e.admin.name_server().unwrap().all_topics().await.unwrap();
    assert!(!topics.contains("DT_T"));
}

#[actix_rt::test]
async fn update_topic_perm() {
    let e = env().await;
    e.topic("UTP_T", 2).await;
    let o = e
        .ok(
            "updateTopicPerm",
            &["-b", &e.addr, "-t", "UTP_T", "-p", "4"],
        )
        .await;
    assert!(
        o.contains(&format!(
            "update topic perm from 6 to 4 in {} success.",
            e.addr
        )),
        "{o}"
    );
    let all = e.admin.get_all_topic_config(&e.addr).await.unwrap();
    assert_eq!(all.topic_config_table["UTP_T"].perm, 4);
    let again = e
        .ok(
            "updateTopicPerm",
            &["-b", &e.addr, "-t", "UTP_T", "-p", "4"],
        )
        .await;
    let ns = e.admin.name_server().unwrap().clone();
    eventually("route shows perm 4", || async {
        ns.topic_route("UTP_T")
            .await
            .is_ok_and(|r| r.queue_datas[0].perm == 4)
    })
    .await;
    let again2 = e
        .ok(
            "updateTopicPerm",
            &["-b", &e.addr, "-t", "UTP_T", "-p", "4"],
        )
        .await;
    assert!(
        again.contains("success") || again.contains("new perm equals"),
        "{again}"
    );
    assert_eq!(again2.trim(), "new perm equals to the old one!");
}
