//! ACL 1.0 accounts (docs/acl.md): `GET /api/acl` reads GET_BROKER_CLUSTER_ACL_CONFIG (54) from
//! every master (`{"enabled": false}` when the brokers run without ACL),
//! `POST /api/acl/accounts` creates or updates an account with UPDATE_AND_CREATE_ACL_CONFIG
//! (50) on every master, `DELETE /api/acl/accounts/{accessKey}` removes it (DELETE_ACL_CONFIG,
//! 51), as rocketmq-dashboard's ACL page and mqadmin's updateAclConfig / deleteAclConfig; the calls are
//! `client::admin`'s (src/client/admin/acl.rs).

use actix_web::web;
use serde::Deserialize;

use super::{ok, ApiResult, Data};
use crate::acl::PlainAccessConfig;
use crate::client::admin::acl_disabled;
use crate::dashboard::ApiError;

pub async fn get(st: Data) -> ApiResult {
    let masters = st.masters().await?;
    let mut brokers = serde_json::Map::new();
    for (name, addr) in &masters {
        match st.admin.cluster_acl_config(addr).await {
            Ok(v) => {
                brokers.insert(name.clone(), serde_json::to_value(v).unwrap_or_default());
            }
            Err(e) if acl_disabled(&e) => continue,
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
    let account = PlainAccessConfig {
        access_key: Some(a.access_key.clone()),
        secret_key: Some(a.secret_key),
        white_remote_address: a.white_remote_address,
        admin: a.admin,
        default_topic_perm: a.default_topic_perm,
        default_group_perm: a.default_group_perm,
        topic_perms: Some(a.topic_perms),
        group_perms: Some(a.group_perms),
    };
    let mut done = Vec::new();
    for (name, addr) in st.masters().await? {
        st.admin.update_acl_account(&addr, &account).await?;
        done.push(name);
    }
    ok(&serde_json::json!({ "accessKey": a.access_key, "brokers": done }))
}

pub async fn delete(st: Data, path: web::Path<String>) -> ApiResult {
    let key = path.into_inner();
    let mut done = Vec::new();
    for (name, addr) in st.masters().await? {
        st.admin.delete_acl_account(&addr, &key).await?;
        done.push(name);
    }
    ok(&serde_json::json!({ "accessKey": key, "brokers": done }))
}
