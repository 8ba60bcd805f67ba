//! ACL 1.0 accounts (docs/acl.md): `GET /api/acl` reads GET_BROKER_CLUSTER_ACL_CONFIG (54) from
//! every master (`{"enabled": false}` when the brokers run without ACL),
//! `POST /api/acl/accounts` creates or updates an account with UPDATE_AND_CREATE_ACL_CONFIG
//! (50) on every master, `DELETE /api/acl/accounts/{accessKey}` removes it (DELETE_ACL_CONFIG,
//! 51), as rocketmq-dashboard's ACL page and mqadmin's updateAclConfig / deleteAccessConfig.

use actix_web::web;
use serde::{Deserialize, Serialize};

use super::{ok, ApiResult, Data};
use crate::acl::PlainAccessConfig;
use crate::client::MqError;
use crate::codec::codes::request;
use crate::codec::RemotingCommand;
use crate::dashboard::ApiError;

/// The broker's refusal when it runs without ACL (`aclEnable=false`).
fn acl_off(e: &MqError) -> bool {
    matches!(e, MqError::Response { remark, .. } if remark.contains("ACL is not enabled"))
}

#[derive(Deserialize, Serialize, Default)]
#[serde(rename_all = "camelCase")]
struct ClusterAcl {
    #[serde(default)]
    global_white_addrs: Vec<String>,
    #[serde(default)]
    plain_access_configs: Vec<PlainAccessConfig>,
}

pub async fn get(st: Data) -> ApiResult {
    let masters = st.masters().await?;
    let mut brokers = serde_json::Map::new();
    for (name, addr) in &masters {
        let cmd = RemotingCommand::request(request::GET_BROKER_CLUSTER_ACL_CONFIG);
        match st.admin.call(addr, cmd).await {
            Ok(resp) => {
                let v: ClusterAcl = crate::protocol::fastjson::from_lenient_slice(&resp.body)
                    .map_err(|e| {
                        MqError::bad(addr, request::GET_BROKER_CLUSTER_ACL_CONFIG, e.to_string())
                    })?;
                brokers.insert(name.clone(), serde_json::to_value(v).unwrap_or_default());
            }
            Err(e) if acl_off(&e) => continue,
            Err(e) => return Err(e.into()),
        }
    }
    ok(&serde_json::json!({ "enabled": !brokers.is_empty(), "brokers": brokers }))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Account {
    access_key: String,
    secret_key: String,
    #[serde(default)]
    white_remote_address: Option<String>,
    #[serde(default)]
    admin: bool,
    #[serde(default)]
    default_topic_perm: Option<String>,
    #[serde(default)]
    default_group_perm: Option<String>,
    #[serde(default)]
    topic_perms: Vec<String>,
    #[serde(default)]
    group_perms: Vec<String>,
}

pub async fn update(st: Data, body: web::Json<Account>) -> ApiResult {
    let a = body.into_inner();
    if a.access_key.len() < 6 || a.secret_key.len() < 6 {
        // Java `PlainAccessValidator`'s rule, checked here for a clear message.
        return Err(ApiError::bad(
            "accessKey and secretKey need at least 6 characters",
        ));
    }
    let mut done = Vec::new();
    for (name, addr) in st.masters().await? {
        let mut cmd = RemotingCommand::request(request::UPDATE_AND_CREATE_ACL_CONFIG)
            .with_ext("accessKey", &a.access_key)
            .with_ext("secretKey", &a.secret_key)
            .with_ext("admin", a.admin)
            .with_ext("topicPerms", a.topic_perms.join(","))
            .with_ext("groupPerms", a.group_perms.join(","));
        cmd.put_ext_opt("whiteRemoteAddress", a.white_remote_address.as_deref());
        cmd.put_ext_opt("defaultTopicPerm", a.default_topic_perm.as_deref());
        cmd.put_ext_opt("defaultGroupPerm", a.default_group_perm.as_deref());
        st.admin.call(&addr, cmd).await?;
        done.push(name);
    }
    ok(&serde_json::json!({ "accessKey": a.access_key, "brokers": done }))
}

pub async fn delete(st: Data, path: web::Path<String>) -> ApiResult {
    let key = path.into_inner();
    let mut done = Vec::new();
    for (name, addr) in st.masters().await? {
        let cmd = RemotingCommand::request(request::DELETE_ACL_CONFIG).with_ext("accessKey", &key);
        st.admin.call(&addr, cmd).await?;
        done.push(name);
    }
    ok(&serde_json::json!({ "accessKey": key, "brokers": done }))
}
