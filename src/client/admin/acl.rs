//! The client side of the ACL 1.0 admin codes 50–54 (docs/acl.md), shared by
//! `rocketactor admin` (updateAclConfig, deleteAclConfig, updateGlobalWhiteAddr,
//! clusterAclConfigVersion, getAccessConfigSubCommand) and the dashboard's ACL page, as Java's
//! `MQClientAPIImpl.createPlainAccessConfig` / `deleteAccessConfig` /
//! `updateGlobalWhiteAddrsConfig` / `getBrokerClusterAclInfo` / `getBrokerClusterConfig`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::Admin;
use crate::acl::PlainAccessConfig;
use crate::client::MqError;
use crate::codec::codes::request;
use crate::codec::RemotingCommand;
use crate::protocol::fastjson::from_lenient_slice;
use crate::protocol::topic::DataVersion;

/// The body of GET_BROKER_CLUSTER_ACL_CONFIG (54): Java's `AclConfig`.
#[derive(Debug, Clone, Deserialize, Serialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct ClusterAcl {
    #[serde(default)]
    pub global_white_addrs: Vec<String>,
    #[serde(default)]
    pub plain_access_configs: Vec<PlainAccessConfig>,
}

/// The header of GET_BROKER_CLUSTER_ACL_INFO (52): Java's `ClusterAclVersionInfo`.
#[derive(Debug, Clone, Default)]
pub struct AclVersionInfo {
    pub broker_name: String,
    pub broker_addr: String,
    pub cluster_name: String,
    /// The default ACL file's data version.
    pub version: DataVersion,
    /// Every ACL file's data version, by path.
    pub all: BTreeMap<String, DataVersion>,
}

/// Whether `e` is the broker's refusal because it runs without ACL (`aclEnable=false`).
pub fn acl_disabled(e: &MqError) -> bool {
    matches!(e, MqError::Response { remark, .. } if remark.contains("ACL is not enabled"))
}

impl Admin {
    /// UPDATE_AND_CREATE_ACL_CONFIG (50): creates or updates the account `a` (its access key).
    pub async fn update_acl_account(
        &self,
        addr: &str,
        a: &PlainAccessConfig,
    ) -> Result<(), MqError> {
        let mut cmd = RemotingCommand::request(request::UPDATE_AND_CREATE_ACL_CONFIG)
            .with_ext("admin", a.admin);
        cmd.put_ext_opt("accessKey", a.access_key.as_deref());
        cmd.put_ext_opt("secretKey", a.secret_key.as_deref());
        cmd.put_ext_opt("whiteRemoteAddress", a.white_remote_address.as_deref());
        cmd.put_ext_opt("defaultTopicPerm", a.default_topic_perm.as_deref());
        cmd.put_ext_opt("defaultGroupPerm", a.default_group_perm.as_deref());
        if let Some(t) = &a.topic_perms {
            cmd.put_ext("topicPerms", t.join(","));
        }
        if let Some(g) = &a.group_perms {
            cmd.put_ext("groupPerms", g.join(","));
        }
        self.call(addr, cmd).await.map(|_| ())
    }

    /// DELETE_ACL_CONFIG (51): removes the account `access_key`.
    pub async fn delete_acl_account(&self, addr: &str, access_key: &str) -> Result<(), MqError> {
        let cmd =
            RemotingCommand::request(request::DELETE_ACL_CONFIG).with_ext("accessKey", access_key);
        self.call(addr, cmd).await.map(|_| ())
    }

    /// UPDATE_GLOBAL_WHITE_ADDRS_CONFIG (53): replaces the global white list (comma separated)
    /// of the default ACL file, or of `file` when given (4.9.7's `aclFileFullPath`).
    pub async fn update_global_white_addrs(
        &self,
        addr: &str,
        addrs: &str,
        file: Option<&str>,
    ) -> Result<(), MqError> {
        let mut cmd = RemotingCommand::request(request::UPDATE_GLOBAL_WHITE_ADDRS_CONFIG)
            .with_ext("globalWhiteAddrs", addrs);
        cmd.put_ext_opt("aclFileFullPath", file);
        self.call(addr, cmd).await.map(|_| ())
    }

    /// GET_BROKER_CLUSTER_ACL_INFO (52): the ACL data versions of the broker at `addr`.
    pub async fn acl_versions(&self, addr: &str) -> Result<AclVersionInfo, MqError> {
        let code = request::GET_BROKER_CLUSTER_ACL_INFO;
        let resp = self.call(addr, RemotingCommand::request(code)).await?;
        let text = |k: &str| resp.ext(k).unwrap_or_default().to_owned();
        let version = match resp.ext("version") {
            Some(v) => from_lenient_slice(v.as_bytes())
                .map_err(|e| MqError::bad(addr, code, format!("version: {e}")))?,
            None => DataVersion::default(),
        };
        let all = match resp.ext("allAclFileVersion") {
            Some(v) => from_lenient_slice(v.as_bytes())
                .map_err(|e| MqError::bad(addr, code, format!("allAclFileVersion: {e}")))?,
            None => BTreeMap::new(),
        };
        Ok(AclVersionInfo {
            broker_name: text("brokerName"),
            broker_addr: text("brokerAddr"),
            cluster_name: text("clusterName"),
            version,
            all,
        })
    }

    /// GET_BROKER_CLUSTER_ACL_CONFIG (54): the global white list and every account.
    pub async fn cluster_acl_config(&self, addr: &str) -> Result<ClusterAcl, MqError> {
        self.call_json(
            addr,
            RemotingCommand::request(request::GET_BROKER_CLUSTER_ACL_CONFIG),
        )
        .await
    }
}
