//! The ACL 1.0 commands (docs/acl.md, docs/admin.md): updateAclConfig, deleteAclConfig,
//! updateGlobalWhiteAddr, clusterAclConfigVersion, getAclConfig — Java 4.9.7's
//! `UpdateAccessConfigSubCommand`, `DeleteAccessConfigSubCommand`,
//! `UpdateGlobalWhiteAddrSubCommand`, `ClusterAclConfigVersionListSubCommand`,
//! `GetAccessConfigSubCommand`, over the calls of `client::admin` (src/client/admin/acl.rs).
//! Java's aliases (getAccessConfigSubCommand, deleteAccessConfig) are in `ALIASES`. The
//! credentials every command signs with are read in `credentials.rs`.

use std::fmt::Write as _;

use super::args::opt;
use super::output::human_secs;
use super::{AdminError, Command, Ctx};
use crate::acl::PlainAccessConfig;

pub static UPDATE_ACL_CONFIG: Command = Command {
    name: "updateAclConfig",
    desc: "Update acl config yaml file in broker",
    java: "UpdateAccessConfigSubCommand",
    opts: &[
        opt('b', "brokerAddr", "update acl config file to which broker"),
        opt(
            'c',
            "clusterName",
            "update acl config file to which cluster",
        ),
        opt('a', "accessKey", "set accessKey in acl config file"),
        opt('s', "secretKey", "set secretKey in acl config file"),
        opt(
            'w',
            "whiteRemoteAddress",
            "set white ip Address for account in acl config file",
        ),
        opt(
            'i',
            "defaultTopicPerm",
            "set default topicPerm in acl config file",
        ),
        opt(
            'u',
            "defaultGroupPerm",
            "set default GroupPerm in acl config file",
        ),
        opt(
            't',
            "topicPerms",
            "set topicPerms list,eg: topicA=DENY,topicD=SUB",
        ),
        opt(
            'g',
            "groupPerms",
            "set groupPerms list,eg: groupD=DENY,groupD=SUB",
        ),
        opt('m', "admin", "set admin flag in acl config file"),
    ],
};

pub static DELETE_ACL_CONFIG: Command = Command {
    name: "deleteAclConfig",
    desc: "Delete Acl Config Account in broker",
    java: "DeleteAccessConfigSubCommand",
    opts: &[
        opt(
            'b',
            "brokerAddr",
            "delete acl config account from which broker",
        ),
        opt(
            'c',
            "clusterName",
            "delete acl config account from which cluster",
        ),
        opt(
            'a',
            "accessKey",
            "set accessKey in acl config file for deleting which account",
        ),
    ],
};

pub static UPDATE_GLOBAL_WHITE_ADDR: Command = Command {
    name: "updateGlobalWhiteAddr",
    desc: "Update global white address for acl Config File in broker",
    java: "UpdateGlobalWhiteAddrSubCommand",
    opts: &[
        opt(
            'b',
            "brokerAddr",
            "update global white address to which broker",
        ),
        opt(
            'c',
            "clusterName",
            "update global white address to which cluster",
        ),
        opt(
            'g',
            "globalWhiteRemoteAddresses",
            "set globalWhiteRemoteAddress list,eg: 10.10.103.*,192.168.0.*",
        ),
        opt(
            'p',
            "aclFileFullPath",
            "update global white address of specified acl file,eg: /xxx/plain_test.yml",
        ),
    ],
};

pub static CLUSTER_ACL_CONFIG_VERSION: Command = Command {
    name: "clusterAclConfigVersion",
    desc: "List all of acl config version information in cluster",
    java: "ClusterAclConfigVersionListSubCommand",
    opts: &[
        opt(
            'b',
            "brokerAddr",
            "query acl config version for which broker",
        ),
        opt(
            'c',
            "clusterName",
            "query acl config version for specified cluster",
        ),
    ],
};

pub static GET_ACCESS_CONFIG: Command = Command {
    name: "getAclConfig",
    desc: "List all of acl config information in cluster",
    java: "GetAccessConfigSubCommand",
    opts: &[
        opt(
            'b',
            "brokerAddr",
            "query acl config version for which broker",
        ),
        opt(
            'c',
            "clusterName",
            "query acl config version for specified cluster",
        ),
    ],
};

/// Java's `commandAlias` → `commandName` of the ACL commands (`MQAdminStartup` finds both).
pub const ALIASES: &[(&str, &str)] = &[
    ("getAccessConfigSubCommand", "getAclConfig"),
    ("deleteAccessConfig", "deleteAclConfig"),
];

/// commons-cli's message for a required option or option group left out.
fn missing(what: &str) -> AdminError {
    AdminError::Usage(format!("Missing required option: {what}"))
}

/// The `-b | -c` group every ACL command requires; `-b` wins, as Java checks it first.
enum Target<'a> {
    Broker(&'a str),
    Cluster(&'a str),
}

fn target(c: &Ctx) -> Result<Target<'_>, AdminError> {
    match (c.p.get('b'), c.p.get('c')) {
        (Some(b), _) => Ok(Target::Broker(b)),
        (None, Some(cl)) => Ok(Target::Cluster(cl)),
        (None, None) => Err(missing("[-b brokerAddr, -c clusterName]")),
    }
}

/// Every broker (masters and slaves) of `cluster`: Java's
/// `CommandUtil.fetchMasterAndSlaveAddrByClusterName`, which the 4.9.7 writes use.
async fn all_of(c: &Ctx, cluster: &str, out: &mut String) -> Result<Vec<String>, AdminError> {
    Ok(c.brokers_of(cluster, out)
        .await?
        .into_values()
        .flat_map(|ids| ids.into_values())
        .collect())
}

/// Java's comma split of `-t` / `-g` (empty entries kept out).
fn list(v: Option<&str>) -> Option<Vec<String>> {
    v.map(|s| {
        s.split(',')
            .map(str::trim)
            .filter(|x| !x.is_empty())
            .map(str::to_owned)
            .collect()
    })
}

pub async fn update_acl_config(c: &Ctx, out: &mut String) -> Result<(), AdminError> {
    let p = &c.p;
    let t = target(c)?;
    let a = PlainAccessConfig {
        access_key: Some(p.get('a').ok_or_else(|| missing("a"))?.to_owned()),
        secret_key: Some(p.get('s').ok_or_else(|| missing("s"))?.to_owned()),
        white_remote_address: p.get('w').map(str::to_owned),
        // Java: `Boolean.parseBoolean(-m)` when given, else false.
        admin: p.get('m').is_some_and(|v| v.eq_ignore_ascii_case("true")),
        default_topic_perm: p.get('i').map(str::to_owned),
        default_group_perm: p.get('u').map(str::to_owned),
        topic_perms: list(p.get('t')),
        group_perms: list(p.get('g')),
    };
    let addrs = match t {
        Target::Broker(b) => vec![b.to_owned()],
        Target::Cluster(cl) => all_of(c, cl, out).await?,
    };
    for addr in addrs {
        c.admin.update_acl_account(&addr, &a).await?;
        let _ = writeln!(
            out,
            "create or update plain access config to {addr} success."
        );
    }
    let _ = writeln!(out, "{}", account_line(&a));
    Ok(())
}

/// What Java prints for the account (4.9.7's `PlainAccessConfig` has no `toString`, so
/// mqadmin prints `Object.toString`; we print the class name with the fields, secret left
/// out — docs/admin.md).
fn account_line(a: &PlainAccessConfig) -> String {
    let o = |v: &Option<String>| v.clone().unwrap_or_else(|| "null".into());
    let l = |v: &Option<Vec<String>>| v.as_ref().map_or("null".into(), |x| java_list(x));
    format!(
        "org.apache.rocketmq.common.PlainAccessConfig{{accessKey={}, whiteRemoteAddress={}, admin={}, defaultTopicPerm={}, defaultGroupPerm={}, topicPerms={}, groupPerms={}}}",
        o(&a.access_key),
        o(&a.white_remote_address),
        a.admin,
        o(&a.default_topic_perm),
        o(&a.default_group_perm),
        l(&a.topic_perms),
        l(&a.group_perms)
    )
}

/// Java's `List.toString`: `[a, b]`.
fn java_list(v: &[String]) -> String {
    format!("[{}]", v.join(", "))
}

pub async fn delete_acl_config(c: &Ctx, out: &mut String) -> Result<(), AdminError> {
    let key = c.p.get('a').ok_or_else(|| missing("a"))?.to_owned();
    let addrs = match target(c)? {
        Target::Broker(b) => vec![b.to_owned()],
        Target::Cluster(cl) => all_of(c, cl, out).await?,
    };
    for addr in addrs {
        c.admin.delete_acl_account(&addr, &key).await?;
        let _ = writeln!(
            out,
            "delete plain access config account from {addr} success."
        );
    }
    let _ = write!(out, "account's accesskey is:{key}");
    Ok(())
}

pub async fn update_global_white_addr(c: &Ctx, out: &mut String) -> Result<(), AdminError> {
    let g = c.p.get('g').ok_or_else(|| missing("g"))?.to_owned();
    let file = c.p.get('p');
    let addrs = match target(c)? {
        Target::Broker(b) => vec![b.to_owned()],
        Target::Cluster(cl) => all_of(c, cl, out).await?,
    };
    for addr in addrs {
        c.admin.update_global_white_addrs(&addr, &g, file).await?;
        let _ = writeln!(
            out,
            "update global white remote addresses to {addr} success."
        );
    }
    Ok(())
}

fn version_row(cols: [&str; 6]) -> String {
    let [a, b, c, d, e, f] = cols;
    format!("{a:<16}  {b:<22}  {c:<22}  {d:<20}  {e:<22}  {f:<22}\n")
}

/// One row per ACL file of the broker at `addr` (4.9.7 prints `allAclConfigDataVersion`).
async fn print_versions(c: &Ctx, addr: &str, out: &mut String) -> Result<(), AdminError> {
    let v = c.admin.acl_versions(addr).await?;
    for (file, dv) in &v.all {
        out.push_str(&version_row([
            &v.cluster_name,
            &v.broker_name,
            &v.broker_addr,
            file,
            &dv.counter.to_string(),
            &human_secs(dv.timestamp),
        ]));
    }
    Ok(())
}

pub async fn cluster_acl_config_version(c: &Ctx, out: &mut String) -> Result<(), AdminError> {
    match target(c)? {
        Target::Broker(b) => {
            print_versions(c, b, out).await?;
            out.push_str("get broker's plain access config version success.\n");
        }
        Target::Cluster(cl) => {
            let masters = c.masters_of(cl, out).await?;
            out.push_str(&version_row([
                "#Cluster Name",
                "#Broker Name",
                "#Broker Addr",
                "#AclFilePath",
                "#AclConfigVersionNum",
                "#AclLastUpdateTime",
            ]));
            for addr in masters {
                print_versions(c, &addr, out).await?;
            }
            out.push_str("get cluster's plain access config version success.\n");
        }
    }
    Ok(())
}

/// Java prints each account field by reflection: `%-1s %-18s: %s`, null as empty.
async fn print_acl(c: &Ctx, addr: &str, out: &mut String) -> Result<(), AdminError> {
    let acl = c.admin.cluster_acl_config(addr).await?;
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "{:<20}: {}",
        "globalWhiteRemoteAddresses",
        java_list(&acl.global_white_addrs)
    );
    let _ = writeln!(out);
    let _ = writeln!(out, "accounts:");
    for a in &acl.plain_access_configs {
        let s = |v: &Option<String>| v.clone().unwrap_or_default();
        let l = |v: &Option<Vec<String>>| v.as_ref().map(|x| java_list(x)).unwrap_or_default();
        for (name, value) in [
            ("accessKey", s(&a.access_key)),
            ("secretKey", s(&a.secret_key)),
            ("whiteRemoteAddress", s(&a.white_remote_address)),
            ("admin", a.admin.to_string()),
            ("defaultTopicPerm", s(&a.default_topic_perm)),
            ("defaultGroupPerm", s(&a.default_group_perm)),
            ("topicPerms", l(&a.topic_perms)),
            ("groupPerms", l(&a.group_perms)),
        ] {
            let _ = writeln!(out, "{:<1} {name:<18}: {value}", "");
        }
        let _ = writeln!(out);
    }
    Ok(())
}

pub async fn get_access_config(c: &Ctx, out: &mut String) -> Result<(), AdminError> {
    match target(c)? {
        Target::Broker(b) => print_acl(c, b, out).await,
        Target::Cluster(cl) => {
            for addr in c.masters_of(cl, out).await? {
                print_acl(c, &addr, out).await?;
            }
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn perm_lists_split_on_commas_and_print_as_java_lists() {
        let v = list(Some("topicA=PUB, topicB=SUB,")).unwrap();
        assert_eq!(v, vec!["topicA=PUB", "topicB=SUB"]);
        assert_eq!(java_list(&v), "[topicA=PUB, topicB=SUB]");
        assert_eq!(list(None), None);
        let row = version_row(["a", "b", "c", "d", "e", "f"]);
        assert!(row.starts_with("a                 b"), "{row}");
    }
}
