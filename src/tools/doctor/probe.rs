//! The I/O of `doctor`: ask every name server for its cluster table, then probe every
//! registered broker address from here: a fresh connection and a real request to the client
//! address and to its fast channel (port - 2), the broker's configuration, and a TCP connect to
//! a master's HA address. All probes run concurrently, each bounded by the timeout.

use std::collections::BTreeMap;
use std::io::ErrorKind;
use std::time::Duration;

use futures::future::join_all;

use super::addr::{fast_addr_advertised, ha_addr_advertised, offset_port};
use super::observe::{BrokerObs, HaObs, NamesrvObs, Observations, Outcome};
use crate::client::admin::parse_properties;
use crate::client::{ClientError, ConnectionPool, NameServerClient, RemotingClient};
use crate::codec::codes::{request, response};
use crate::codec::RemotingCommand;
use crate::protocol::kv::KVTable;

/// Observes the cluster behind `namesrvs`, every call bounded by `timeout`.
pub async fn observe(namesrvs: &[String], timeout: Duration) -> Observations {
    let namesrvs: Vec<NamesrvObs> = join_all(namesrvs.iter().map(|a| cluster_of(a, timeout))).await;
    let mut entries: BTreeMap<(String, String, i64, String), Vec<String>> = BTreeMap::new();
    for n in &namesrvs {
        let Ok(info) = &n.cluster else { continue };
        for b in info.broker_addr_table.values() {
            for (id, addr) in &b.broker_addrs {
                let key = (b.cluster.clone(), b.broker_name.clone(), *id, addr.clone());
                entries.entry(key).or_default().push(n.addr.clone());
            }
        }
    }
    let brokers = join_all(
        entries
            .into_iter()
            .map(|((cluster, name, id, addr), listed_by)| {
                let b = BrokerObs {
                    cluster,
                    name,
                    id,
                    addr,
                    listed_by,
                    ..BrokerObs::default()
                };
                probe_broker(b, timeout)
            }),
    )
    .await;
    Observations { namesrvs, brokers }
}

async fn cluster_of(addr: &str, timeout: Duration) -> NamesrvObs {
    let pool = ConnectionPool::new(timeout, crate::logging::discard());
    let cluster = match NameServerClient::with_pool(addr, pool.clone(), timeout) {
        Ok(ns) => ns.cluster_info().await.map_err(|e| e.to_string()),
        Err(e) => Err(e.to_string()),
    };
    pool.close_all();
    NamesrvObs {
        addr: addr.to_owned(),
        cluster,
    }
}

async fn probe_broker(mut b: BrokerObs, timeout: Duration) -> BrokerObs {
    let fast_addr = offset_port(&b.addr, -2);
    let fast = async {
        match &fast_addr {
            Some(a) => Some(query(a, timeout).await),
            None => None,
        }
    };
    let ((client, client_tables), fast) = futures::join!(query(&b.addr, timeout), fast);
    let (fast, fast_tables) = match fast {
        Some((o, t)) => (Some(o), t),
        None => (None, None),
    };
    b.client = Some(client);
    b.fast = fast;
    // Whichever channel answered supplies the tables.
    if let Some((runtime, config)) = client_tables.or(fast_tables) {
        b.runtime = Some(runtime);
        b.config = config;
    }
    // brokerAdvertisedFastPort (our extension key): the fast channel is reached there, not at
    // the registered port - 2.
    let advertised_fast = fast_addr_advertised(&b.addr, b.config_value("brokerAdvertisedFastPort"));
    if let Some(fast) = advertised_fast.filter(|a| Some(a) != fast_addr.as_ref()) {
        b.fast = Some(query(&fast, timeout).await.0);
    }
    if b.id == 0 {
        let ha = ha_addr_advertised(
            b.config_value("brokerIP1"),
            b.config_value("brokerIP2"),
            b.config_value("listenPort"),
            b.config_value("haListenPort"),
            b.config_value("haAdvertisedPort"),
        );
        if let Some(addr) = ha {
            let outcome = connect_only(&addr, timeout).await;
            b.ha = Some(HaObs { addr, outcome });
        }
    }
    b
}

type Tables = (BTreeMap<String, String>, Option<BTreeMap<String, String>>);

/// A fresh connection to `addr`, GET_BROKER_RUNTIME_INFO, then GET_BROKER_CONFIG on the same
/// connection. The outcome is that of the runtime request.
async fn query(addr: &str, timeout: Duration) -> (Outcome, Option<Tables>) {
    let conn = match RemotingClient::connect(addr, timeout).await {
        Ok(c) => c,
        Err(e) => return (connect_outcome(&e), None),
    };
    let code = request::GET_BROKER_RUNTIME_INFO;
    let result = match conn.invoke(RemotingCommand::request(code), timeout).await {
        Err(e) => Err(e.to_string()),
        Ok(resp) if resp.code != response::SUCCESS => Err(format!(
            "code {}: {}",
            resp.code,
            resp.remark.as_deref().unwrap_or("")
        )),
        Ok(resp) => KVTable::decode(&resp.body)
            .map(|kv| kv.table)
            .map_err(|e| format!("runtime info does not decode: {e}")),
    };
    let runtime = match result {
        Ok(t) => t,
        Err(why) => {
            conn.close();
            return (Outcome::BadAnswer(why), None);
        }
    };
    let config = match conn
        .invoke(
            RemotingCommand::request(request::GET_BROKER_CONFIG),
            timeout,
        )
        .await
    {
        Ok(resp) if resp.code == response::SUCCESS => {
            Some(parse_properties(&String::from_utf8_lossy(&resp.body)))
        }
        _ => None,
    };
    conn.close();
    (Outcome::Answered, Some((runtime, config)))
}

/// A TCP connect, closed at once (the HA port speaks no request/response protocol).
async fn connect_only(addr: &str, timeout: Duration) -> Outcome {
    match tokio::time::timeout(timeout, tokio::net::TcpStream::connect(addr)).await {
        Err(_) => Outcome::TimedOut,
        Ok(Err(e)) => io_outcome(&e),
        Ok(Ok(_stream)) => Outcome::Answered,
    }
}

fn connect_outcome(e: &ClientError) -> Outcome {
    match e {
        ClientError::ConnectTimeout { .. } => Outcome::TimedOut,
        ClientError::Connect { source, .. } => io_outcome(source),
        other => Outcome::BadAnswer(other.to_string()),
    }
}

fn io_outcome(e: &std::io::Error) -> Outcome {
    match e.kind() {
        ErrorKind::ConnectionRefused => Outcome::Refused,
        ErrorKind::TimedOut => Outcome::TimedOut,
        _ => Outcome::Unreachable(e.to_string()),
    }
}
