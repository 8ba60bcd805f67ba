//! Topic table behaviour: the system topics a broker creates at start, auto-creation on send
//! (INHERIT bit, queue count, perm), send-back topics, admin upsert/delete and version bumps.

use rocketactor::broker::meta::topic_config::{TopicConfigManager, TopicManagerOptions};
use rocketactor::broker::meta::topic_validator::{is_not_allowed_send_topic, validate_topic};
use rocketactor::logging::test_logger;
use rocketactor::protocol::topic::{TopicConfig, TopicFilterType};

fn manager(opts: TopicManagerOptions) -> (tempfile::TempDir, TopicConfigManager) {
    let dir = tempfile::tempdir().unwrap();
    let m = TopicConfigManager::open(dir.path(), opts, &test_logger()).unwrap();
    (dir, m)
}

fn opts() -> TopicManagerOptions {
    TopicManagerOptions {
        broker_cluster_name: "C1".into(),
        broker_name: "broker-x".into(),
        ..TopicManagerOptions::default()
    }
}

#[test]
fn system_topics_at_start() {
    let (_d, m) = manager(opts());
    let q = |t: &str| {
        let c = m.select(t).unwrap_or_else(|| panic!("{t} missing"));
        (c.read_queue_nums, c.write_queue_nums, c.perm)
    };
    assert_eq!(q("SELF_TEST_TOPIC"), (1, 1, 6));
    assert_eq!(q("TBW102"), (8, 8, 7));
    assert_eq!(q("BenchmarkTest"), (1024, 1024, 6));
    assert_eq!(q("C1"), (16, 16, 7));
    assert_eq!(q("broker-x"), (1, 1, 7));
    assert_eq!(q("OFFSET_MOVED_EVENT"), (1, 1, 6));
    assert_eq!(q("SCHEDULE_TOPIC_XXXX"), (18, 18, 6));
    assert_eq!(q("C1_REPLY_TOPIC"), (1, 1, 6));
    assert!(m.select("RMQ_SYS_TRACE_TOPIC").is_none());
    assert!(m.is_system_topic("C1"));
    assert!(m.is_system_topic("RMQ_SYS_TRANS_HALF_TOPIC"));
    assert!(m.is_system_topic("rmq_sys_anything"));
    assert!(!m.is_system_topic("TopicTest"));
    assert!(m.system_topics().contains(&"TBW102".to_string()));
    let wrapper = m.build_serialize_wrapper();
    assert_eq!(wrapper.topic_config_table.len(), m.table().len());
}

#[test]
fn optional_system_topics_follow_options() {
    let (_d, m) = manager(TopicManagerOptions {
        auto_create_topic_enable: false,
        cluster_topic_enable: false,
        broker_topic_enable: false,
        trace_topic_enable: true,
        default_topic_queue_nums: 4,
        ..opts()
    });
    assert!(m.select("TBW102").is_none());
    assert_eq!(m.select("C1").unwrap().perm, 1);
    assert_eq!(m.select("broker-x").unwrap().perm, 1);
    assert_eq!(m.select("RMQ_SYS_TRACE_TOPIC").unwrap().write_queue_nums, 1);
}

#[test]
fn auto_create_inherits_from_tbw102() {
    let (_d, mut m) = manager(opts());
    let v0 = m.data_version();
    let l = m.create_topic_in_send("NewTopic", "TBW102", 4, 0).unwrap();
    assert!(l.created);
    assert_eq!(
        (l.config.read_queue_nums, l.config.write_queue_nums),
        (4, 4)
    );
    assert_eq!(l.config.perm, 6, "INHERIT bit dropped");
    assert_eq!(m.data_version().counter, v0.counter + 1);
    // Second call finds it, no version bump.
    let again = m.create_topic_in_send("NewTopic", "TBW102", 4, 0).unwrap();
    assert!(!again.created);
    assert_eq!(m.data_version().counter, v0.counter + 1);
    // Queue count is the smaller of the client's and the default topic's.
    let big = m.create_topic_in_send("Big", "TBW102", 64, 1).unwrap();
    assert_eq!(big.config.write_queue_nums, 8);
    assert_eq!(big.config.topic_sys_flag, 1);
    let neg = m.create_topic_in_send("Neg", "TBW102", -3, 0).unwrap();
    assert_eq!(neg.config.write_queue_nums, 0);
}

#[test]
fn auto_create_refused_without_inherit() {
    let (_d, mut m) = manager(opts());
    // Unknown default topic.
    assert!(m.create_topic_in_send("X", "NoSuchDefault", 4, 0).is_none());
    // Default topic without INHERIT.
    m.update_topic(TopicConfig::new("Plain", 4, 4, 6));
    assert!(m.create_topic_in_send("X", "Plain", 4, 0).is_none());
    // A custom inheritable default topic works and copies the filter type.
    let mut parent = TopicConfig::new("Parent", 2, 2, 7);
    parent.topic_filter_type = TopicFilterType::MultiTag;
    m.update_topic(parent);
    let l = m.create_topic_in_send("Child", "Parent", 4, 0).unwrap();
    assert_eq!(l.config.write_queue_nums, 2);
    assert_eq!(l.config.topic_filter_type, TopicFilterType::MultiTag);
    assert!(m.select("X").is_none());
}

#[test]
fn tbw102_from_file_is_not_inheritable_when_auto_create_is_off() {
    let dir = tempfile::tempdir().unwrap();
    let log = test_logger();
    {
        let m = TopicConfigManager::open(dir.path(), opts(), &log).unwrap();
        m.persist().unwrap();
    }
    let off = TopicManagerOptions {
        auto_create_topic_enable: false,
        ..opts()
    };
    let mut m = TopicConfigManager::open(dir.path(), off, &log).unwrap();
    assert_eq!(
        m.select("TBW102").unwrap().perm,
        7,
        "left over in topics.json"
    );
    assert!(m.create_topic_in_send("X", "TBW102", 4, 0).is_none());
}

#[test]
fn send_back_update_delete() {
    let (_d, mut m) = manager(opts());
    let l = m.create_topic_in_send_back("%RETRY%cg1", 1, 6, 0);
    assert!(l.created);
    assert_eq!((l.config.write_queue_nums, l.config.perm), (1, 6));
    assert!(!m.create_topic_in_send_back("%RETRY%cg1", 3, 6, 0).created);
    let v = m.data_version().counter;
    assert!(m.update_topic(TopicConfig::new("T", 4, 4, 6)).is_none());
    assert_eq!(
        m.update_topic(TopicConfig::new("T", 8, 8, 6))
            .unwrap()
            .write_queue_nums,
        4
    );
    assert!(m.delete_topic("T").is_some());
    assert!(m.delete_topic("T").is_none());
    assert_eq!(m.data_version().counter, v + 3);
}

#[test]
fn name_rules() {
    assert!(validate_topic("TopicTest").is_ok());
    assert!(validate_topic("%DLQ%g").is_ok());
    assert!(validate_topic("a/b").is_err());
    assert!(validate_topic(&"x".repeat(128)).is_err());
    assert!(is_not_allowed_send_topic("RMQ_SYS_TRANS_OP_HALF_TOPIC"));
}
