//! Metadata admin commands: UPDATE_AND_CREATE_TOPIC (17), GET_ALL_TOPIC_CONFIG (21),
//! GET_ALL_SUBSCRIPTIONGROUP_CONFIG (201), GET_ALL_CONSUMER_OFFSET (43),
//! GET_ALL_DELAY_OFFSET (45). The last four also feed a slave's metadata sync.

use crate::broker::meta::topic_validator::validate_topic;
use crate::broker::node::state::Broker;
use crate::broker::processors::command::{CommandError, Outcome};
use crate::broker::processors::reply::ok;
use crate::codec::headers::admin::CreateTopicHeader;
use crate::codec::RemotingCommand;
use crate::protocol::topic::{TopicConfig, TopicFilterType};

/// UPDATE_AND_CREATE_TOPIC.
pub fn create_topic(b: &Broker, h: CreateTopicHeader, req: &RemotingCommand) -> Outcome {
    if b.is_slave() {
        return Err(CommandError::system(
            "a slave broker cannot create topics; create them on its master",
        ));
    }
    let mut tc = TopicConfig::new(&h.topic, h.read_queue_nums, h.write_queue_nums, h.perm);
    if h.topic_filter_type.as_deref() == Some("MULTI_TAG") {
        tc.topic_filter_type = TopicFilterType::MultiTag;
    }
    tc.topic_sys_flag = h.topic_sys_flag;
    tc.order = h.order;
    if let Err(e) = validate_topic(&tc.topic_name) {
        return Err(CommandError::system(e.to_string()));
    }
    {
        let mut meta = b.meta.lock();
        if meta.topics.is_system_topic(&tc.topic_name) {
            return Err(CommandError::system(format!(
                "The topic[{}] is conflict with system topic.",
                tc.topic_name
            )));
        }
        meta.topics.update_topic(tc);
    }
    b.topics_changed();
    Ok(ok(req))
}

fn json_body(req: &RemotingCommand, text: String) -> Outcome {
    Ok(ok(req).with_body(text.into_bytes()))
}

/// GET_ALL_TOPIC_CONFIG.
pub fn all_topic_config(b: &Broker, req: &RemotingCommand) -> Outcome {
    let text = b.meta.lock().topics.encode(false);
    json_body(req, text)
}

/// GET_ALL_SUBSCRIPTIONGROUP_CONFIG.
pub fn all_group_config(b: &Broker, req: &RemotingCommand) -> Outcome {
    let text = b.meta.lock().groups.encode(false);
    json_body(req, text)
}

/// GET_ALL_CONSUMER_OFFSET.
pub fn all_consumer_offset(b: &Broker, req: &RemotingCommand) -> Outcome {
    let text = b.meta.lock().offsets.encode(false);
    json_body(req, text)
}

/// GET_ALL_DELAY_OFFSET.
pub fn all_delay_offset(b: &Broker, req: &RemotingCommand) -> Outcome {
    let text = b.meta.lock().delay_offsets.encode(false);
    json_body(req, text)
}

/// SUCCESS with `body` as JSON (string map keys; for object-keyed tables use their `encode`).
pub(super) fn json_ok<T: serde::Serialize>(req: &RemotingCommand, body: &T) -> Outcome {
    match serde_json::to_vec(body) {
        Ok(bytes) => Ok(ok(req).with_body(bytes)),
        Err(e) => Err(CommandError::system(format!(
            "cannot encode the response body: {e}"
        ))),
    }
}
