//! The start-up window: a broker accepts connections only once it is whole (store host, long
//! polling, HA role, registrations). A client thread connects in a loop while the broker starts
//! and sends at once a long-polling pull and then a message: the pull must be held and answered
//! with that message (not PULL_NOT_FOUND for want of long polling), and the message id
//! must carry the advertised store host `brokerIP1:listenPort` (not the fallback). brokerIP1 is
//! 127.0.0.2 (loopback; never connected to) so that the fallback 127.0.0.1 would show.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crate::support::{eventually, free_port_triple, Cluster};
use bytes::BytesMut;
use rocketactor::client::remoting::RemotingClient;
use rocketactor::codec::codes::{request, response};
use rocketactor::codec::frame::{decode_frame, encode_frame};
use rocketactor::codec::headers::pull_request::{pull_sys_flag, PullMessageRequestHeader};
use rocketactor::codec::RemotingCommand;
use rocketactor::config::{BrokerConfig, BrokerRole};
use rocketactor::failpoint::{self, names, Action};
use rocketactor::store::message::decode_offset_msg_id;

const TOPIC: &str = "EARLY_TOPIC";
const GROUP: &str = "cg-early";

fn send_cmd(body: &str) -> RemotingCommand {
    RemotingCommand::request(request::SEND_MESSAGE)
        .with_ext("producerGroup", "pg-early")
        .with_ext("topic", TOPIC)
        .with_ext("defaultTopic", "TBW102")
        .with_ext("defaultTopicQueueNums", 4)
        .with_ext("queueId", 0)
        .with_ext("sysFlag", 0)
        .with_ext("bornTimestamp", 0)
        .with_ext("flag", 0)
        .with_body(body.as_bytes().to_vec())
}

fn pull_cmd(offset: i64) -> RemotingCommand {
    let header = PullMessageRequestHeader {
        consumer_group: GROUP.into(),
        topic: TOPIC.into(),
        queue_id: 0,
        queue_offset: offset,
        max_msg_nums: 32,
        sys_flag: pull_sys_flag::SUSPEND | pull_sys_flag::SUBSCRIPTION,
        commit_offset: 0,
        suspend_timeout_millis: 15_000,
        subscription: Some("*".into()),
        sub_version: 0,
        expression_type: Some("TAG".into()),
        bname: None,
    };
    let mut cmd = RemotingCommand::request(request::PULL_MESSAGE);
    header.write_to(&mut cmd);
    cmd
}

fn read_response(s: &mut TcpStream) -> Result<RemotingCommand, String> {
    let mut len = [0u8; 4];
    s.read_exact(&mut len)
        .map_err(|e| format!("read length: {e}"))?;
    let n = u32::from_be_bytes(len) as usize;
    if n > 16 << 20 {
        return Err(format!("frame of {n} bytes"));
    }
    let mut frame = vec![0u8; n];
    s.read_exact(&mut frame)
        .map_err(|e| format!("read frame: {e}"))?;
    decode_frame(frame.into()).map_err(|e| e.to_string())
}

/// Connects to `addr` in a loop (bounded: 20 s) and, as soon as it is connected, writes a
/// long-polling pull at `offset` and then a send. Returns (pull response, send response).
fn early_client(
    addr: SocketAddr,
    offset: i64,
    body: String,
) -> JoinHandle<Result<(RemotingCommand, RemotingCommand), String>> {
    std::thread::spawn(move || {
        let deadline = Instant::now() + Duration::from_secs(20);
        let mut s = loop {
            match TcpStream::connect_timeout(&addr, Duration::from_secs(1)) {
                Ok(s) => break s,
                Err(_) if Instant::now() < deadline => {
                    std::thread::sleep(Duration::from_micros(200))
                }
                Err(e) => return Err(format!("never connected: {e}")),
            }
        };
        let mut pull = pull_cmd(offset);
        pull.opaque = 1;
        let mut send = send_cmd(&body);
        send.opaque = 2;
        let mut buf = BytesMut::new();
        encode_frame(&pull, &mut buf).map_err(|e| e.to_string())?;
        encode_frame(&send, &mut buf).map_err(|e| e.to_string())?;
        s.write_all(&buf).map_err(|e| format!("write: {e}"))?;
        s.set_read_timeout(Some(Duration::from_secs(30)))
            .map_err(|e| e.to_string())?;
        let (a, b) = (read_response(&mut s)?, read_response(&mut s)?);
        let (pull, send) = if a.opaque == 1 { (a, b) } else { (b, a) };
        Ok((pull, send))
    })
}

fn config(c: &Cluster, dir: &std::path::Path, port: u16) -> BrokerConfig {
    let mut cfg = c.broker_config("broker-early", BrokerRole::AsyncMaster, dir);
    cfg.listen_port = port;
    cfg.broker_ip1 = "127.0.0.2".into();
    cfg
}

#[actix_rt::test]
async fn requests_arriving_during_start_up_are_served_by_the_whole_broker() {
    let dir = tempfile::tempdir().unwrap();
    let c = Cluster::start().await;
    let port = free_port_triple();
    let addr: SocketAddr = ([127, 0, 0, 1], port).into();
    // First run: the topic exists and queue 0 holds one message.
    let b = c.broker(config(&c, dir.path(), port)).await;
    let client = RemotingClient::connect(&addr.to_string(), Duration::from_secs(5))
        .await
        .unwrap();
    let r = client
        .invoke(send_cmd("setup"), Duration::from_secs(5))
        .await
        .unwrap();
    assert_eq!(r.code, response::SUCCESS, "{:?}", r.remark);
    drop(client);
    b.stop().await;
    drop(b);

    let advertised: SocketAddr = ([127, 0, 0, 2], port).into();
    for round in 0..3i64 {
        let offset = 1 + round;
        let body = format!("early-{round}");
        // Feature `failpoints`: the start pauses where the broker's services are set up, so a
        // broker that accepted connections before that point would answer without them.
        let pause = failpoint::arm(
            names::BROKER_STARTUP,
            dir.path(),
            Action::Delay(Duration::from_millis(300)),
        );
        let early = early_client(addr, offset, body.clone());
        let b = c.broker(config(&c, dir.path(), port)).await;
        assert_eq!(pause.hits(), 1, "the start-up paused");
        drop(pause);
        eventually("early client answered", || async { early.is_finished() }).await;
        let (pull, send) = early.join().unwrap().expect("early client");
        assert_eq!(
            send.code,
            response::SUCCESS,
            "round {round}: {:?}",
            send.remark
        );
        let msg_id = send.ext("msgId").expect("msgId").to_string();
        assert_eq!(
            decode_offset_msg_id(&msg_id).map(|(host, _)| host),
            Some(advertised),
            "round {round}: the store host is the advertised address, not a fallback"
        );
        assert_eq!(
            pull.code,
            response::SUCCESS,
            "round {round}: the pull was held and answered with the new message: {:?}",
            pull.remark
        );
        assert!(
            pull.body.windows(body.len()).any(|w| w == body.as_bytes()),
            "round {round}: the held pull delivered the message sent after it"
        );
        b.stop().await;
    }
}
