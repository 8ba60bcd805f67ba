//! KVTable: a flat string map, the body of GET_KVLIST_BY_NAMESPACE (219), of the name server's
//! REGISTER_BROKER answer (order-topic config) and of GET_BROKER_RUNTIME_INFO (28).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// `{"table":{"k":"v",…}}`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct KVTable {
    #[serde(default)]
    pub table: BTreeMap<String, String>,
}

impl KVTable {
    pub fn encode(&self) -> serde_json::Result<Vec<u8>> {
        serde_json::to_vec(self)
    }

    pub fn decode(data: &[u8]) -> serde_json::Result<Self> {
        serde_json::from_slice(data)
    }
}
