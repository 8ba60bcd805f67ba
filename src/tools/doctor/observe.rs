//! What `doctor` saw, before any judgement: each name server's cluster table and, for every
//! advertised broker address, the outcome of each probe. Plain data, so the rules in
//! `diagnose` can be unit-tested on made-up observations.

use std::collections::BTreeMap;
use std::fmt;

use crate::protocol::cluster::ClusterInfo;

/// The outcome of one probe (a TCP connect, mostly followed by a real request).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Connected, and for request probes the broker answered successfully.
    Answered,
    /// Connection refused: nothing listens there, or a NAT has no forward for the port.
    Refused,
    /// No route to the network or host (e.g. a private address seen from outside).
    Unreachable(String),
    /// The connect timed out (a firewall dropping packets, or a black-holed address).
    TimedOut,
    /// Connected, but the request got no good answer (timeout, closed, error code, garbage).
    BadAnswer(String),
}

impl Outcome {
    pub fn is_ok(&self) -> bool {
        matches!(self, Outcome::Answered)
    }

    /// True when the connect itself failed (as opposed to a bad answer).
    pub fn is_unreachable(&self) -> bool {
        matches!(
            self,
            Outcome::Refused | Outcome::Unreachable(_) | Outcome::TimedOut
        )
    }

    /// One word for the table.
    pub fn short(&self) -> &'static str {
        match self {
            Outcome::Answered => "ok",
            Outcome::Refused => "refused",
            Outcome::Unreachable(_) => "no route",
            Outcome::TimedOut => "timeout",
            Outcome::BadAnswer(_) => "bad answer",
        }
    }
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Outcome::Answered => f.write_str("answered"),
            Outcome::Refused => f.write_str("connection refused"),
            Outcome::Unreachable(why) => write!(f, "unreachable ({why})"),
            Outcome::TimedOut => f.write_str("connect timed out"),
            Outcome::BadAnswer(why) => write!(f, "connected but no valid answer ({why})"),
        }
    }
}

/// One name server's answer to GET_BROKER_CLUSTER_INFO (or why there was none).
#[derive(Debug, Clone, PartialEq)]
pub struct NamesrvObs {
    pub addr: String,
    pub cluster: Result<ClusterInfo, String>,
}

/// The master's HA address (`brokerIP2:haPort`, from its own configuration) and whether it
/// accepted a TCP connection from here.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HaObs {
    pub addr: String,
    pub outcome: Outcome,
}

/// One broker address as registered (cluster, name, id, address) and what its probes found.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct BrokerObs {
    pub cluster: String,
    pub name: String,
    pub id: i64,
    /// The advertised client address (`brokerIP1:listenPort`).
    pub addr: String,
    /// The name servers that list exactly this address for (name, id).
    pub listed_by: Vec<String>,
    /// GET_BROKER_RUNTIME_INFO on the client address.
    pub client: Option<Outcome>,
    /// GET_BROKER_RUNTIME_INFO on the fast channel (client port - 2); `None` when the address
    /// has no such port.
    pub fast: Option<Outcome>,
    /// The runtime table, from whichever channel answered.
    pub runtime: Option<BTreeMap<String, String>>,
    /// The broker's configuration (GET_BROKER_CONFIG), from whichever channel answered.
    pub config: Option<BTreeMap<String, String>>,
    /// Masters whose configuration was read: their HA address and a connect to it.
    pub ha: Option<HaObs>,
}

impl BrokerObs {
    /// `broker-a/0`.
    pub fn label(&self) -> String {
        format!("{}/{}", self.name, self.id)
    }

    /// A runtime-table value.
    pub fn runtime_value(&self, key: &str) -> Option<&str> {
        self.runtime.as_ref()?.get(key).map(String::as_str)
    }

    /// A configuration value (empty values count as absent).
    pub fn config_value(&self, key: &str) -> Option<&str> {
        self.config
            .as_ref()?
            .get(key)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    }
}

/// Everything one `doctor` run saw.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Observations {
    pub namesrvs: Vec<NamesrvObs>,
    pub brokers: Vec<BrokerObs>,
}
