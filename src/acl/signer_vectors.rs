//! Signature test vectors made with the Java 4.9.7 jars: a one-off `Vec.java` calling
//! `org.apache.rocketmq.acl.common.AclUtils.calSignature(data.getBytes(UTF_8), secret)` for
//! each (data, secret) below, compiled and run with rocketmq-acl-4.9.7, rocketmq-common,
//! rocketmq-remoting and commons-codec from ~/.m2 (after `mvn` in interop/java) on the
//! classpath. The third column is its output, copied verbatim.

pub const VECTORS: &[(&str, &str, &str)] = &[
    (
        "rocketmq2AaTopicTest",
        "12345678",
        "LcymqwO2KNqroEdGCJ4+eXPOGLw=",
    ),
    ("", "12345678", "beQgVA0KNM4WtCe68fj2DEn3WWU="),
    ("RocketMQ", "1234567", "iTIZYc+/8DcnKk2EpYm1YqWHQYg="),
    (
        "rocketmqDEFAULT_PRODUCER0TopicTest4-1hello world",
        "12345678",
        "gQRzTahpCb7IWNevZXv6s0eKvAw=",
    ),
    (
        "\u{6d88}\u{606f}",
        "secret\u{5bc6}\u{94a5}",
        "t/CScXx+/+2hhNXnAzsNlgMDWnI=",
    ),
];
