//! The subscription-group writes: updateSubGroup, deleteSubGroup (Java
//! `UpdateSubGroupSubCommand`, `DeleteSubscriptionGroupCommand`).

use std::fmt::Write as _;

use super::args::{opt, req, usage};
use super::{AdminError, Command, Ctx};
use crate::protocol::subscription::SubscriptionGroupConfig;

pub static UPDATE_SUB_GROUP: Command = Command {
    name: "updateSubGroup",
    desc: "Update or create subscription group",
    java: "UpdateSubGroupSubCommand",
    opts: &[
        opt(
            'b',
            "brokerAddr",
            "create subscription group to which broker",
        ),
        opt(
            'c',
            "clusterName",
            "create subscription group to which cluster",
        ),
        req('g', "groupName", "consumer group name"),
        opt('s', "consumeEnable", "consume enable"),
        opt('m', "consumeFromMinEnable", "from min offset"),
        opt('d', "consumeBroadcastEnable", "broadcast"),
        opt('q', "retryQueueNums", "retry queue nums"),
        opt('r', "retryMaxTimes", "retry max times"),
        opt('i', "brokerId", "consumer from which broker id"),
        opt(
            'w',
            "whichBrokerWhenConsumeSlowly",
            "which broker id when consume slowly",
        ),
        opt('a', "notifyConsumerIdsChanged", "notify consumerId changed"),
    ],
};

pub static DELETE_SUB_GROUP: Command = Command {
    name: "deleteSubGroup",
    desc: "Delete subscription group from broker.",
    java: "DeleteSubscriptionGroupCommand",
    opts: &[
        opt(
            'b',
            "brokerAddr",
            "delete subscription group from which broker",
        ),
        opt(
            'c',
            "clusterName",
            "delete subscription group from which cluster",
        ),
        req('g', "groupName", "subscription group name"),
        opt('r', "removeOffset", "remove offset"),
    ],
};

/// Java's `SubscriptionGroupConfig.toString`.
pub fn group_config_string(g: &SubscriptionGroupConfig) -> String {
    format!(
        "SubscriptionGroupConfig [groupName={}, consumeEnable={}, consumeFromMinEnable={}, consumeBroadcastEnable={}, retryQueueNums={}, retryMaxTimes={}, brokerId={}, whichBrokerWhenConsumeSlowly={}, notifyConsumerIdsChangedEnable={}]",
        g.group_name,
        g.consume_enable,
        g.consume_from_min_enable,
        g.consume_broadcast_enable,
        g.retry_queue_nums,
        g.retry_max_times,
        g.broker_id,
        g.which_broker_when_consume_slowly,
        g.notify_consumer_ids_changed_enable
    )
}

pub async fn update_sub_group(c: &Ctx, out: &mut String) -> Result<(), AdminError> {
    let p = &c.p;
    let mut g = SubscriptionGroupConfig::new(p.must('g')?);
    g.consume_broadcast_enable = false;
    g.consume_from_min_enable = false;
    if let Some(v) = p.bool_of('s') {
        g.consume_enable = v;
    }
    if let Some(v) = p.bool_of('m') {
        g.consume_from_min_enable = v;
    }
    if let Some(v) = p.bool_of('d') {
        g.consume_broadcast_enable = v;
    }
    if let Some(v) = p.num('q')? {
        g.retry_queue_nums = v;
    }
    if let Some(v) = p.num('r')? {
        g.retry_max_times = v;
    }
    if let Some(v) = p.num('i')? {
        g.broker_id = v;
    }
    if let Some(v) = p.num('w')? {
        g.which_broker_when_consume_slowly = v;
    }
    if let Some(v) = p.bool_of('a') {
        g.notify_consumer_ids_changed_enable = v;
    }
    if let Some(addr) = p.get('b') {
        c.admin.create_subscription_group(addr, &g).await?;
        let _ = writeln!(out, "create subscription group to {addr} success.");
        out.push_str(&group_config_string(&g));
        return Ok(());
    }
    if let Some(cluster) = p.get('c') {
        for addr in c.masters_of(cluster, out).await? {
            match c.admin.create_subscription_group(&addr, &g).await {
                Ok(()) => {
                    let _ = writeln!(out, "create subscription group to {addr} success.");
                }
                Err(e) => eprintln!("{addr}: {e}"),
            }
        }
        out.push_str(&group_config_string(&g));
        return Ok(());
    }
    out.push_str(&usage(UPDATE_SUB_GROUP.name, UPDATE_SUB_GROUP.opts));
    Ok(())
}

pub async fn delete_sub_group(c: &Ctx, out: &mut String) -> Result<(), AdminError> {
    let group = c.p.must('g')?;
    let remove_offset = c.p.bool_of('r').unwrap_or(false);
    if let Some(addr) = c.p.get('b') {
        c.admin
            .delete_subscription_group(addr, group, remove_offset)
            .await?;
        let _ = writeln!(
            out,
            "delete subscription group [{group}] from broker [{addr}] success."
        );
        return Ok(());
    }
    if let Some(cluster) = c.p.get('c') {
        for addr in c.masters_of(cluster, out).await? {
            c.admin
                .delete_subscription_group(&addr, group, remove_offset)
                .await?;
            let _ = writeln!(
                out,
                "delete subscription group [{group}] from broker [{addr}] in cluster [{cluster}] success."
            );
        }
        for prefix in ["%RETRY%", "%DLQ%"] {
            let topic = format!("{prefix}{group}");
            if let Err(e) =
                super::topic_write::delete_topic_in_cluster(c, cluster, &topic, out).await
            {
                eprintln!("{}", e.cause_line());
            }
        }
        return Ok(());
    }
    out.push_str(&usage(DELETE_SUB_GROUP.name, DELETE_SUB_GROUP.opts));
    Ok(())
}
