//! Broker membership requests (Java `DefaultRequestProcessor.registerBroker*`,
//! `unregisterBroker`, `queryBrokerTopicConfig`): REGISTER_BROKER (103), UNREGISTER_BROKER
//! (104), QUERY_DATA_VERSION (322). docs/protocol.md §2.8.

use slog::info;

use super::{fail, json_error, ok, NsCtx};
use crate::codec::codes::response;
use crate::codec::headers::namesrv::{
    QueryDataVersionHeader, RegisterBrokerHeader, UnregisterBrokerHeader,
};
use crate::codec::RemotingCommand;
use crate::namesrv::kv_store::NAMESPACE_ORDER_TOPIC_CONFIG;
use crate::namesrv::tables::Registration;
use crate::protocol::fastjson;
use crate::protocol::register::{header, RegisterBrokerBody};
use crate::protocol::topic::{DataVersion, TopicConfigSerializeWrapper};

/// Request `version` from which REGISTER_BROKER carries a RegisterBrokerBody (V3_0_11).
const REGISTER_BODY_VERSION: i32 = 37;

/// REGISTER_BROKER: checks the body's CRC, decodes it (RegisterBrokerBody, or the bare
/// TopicConfigSerializeWrapper of old brokers) and records the broker; answers the master and
/// HA addresses and the ORDER_TOPIC_CONFIG table.
pub fn register(
    c: &mut NsCtx<'_>,
    h: RegisterBrokerHeader,
    req: &RemotingCommand,
) -> RemotingCommand {
    let crc = h.body_crc32;
    if crc != 0 && crc as u32 != crc32fast::hash(&req.body) & 0x7FFF_FFFF {
        return fail(req, response::SYSTEM_ERROR, "crc32 not match");
    }
    let body = if req.body.is_empty() {
        RegisterBrokerBody::default()
    } else if req.version >= REGISTER_BODY_VERSION {
        match RegisterBrokerBody::decode(&req.body, h.compressed) {
            Ok(b) => b,
            Err(e) => return json_error(req, "invalid register body", e),
        }
    } else {
        match fastjson::from_lenient_slice::<TopicConfigSerializeWrapper>(&req.body) {
            Ok(w) => RegisterBrokerBody {
                filter_server_list: Vec::new(),
                topic_config_serialize_wrapper: w,
            },
            Err(e) => return json_error(req, "invalid topic config wrapper", e),
        }
    };
    let first = !c.state.tables.is_live(&h.broker_addr);
    let result = c.state.tables.register(
        Registration {
            cluster: h.cluster_name.clone(),
            broker_name: h.broker_name.clone(),
            broker_addr: h.broker_addr.clone(),
            broker_id: h.broker_id,
            ha_server_addr: h.ha_server_addr,
            topics: body.topic_config_serialize_wrapper,
            filter_server_list: body.filter_server_list,
            conn: c.conn.cloned(),
        },
        c.now,
    );
    if first {
        info!(c.log, "broker registered"; "cluster" => h.cluster_name, "broker" => h.broker_name,
            "addr" => h.broker_addr, "id" => h.broker_id);
    }
    let mut resp = ok(req);
    resp.put_ext_opt(header::HA_SERVER_ADDR, result.ha_server_addr);
    resp.put_ext_opt(header::MASTER_ADDR, result.master_addr);
    if let Some(table) = c.state.kv.list(NAMESPACE_ORDER_TOPIC_CONFIG) {
        if let Ok(body) = table.encode() {
            resp.body = body.into();
        }
    }
    resp
}

/// UNREGISTER_BROKER.
pub fn unregister(
    c: &mut NsCtx<'_>,
    h: UnregisterBrokerHeader,
    req: &RemotingCommand,
) -> RemotingCommand {
    if c.state
        .tables
        .unregister(&h.cluster_name, &h.broker_name, &h.broker_addr, h.broker_id)
    {
        info!(c.log, "broker unregistered"; "broker" => h.broker_name, "addr" => h.broker_addr);
    }
    ok(req)
}

/// QUERY_DATA_VERSION: whether the broker's topic data changed since its last registration
/// (and refreshes its liveness).
pub fn query_data_version(
    c: &mut NsCtx<'_>,
    h: QueryDataVersionHeader,
    req: &RemotingCommand,
) -> RemotingCommand {
    let version: DataVersion = match fastjson::from_lenient_slice(&req.body) {
        Ok(v) => v,
        Err(e) => return json_error(req, "invalid data version body", e),
    };
    let (changed, stored) = c
        .state
        .tables
        .query_data_version(&h.broker_addr, &version, c.now);
    let mut resp = ok(req).with_ext("changed", changed);
    if let Some(stored) = stored {
        if let Ok(body) = serde_json::to_vec(&stored) {
            resp.body = body.into();
        }
    }
    resp
}
