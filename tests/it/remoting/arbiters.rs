//! Connections spread over a listener's own arbiters (`ServerSettings::io_threads`): accepted
//! sockets go round-robin to that many threads, each serves its clients (pipelined answers,
//! pushes to clients of either arbiter, a garbage frame closing only its own connection), and stopping the listener closes
//! them all with the handler told of every close.

use std::collections::HashSet;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::thread::ThreadId;

use crate::support::eventually;
use crate::support::raw::Client;
use parking_lot::Mutex;
use rocketactor::actors::remoting::{
    start_listener, ConnHandle, Reply, RequestHandler, ServerSettings,
};
use rocketactor::codec::RemotingCommand;
use rocketactor::logging::test_logger;

/// Answers every request with the number of the thread that handled it in the remark.
#[derive(Default)]
struct ThreadRecorder {
    threads: Mutex<Vec<ThreadId>>,
    opened: Mutex<Vec<(ThreadId, ConnHandle)>>,
    closed: AtomicUsize,
}

impl ThreadRecorder {
    fn index_of(&self, id: ThreadId) -> usize {
        let mut threads = self.threads.lock();
        if let Some(i) = threads.iter().position(|t| *t == id) {
            return i;
        }
        threads.push(id);
        threads.len() - 1
    }
}

impl RequestHandler for ThreadRecorder {
    fn handle(&self, _conn: &ConnHandle, req: RemotingCommand) -> Reply {
        let i = self.index_of(std::thread::current().id());
        Reply::now(RemotingCommand::response_to(&req, 0).with_remark(i.to_string()))
    }

    fn on_open(&self, conn: &ConnHandle) {
        self.opened
            .lock()
            .push((std::thread::current().id(), conn.clone()));
    }

    fn on_close(&self, _conn: &ConnHandle) {
        self.closed.fetch_add(1, Ordering::SeqCst);
    }
}

#[actix_rt::test]
async fn connections_go_round_robin_to_the_listeners_arbiters() {
    let handler = Arc::new(ThreadRecorder::default());
    let settings = ServerSettings {
        io_threads: 2,
        ..ServerSettings::default()
    };
    let listener = start_listener(
        "127.0.0.1:0".parse().expect("addr"),
        handler.clone(),
        settings,
        &test_logger(),
    )
    .await
    .expect("listen");
    let mut clients = Vec::new();
    for _ in 0..6 {
        clients.push(Client::connect(listener.local_addr()).await);
    }
    // Every client is answered, several requests each, on the thread of its connection.
    let mut per_client = Vec::new();
    for c in &mut clients {
        let mut seen = HashSet::new();
        for _ in 0..3 {
            let resp = c.call(RemotingCommand::request(1)).await;
            assert_eq!(resp.code, 0);
            seen.insert(resp.remark.clone().expect("remark"));
        }
        assert_eq!(seen.len(), 1, "one connection, one thread");
        per_client.push(seen.into_iter().next().expect("a thread"));
    }
    let distinct: HashSet<_> = per_client.iter().collect();
    assert_eq!(distinct.len(), 2, "six connections over two arbiters");
    assert!(
        !handler
            .threads
            .lock()
            .contains(&std::thread::current().id()),
        "no connection stays on the listener's arbiter"
    );

    // A push reaches a client of either arbiter.
    let opened: Vec<ConnHandle> = handler
        .opened
        .lock()
        .iter()
        .map(|(_, c)| c.clone())
        .collect();
    assert_eq!(opened.len(), 6);
    for conn in &opened {
        let mut push = RemotingCommand::request(40);
        push.set_oneway();
        assert!(conn.send(push));
    }
    for c in &mut clients {
        let got = c.recv().await.expect("a push");
        assert_eq!(got.code, 40);
        assert!(!got.is_response());
    }
    // A garbage frame closes only its own connection; the others keep being served.
    clients[0]
        .send_raw(&[0, 0, 0, 8, 0xff, 0xff, 0xff, 0xff, 1, 2, 3, 4])
        .await;
    assert!(clients[0].recv().await.is_none(), "closed");
    for c in clients.iter_mut().skip(1) {
        assert_eq!(c.call(RemotingCommand::request(1)).await.code, 0);
    }
    eventually("the garbage connection's close", || {
        std::future::ready(handler.closed.load(Ordering::SeqCst) == 1)
    })
    .await;

    // Stopping the listener closes every connection, each one telling the handler.
    listener.stop();
    for c in clients.iter_mut().skip(1) {
        assert!(c.recv().await.is_none(), "closed by the stop");
    }
    eventually("every close", || {
        std::future::ready(handler.closed.load(Ordering::SeqCst) == 6)
    })
    .await;
}
