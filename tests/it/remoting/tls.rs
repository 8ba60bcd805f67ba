//! TLS on every port (docs/tls.md, Java 4.9.7 `TlsMode` / `HandshakeHandler`): enforcing
//! refuses plaintext and serves our TLS client end to end (name server, client port, fast
//! channel); permissive serves both on one port at once, while silent or stuck peers wait; disabled refuses a TLS hello;
//! `need.client.auth=require` with `authClient` accepts only a certificate signed by the trust
//! file; replication runs over a TLS HA link (the HA port's refusals: tests/it/ha/tls.rs); a
//! missing certificate stops start-up.

use std::time::Duration;

use crate::support::tls::{mode, Pki};
use crate::support::{attached_slaves, eventually, Cluster};
use rocketactor::broker::start_broker;
use rocketactor::client::consumer::PullConsumer;
use rocketactor::client::message::{Message, SendStatus};
use rocketactor::client::producer::Producer;
use rocketactor::client::remoting::RemotingClient;
use rocketactor::client::{ClientError, PullStatus};
use rocketactor::codec::codes::{request, response};
use rocketactor::codec::RemotingCommand;
use rocketactor::config::{BrokerRole, ClientAuth, TlsConfig, TlsMode};
use rocketactor::logging::test_logger;
use rocketactor::namesrv::{start_namesrv, NamesrvSettings};
use rocketactor::tls::ClientTls;

const T: Duration = Duration::from_secs(5);

fn insecure() -> ClientTls {
    ClientTls::insecure().expect("client TLS context")
}

/// One GET_BROKER_RUNTIME_INFO over a fresh connection, plaintext or TLS.
async fn runtime_info(addr: &str, tls: Option<&ClientTls>) -> Result<i32, ClientError> {
    let c = RemotingClient::connect_with_tls(addr, T, test_logger(), tls).await?;
    let r = c
        .invoke(
            RemotingCommand::request(request::GET_BROKER_RUNTIME_INFO),
            T,
        )
        .await;
    c.close();
    r.map(|r| r.code)
}

/// A refused connection is closed by the server: the call fails at once (never a timeout).
fn assert_refused(r: Result<i32, ClientError>, what: &str) {
    match r {
        Err(ClientError::Closed { .. }) | Err(ClientError::Connect { .. }) => {}
        other => panic!("{what}: expected the connection to be closed, got {other:?}"),
    }
}

async fn tls_producer(ns: &str, group: &str, tls: Option<ClientTls>) -> Producer {
    let mut p = Producer::new(ns, group).expect("producer");
    if let Some(tls) = tls {
        p = p.with_tls(tls);
    }
    p.start().expect("start producer");
    eventually("TBW102 routable", || async {
        p.publish_queues("TBW102").await.is_ok()
    })
    .await;
    p
}

#[actix_rt::test]
async fn enforcing_refuses_plaintext_and_serves_tls_end_to_end() {
    let dir = tempfile::tempdir().unwrap();
    let c = Cluster::start_tls(mode(TlsMode::Enforcing)).await;
    let mut cfg = c.broker_config("broker-tls", BrokerRole::AsyncMaster, dir.path());
    cfg.tls = mode(TlsMode::Enforcing);
    let b = c.broker(cfg).await;
    let (main, fast) = (b.listen_addr.to_string(), b.fast_addr.to_string());

    // Plaintext is refused on the client port, the fast channel and the name server.
    assert_refused(runtime_info(&main, None).await, "plaintext, client port");
    assert_refused(runtime_info(&fast, None).await, "plaintext, fast channel");
    assert_refused(
        runtime_info(&c.namesrv_addr(), None).await,
        "plaintext, name server",
    );
    // TLS is served on both broker ports.
    let tls = insecure();
    assert_eq!(
        runtime_info(&main, Some(&tls)).await.unwrap(),
        response::SUCCESS
    );
    assert_eq!(
        runtime_info(&fast, Some(&tls)).await.unwrap(),
        response::SUCCESS
    );

    // The broker registered over TLS (its routes come from the TLS name server), and our
    // client sends and pulls over TLS.
    let p = tls_producer(&c.namesrv_addr(), "pg-tls", Some(tls.clone())).await;
    for i in 0..20 {
        let r = p
            .send("TopicTls", Message::new(format!("tls-{i}")))
            .await
            .expect("send over TLS");
        assert_eq!(r.status, SendStatus::SendOk);
    }
    let consumer = PullConsumer::new(&c.namesrv_addr(), "cg-tls")
        .expect("consumer")
        .with_tls(tls);
    let mut got = 0;
    for mq in consumer.fetch_queues("TopicTls").await.expect("queues") {
        let r = consumer.pull(&mq, 0, 32, "*", None).await.expect("pull");
        if r.status == PullStatus::Found {
            got += r.messages.len();
        }
    }
    assert_eq!(got, 20, "every message pulled back over TLS");
    b.stop().await;
}

#[actix_rt::test]
async fn permissive_serves_tls_and_plaintext_on_one_port_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let c = Cluster::start_tls(mode(TlsMode::Permissive)).await;
    let mut cfg = c.broker_config("broker-perm", BrokerRole::AsyncMaster, dir.path());
    cfg.tls = mode(TlsMode::Permissive);
    let b = c.broker(cfg).await;
    let main = b.listen_addr.to_string();
    let tls = insecure();
    // A silent peer and one stuck half-way into a TLS hello hold no one else up: the first
    // byte and the handshake are awaited in each socket's own task, not in the accept loop.
    let _silent = tokio::net::TcpStream::connect(&main).await.unwrap();
    let mut stuck = tokio::net::TcpStream::connect(&main).await.unwrap();
    tokio::io::AsyncWriteExt::write_all(&mut stuck, &[0x16, 0x03, 0x01])
        .await
        .unwrap();
    // Both kinds of connection open at the same time on the same port.
    let plain = RemotingClient::connect(&main, T).await.expect("plaintext");
    let secure = RemotingClient::connect_with_tls(&main, T, test_logger(), Some(&tls))
        .await
        .expect("TLS");
    for _ in 0..3 {
        for (c, what) in [(&plain, "plaintext"), (&secure, "TLS")] {
            let r = c
                .invoke(
                    RemotingCommand::request(request::GET_BROKER_RUNTIME_INFO),
                    T,
                )
                .await
                .unwrap_or_else(|e| panic!("{what}: {e}"));
            assert_eq!(r.code, response::SUCCESS, "{what}");
        }
    }
    // Producers of both kinds send through the same name server and broker.
    let pp = tls_producer(&c.namesrv_addr(), "pg-plain", None).await;
    let tp = tls_producer(&c.namesrv_addr(), "pg-secure", Some(tls)).await;
    for p in [&pp, &tp] {
        let r = p.send("TopicPerm", Message::new("x")).await.expect("send");
        assert_eq!(r.status, SendStatus::SendOk);
    }
    b.stop().await;
}

#[actix_rt::test]
async fn disabled_refuses_a_tls_hello() {
    let dir = tempfile::tempdir().unwrap();
    let c = Cluster::start().await;
    let b = c
        .broker(c.broker_config("broker-plain", BrokerRole::AsyncMaster, dir.path()))
        .await;
    let main = b.listen_addr.to_string();
    assert_refused(
        runtime_info(&main, Some(&insecure())).await,
        "TLS hello, disabled port",
    );
    assert_eq!(runtime_info(&main, None).await.unwrap(), response::SUCCESS);
    b.stop().await;
}

/// `tls.server.need.client.auth=require` + `authClient` against the test CA.
fn require_client_cert(pki: &Pki) -> TlsConfig {
    TlsConfig {
        server_cert_path: Some(pki.server_cert.clone()),
        server_key_path: Some(pki.server_key.clone()),
        server_need_client_auth: ClientAuth::Require,
        server_auth_client: true,
        server_trust_cert_path: Some(pki.ca.clone()),
        ..mode(TlsMode::Enforcing)
    }
}

/// A client verifying the server against the CA and showing `cert` (if any).
fn client(pki: &Pki, cert: Option<(&std::path::Path, &std::path::Path)>) -> ClientTls {
    let cfg = TlsConfig {
        test_mode_enable: false,
        client_auth_server: true,
        client_trust_cert_path: Some(pki.ca.clone()),
        client_cert_path: cert.map(|c| c.0.to_path_buf()),
        client_key_path: cert.map(|c| c.1.to_path_buf()),
        ..TlsConfig::default()
    };
    ClientTls::from_config(&cfg).expect("client TLS context")
}

#[actix_rt::test]
async fn required_client_certificate_must_be_signed_by_the_trust_file() {
    let pki = Pki::generate();
    let dir = tempfile::tempdir().unwrap();
    let c = Cluster::start().await;
    let mut cfg = c.broker_config("broker-mtls", BrokerRole::AsyncMaster, dir.path());
    cfg.tls = require_client_cert(&pki);
    cfg.tls.enable = Some(false); // registers with the plaintext name server
    let b = c.broker(cfg).await;
    let main = b.listen_addr.to_string();

    assert_refused(
        runtime_info(&main, Some(&client(&pki, None))).await,
        "no client certificate",
    );
    let rogue = client(&pki, Some((&pki.rogue_cert, &pki.rogue_key)));
    assert_refused(
        runtime_info(&main, Some(&rogue)).await,
        "self-signed client certificate",
    );
    let good = client(&pki, Some((&pki.client_cert, &pki.client_key)));
    assert_eq!(
        runtime_info(&main, Some(&good)).await.unwrap(),
        response::SUCCESS,
        "a certificate signed by trustCertPath is accepted (and the server verified)"
    );
    b.stop().await;
}

#[actix_rt::test]
async fn sync_master_replicates_over_a_tls_ha_link() {
    let (mdir, sdir) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let c = Cluster::start_tls(mode(TlsMode::Enforcing)).await;
    let mut mcfg = c.ha_master_config("broker-ha-tls", mdir.path());
    mcfg.tls = mode(TlsMode::Enforcing);
    let mut scfg = c.ha_slave_config("broker-ha-tls", sdir.path());
    scfg.tls = mode(TlsMode::Enforcing);
    let master = c.broker(mcfg).await;
    let slave = c.broker(scfg).await;
    eventually("slave attached over TLS", || async {
        attached_slaves(&master) == 1
    })
    .await;
    let p = tls_producer(&c.namesrv_addr(), "pg-ha-tls", Some(insecure())).await;
    for i in 0..50 {
        let r = p
            .send("TopicHaTls", Message::new(format!("ha-{i}")))
            .await
            .expect("send");
        assert_eq!(r.status, SendStatus::SendOk, "the slave acked through TLS");
    }
    slave.stop().await;
    master.stop().await;
}

#[actix_rt::test]
async fn a_missing_certificate_stops_start_up_naming_the_path() {
    let dir = tempfile::tempdir().unwrap();
    let c = Cluster::start().await;
    let missing = dir.path().join("no-such-cert.pem");
    let mut cfg = c.broker_config("broker-nocert", BrokerRole::AsyncMaster, dir.path());
    cfg.tls = TlsConfig {
        server_cert_path: Some(missing.clone()),
        server_key_path: Some(dir.path().join("no-such-key.pem")),
        ..mode(TlsMode::Enforcing)
    };
    let err = match start_broker(cfg, &c.root, c.book.clone(), test_logger()).await {
        Ok(_) => panic!("a broker without its certificate must not start"),
        Err(e) => e.to_string(),
    };
    assert!(err.contains(&missing.display().to_string()), "{err}");
    assert!(err.contains("tls.server.certPath"), "{err}");

    let ns = start_namesrv(
        NamesrvSettings {
            listen: "127.0.0.1:0".parse().unwrap(),
            tls: TlsConfig {
                server_cert_path: Some(missing.clone()),
                server_key_path: Some(missing.clone()),
                ..mode(TlsMode::Permissive)
            },
            ..Default::default()
        },
        test_logger(),
    )
    .await;
    let err = match ns {
        Ok(_) => panic!("a name server without its certificate must not start"),
        Err(e) => e.to_string(),
    };
    assert!(err.contains(&missing.display().to_string()), "{err}");
}
