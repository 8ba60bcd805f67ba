//! The project's remoting client against a tiny scripted server (tokio TcpListener on
//! 127.0.0.1:0 + Framed<RemotingCodec>): pipelining, timeouts, connection loss, oneway and
//! server-pushed requests, on a plain tokio runtime and inside an actix-rt System.

use std::future::Future;
use std::time::Duration;

use futures::{SinkExt, StreamExt};
use rocketactor::client::{ClientError, RemotingClient};
use rocketactor::codec::codes::{request, response};
use rocketactor::codec::{RemotingCodec, RemotingCommand};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio_util::codec::Framed;

/// Deadlock guard only; no test depends on it for its verdict.
const GUARD: Duration = Duration::from_secs(30);

type Conn = Framed<TcpStream, RemotingCodec>;

/// Starts a server that accepts one connection and runs `script` on it; returns its address.
async fn serve<F, Fut>(script: F) -> String
where
    F: FnOnce(Conn) -> Fut + Send + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    tokio::spawn(async move {
        let (sock, _) = listener.accept().await.unwrap();
        script(Framed::new(sock, RemotingCodec::default())).await;
    });
    addr
}

async fn next_cmd(conn: &mut Conn) -> Option<RemotingCommand> {
    conn.next()
        .await
        .map(|r| r.expect("server decodes client frames"))
}

fn echo_of(req: &RemotingCommand) -> RemotingCommand {
    let mut resp = RemotingCommand::response_to(req, response::SUCCESS);
    resp.ext_fields = req.ext_fields.clone();
    resp.body = req.body.clone();
    resp
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pipelined_requests_are_matched_out_of_order() {
    const N: usize = 16;
    let addr = serve(|mut conn| async move {
        let mut reqs = Vec::new();
        for _ in 0..N {
            reqs.push(next_cmd(&mut conn).await.unwrap());
        }
        // All N are in flight at once; answer them in reverse order.
        for req in reqs.iter().rev() {
            conn.send(echo_of(req)).await.unwrap();
        }
        while next_cmd(&mut conn).await.is_some() {}
    })
    .await;
    let client = RemotingClient::connect(&addr, GUARD).await.unwrap();
    let calls = (0..N).map(|i| {
        let client = client.clone();
        async move {
            let req = RemotingCommand::request(request::HEART_BEAT)
                .with_ext("i", i)
                .with_body(format!("body-{i}").into_bytes());
            let resp = client.invoke(req, GUARD).await.unwrap();
            assert!(resp.is_response());
            assert_eq!(resp.ext("i"), Some(i.to_string().as_str()));
            assert_eq!(&resp.body[..], format!("body-{i}").as_bytes());
        }
    });
    futures::future::join_all(calls).await;
    assert!(!client.is_closed());
}

#[tokio::test]
async fn timeout_fails_only_that_call() {
    let addr = serve(|mut conn| async move {
        while let Some(req) = next_cmd(&mut conn).await {
            // Code 99 is never answered; everything else is echoed.
            if req.code != 99 {
                conn.send(echo_of(&req)).await.unwrap();
            }
        }
    })
    .await;
    let client = RemotingClient::connect(&addr, GUARD).await.unwrap();
    let err = client
        .invoke(RemotingCommand::request(99), Duration::from_millis(100))
        .await
        .unwrap_err();
    match &err {
        ClientError::Timeout { peer, code, .. } => {
            assert_eq!(peer, &addr);
            assert_eq!(*code, 99);
        }
        other => panic!("expected Timeout, got {other:?}"),
    }
    let ok = client.invoke(
        RemotingCommand::request(request::HEART_BEAT).with_ext("x", 1),
        GUARD,
    );
    assert_eq!(ok.await.unwrap().ext("x"), Some("1"));
}

#[tokio::test]
async fn server_closing_fails_pending_calls_with_closed() {
    let addr = serve(|mut conn| async move {
        for _ in 0..3 {
            next_cmd(&mut conn).await.unwrap();
        }
        drop(conn);
    })
    .await;
    let client = RemotingClient::connect(&addr, GUARD).await.unwrap();
    let calls = (0..3).map(|_| client.invoke(RemotingCommand::request(request::HEART_BEAT), GUARD));
    for result in futures::future::join_all(calls).await {
        match result {
            Err(ClientError::Closed { peer }) => assert_eq!(peer, addr),
            other => panic!("expected Closed, got {other:?}"),
        }
    }
    assert!(client.is_closed());
    let late = client
        .invoke(RemotingCommand::request(request::HEART_BEAT), GUARD)
        .await;
    assert!(matches!(late, Err(ClientError::Closed { .. })));
    assert!(client
        .invoke_oneway(RemotingCommand::request(15))
        .await
        .is_err());
}

#[tokio::test]
async fn oneway_is_flagged_and_not_waited_for() {
    let (seen_tx, mut seen_rx) = mpsc::unbounded_channel();
    let addr = serve(move |mut conn| async move {
        while let Some(req) = next_cmd(&mut conn).await {
            let oneway = req.is_oneway();
            seen_tx.send(req.clone()).unwrap();
            if !oneway {
                conn.send(echo_of(&req)).await.unwrap();
            }
        }
    })
    .await;
    let client = RemotingClient::connect(&addr, GUARD).await.unwrap();
    let offset =
        RemotingCommand::request(request::UPDATE_CONSUMER_OFFSET).with_ext("commitOffset", 7);
    client.invoke_oneway(offset).await.unwrap();
    let got = tokio::time::timeout(GUARD, seen_rx.recv())
        .await
        .unwrap()
        .unwrap();
    assert!(got.is_oneway());
    assert!(!got.is_response());
    assert_eq!(got.code, request::UPDATE_CONSUMER_OFFSET);
    assert_eq!(got.ext("commitOffset"), Some("7"));
    // We present ourselves as a 4.9.7 Java client.
    assert_eq!(got.version, 407);
    assert_eq!(got.language, rocketactor::codec::LanguageCode::Java);
    // The connection still serves normal calls afterwards.
    let resp = client
        .invoke(RemotingCommand::request(request::HEART_BEAT), GUARD)
        .await
        .unwrap();
    assert_eq!(resp.code, response::SUCCESS);
}

#[tokio::test]
async fn server_push_is_delivered_and_can_be_answered() {
    let (answer_tx, mut answer_rx) = mpsc::unbounded_channel();
    let addr = serve(move |mut conn| async move {
        let mut push = RemotingCommand::request(request::NOTIFY_CONSUMER_IDS_CHANGED)
            .with_ext("consumerGroup", "G1");
        push.opaque = 5000;
        conn.send(push).await.unwrap();
        while let Some(cmd) = next_cmd(&mut conn).await {
            answer_tx.send(cmd).unwrap();
        }
    })
    .await;
    let client = RemotingClient::connect(&addr, GUARD).await.unwrap();
    let mut pushes = client
        .take_server_requests()
        .expect("first take gets the channel");
    assert!(client.take_server_requests().is_none());
    let push = tokio::time::timeout(GUARD, pushes.recv())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(push.code, request::NOTIFY_CONSUMER_IDS_CHANGED);
    assert_eq!(push.ext("consumerGroup"), Some("G1"));
    assert!(!push.is_response());

    client
        .respond(RemotingCommand::response_to(&push, response::SUCCESS))
        .await
        .unwrap();
    let answer = tokio::time::timeout(GUARD, answer_rx.recv())
        .await
        .unwrap()
        .unwrap();
    assert!(answer.is_response());
    assert_eq!(answer.opaque, 5000);
}

#[tokio::test]
async fn connect_failure_names_the_peer() {
    // Bind then drop to get a port that is (almost certainly) closed.
    let addr = {
        let l = TcpListener::bind("127.0.0.1:0").await.unwrap();
        l.local_addr().unwrap().to_string()
    };
    let err = RemotingClient::connect(&addr, GUARD).await.unwrap_err();
    assert_eq!(err.peer(), addr);
    assert!(matches!(err, ClientError::Connect { .. }), "{err:?}");
}

#[tokio::test]
async fn explicit_close_fails_later_calls() {
    let addr = serve(|mut conn| async move { while next_cmd(&mut conn).await.is_some() {} }).await;
    let client = RemotingClient::connect(&addr, GUARD).await.unwrap();
    client.close();
    assert!(client.is_closed());
    let r = client
        .invoke(RemotingCommand::request(request::HEART_BEAT), GUARD)
        .await;
    assert!(matches!(r, Err(ClientError::Closed { .. })));
}

#[test]
fn works_inside_an_actix_system() {
    actix_rt::System::new().block_on(async {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap().to_string();
        actix_rt::spawn(async move {
            let (sock, _) = listener.accept().await.unwrap();
            let mut conn = Framed::new(sock, RemotingCodec::default());
            while let Some(req) = next_cmd(&mut conn).await {
                conn.send(echo_of(&req)).await.unwrap();
            }
        });
        let client = RemotingClient::connect(&addr, GUARD).await.unwrap();
        for i in 0..3 {
            let req =
                RemotingCommand::request(request::GET_ROUTEINFO_BY_TOPIC).with_ext("topic", i);
            let resp = client.invoke(req, GUARD).await.unwrap();
            assert_eq!(resp.ext("topic"), Some(i.to_string().as_str()));
        }
    });
}
