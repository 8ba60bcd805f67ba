//! Identity of one client connection as the broker's bookkeeping sees it: an opaque [`ConnId`]
//! (the remoting layer maps its own connection ids onto it) plus what the client told us in its
//! heartbeat (client id, language, version) and when it last did.

use crate::protocol::admin::Connection;

/// Opaque id of one TCP connection, unique for the broker's lifetime.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ConnId(pub u64);

impl std::fmt::Display for ConnId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "conn#{}", self.0)
    }
}

/// Default idle time after which a client that stopped heartbeating is dropped.
pub const CHANNEL_EXPIRED_TIMEOUT_MS: i64 = 120_000;

/// One client on one connection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientChannelInfo {
    pub conn: ConnId,
    /// `clientID` of the heartbeat, e.g. `10.0.0.9@12345#987654321`.
    pub client_id: String,
    /// Peer address `ip:port`.
    pub client_addr: String,
    /// Java `LanguageCode` name of the heartbeat request, e.g. `JAVA`.
    pub language: String,
    /// `version` of the heartbeat request.
    pub version: i32,
    /// Milliseconds since the epoch of the last heartbeat.
    pub last_update: i64,
}

impl ClientChannelInfo {
    /// Convenience constructor.
    pub fn new(
        conn: ConnId,
        client_id: impl Into<String>,
        client_addr: impl Into<String>,
        language: impl Into<String>,
        version: i32,
        now_ms: i64,
    ) -> Self {
        ClientChannelInfo {
            conn,
            client_id: client_id.into(),
            client_addr: client_addr.into(),
            language: language.into(),
            version,
            last_update: now_ms,
        }
    }

    /// The admin view (GET_CONSUMER/PRODUCER_CONNECTION_LIST).
    pub fn to_connection(&self) -> Connection {
        Connection {
            client_addr: self.client_addr.clone(),
            client_id: self.client_id.clone(),
            language: self.language.clone(),
            version: self.version,
        }
    }

    /// Whether the client has been silent for longer than `expire_ms` at `now_ms`.
    pub fn is_expired(&self, now_ms: i64, expire_ms: i64) -> bool {
        now_ms - self.last_update > expire_ms
    }
}
