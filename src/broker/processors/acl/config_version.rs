//! GET_BROKER_CLUSTER_ACL_INFO (52): the ACL data versions, as Java's
//! `AdminBrokerProcessor.getBrokerAclConfigVersion`: header fields `version` (the default
//! file's data version as JSON), `allAclFileVersion` (path -> version as JSON), `brokerName`,
//! `brokerAddr`, `clusterName`.

use std::collections::BTreeMap;

use super::{acl_or_refuse, success};
use crate::broker::node::state::Broker;
use crate::broker::processors::reply::error;
use crate::codec::codes::response::SYSTEM_ERROR;
use crate::codec::RemotingCommand;
use crate::protocol::topic::DataVersion;

pub fn handle(b: &Broker, req: &RemotingCommand) -> RemotingCommand {
    let acl = match acl_or_refuse(b, req, SYSTEM_ERROR) {
        Ok(a) => a,
        Err(r) => return r,
    };
    let st = acl.snapshot();
    let default = acl.locations().default_file.as_ref();
    let version = default
        .and_then(|f| st.versions.get(f))
        .cloned()
        .unwrap_or_else(DataVersion::now);
    let all: BTreeMap<String, &DataVersion> = st
        .versions
        .iter()
        .map(|(p, v)| (p.display().to_string(), v))
        .collect();
    let (Ok(version), Ok(all)) = (serde_json::to_string(&version), serde_json::to_string(&all))
    else {
        return error(req, "cannot encode the ACL versions");
    };
    let mut r = success(req);
    r.ext_fields.insert("version".into(), version);
    r.ext_fields.insert("allAclFileVersion".into(), all);
    r.ext_fields
        .insert("brokerName".into(), b.cfg.broker_name.clone());
    r.ext_fields
        .insert("brokerAddr".into(), b.store_host().to_string());
    r.ext_fields
        .insert("clusterName".into(), b.cfg.broker_cluster_name.clone());
    r
}
