//! Persistence of the broker metadata files in real temp dirs: round trips, reading files as a
//! Java 4.9 broker writes them (fastjson pretty form, unquoted integer keys, missing fields,
//! numbers as strings), and falling back to `.bak` when the main file is corrupt.

use std::fs;

use rocketactor::broker::meta::consumer_offset::{ConsumerOffsetManager, CONSUMER_OFFSET_FILE};
use rocketactor::broker::meta::delay_offset::{DelayOffsetManager, DELAY_OFFSET_FILE};
use rocketactor::broker::meta::persist::PersistError;
use rocketactor::broker::meta::subscription_group::{
    SubscriptionGroupManager, SUBSCRIPTION_GROUP_FILE,
};
use rocketactor::broker::meta::topic_config::{
    TopicConfigManager, TopicManagerOptions, TOPICS_FILE,
};
use rocketactor::logging::test_logger;
use rocketactor::protocol::topic::TopicConfig;

const JAVA_TOPICS: &str = "{\n\t\"dataVersion\":{\n\t\t\"counter\":5,\n\t\t\"timestamp\":1690000000000\n\t},\n\t\"topicConfigTable\":{\n\t\t\"TopicTest\":{\n\t\t\t\"order\":false,\n\t\t\t\"perm\":6,\n\t\t\t\"readQueueNums\":4,\n\t\t\t\"topicFilterType\":\"SINGLE_TAG\",\n\t\t\t\"topicName\":\"TopicTest\",\n\t\t\t\"topicSysFlag\":0,\n\t\t\t\"writeQueueNums\":4\n\t\t},\n\t\t\"Sparse\":{\n\t\t\t\"topicName\":\"Sparse\",\n\t\t\t\"readQueueNums\":\"2\",\n\t\t\t\"attributes\":{}\n\t\t}\n\t}\n}";

const JAVA_GROUPS: &str = "{\n\t\"dataVersion\":{\n\t\t\"counter\":3,\n\t\t\"timestamp\":1690000000001\n\t},\n\t\"subscriptionGroupTable\":{\n\t\t\"cg1\":{\n\t\t\t\"brokerId\":0,\n\t\t\t\"consumeBroadcastEnable\":true,\n\t\t\t\"consumeEnable\":true,\n\t\t\t\"consumeFromMinEnable\":true,\n\t\t\t\"groupName\":\"cg1\",\n\t\t\t\"notifyConsumerIdsChangedEnable\":true,\n\t\t\t\"retryMaxTimes\":16,\n\t\t\t\"retryQueueNums\":1,\n\t\t\t\"whichBrokerWhenConsumeSlowly\":1\n\t\t},\n\t\t\"cg2\":{\n\t\t\t\"groupName\":\"cg2\",\n\t\t\t\"retryMaxTimes\":\"3\",\n\t\t\t\"consumeEnable\":false\n\t\t}\n\t}\n}";

const JAVA_OFFSETS: &str = "{\n\t\"offsetTable\":{\n\t\t\"TopicTest@cg1\":{0:250,1:251,2:249,3:250\n\t\t},\n\t\t\"%RETRY%cg1@cg1\":{0:0\n\t\t}\n\t}\n}";

fn opts() -> TopicManagerOptions {
    TopicManagerOptions::default()
}

#[test]
fn reads_java_topics_json() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join(TOPICS_FILE), JAVA_TOPICS).unwrap();
    let m = TopicConfigManager::open(dir.path(), opts(), &test_logger()).unwrap();
    assert_eq!(m.data_version().counter, 5);
    assert_eq!(m.data_version().timestamp, 1690000000000);
    assert_eq!(m.select("TopicTest").unwrap().write_queue_nums, 4);
    let sparse = m.select("Sparse").unwrap();
    assert_eq!(sparse.read_queue_nums, 2);
    assert_eq!(
        sparse.write_queue_nums, 16,
        "Java default for a missing field"
    );
    assert_eq!(sparse.perm, 6);
    // System topics are still there next to the loaded ones.
    assert!(m.select("SCHEDULE_TOPIC_XXXX").is_some());
}

#[test]
fn topics_round_trip_and_backup_fallback() {
    let dir = tempfile::tempdir().unwrap();
    let log = test_logger();
    let mut m = TopicConfigManager::open(dir.path(), opts(), &log).unwrap();
    m.update_topic(TopicConfig::new("A", 3, 3, 6));
    m.persist().unwrap();
    m.update_topic(TopicConfig::new("B", 2, 2, 6));
    m.persist().unwrap();
    let version = m.data_version();

    let back = TopicConfigManager::open(dir.path(), opts(), &log).unwrap();
    assert_eq!(back.data_version(), version);
    assert_eq!(back.table(), m.table());
    let text = fs::read_to_string(dir.path().join(TOPICS_FILE)).unwrap();
    assert!(text.contains("\"stateVersion\""), "superset field written");

    // Corrupt main file: the previous version (A only) comes back from .bak.
    fs::write(dir.path().join(TOPICS_FILE), "{\"dataVersion\":").unwrap();
    let from_bak = TopicConfigManager::open(dir.path(), opts(), &log).unwrap();
    assert!(from_bak.select("A").is_some());
    assert!(from_bak.select("B").is_none());
}

#[test]
fn reads_java_subscription_groups_and_round_trips() {
    let dir = tempfile::tempdir().unwrap();
    let log = test_logger();
    fs::write(dir.path().join(SUBSCRIPTION_GROUP_FILE), JAVA_GROUPS).unwrap();
    let mut m = SubscriptionGroupManager::open(dir.path(), &log).unwrap();
    assert_eq!(m.data_version().counter, 3);
    let cg2 = m.find("cg2").unwrap();
    assert!(!cg2.consume_enable);
    assert_eq!(cg2.retry_max_times, 3);
    assert_eq!(cg2.retry_queue_nums, 1);
    assert!(cg2.notify_consumer_ids_changed_enable);
    assert!(m.find("TOOLS_CONSUMER").is_some(), "built-in groups stay");

    m.find_or_create("cg3", true).unwrap();
    m.persist().unwrap();
    let back = SubscriptionGroupManager::open(dir.path(), &log).unwrap();
    assert_eq!(back.build_wrapper(), m.build_wrapper());

    fs::write(dir.path().join(SUBSCRIPTION_GROUP_FILE), "not json").unwrap();
    let from_bak = SubscriptionGroupManager::open(dir.path(), &log).unwrap();
    assert!(from_bak.find("cg1").is_some());
    assert!(from_bak.find("cg3").is_none(), "backup holds the Java file");
}

#[test]
fn reads_java_consumer_offsets_and_round_trips() {
    let dir = tempfile::tempdir().unwrap();
    let log = test_logger();
    fs::write(dir.path().join(CONSUMER_OFFSET_FILE), JAVA_OFFSETS).unwrap();
    let mut m = ConsumerOffsetManager::open(dir.path(), &log).unwrap();
    assert_eq!(m.query("cg1", "TopicTest", 2), Some(249));
    assert_eq!(m.query("cg1", "%RETRY%cg1", 0), Some(0));
    assert_eq!(m.query("cg1", "TopicTest", 9), None);

    m.commit("10.0.0.9", "cg1", "TopicTest", 2, 300);
    m.persist().unwrap();
    let back = ConsumerOffsetManager::open(dir.path(), &log).unwrap();
    assert_eq!(back.build_wrapper(), m.build_wrapper());
    assert_eq!(back.query("cg1", "TopicTest", 2), Some(300));

    // Corrupt main: the Java file kept as .bak is used.
    fs::write(dir.path().join(CONSUMER_OFFSET_FILE), "{\"offsetTable\":{").unwrap();
    let from_bak = ConsumerOffsetManager::open(dir.path(), &log).unwrap();
    assert_eq!(from_bak.query("cg1", "TopicTest", 2), Some(249));
}

#[test]
fn delay_offsets_round_trip_and_java_form() {
    let dir = tempfile::tempdir().unwrap();
    let log = test_logger();
    fs::write(
        dir.path().join(DELAY_OFFSET_FILE),
        "{\"offsetTable\":{1:0,2:17,3:5}}",
    )
    .unwrap();
    let mut m = DelayOffsetManager::open(dir.path(), &log).unwrap();
    assert_eq!(m.get(2), 17);
    assert_eq!(m.get(18), 0);
    m.update(18, 42);
    m.persist().unwrap();
    let back = DelayOffsetManager::open(dir.path(), &log).unwrap();
    assert_eq!(back.table(), m.table());
    fs::write(dir.path().join(DELAY_OFFSET_FILE), "").unwrap();
    let from_bak = DelayOffsetManager::open(dir.path(), &log).unwrap();
    assert_eq!(from_bak.get(2), 17);
    assert_eq!(from_bak.get(18), 0);
}

#[test]
fn corrupt_file_without_backup_fails_with_file_name() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join(CONSUMER_OFFSET_FILE), "garbage").unwrap();
    let err = ConsumerOffsetManager::open(dir.path(), &test_logger()).unwrap_err();
    assert!(matches!(err, PersistError::Corrupt { .. }));
    assert!(err.to_string().contains(CONSUMER_OFFSET_FILE), "{err}");
}

#[test]
fn fresh_directory_loads_empty() {
    let dir = tempfile::tempdir().unwrap();
    let sub = dir.path().join("config");
    let m = ConsumerOffsetManager::open(&sub, &test_logger()).unwrap();
    assert!(m.all_groups().is_empty());
    m.persist().unwrap();
    assert!(sub.join(CONSUMER_OFFSET_FILE).exists());
}
