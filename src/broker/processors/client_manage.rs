//! HEART_BEAT (34), UNREGISTER_CLIENT (35), CHECK_CLIENT_CONFIG (46), GET_CONSUMER_LIST_BY_GROUP (38), LOCK_BATCH_MQ (41),
//! UNLOCK_BATCH_MQ (42), and what a closed client connection does.

use std::sync::atomic::Ordering;

use crate::actors::remoting::ConnHandle;
use crate::broker::meta::client_channel::{ClientChannelInfo, ConnId};
use crate::broker::meta::client_events::{ClientEventEffects, ClientTables};
use crate::broker::node::state::{Broker, Meta};
use crate::broker::processors::command::{CommandError, Outcome};
use crate::broker::processors::reply::{ok, resp};
use crate::codec::codes::response;
use crate::codec::headers::admin::ConsumerGroupHeader;
use crate::codec::headers::client::UnregisterClientHeader;
use crate::codec::RemotingCommand;
use crate::filter;
use crate::protocol::admin::GetConsumerListByGroupResponseBody;
use crate::protocol::heartbeat::{CheckClientRequestBody, HeartbeatData};
use crate::protocol::lock::{LockBatchRequestBody, LockBatchResponseBody};

fn tables<'a>(meta: &'a mut Meta, auto_create: bool) -> ClientTables<'a> {
    ClientTables {
        topics: &mut meta.topics,
        groups: &mut meta.groups,
        consumers: &mut meta.consumers,
        producers: &mut meta.producers,
        auto_create_subscription_group: auto_create,
    }
}

fn apply_effects(b: &Broker, fx: ClientEventEffects) {
    if fx.groups_changed {
        b.dirty.groups.store(true, Ordering::Release);
    }
    if fx.topics_changed {
        b.topics_changed();
    }
    b.notify_groups(&fx.notify_groups);
}

/// HEART_BEAT: registers producers and consumers of the client on this connection.
pub fn heartbeat(b: &Broker, conn: &ConnHandle, req: &RemotingCommand) -> Outcome {
    let hb = match HeartbeatData::decode(&req.body) {
        Ok(hb) => hb,
        Err(e) => return Err(CommandError::system(format!("bad heartbeat body: {e}"))),
    };
    let info = ClientChannelInfo::new(
        ConnId(conn.id()),
        hb.client_id.clone(),
        conn.peer().to_string(),
        req.language.name(),
        req.version,
        crate::store::time::now_ms(),
    );
    let fx = {
        let mut meta = b.meta.lock();
        let fx = tables(&mut meta, b.live.get().auto_create_subscription_group)
            .apply_heartbeat(&hb, info);
        // Java's REGISTER event: SQL92 subscriptions compiled once per version.
        for data in &hb.consumer_data_set {
            meta.filters
                .register_group(&data.group_name, &data.subscription_data_set);
        }
        fx
    };
    apply_effects(b, fx);
    Ok(ok(req))
}

/// CHECK_CLIENT_CONFIG (46), Java `ClientManageProcessor.checkClientConfig`: SUCCESS for TAG
/// subscriptions; SYSTEM_ERROR when `enablePropertyFilter` is off; SUBSCRIPTION_PARSE_FAILED
/// (23) with the compiler's message when the expression is invalid (no remark for an unknown
/// expression type: Java's is a NullPointerException without message).
pub fn check_client_config(b: &Broker, req: &RemotingCommand) -> Outcome {
    let body: CheckClientRequestBody = match serde_json::from_slice(&req.body) {
        Ok(v) => v,
        Err(e) => {
            return Err(CommandError::system(format!(
                "bad CheckClientRequestBody: {e}"
            )))
        }
    };
    let Some(sd) = body.subscription_data else {
        return Ok(ok(req));
    };
    if filter::is_tag_type(Some(&sd.expression_type)) {
        return Ok(ok(req));
    }
    if !b.cfg.enable_property_filter {
        return Err(CommandError::system(format!(
            "The broker does not support consumer to filter message by {}",
            sd.expression_type
        )));
    }
    match filter::compile(&sd.expression_type, &sd.sub_string) {
        Ok(_) => Ok(ok(req)),
        Err(filter::FilterError::UnknownType(_)) => {
            Ok(resp(req, response::SUBSCRIPTION_PARSE_FAILED, None))
        }
        Err(e) => Err(CommandError::new(
            response::SUBSCRIPTION_PARSE_FAILED,
            e.to_string(),
        )),
    }
}

/// UNREGISTER_CLIENT.
pub fn unregister(
    b: &Broker,
    conn: &ConnHandle,
    h: UnregisterClientHeader,
    req: &RemotingCommand,
) -> Outcome {
    let fx = {
        let mut meta = b.meta.lock();
        tables(&mut meta, b.live.get().auto_create_subscription_group).apply_unregister(
            ConnId(conn.id()),
            h.producer_group.as_deref(),
            h.consumer_group.as_deref(),
        )
    };
    apply_effects(b, fx);
    Ok(ok(req))
}

/// A client connection closed.
pub fn connection_closed(b: &Broker, conn: &ConnHandle) {
    let fx = {
        let mut meta = b.meta.lock();
        tables(&mut meta, b.live.get().auto_create_subscription_group)
            .apply_connection_closed(ConnId(conn.id()))
    };
    apply_effects(b, fx);
}

/// Drops clients silent for more than 120 s (no notification, as Java) and closes their
/// connections.
pub fn scan_not_active(b: &Broker, expire_ms: i64) {
    let now = crate::store::time::now_ms();
    let expired: Vec<ConnId> = {
        let mut meta = b.meta.lock();
        let mut v: Vec<ConnId> = meta
            .consumers
            .scan_not_active(now, expire_ms)
            .into_iter()
            .map(|(_, i)| i.conn)
            .collect();
        v.extend(
            meta.producers
                .scan_not_active(now, expire_ms)
                .into_iter()
                .map(|(_, i)| i.conn),
        );
        v
    };
    let conns = b.conns.lock();
    for c in expired {
        if let Some(h) = conns.get(&c.0) {
            h.close();
        }
    }
}

/// GET_CONSUMER_LIST_BY_GROUP.
pub fn consumer_list(b: &Broker, h: ConsumerGroupHeader, req: &RemotingCommand) -> Outcome {
    let group = h.consumer_group;
    let ids = b.meta.lock().consumers.consumer_ids(&group);
    if ids.is_empty() {
        return Err(CommandError::system(format!(
            "no consumer for this group, {group}"
        )));
    }
    let body = GetConsumerListByGroupResponseBody {
        consumer_id_list: ids,
    };
    match serde_json::to_vec(&body) {
        Ok(v) => Ok(ok(req).with_body(v)),
        Err(e) => Err(CommandError::system(e.to_string())),
    }
}

/// LOCK_BATCH_MQ.
pub fn lock_batch(b: &Broker, req: &RemotingCommand) -> Outcome {
    let body: LockBatchRequestBody = match serde_json::from_slice(&req.body) {
        Ok(v) => v,
        Err(e) => return Err(CommandError::system(format!("bad lock body: {e}"))),
    };
    let locked = b.meta.lock().locks.try_lock_batch(
        &body.consumer_group,
        body.mq_set.iter(),
        &body.client_id,
        crate::store::time::now_ms(),
    );
    let out = LockBatchResponseBody {
        lock_ok_mq_set: locked,
    };
    match serde_json::to_vec(&out) {
        Ok(v) => Ok(ok(req).with_body(v)),
        Err(e) => Err(CommandError::system(e.to_string())),
    }
}

/// UNLOCK_BATCH_MQ.
pub fn unlock_batch(b: &Broker, req: &RemotingCommand) -> Outcome {
    let body: LockBatchRequestBody = match serde_json::from_slice(&req.body) {
        Ok(v) => v,
        Err(e) => return Err(CommandError::system(format!("bad unlock body: {e}"))),
    };
    b.meta
        .lock()
        .locks
        .unlock_batch(&body.consumer_group, body.mq_set.iter(), &body.client_id);
    Ok(resp(req, response::SUCCESS, None))
}
