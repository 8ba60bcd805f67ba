//! PULL_MESSAGE (11) and LITE_PULL_MESSAGE (361): checks, filters (tag and SQL92, src/filter/),
//! offset commits and long-poll parking; the store read itself is `pull_read`.

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::actors::remoting::{ConnHandle, Reply};
use crate::broker::node::state::Broker;
pub use crate::broker::processors::pull_read::{execute, PullJob, TagFilter};
use crate::broker::processors::reply::{error, resp};
use crate::broker::queues::Parked;
use crate::codec::codes::response;
use crate::codec::headers::PullMessageRequestHeader;
use crate::codec::RemotingCommand;
use crate::filter::{self, Selector};
use crate::protocol::heartbeat::{java_string_hash, MessageModel};
use crate::protocol::topic::perm;

/// Handles one pull request.
pub fn handle(b: &Arc<Broker>, _conn: &ConnHandle, req: RemotingCommand) -> Reply {
    let job = match check(b, &req) {
        Ok(j) => j,
        Err(r) => return Reply::now(r),
    };
    if job.header.has_commit_offset() && !b.is_slave() {
        let h = &job.header;
        b.meta.lock().offsets.commit(
            "pull",
            &h.consumer_group,
            &h.topic,
            h.queue_id,
            h.commit_offset,
        );
        b.dirty.offsets.store(true, Ordering::Release);
    }
    let resp = execute(b, &job);
    let suspend = job.header.has_suspend() && resp.code == response::PULL_NOT_FOUND;
    if !suspend || !b.queues.is_started() {
        return Reply::now(resp);
    }
    let live = b.live.get();
    let timeout = if live.long_polling_enable {
        Duration::from_millis(job.header.suspend_timeout_millis.max(0) as u64)
    } else {
        Duration::from_millis(live.short_polling_time_mills)
    };
    // Parked on the topic's queue actor (src/broker/queues/); given back when a message
    // landed since the read, then answered at once the way a wake-up is.
    let (responder, reply) = Reply::channel();
    let parked = Parked {
        job,
        responder,
        deadline: Instant::now() + timeout,
    };
    if let Err(p) = b.queues.park(parked) {
        p.answer(b.as_ref());
    }
    reply
}

fn check(b: &Broker, req: &RemotingCommand) -> Result<PullJob, RemotingCommand> {
    let h = PullMessageRequestHeader::from_command(req).map_err(|e| error(req, e.to_string()))?;
    if !perm::is_readable(b.live.get().broker_permission as i32) {
        return Err(resp(
            req,
            response::NO_PERMISSION,
            Some(format!(
                "the broker[{}] pulling message is forbidden",
                b.cfg.broker_ip1
            )),
        ));
    }
    let mut meta = b.meta.lock();
    let Some(group) = meta.groups.find_or_create(
        &h.consumer_group,
        b.live.get().auto_create_subscription_group,
    ) else {
        return Err(resp(
            req,
            response::SUBSCRIPTION_GROUP_NOT_EXIST,
            Some(format!(
                "subscription group [{}] does not exist",
                h.consumer_group
            )),
        ));
    };
    if group.created {
        b.dirty.groups.store(true, Ordering::Release);
    }
    if !group.config.consume_enable {
        return Err(resp(
            req,
            response::NO_PERMISSION,
            Some(format!(
                "subscription group no permission, {}",
                h.consumer_group
            )),
        ));
    }
    let Some(tc) = meta.topics.select(&h.topic) else {
        return Err(resp(
            req,
            response::TOPIC_NOT_EXIST,
            Some(format!("topic[{}] not exist, apply first please!", h.topic)),
        ));
    };
    if !perm::is_readable(tc.perm) {
        return Err(resp(
            req,
            response::NO_PERMISSION,
            Some(format!(
                "the topic[{}] pulling message is forbidden",
                h.topic
            )),
        ));
    }
    if h.queue_id < 0 || h.queue_id >= tc.read_queue_nums {
        return Err(error(
            req,
            format!(
                "queueId[{}] is illegal, topic:[{}] topicConfig.readQueueNums:[{}]",
                h.queue_id, h.topic, tc.read_queue_nums
            ),
        ));
    }
    let (filter, sql) = if h.has_subscription() {
        header_filter(b, req, &h)?
    } else {
        // PullMessageProcessor without the subscription flag: the group must be online, may
        // consume by broadcast only if its config allows it, and its subscription must be at
        // least as new as the pull's subVersion.
        let Some(info) = meta.consumers.group(&h.consumer_group) else {
            return Err(resp(
                req,
                response::SUBSCRIPTION_NOT_EXIST,
                Some("the consumer's group info not exist".into()),
            ));
        };
        if !group.config.consume_broadcast_enable
            && info.message_model == MessageModel::Broadcasting
        {
            return Err(resp(
                req,
                response::NO_PERMISSION,
                Some(format!(
                    "the consumer group[{}] can not consume by broadcast way",
                    h.consumer_group
                )),
            ));
        }
        let Some(sd) = meta
            .consumers
            .find_subscription(&h.consumer_group, &h.topic)
        else {
            return Err(resp(
                req,
                response::SUBSCRIPTION_NOT_EXIST,
                Some("the consumer's subscription not exist".into()),
            ));
        };
        if sd.sub_version < h.sub_version {
            return Err(resp(
                req,
                response::SUBSCRIPTION_NOT_LATEST,
                Some("the consumer's subscription not latest".into()),
            ));
        }
        if filter::is_tag_type(Some(&sd.expression_type)) {
            // Java trusts codeSet alone. rocketmq-client-rust 1.0.0 hashes the untrimmed tags
            // of `A || B` ("A ", " B"), so the trimmed tags' hashes are accepted as well; for
            // every other client they are the same codes.
            let tags = TagFilter::from_codes(
                sd.is_sub_all(),
                sd.code_set
                    .iter()
                    .copied()
                    .chain(sd.tags_set.iter().map(|t| java_string_hash(t.trim()))),
            );
            (tags, None)
        } else {
            let expr_type = sd.expression_type.clone();
            let sel = registered_filter(b, req, &meta, &h, &expr_type)?;
            (TagFilter::default(), Some(sel))
        }
    };
    let suggest_broker_id = if b.live.get().slave_read_enable {
        group.config.broker_id
    } else {
        0
    };
    let mut head = req.clone();
    head.body = Default::default();
    Ok(PullJob {
        req: head,
        header: h,
        filter,
        sql,
        suggest_broker_id,
    })
}

fn property_filter_disabled(req: &RemotingCommand, expr_type: &str) -> RemotingCommand {
    error(
        req,
        format!("The broker does not support consumer to filter message by {expr_type}"),
    )
}

/// The filter of a pull that carries its subscription (sysFlag 0x4): TAG expressions as
/// before, SQL92 compiled here (Java `FilterAPI.build` + `ConsumerFilterManager.build`).
/// **Ours:** an expression that does not compile answers SUBSCRIPTION_PARSE_FAILED (23);
/// Java 4.9.7 drops the filter there (an `assert`) and delivers every message.
fn header_filter(
    b: &Broker,
    req: &RemotingCommand,
    h: &PullMessageRequestHeader,
) -> Result<(TagFilter, Option<Arc<Selector>>), RemotingCommand> {
    let expr_type = h.expression_type.as_deref();
    if filter::is_tag_type(expr_type) {
        let tags = TagFilter::from_expression(h.subscription.as_deref().unwrap_or("*"));
        return Ok((tags, None));
    }
    let expr_type = expr_type.unwrap_or_default();
    let parse_failed = || {
        resp(
            req,
            response::SUBSCRIPTION_PARSE_FAILED,
            Some("parse the consumer's subscription failed".into()),
        )
    };
    let sub = h.subscription.as_deref().unwrap_or_default();
    if sub.is_empty() {
        return Err(parse_failed());
    }
    if !b.cfg.enable_property_filter {
        return Err(property_filter_disabled(req, expr_type));
    }
    let sel = filter::compile(expr_type, sub).map_err(|_| parse_failed())?;
    Ok((TagFilter::default(), Some(Arc::new(sel))))
}

/// The SQL92 filter registered by the group's heartbeats (Java: FILTER_DATA_NOT_EXIST when
/// missing — e.g. the expression did not compile —, FILTER_DATA_NOT_LATEST when older than
/// the pull's `subVersion`, then SYSTEM_ERROR when `enablePropertyFilter` is off).
fn registered_filter(
    b: &Broker,
    req: &RemotingCommand,
    meta: &crate::broker::node::state::Meta,
    h: &PullMessageRequestHeader,
    expr_type: &str,
) -> Result<Arc<Selector>, RemotingCommand> {
    let Some(fd) = meta.filters.get(&h.topic, &h.consumer_group) else {
        return Err(resp(
            req,
            response::FILTER_DATA_NOT_EXIST,
            Some(
                "The broker's consumer filter data is not exist!Your expression may be wrong!"
                    .into(),
            ),
        ));
    };
    if fd.client_version < h.sub_version {
        return Err(resp(
            req,
            response::FILTER_DATA_NOT_LATEST,
            Some("the consumer's consumer filter data not latest".into()),
        ));
    }
    if !b.cfg.enable_property_filter {
        return Err(property_filter_disabled(req, expr_type));
    }
    Ok(fd.selector.clone())
}
