//! Turns one name-server request into its response (Java `DefaultRequestProcessor`): decodes the
//! header and body, applies it to the [`RouteTables`] / [`KvStore`], and builds the answer.
//!
//! Deviation from Java: an unknown request code is answered with REQUEST_CODE_NOT_SUPPORTED (3)
//! and the remark `" request type N not supported"` (the broker's wording), where a Java name
//! server sends nothing and lets the client time out.

use std::time::Instant;

use slog::{info, Logger};

use super::kv_store::{KvStore, NAMESPACE_ORDER_TOPIC_CONFIG};
use super::tables::{Registration, RouteTables};
use crate::actors::remoting::ConnHandle;
use crate::codec::codes::{request, response};
use crate::codec::ext::HeaderError;
use crate::codec::RemotingCommand;
use crate::protocol::fastjson;
use crate::protocol::register::{header, RegisterBrokerBody};
use crate::protocol::route::TopicRouteData;
use crate::protocol::topic::{DataVersion, TopicConfigSerializeWrapper};

/// Request `version` from which GET_ROUTEINFO_BY_TOPIC answers in standard JSON (V4_9_4).
const STANDARD_JSON_VERSION: i32 = 401;
/// Request `version` from which REGISTER_BROKER carries a RegisterBrokerBody (V3_0_11).
const REGISTER_BODY_VERSION: i32 = 37;
const FAQ_SUFFIX: &str = "\nSee http://rocketmq.apache.org/docs/faq/ for further details.";

/// Everything a name server request may touch.
#[derive(Debug, Default)]
pub struct NamesrvState {
    pub tables: RouteTables,
    pub kv: KvStore,
    /// What GET_NAMESRV_CONFIG answers (see `NamesrvSettings::config`); UPDATE_NAMESRV_CONFIG
    /// changes it.
    pub config: Vec<(String, String)>,
    /// Persists the configuration after an update (`config_update`).
    pub config_writer: super::config_update::ConfigWriter,
}

/// Sets (or adds) `listenPort` to the port actually bound (the config may ask for 0).
pub fn set_listen_port(config: &mut Vec<(String, String)>, port: u16) {
    match config.iter_mut().find(|(k, _)| k == "listenPort") {
        Some((_, v)) => *v = port.to_string(),
        None => config.push(("listenPort".to_string(), port.to_string())),
    }
}

/// GET_NAMESRV_CONFIG's body: `key=value` lines, as Java's `MixAll.properties2String`.
pub(super) fn config_text(config: &[(String, String)]) -> Vec<u8> {
    let mut out = String::new();
    for (k, v) in config {
        out.push_str(k);
        out.push('=');
        out.push_str(&v.replace('\n', "\\n"));
        out.push('\n');
    }
    out.into_bytes()
}

fn ok(req: &RemotingCommand) -> RemotingCommand {
    RemotingCommand::response_to(req, response::SUCCESS)
}

fn fail(req: &RemotingCommand, code: i32, remark: impl Into<String>) -> RemotingCommand {
    RemotingCommand::response_to(req, code).with_remark(remark)
}

fn json_error(req: &RemotingCommand, what: &str, e: impl std::fmt::Display) -> RemotingCommand {
    fail(req, response::SYSTEM_ERROR, format!("{what}: {e}"))
}

/// Answers `req` (the connection drops the answer if `req` is oneway).
pub fn process(
    state: &mut NamesrvState,
    conn: Option<&ConnHandle>,
    req: &RemotingCommand,
    now: Instant,
    log: &Logger,
) -> RemotingCommand {
    let result = match req.code {
        request::REGISTER_BROKER => register_broker(state, conn, req, now, log),
        request::UNREGISTER_BROKER => unregister_broker(state, req, log),
        request::GET_ROUTEINFO_BY_TOPIC => get_route(state, req),
        request::GET_BROKER_CLUSTER_INFO => Ok(match state.tables.cluster_info().encode_legacy() {
            Ok(body) => ok(req).with_body(body),
            Err(e) => json_error(req, "cannot encode cluster info", e),
        }),
        request::GET_ALL_TOPIC_LIST_FROM_NAMESERVER => {
            Ok(json_body(req, &state.tables.all_topics()))
        }
        request::GET_TOPICS_BY_CLUSTER => req
            .header_str("cluster")
            .map(|c| json_body(req, &state.tables.topics_of_cluster(c))),
        request::GET_SYSTEM_TOPIC_LIST_FROM_NS => Ok(json_body(req, &state.tables.system_topics())),
        request::DELETE_TOPIC_IN_NAMESRV => req.header_str("topic").map(|topic| {
            let cluster = req.opt_header_str("clusterName").filter(|c| !c.is_empty());
            state.tables.delete_topic(topic, cluster);
            ok(req)
        }),
        request::REGISTER_TOPIC_IN_NAMESRV => register_topic(state, req),
        request::WIPE_WRITE_PERM_OF_BROKER => req.header_str("brokerName").map(|name| {
            let count = state.tables.set_write_perm(name, false);
            ok(req).with_ext("wipeTopicCount", count)
        }),
        request::ADD_WRITE_PERM_OF_BROKER => req.header_str("brokerName").map(|name| {
            let count = state.tables.set_write_perm(name, true);
            ok(req).with_ext("addTopicCount", count)
        }),
        request::QUERY_DATA_VERSION => query_data_version(state, req, now),
        request::PUT_KV_CONFIG => kv_args(req).and_then(|(ns, key)| {
            state.kv.put(ns, key, req.header_str("value")?);
            Ok(ok(req))
        }),
        request::GET_KV_CONFIG => kv_args(req).map(|(ns, key)| match state.kv.get(ns, key) {
            Some(v) => ok(req).with_ext("value", v),
            None => fail(
                req,
                response::QUERY_NOT_FOUND,
                format!("No config item, Namespace: {ns} Key: {key}"),
            ),
        }),
        request::DELETE_KV_CONFIG => kv_args(req).map(|(ns, key)| {
            state.kv.delete(ns, key);
            ok(req)
        }),
        request::GET_KVLIST_BY_NAMESPACE => {
            req.header_str("namespace")
                .map(|ns| match state.kv.list(ns) {
                    Some(table) => json_body(req, &table),
                    None => fail(
                        req,
                        response::QUERY_NOT_FOUND,
                        format!("No config item, Namespace: {ns}"),
                    ),
                })
        }
        request::GET_NAMESRV_CONFIG => Ok(ok(req).with_body(config_text(&state.config))),
        request::UPDATE_NAMESRV_CONFIG => Ok(super::config_update::update_config(state, req, log)),
        request::GET_UNIT_TOPIC_LIST => Ok(json_body(req, &state.tables.topics_with_flags(unit))),
        request::GET_HAS_UNIT_SUB_TOPIC_LIST => {
            Ok(json_body(req, &state.tables.topics_with_flags(unit_sub)))
        }
        request::GET_HAS_UNIT_SUB_UNUNIT_TOPIC_LIST => Ok(json_body(
            req,
            &state.tables.topics_with_flags(|f| !unit(f) && unit_sub(f)),
        )),
        code => Ok(fail(
            req,
            response::REQUEST_CODE_NOT_SUPPORTED,
            format!(" request type {code} not supported"),
        )),
    };
    // A missing or malformed header field: Java's reflection decoder throws and the remoting
    // layer answers SYSTEM_ERROR with the exception text.
    result.unwrap_or_else(|e| fail(req, response::SYSTEM_ERROR, e.to_string()))
}

/// Java `TopicSysFlag.hasUnitFlag`.
fn unit(sys_flag: i32) -> bool {
    sys_flag & 0x1 != 0
}

/// Java `TopicSysFlag.hasUnitSubFlag`.
fn unit_sub(sys_flag: i32) -> bool {
    sys_flag & 0x2 != 0
}

fn json_body<T: serde::Serialize>(req: &RemotingCommand, value: &T) -> RemotingCommand {
    match serde_json::to_vec(value) {
        Ok(body) => ok(req).with_body(body),
        Err(e) => json_error(req, "cannot encode body", e),
    }
}

fn kv_args(req: &RemotingCommand) -> Result<(&str, &str), HeaderError> {
    Ok((req.header_str("namespace")?, req.header_str("key")?))
}

fn register_broker(
    state: &mut NamesrvState,
    conn: Option<&ConnHandle>,
    req: &RemotingCommand,
    now: Instant,
    log: &Logger,
) -> Result<RemotingCommand, HeaderError> {
    let cluster = req.header_str("clusterName")?.to_string();
    let broker_name = req.header_str("brokerName")?.to_string();
    let broker_addr = req.header_str("brokerAddr")?.to_string();
    let ha_server_addr = req.header_str("haServerAddr")?.to_string();
    let broker_id = req.header_i64("brokerId")?;
    let compressed = req.opt_header_bool("compressed")?.unwrap_or(false);
    let crc = req.opt_header_i32("bodyCrc32")?.unwrap_or(0);
    if crc != 0 && crc as u32 != crc32fast::hash(&req.body) & 0x7FFF_FFFF {
        return Ok(fail(req, response::SYSTEM_ERROR, "crc32 not match"));
    }
    let body = if req.body.is_empty() {
        RegisterBrokerBody::default()
    } else if req.version >= REGISTER_BODY_VERSION {
        match RegisterBrokerBody::decode(&req.body, compressed) {
            Ok(b) => b,
            Err(e) => return Ok(json_error(req, "invalid register body", e)),
        }
    } else {
        match fastjson::from_lenient_slice::<TopicConfigSerializeWrapper>(&req.body) {
            Ok(w) => RegisterBrokerBody {
                filter_server_list: Vec::new(),
                topic_config_serialize_wrapper: w,
            },
            Err(e) => return Ok(json_error(req, "invalid topic config wrapper", e)),
        }
    };
    let first = !state.tables.is_live(&broker_addr);
    let result = state.tables.register(
        Registration {
            cluster: cluster.clone(),
            broker_name: broker_name.clone(),
            broker_addr: broker_addr.clone(),
            broker_id,
            ha_server_addr,
            topics: body.topic_config_serialize_wrapper,
            filter_server_list: body.filter_server_list,
            conn: conn.cloned(),
        },
        now,
    );
    if first {
        info!(log, "broker registered"; "cluster" => cluster, "broker" => broker_name,
            "addr" => broker_addr, "id" => broker_id);
    }
    let mut resp = ok(req);
    resp.put_ext_opt(header::HA_SERVER_ADDR, result.ha_server_addr);
    resp.put_ext_opt(header::MASTER_ADDR, result.master_addr);
    if let Some(table) = state.kv.list(NAMESPACE_ORDER_TOPIC_CONFIG) {
        if let Ok(body) = table.encode() {
            resp.body = body.into();
        }
    }
    Ok(resp)
}

fn unregister_broker(
    state: &mut NamesrvState,
    req: &RemotingCommand,
    log: &Logger,
) -> Result<RemotingCommand, HeaderError> {
    let cluster = req.header_str("clusterName")?;
    let broker_name = req.header_str("brokerName")?;
    let broker_addr = req.header_str("brokerAddr")?;
    let broker_id = req.header_i64("brokerId")?;
    if state
        .tables
        .unregister(cluster, broker_name, broker_addr, broker_id)
    {
        info!(log, "broker unregistered"; "broker" => broker_name, "addr" => broker_addr);
    }
    Ok(ok(req))
}

fn get_route(state: &NamesrvState, req: &RemotingCommand) -> Result<RemotingCommand, HeaderError> {
    let topic = req.header_str("topic")?;
    let Some(mut route) = state.tables.route(topic) else {
        return Ok(fail(
            req,
            response::TOPIC_NOT_EXIST,
            format!("No topic route info in name server for the topic: {topic}{FAQ_SUFFIX}"),
        ));
    };
    // Java: with orderMessageEnable the route carries the topic's ORDER_TOPIC_CONFIG value.
    if super::config_update::order_message_enable(state) {
        route.order_topic_conf = state
            .kv
            .get(NAMESPACE_ORDER_TOPIC_CONFIG, topic)
            .map(str::to_string);
    }
    let standard = req.version >= STANDARD_JSON_VERSION
        || req
            .opt_header_bool("acceptStandardJsonOnly")?
            .unwrap_or(false);
    Ok(match route.encode(standard) {
        Ok(body) => ok(req).with_body(body),
        Err(e) => json_error(req, "cannot encode route", e),
    })
}

fn register_topic(
    state: &mut NamesrvState,
    req: &RemotingCommand,
) -> Result<RemotingCommand, HeaderError> {
    let topic = req.header_str("topic")?;
    Ok(match TopicRouteData::decode(&req.body) {
        Ok(route) => {
            state.tables.register_topic(topic, route.queue_datas);
            ok(req)
        }
        Err(e) => json_error(req, "invalid topic route body", e),
    })
}

fn query_data_version(
    state: &mut NamesrvState,
    req: &RemotingCommand,
    now: Instant,
) -> Result<RemotingCommand, HeaderError> {
    let addr = req.header_str("brokerAddr")?;
    let version: DataVersion = match fastjson::from_lenient_slice(&req.body) {
        Ok(v) => v,
        Err(e) => return Ok(json_error(req, "invalid data version body", e)),
    };
    let (changed, stored) = state.tables.query_data_version(addr, &version, now);
    let mut resp = ok(req).with_ext("changed", changed);
    if let Some(stored) = stored {
        if let Ok(body) = serde_json::to_vec(&stored) {
            resp.body = body.into();
        }
    }
    Ok(resp)
}
