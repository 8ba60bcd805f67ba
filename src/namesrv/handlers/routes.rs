//! Route and topic requests (Java `DefaultRequestProcessor` / `ClusterTestRequestProcessor`):
//! GET_ROUTEINFO_BY_TOPIC (105), GET_BROKER_CLUSTER_INFO (106), the topic lists, topic
//! deletion and registration, and the broker write-permission switches. docs/protocol.md §2.8.

use super::{fail, json_body, json_error, ok, NsCtx};
use crate::codec::codes::response;
use crate::codec::headers::namesrv::{
    BrokerNameHeader, GetRouteInfoHeader, NsTopicHeader, TopicsByClusterHeader,
};
use crate::codec::RemotingCommand;
use crate::namesrv::kv_store::NAMESPACE_ORDER_TOPIC_CONFIG;
use crate::protocol::route::TopicRouteData;

/// Request `version` from which GET_ROUTEINFO_BY_TOPIC answers in standard JSON (V4_9_4).
const STANDARD_JSON_VERSION: i32 = 401;
const FAQ_SUFFIX: &str = "\nSee http://rocketmq.apache.org/docs/faq/ for further details.";

/// GET_ROUTEINFO_BY_TOPIC; unknown topic -> TOPIC_NOT_EXIST with Java's remark.
pub fn route(c: &mut NsCtx<'_>, h: GetRouteInfoHeader, req: &RemotingCommand) -> RemotingCommand {
    let topic = h.topic.as_str();
    let Some(mut route) = c.state.tables.route(topic) else {
        return fail(
            req,
            response::TOPIC_NOT_EXIST,
            format!("No topic route info in name server for the topic: {topic}{FAQ_SUFFIX}"),
        );
    };
    // Java: with orderMessageEnable the route carries the topic's ORDER_TOPIC_CONFIG value.
    if crate::namesrv::config_update::order_message_enable(c.state) {
        route.order_topic_conf = c
            .state
            .kv
            .get(NAMESPACE_ORDER_TOPIC_CONFIG, topic)
            .map(str::to_string);
    }
    let standard = req.version >= STANDARD_JSON_VERSION || h.accept_standard_json_only;
    match route.encode(standard) {
        Ok(body) => ok(req).with_body(body),
        Err(e) => json_error(req, "cannot encode route", e),
    }
}

/// GET_BROKER_CLUSTER_INFO.
pub fn cluster_info(c: &mut NsCtx<'_>, req: &RemotingCommand) -> RemotingCommand {
    match c.state.tables.cluster_info().encode_legacy() {
        Ok(body) => ok(req).with_body(body),
        Err(e) => json_error(req, "cannot encode cluster info", e),
    }
}

/// GET_ALL_TOPIC_LIST_FROM_NAMESERVER.
pub fn all_topics(c: &mut NsCtx<'_>, req: &RemotingCommand) -> RemotingCommand {
    json_body(req, &c.state.tables.all_topics())
}

/// GET_SYSTEM_TOPIC_LIST_FROM_NS.
pub fn system_topics(c: &mut NsCtx<'_>, req: &RemotingCommand) -> RemotingCommand {
    json_body(req, &c.state.tables.system_topics())
}

/// GET_TOPICS_BY_CLUSTER.
pub fn topics_of_cluster(
    c: &mut NsCtx<'_>,
    h: TopicsByClusterHeader,
    req: &RemotingCommand,
) -> RemotingCommand {
    json_body(req, &c.state.tables.topics_of_cluster(&h.cluster))
}

/// GET_UNIT_TOPIC_LIST: topics with the unit flag (Java `TopicSysFlag.hasUnitFlag`).
pub fn unit_topics(c: &mut NsCtx<'_>, req: &RemotingCommand) -> RemotingCommand {
    json_body(req, &c.state.tables.topics_with_flags(unit))
}

/// GET_HAS_UNIT_SUB_TOPIC_LIST.
pub fn unit_sub_topics(c: &mut NsCtx<'_>, req: &RemotingCommand) -> RemotingCommand {
    json_body(req, &c.state.tables.topics_with_flags(unit_sub))
}

/// GET_HAS_UNIT_SUB_UNUNIT_TOPIC_LIST.
pub fn unit_sub_ununit_topics(c: &mut NsCtx<'_>, req: &RemotingCommand) -> RemotingCommand {
    json_body(
        req,
        &c.state
            .tables
            .topics_with_flags(|f| !unit(f) && unit_sub(f)),
    )
}

/// DELETE_TOPIC_IN_NAMESRV: a blank cluster means every cluster.
pub fn delete_topic(c: &mut NsCtx<'_>, h: NsTopicHeader, req: &RemotingCommand) -> RemotingCommand {
    let cluster = h.cluster_name.as_deref().filter(|c| !c.is_empty());
    c.state.tables.delete_topic(&h.topic, cluster);
    ok(req)
}

/// REGISTER_TOPIC_IN_NAMESRV: the body is a TopicRouteData whose queue data is recorded.
pub fn register_topic(
    c: &mut NsCtx<'_>,
    h: NsTopicHeader,
    req: &RemotingCommand,
) -> RemotingCommand {
    match TopicRouteData::decode(&req.body) {
        Ok(route) => {
            c.state.tables.register_topic(&h.topic, route.queue_datas);
            ok(req)
        }
        Err(e) => json_error(req, "invalid topic route body", e),
    }
}

/// WIPE_WRITE_PERM_OF_BROKER.
pub fn wipe_write_perm(
    c: &mut NsCtx<'_>,
    h: BrokerNameHeader,
    req: &RemotingCommand,
) -> RemotingCommand {
    let count = c.state.tables.set_write_perm(&h.broker_name, false);
    ok(req).with_ext("wipeTopicCount", count)
}

/// ADD_WRITE_PERM_OF_BROKER.
pub fn add_write_perm(
    c: &mut NsCtx<'_>,
    h: BrokerNameHeader,
    req: &RemotingCommand,
) -> RemotingCommand {
    let count = c.state.tables.set_write_perm(&h.broker_name, true);
    ok(req).with_ext("addTopicCount", count)
}

/// Java `TopicSysFlag.hasUnitFlag`.
fn unit(sys_flag: i32) -> bool {
    sys_flag & 0x1 != 0
}

/// Java `TopicSysFlag.hasUnitSubFlag`.
fn unit_sub(sys_flag: i32) -> bool {
    sys_flag & 0x2 != 0
}
