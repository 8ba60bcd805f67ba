//! Topic and group name rules (Java `TopicValidator`): the allowed characters and length, which
//! topics are system topics (admins may not create or delete them) and which topics producers
//! may not send to directly.

/// The default topic new topics inherit from when auto-creation is on.
pub const AUTO_CREATE_TOPIC_KEY_TOPIC: &str = "TBW102";
pub const RMQ_SYS_SCHEDULE_TOPIC: &str = "SCHEDULE_TOPIC_XXXX";
pub const RMQ_SYS_BENCHMARK_TOPIC: &str = "BenchmarkTest";
pub const RMQ_SYS_TRANS_HALF_TOPIC: &str = "RMQ_SYS_TRANS_HALF_TOPIC";
pub const RMQ_SYS_TRACE_TOPIC: &str = "RMQ_SYS_TRACE_TOPIC";
pub const RMQ_SYS_TRANS_OP_HALF_TOPIC: &str = "RMQ_SYS_TRANS_OP_HALF_TOPIC";
pub const RMQ_SYS_TRANS_CHECK_MAX_TIME_TOPIC: &str = "TRANS_CHECK_MAX_TIME_TOPIC";
pub const RMQ_SYS_SELF_TEST_TOPIC: &str = "SELF_TEST_TOPIC";
pub const RMQ_SYS_OFFSET_MOVED_EVENT: &str = "OFFSET_MOVED_EVENT";
/// Prefix of system topics created by newer tooling.
pub const SYSTEM_TOPIC_PREFIX: &str = "rmq_sys_";
/// Suffix of the per-cluster request/reply topic.
pub const REPLY_TOPIC_POSTFIX: &str = "REPLY_TOPIC";
/// Prefix of a consumer group's retry topic.
pub const RETRY_GROUP_TOPIC_PREFIX: &str = "%RETRY%";
/// Prefix of a consumer group's dead-letter topic.
pub const DLQ_GROUP_TOPIC_PREFIX: &str = "%DLQ%";
/// Longest topic name Java accepts.
pub const TOPIC_MAX_LENGTH: usize = 127;
/// Longest group name Java accepts (`Validators.CHARACTER_MAX_LENGTH`).
pub const GROUP_MAX_LENGTH: usize = 255;

/// Topics that always count as system topics, whatever the broker's names.
pub const FIXED_SYSTEM_TOPICS: &[&str] = &[
    AUTO_CREATE_TOPIC_KEY_TOPIC,
    RMQ_SYS_SCHEDULE_TOPIC,
    RMQ_SYS_BENCHMARK_TOPIC,
    RMQ_SYS_TRANS_HALF_TOPIC,
    RMQ_SYS_TRACE_TOPIC,
    RMQ_SYS_TRANS_OP_HALF_TOPIC,
    RMQ_SYS_TRANS_CHECK_MAX_TIME_TOPIC,
    RMQ_SYS_SELF_TEST_TOPIC,
    RMQ_SYS_OFFSET_MOVED_EVENT,
];

/// Topics a producer may not send to (internal store topics; Java 4.9.4+ set).
pub const NOT_ALLOWED_SEND_TOPICS: &[&str] = &[
    RMQ_SYS_SCHEDULE_TOPIC,
    RMQ_SYS_TRANS_HALF_TOPIC,
    RMQ_SYS_TRANS_OP_HALF_TOPIC,
    RMQ_SYS_TRANS_CHECK_MAX_TIME_TOPIC,
    RMQ_SYS_SELF_TEST_TOPIC,
    RMQ_SYS_OFFSET_MOVED_EVENT,
];

/// Why a topic or group name is rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NameError {
    #[error("the name is blank")]
    Blank,
    #[error("name `{0}` contains characters other than [%|a-zA-Z0-9_-]")]
    IllegalChars(String),
    #[error("name `{name}` is longer than {max} characters")]
    TooLong { name: String, max: usize },
}

/// Java `^[%|a-zA-Z0-9_-]+$` without the regex.
pub fn has_only_legal_chars(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'%' | b'|' | b'_' | b'-'))
}

/// Checks a topic name as the broker does before creating a topic.
pub fn validate_topic(topic: &str) -> Result<(), NameError> {
    validate(topic, TOPIC_MAX_LENGTH)
}

/// Checks a consumer/producer group name.
pub fn validate_group(group: &str) -> Result<(), NameError> {
    validate(group, GROUP_MAX_LENGTH)
}

fn validate(name: &str, max: usize) -> Result<(), NameError> {
    if name.trim().is_empty() {
        return Err(NameError::Blank);
    }
    if !has_only_legal_chars(name) {
        return Err(NameError::IllegalChars(name.to_string()));
    }
    if name.len() > max {
        return Err(NameError::TooLong {
            name: name.to_string(),
            max,
        });
    }
    Ok(())
}

/// Whether producers are barred from sending to `topic` directly.
pub fn is_not_allowed_send_topic(topic: &str) -> bool {
    NOT_ALLOWED_SEND_TOPICS.contains(&topic)
}

/// `%RETRY%{group}`.
pub fn retry_topic(group: &str) -> String {
    format!("{RETRY_GROUP_TOPIC_PREFIX}{group}")
}

/// `%DLQ%{group}`.
pub fn dlq_topic(group: &str) -> String {
    format!("{DLQ_GROUP_TOPIC_PREFIX}{group}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert!(validate_topic("%RETRY%cg-1_a|b").is_ok());
        assert_eq!(validate_topic(" "), Err(NameError::Blank));
        assert!(matches!(
            validate_topic("a b"),
            Err(NameError::IllegalChars(_))
        ));
        assert!(matches!(
            validate_topic("a.b"),
            Err(NameError::IllegalChars(_))
        ));
        assert!(validate_topic(&"a".repeat(127)).is_ok());
        assert!(matches!(
            validate_topic(&"a".repeat(128)),
            Err(NameError::TooLong { .. })
        ));
        assert!(validate_group(&"a".repeat(255)).is_ok());
        assert!(is_not_allowed_send_topic("SCHEDULE_TOPIC_XXXX"));
        assert!(!is_not_allowed_send_topic("TBW102"));
        assert_eq!(retry_topic("g"), "%RETRY%g");
        assert_eq!(dlq_topic("g"), "%DLQ%g");
    }
}
