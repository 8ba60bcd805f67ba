//! `GET /api/producers?group=G[&topic=T]`: the online producers of group `G`
//! (GET_PRODUCER_CONNECTION_LIST, 204) on every master of topic `T`'s route (every master
//! when no topic is given), as rocketmq-dashboard's producer page.

use std::collections::BTreeSet;

use actix_web::web;
use serde::Deserialize;

use super::{ok, ApiResult, Data};
use crate::dashboard::ApiError;
use crate::protocol::admin::Connection;

#[derive(Deserialize)]
pub struct Query {
    group: String,
    topic: Option<String>,
}

pub async fn list(st: Data, q: web::Query<Query>) -> ApiResult {
    let q = q.into_inner();
    if q.group.trim().is_empty() {
        return Err(ApiError::bad("`group` (the producer group) is needed"));
    }
    let addrs: Vec<(String, String)> = match q.topic.as_deref().filter(|t| !t.is_empty()) {
        Some(topic) => st
            .admin
            .name_server()?
            .topic_route(topic)
            .await?
            .broker_datas
            .iter()
            .filter_map(|bd| {
                bd.master_addr()
                    .map(|a| (bd.broker_name.clone(), a.to_owned()))
            })
            .collect(),
        None => st.masters().await?.into_iter().collect(),
    };
    let mut conns: BTreeSet<Connection> = BTreeSet::new();
    let mut errors = Vec::new();
    for (_, addr) in &addrs {
        match st.admin.producer_connections(addr, &q.group).await {
            Ok(p) => conns.extend(p.connection_set),
            Err(e) => errors.push(e.to_string()),
        }
    }
    ok(&serde_json::json!({ "group": q.group, "connections": conns, "errors": errors }))
}
