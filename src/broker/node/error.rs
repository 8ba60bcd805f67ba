//! Why a broker could not start ([`BrokerError`]): a file of its own so that the parts that
//! start-up opens (ACL, metrics, TLS, HA) name it without depending on `start.rs`.

use crate::actors::remoting::RemotingError;
use crate::broker::meta::persist::PersistError;
use crate::store::StoreError;

/// Why a broker could not start.
#[derive(Debug, thiserror::Error)]
pub enum BrokerError {
    #[error("store: {0}")]
    Store(#[from] StoreError),
    #[error("metadata: {0}")]
    Meta(#[from] PersistError),
    #[error("listener: {0}")]
    Listen(#[from] RemotingError),
    #[error("brokerIP1 `{0}` is not an IP address")]
    BadIp(String),
    #[error("HA: {0}")]
    Ha(#[from] crate::broker::ha::HaError),
    #[error("ACL: {0}")]
    Acl(#[from] crate::acl::AclConfigError),
    #[error("ACL watcher thread: {0}")]
    AclWatcher(std::io::Error),
    #[error("metrics: {0}")]
    Metrics(#[from] crate::metrics::MetricsError),
    #[error("TLS: {0}")]
    Tls(#[from] crate::tls::TlsError),
}
