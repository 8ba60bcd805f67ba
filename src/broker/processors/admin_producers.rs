//! GET_ALL_PRODUCER_INFO (328, mqadmin `producer`; Java 4.9.7
//! `AdminBrokerProcessor.getAllProducerInfo` over `ProducerManager.getProducerTable`): every
//! online producer of every group, with its client id, remote address (Netty's `/ip:port`),
//! language, version and last heartbeat time.

use crate::broker::node::state::Broker;
use crate::broker::processors::admin_meta::json_ok;
use crate::broker::processors::command::Outcome;
use crate::codec::RemotingCommand;
use crate::protocol::admin_broker::{ProducerInfo, ProducerTableInfo};

/// Handles GET_ALL_PRODUCER_INFO (the request header has no fields).
pub fn all_producer_info(b: &Broker, req: &RemotingCommand) -> Outcome {
    let mut table = ProducerTableInfo::default();
    for (group, c) in b.meta.lock().producers.all_clients() {
        table
            .data
            .entry(group.to_string())
            .or_default()
            .push(ProducerInfo {
                client_id: c.client_id.clone(),
                language: c.language.clone(),
                last_update_timestamp: c.last_update,
                remote_ip: format!("/{}", c.client_addr),
                version: c.version,
            });
    }
    json_ok(req, &table)
}
