//! `rocketactor admin <command>`: mqadmin's sub-commands (names, options, output shapes of
//! rocketmq-tools 4.9.7) built on the project's client, so an operator needs no JVM. See
//! docs/admin.md for the command list. Each family of commands lives in its own file; this
//! file holds the command table, the name-server address rule (`-n`, else `NAMESRV_ADDR`, as
//! mqadmin reads it) and the cluster lookups of Java's `CommandUtil`.

pub mod args;
pub mod error;
pub mod output;
pub mod versions;

mod acl;
mod cluster;
mod credentials;
mod export;
mod group;
mod group_write;
mod message;
mod namesrv;
mod offset;
mod print;
mod topic;
mod topic_write;

use std::collections::BTreeMap;

use args::{OptSpec, Parsed};
pub use error::AdminError;

use crate::client::{Admin, MqError};
use crate::protocol::cluster::ClusterInfo;

/// One sub-command: its mqadmin name, description, Java class (for the failure line) and
/// options.
pub struct Command {
    pub name: &'static str,
    pub desc: &'static str,
    pub java: &'static str,
    pub opts: &'static [OptSpec],
}

/// Every command, in mqadmin's help order.
pub fn commands() -> Vec<&'static Command> {
    vec![
        &topic_write::UPDATE_TOPIC,
        &topic_write::DELETE_TOPIC,
        &group_write::UPDATE_SUB_GROUP,
        &group_write::DELETE_SUB_GROUP,
        &cluster::UPDATE_BROKER_CONFIG,
        &topic_write::UPDATE_TOPIC_PERM,
        &topic::TOPIC_ROUTE,
        &topic::TOPIC_STATUS,
        &topic::TOPIC_CLUSTER_LIST,
        &cluster::BROKER_STATUS,
        &message::QUERY_MSG_BY_ID,
        &message::QUERY_MSG_BY_KEY,
        &message::QUERY_MSG_BY_UNIQUE_KEY,
        &message::QUERY_MSG_BY_OFFSET,
        &print::PRINT_MSG,
        &print::SEND_MESSAGE,
        &print::CONSUME_MESSAGE,
        &group::PRODUCER_CONNECTION,
        &group::CONSUMER_CONNECTION,
        &group::CONSUMER_PROGRESS,
        &group::CONSUMER_STATUS,
        &offset::CLONE_GROUP_OFFSET,
        &cluster::CLUSTER_LIST,
        &topic::TOPIC_LIST,
        &namesrv::UPDATE_KV_CONFIG,
        &namesrv::DELETE_KV_CONFIG,
        &namesrv::WIPE_WRITE_PERM,
        &namesrv::ADD_WRITE_PERM,
        &offset::RESET_OFFSET_BY_TIME,
        &offset::SKIP_ACCUMULATED_MESSAGE,
        &export::STATS_ALL,
        &cluster::GET_BROKER_CONFIG,
        &export::EXPORT_METADATA,
        &acl::UPDATE_ACL_CONFIG,
        &acl::DELETE_ACL_CONFIG,
        &acl::UPDATE_GLOBAL_WHITE_ADDR,
        &acl::CLUSTER_ACL_CONFIG_VERSION,
        &acl::GET_ACCESS_CONFIG,
    ]
}

/// What a command runs with: the parsed options and the admin client.
pub struct Ctx {
    pub p: Parsed,
    namesrv: Option<String>,
    pub admin: Admin,
}

impl Ctx {
    /// The name-server list; Java's error when there is none.
    pub fn namesrv(&self) -> Result<&str, AdminError> {
        self.namesrv.as_deref().ok_or_else(|| {
            AdminError::Failed("No name server address, please set it (-n or NAMESRV_ADDR)".into())
        })
    }

    /// GET_BROKER_CLUSTER_INFO from the name server.
    pub async fn cluster_info(&self) -> Result<ClusterInfo, AdminError> {
        self.namesrv()?;
        Ok(self.admin.name_server()?.cluster_info().await?)
    }

    /// `CommandUtil.fetchMasterAddrByClusterName`; `[error] ...` printed for an unknown cluster.
    pub async fn masters_of(
        &self,
        cluster: &str,
        out: &mut String,
    ) -> Result<Vec<String>, AdminError> {
        Ok(self
            .brokers_of(cluster, out)
            .await?
            .into_values()
            .filter_map(|addrs| addrs.get(&0).cloned())
            .collect())
    }

    /// Broker name → (broker id → address) of `cluster`; `[error] ...` printed when unknown.
    pub async fn brokers_of(
        &self,
        cluster: &str,
        out: &mut String,
    ) -> Result<BTreeMap<String, BTreeMap<i64, String>>, AdminError> {
        let info = self.cluster_info().await?;
        let Some(names) = info.cluster_addr_table.get(cluster) else {
            out.push_str(&format!("[error] {CLUSTER_ERROR}"));
            return Ok(BTreeMap::new());
        };
        Ok(names
            .iter()
            .filter_map(|n| {
                info.broker_addr_table
                    .get(n)
                    .map(|bd| (n.clone(), bd.broker_addrs.clone()))
            })
            .collect())
    }

    /// The master address of broker `name`, from the cluster info.
    pub async fn master_of_broker(&self, name: &str) -> Result<String, AdminError> {
        let info = self.cluster_info().await?;
        info.broker_addr_table
            .get(name)
            .and_then(|bd| bd.broker_addrs.get(&0).cloned())
            .ok_or_else(|| MqError::NoBrokerAddr {
                broker_name: name.to_owned(),
            })
            .map_err(AdminError::from)
    }
}

/// Java `CommandUtil.ERROR_MESSAGE`.
pub const CLUSTER_ERROR: &str =
    "Make sure the specified clusterName exists or the name server connected to is correct.";

/// mqadmin's top-level help (`MQAdminStartup.printHelp`).
pub fn help_text() -> String {
    let mut out = String::from("The most commonly used mqadmin commands are:\n");
    for c in commands() {
        out.push_str(&format!("   {:<20} {}\n", c.name, c.desc));
    }
    out.push_str(
        "\nSee 'rocketactor admin help <command>' for more information on a specific command.\n",
    );
    out.push_str(
        "Against brokers with ACL, requests are signed with ROCKETMQ_ACCESS_KEY and \
         ROCKETMQ_SECRET_KEY, else accessKey/secretKey of $ROCKETMQ_HOME/conf/tools.yml.\n",
    );
    out
}

/// What running one command line produced.
pub struct Outcome {
    pub stdout: String,
    pub stderr: String,
    pub code: u8,
}

/// Runs `rocketactor admin ARGS...` (ARGS[0] is the command) and returns what to print.
pub fn run(argv: &[String]) -> Outcome {
    let ok = |stdout: String| Outcome {
        stdout,
        stderr: String::new(),
        code: 0,
    };
    let (name, rest) = match argv.split_first() {
        None => return ok(help_text()),
        Some((n, _)) if n == "--help" || n == "-h" => return ok(help_text()),
        Some((n, r)) => (n.as_str(), r),
    };
    if name == "help" {
        return match rest.first().and_then(|n| find(n)) {
            Some(c) => ok(args::usage(c.name, c.opts)),
            None if rest.is_empty() => ok(help_text()),
            None => ok(format!("The sub command {} not exist.\n", rest[0])),
        };
    }
    let Some(cmd) = find(name) else {
        return Outcome {
            stdout: format!("The sub command {name} not exist.\n"),
            stderr: String::new(),
            code: 2,
        };
    };
    let p = match args::parse(cmd.opts, rest) {
        Ok(p) => p,
        Err(e) => {
            return Outcome {
                stdout: args::usage(cmd.name, cmd.opts),
                stderr: format!("{e}\n"),
                code: 2,
            }
        }
    };
    if p.has('h') {
        return ok(args::usage(cmd.name, cmd.opts));
    }
    let namesrv = p
        .get('n')
        .map(str::to_owned)
        .or_else(|| std::env::var("NAMESRV_ADDR").ok())
        .filter(|s| !s.trim().is_empty());
    let admin = match namesrv.as_deref() {
        Some(ns) => match Admin::new(ns) {
            Ok(a) => a,
            Err(e) => return failed(cmd, String::new(), &AdminError::from(e)),
        },
        None => Admin::brokers_only(),
    };
    let admin = match credentials::from_env() {
        Some(creds) => admin.with_credentials(creds),
        None => admin,
    };
    let ctx = Ctx { p, namesrv, admin };
    let rt = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => return failed(cmd, String::new(), &AdminError::Failed(e.to_string())),
    };
    let mut out = String::new();
    match rt.block_on(dispatch(cmd.name, &ctx, &mut out)) {
        Ok(()) => ok(out),
        Err(e) => failed(cmd, out, &e),
    }
}

fn failed(cmd: &Command, stdout: String, e: &AdminError) -> Outcome {
    Outcome {
        stdout,
        stderr: format!(
            "org.apache.rocketmq.tools.command.SubCommandException: {} command failed\nCaused by: {}\n",
            cmd.java,
            e.cause_line()
        ),
        code: 1,
    }
}

fn find(name: &str) -> Option<&'static Command> {
    let name = acl::ALIASES
        .iter()
        .find(|(alias, _)| *alias == name)
        .map_or(name, |(_, n)| *n);
    commands().into_iter().find(|c| c.name == name)
}

async fn dispatch(name: &str, c: &Ctx, out: &mut String) -> Result<(), AdminError> {
    match name {
        "clusterList" => cluster::cluster_list(c, out).await,
        "brokerStatus" => cluster::broker_status(c, out).await,
        "getBrokerConfig" => cluster::get_broker_config(c, out).await,
        "updateBrokerConfig" => cluster::update_broker_config(c, out).await,
        "topicList" => topic::topic_list(c, out).await,
        "topicRoute" => topic::topic_route(c, out).await,
        "topicStatus" => topic::topic_status(c, out).await,
        "topicClusterList" => topic::topic_cluster_list(c, out).await,
        "updateTopic" => topic_write::update_topic(c, out).await,
        "deleteTopic" => topic_write::delete_topic(c, out).await,
        "updateTopicPerm" => topic_write::update_topic_perm(c, out).await,
        "updateSubGroup" => group_write::update_sub_group(c, out).await,
        "deleteSubGroup" => group_write::delete_sub_group(c, out).await,
        "consumerProgress" => group::consumer_progress(c, out).await,
        "consumerConnection" => group::consumer_connection(c, out).await,
        "producerConnection" => group::producer_connection(c, out).await,
        "consumerStatus" => group::consumer_status(c, out).await,
        "queryMsgById" => message::query_by_id(c, out).await,
        "queryMsgByKey" => message::query_by_key(c, out).await,
        "queryMsgByUniqueKey" => message::query_by_unique_key(c, out).await,
        "queryMsgByOffset" => message::query_by_offset(c, out).await,
        "printMsg" => print::print_msg(c, out).await,
        "sendMessage" => print::send_message(c, out).await,
        "consumeMessage" => print::consume_message(c, out).await,
        "resetOffsetByTime" => offset::reset_offset_by_time(c, out).await,
        "skipAccumulatedMessage" => offset::skip_accumulated(c, out).await,
        "cloneGroupOffset" => offset::clone_group_offset(c, out).await,
        "statsAll" => export::stats_all(c, out).await,
        "exportMetadata" => export::export_metadata(c, out).await,
        "wipeWritePerm" => namesrv::wipe_write_perm(c, out).await,
        "addWritePerm" => namesrv::add_write_perm(c, out).await,
        "updateKvConfig" => namesrv::update_kv_config(c, out).await,
        "deleteKvConfig" => namesrv::delete_kv_config(c, out).await,
        "updateAclConfig" => acl::update_acl_config(c, out).await,
        "deleteAclConfig" => acl::delete_acl_config(c, out).await,
        "updateGlobalWhiteAddr" => acl::update_global_white_addr(c, out).await,
        "clusterAclConfigVersion" => acl::cluster_acl_config_version(c, out).await,
        "getAclConfig" => acl::get_access_config(c, out).await,
        other => Err(AdminError::Usage(format!("no command {other}"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_command_is_dispatched_and_listed_once() {
        let names: Vec<&str> = commands().iter().map(|c| c.name).collect();
        let mut dedup = names.clone();
        dedup.sort();
        dedup.dedup();
        assert_eq!(names.len(), dedup.len());
        assert_eq!(names.len(), 38);
        let help = help_text();
        for n in names {
            assert!(help.contains(&format!("   {n:<20} ")), "{n}");
        }
    }

    #[test]
    fn unknown_and_usage_errors() {
        let o = run(&["nope".to_string()]);
        assert_eq!(o.stdout, "The sub command nope not exist.\n");
        let o = run(&["topicRoute".to_string()]);
        assert_eq!(o.code, 2);
        assert_eq!(o.stderr, "Missing required option: t\n");
    }
}
