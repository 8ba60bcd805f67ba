//! Store housekeeping on demand against a real broker over TCP: DELETE_EXPIRED_COMMITLOG (329)
//! deletes expired commit-log files although `deleteWhen` never comes, CLEAN_EXPIRED_CONSUMEQUEUE
//! (306) then drops the queue whose records all went while a live queue stays, and
//! CLEAN_UNUSED_TOPIC (316) removes the queue files of a deleted topic, which restarts at
//! offset 0 when created again (Java 4.9.7 `DefaultMessageStore` semantics).

use std::path::Path;

use crate::support::{admin_env, eventually};
use rocketactor::client::{Message, NameServerClient, Producer};
use rocketactor::codec::codes::{request, response};
use rocketactor::codec::RemotingCommand;
use rocketactor::protocol::topic::TopicConfig;

fn files_in(dir: &Path) -> usize {
    std::fs::read_dir(dir).map_or(0, |d| d.count())
}

#[actix_rt::test]
async fn manual_commit_log_deletion_then_expired_and_unused_queues_are_dropped() {
    let (keep, _broker, addr, ns, admin) = admin_env("broker-clean", |cfg| {
        cfg.mapped_file_size_commit_log = 128 * 1024;
        cfg.file_reserved_time = 0;
        // Never the hour of deletion: only the manual trigger deletes.
        cfg.delete_when = "99".into();
        cfg.auto_create_topic_enable = false;
    })
    .await;
    let root = keep.dir.path();
    let (commit_log, cq) = (root.join("commitlog"), root.join("consumequeue"));
    for t in ["CLEAN_OLD", "CLEAN_LIVE", "CLEAN_GONE"] {
        admin
            .create_topic(&addr, &TopicConfig::new(t, 1, 1, 6))
            .await
            .unwrap();
    }
    // The topics' routes first: a send before the re-registration would fall back to TBW102.
    let nsc = NameServerClient::new(&ns).unwrap();
    for t in ["CLEAN_OLD", "CLEAN_LIVE", "CLEAN_GONE"] {
        eventually(&format!("{t} routed"), || async {
            nsc.topic_route(t).await.is_ok()
        })
        .await;
    }
    let producer = Producer::new(&ns, "pg-clean").unwrap();
    producer.start().unwrap();
    let body = vec![b'x'; 8 * 1024];
    // CLEAN_OLD fills the first files; CLEAN_LIVE's last messages and CLEAN_GONE's one are in
    // the newest file.
    for _ in 0..40 {
        producer
            .send("CLEAN_OLD", Message::new(body.clone()))
            .await
            .unwrap();
    }
    for _ in 0..20 {
        producer
            .send("CLEAN_LIVE", Message::new(body.clone()))
            .await
            .unwrap();
    }
    producer
        .send("CLEAN_GONE", Message::new("gone"))
        .await
        .unwrap();
    let before = files_in(&commit_log);
    assert!(before >= 4, "the commit log spans {before} files");

    // 306 before any deletion: every record is still there, nothing is dropped.
    let cmd = RemotingCommand::request(request::CLEAN_EXPIRED_CONSUMEQUEUE);
    let resp = admin.call(&addr, cmd).await.unwrap();
    assert_eq!(
        (resp.code, resp.remark.as_deref()),
        (response::SUCCESS, None)
    );
    assert!(cq.join("CLEAN_OLD").join("0").is_dir());

    // 329: every file but the newest is expired (fileReservedTime=0) and goes at once.
    let cmd = RemotingCommand::request(request::DELETE_EXPIRED_COMMITLOG);
    let resp = admin.call(&addr, cmd).await.unwrap();
    assert_eq!(resp.code, response::SUCCESS);
    eventually("expired commit-log files deleted", || async {
        files_in(&commit_log) == 1
    })
    .await;
    let old_max = admin.max_offset(&addr, "CLEAN_OLD", 0).await.unwrap();
    assert_eq!(old_max, 40);
    eventually("CLEAN_OLD's min offset follows the commit log", || async {
        admin.min_offset(&addr, "CLEAN_OLD", 0).await.unwrap() == 40
    })
    .await;

    // 306: CLEAN_OLD's records are all gone → its queue and files go; CLEAN_LIVE stays.
    let cmd = RemotingCommand::request(request::CLEAN_EXPIRED_CONSUMEQUEUE);
    let resp = admin.call(&addr, cmd).await.unwrap();
    assert_eq!(resp.code, response::SUCCESS);
    assert!(
        !cq.join("CLEAN_OLD").exists(),
        "CLEAN_OLD's queue files removed"
    );
    assert!(cq.join("CLEAN_LIVE").join("0").is_dir());
    assert_eq!(admin.max_offset(&addr, "CLEAN_OLD", 0).await.unwrap(), 0);
    assert_eq!(admin.max_offset(&addr, "CLEAN_LIVE", 0).await.unwrap(), 20);

    // DELETE_TOPIC_IN_BROKER drops the topic's queue and files, as Java's deleteTopic does
    // through cleanUnusedTopic; 316 afterwards finds nothing more to drop.
    assert!(cq.join("CLEAN_GONE").join("0").is_dir());
    admin
        .delete_topic_in_broker(&addr, "CLEAN_GONE")
        .await
        .unwrap();
    assert!(
        !cq.join("CLEAN_GONE").exists(),
        "CLEAN_GONE's queue files removed with the topic"
    );
    let cmd = RemotingCommand::request(request::CLEAN_UNUSED_TOPIC);
    let resp = admin.call(&addr, cmd).await.unwrap();
    assert_eq!(
        (resp.code, resp.remark.as_deref()),
        (response::SUCCESS, None)
    );
    assert!(
        cq.join("CLEAN_LIVE").join("0").is_dir(),
        "a used topic keeps its queue"
    );
    assert_eq!(admin.max_offset(&addr, "CLEAN_LIVE", 0).await.unwrap(), 20);

    // Created again, the topic's queue starts over at offset 0.
    admin
        .create_topic(&addr, &TopicConfig::new("CLEAN_GONE", 1, 1, 6))
        .await
        .unwrap();
    producer.routes().refresh("CLEAN_GONE").await.unwrap();
    let sent = producer
        .send("CLEAN_GONE", Message::new("again"))
        .await
        .unwrap();
    assert_eq!(sent.queue_offset, 0);
}
