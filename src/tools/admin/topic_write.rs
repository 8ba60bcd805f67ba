//! The topic writes: updateTopic, deleteTopic, updateTopicPerm (Java
//! `UpdateTopicSubCommand`, `DeleteTopicSubCommand`, `UpdateTopicPermSubCommand`).

use std::fmt::Write as _;

use super::args::{opt, req, usage};
use super::{AdminError, Command, Ctx};
use crate::protocol::topic::{perm, TopicConfig, TopicFilterType};

pub static UPDATE_TOPIC: Command = Command {
    name: "updateTopic",
    desc: "Update or create topic",
    java: "UpdateTopicSubCommand",
    opts: &[
        opt('b', "brokerAddr", "create topic to which broker"),
        opt('c', "clusterName", "create topic to which cluster"),
        req('t', "topic", "topic name"),
        opt('r', "readQueueNums", "set read queue nums"),
        opt('w', "writeQueueNums", "set write queue nums"),
        opt(
            'p',
            "perm",
            "set topic's permission(2|4|6), intro[2:W 4:R; 6:RW]",
        ),
        opt('o', "order", "set topic's order(true|false)"),
        opt('u', "unit", "is unit topic (true|false)"),
        opt('s', "hasUnitSub", "has unit sub (true|false)"),
    ],
};

pub static DELETE_TOPIC: Command = Command {
    name: "deleteTopic",
    desc: "Delete topic from broker and NameServer.",
    java: "DeleteTopicSubCommand",
    opts: &[
        req('t', "topic", "topic name"),
        req('c', "clusterName", "delete topic from which cluster"),
    ],
};

pub static UPDATE_TOPIC_PERM: Command = Command {
    name: "updateTopicPerm",
    desc: "Update topic perm",
    java: "UpdateTopicPermSubCommand",
    opts: &[
        opt('b', "brokerAddr", "create topic to which broker"),
        opt('c', "clusterName", "create topic to which cluster"),
        req('t', "topic", "topic name"),
        req(
            'p',
            "perm",
            "set topic's permission(2|4|6), intro[2:W; 4:R; 6:RW]",
        ),
    ],
};

/// `PermName.perm2String`: `RW-` style.
pub fn perm_string(p: i32) -> String {
    let bit = |m: i32, c: char| if p & m != 0 { c } else { '-' };
    [
        bit(perm::READ, 'R'),
        bit(perm::WRITE, 'W'),
        bit(perm::INHERIT, 'X'),
    ]
    .iter()
    .collect()
}

/// Java's `TopicConfig.toString`.
pub fn topic_config_string(tc: &TopicConfig) -> String {
    let filter = match tc.topic_filter_type {
        TopicFilterType::SingleTag => "SINGLE_TAG",
        TopicFilterType::MultiTag => "MULTI_TAG",
    };
    format!(
        "TopicConfig [topicName={}, readQueueNums={}, writeQueueNums={}, perm={}, topicFilterType={}, topicSysFlag={}, order={}]",
        tc.topic_name,
        tc.read_queue_nums,
        tc.write_queue_nums,
        perm_string(tc.perm),
        filter,
        tc.topic_sys_flag,
        tc.order
    )
}

pub async fn update_topic(c: &Ctx, out: &mut String) -> Result<(), AdminError> {
    let p = &c.p;
    let mut tc = TopicConfig::new(p.must('t')?, 8, 8, perm::READ | perm::WRITE);
    if let Some(r) = p.num('r')? {
        tc.read_queue_nums = r;
    }
    if let Some(w) = p.num('w')? {
        tc.write_queue_nums = w;
    }
    if let Some(pm) = p.num('p')? {
        tc.perm = pm;
    }
    // TopicSysFlag.buildSysFlag(unit, unitSub)
    let unit = p.bool_of('u').unwrap_or(false);
    let unit_sub = p.bool_of('s').unwrap_or(false);
    tc.topic_sys_flag = i32::from(unit) | (i32::from(unit_sub) << 1);
    tc.order = p.bool_of('o').unwrap_or(false);
    if let Some(addr) = p.get('b') {
        c.admin.create_topic(addr, &tc).await?;
        let _ = writeln!(out, "create topic to {addr} success.");
        out.push_str(&topic_config_string(&tc));
        return Ok(());
    }
    if let Some(cluster) = p.get('c') {
        for addr in c.masters_of(cluster, out).await? {
            c.admin.create_topic(&addr, &tc).await?;
            let _ = writeln!(out, "create topic to {addr} success.");
        }
        out.push_str(&topic_config_string(&tc));
        return Ok(());
    }
    out.push_str(&usage(UPDATE_TOPIC.name, UPDATE_TOPIC.opts));
    Ok(())
}

/// `DeleteTopicSubCommand.deleteTopic`: from the cluster's masters, then the name servers.
pub async fn delete_topic_in_cluster(
    c: &Ctx,
    cluster: &str,
    topic: &str,
    out: &mut String,
) -> Result<(), AdminError> {
    for addr in c.masters_of(cluster, out).await? {
        c.admin.delete_topic_in_broker(&addr, topic).await?;
    }
    let _ = writeln!(
        out,
        "delete topic [{topic}] from cluster [{cluster}] success."
    );
    c.admin
        .delete_topic_in_namesrv(topic, Some(cluster))
        .await?;
    let _ = writeln!(out, "delete topic [{topic}] from NameServer success.");
    Ok(())
}

pub async fn delete_topic(c: &Ctx, out: &mut String) -> Result<(), AdminError> {
    let topic = c.p.must('t')?;
    let cluster = c.p.must('c')?;
    c.namesrv()?;
    delete_topic_in_cluster(c, cluster, topic, out).await
}

pub async fn update_topic_perm(c: &Ctx, out: &mut String) -> Result<(), AdminError> {
    let topic = c.p.must('t')?;
    let new_perm: i32 = c.p.num('p')?.unwrap_or(0);
    let route = super::topic::route(c, topic).await?;
    let Some(q0) = route.queue_datas.first() else {
        return Err(AdminError::Failed(format!("topic {topic} has no queues")));
    };
    let mut tc = TopicConfig::new(topic, q0.read_queue_nums, q0.write_queue_nums, new_perm);
    tc.topic_sys_flag = q0.topic_sys_flag;
    if let Some(addr) = c.p.get('b') {
        let name = route
            .broker_datas
            .iter()
            .find(|bd| bd.broker_addrs.get(&0).map(String::as_str) == Some(addr))
            .map(|bd| bd.broker_name.clone());
        let Some(name) = name else {
            let _ = writeln!(
                out,
                "updateTopicPerm error broker not exit or broker is not master!."
            );
            return Ok(());
        };
        let old = route
            .queue_datas
            .iter()
            .find(|q| q.broker_name == name)
            .map(|q| q.perm)
            .unwrap_or(0);
        if old == new_perm {
            let _ = writeln!(out, "new perm equals to the old one!");
            return Ok(());
        }
        c.admin.create_topic(addr, &tc).await?;
        let _ = writeln!(
            out,
            "update topic perm from {old} to {new_perm} in {addr} success."
        );
        let _ = writeln!(out, "{}.", topic_config_string(&tc));
        return Ok(());
    }
    if let Some(cluster) = c.p.get('c') {
        for addr in c.masters_of(cluster, out).await? {
            c.admin.create_topic(&addr, &tc).await?;
            let _ = writeln!(
                out,
                "update topic perm from {} to {new_perm} in {addr} success.",
                q0.perm
            );
        }
        return Ok(());
    }
    out.push_str(&usage(UPDATE_TOPIC_PERM.name, UPDATE_TOPIC_PERM.opts));
    Ok(())
}
