//! The ACL commands of `rocketactor admin` (updateAclConfig, deleteAclConfig,
//! updateGlobalWhiteAddr, clusterAclConfigVersion, getAclConfig) as processes against a real
//! broker with `aclEnable=true` and a plain_acl.yml in a temp dir, the CLI signing with the
//! credentials of `ROCKETMQ_ACCESS_KEY` / `ROCKETMQ_SECRET_KEY` (docs/admin.md).

use std::path::PathBuf;

use super::{run, Env, Out};
use crate::support::{admin_env, eventually};
use rocketactor::acl::SessionCredentials;
use rocketactor::client::{Admin, Message, Producer};
use rocketactor::protocol::topic::TopicConfig;

const ACL: &str = "globalWhiteRemoteAddresses:\n  - 10.10.*.*\n\naccounts:\n  - accessKey: rocketmq2\n    secretKey: 12345678\n    admin: true\n  - accessKey: RocketMQ\n    secretKey: 12345678\n    defaultTopicPerm: DENY\n";

const ADMIN: (&str, &str) = ("rocketmq2", "12345678");

struct AclEnv {
    _dir: tempfile::TempDir,
    env: Env,
    file: PathBuf,
}

async fn acl_env() -> AclEnv {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("plain_acl.yml");
    std::fs::write(&file, ACL).unwrap();
    let f = file.clone();
    let (keep, broker, addr, ns, admin) = admin_env("broker-a", move |cfg| {
        cfg.acl_enable = true;
        cfg.acl_plain_file = Some(f);
    })
    .await;
    let cluster = keep.cluster_name.clone();
    let env = Env {
        keep,
        _broker: broker,
        addr,
        ns,
        admin,
        cluster,
    };
    AclEnv {
        _dir: dir,
        env,
        file,
    }
}

impl AclEnv {
    /// `rocketactor admin CMD -n NS ARGS...` signed as `who`.
    async fn as_(&self, who: (&str, &str), cmd: &str, args: &[&str]) -> Out {
        let envs = vec![
            ("ROCKETMQ_ACCESS_KEY".to_string(), who.0.to_string()),
            ("ROCKETMQ_SECRET_KEY".to_string(), who.1.to_string()),
        ];
        let mut a = vec![cmd.to_owned(), "-n".into(), self.env.ns.clone()];
        a.extend(args.iter().map(|s| s.to_string()));
        run(envs, a).await
    }

    async fn ok(&self, cmd: &str, args: &[&str]) -> String {
        let o = self.as_(ADMIN, cmd, args).await;
        assert_eq!(o.code, 0, "{cmd} {args:?}: {o:?}");
        o.out
    }

    fn yml(&self) -> String {
        std::fs::read_to_string(&self.file).unwrap()
    }

    /// The AclConfigVersionNum of the plain_acl.yml row of clusterAclConfigVersion -c.
    async fn version(&self) -> i64 {
        let out = self
            .ok("clusterAclConfigVersion", &["-c", &self.env.cluster])
            .await;
        assert!(out.contains("#AclConfigVersionNum"), "{out}");
        assert!(out.contains("get cluster's plain access config version success."));
        let path = self.file.display().to_string();
        let row: Vec<&str> = out
            .lines()
            .map(|l| l.split_whitespace().collect::<Vec<_>>())
            .find(|f| f.get(3) == Some(&path.as_str()))
            .unwrap_or_else(|| panic!("no row for {path} in\n{out}"));
        assert_eq!(row[0], self.env.cluster);
        assert_eq!(row[1], "broker-a");
        row[4].parse().unwrap()
    }
}

/// The value of `  name : value` lines of getAclConfig for the account `key`.
fn account_field(out: &str, key: &str, name: &str) -> Option<String> {
    let fields: Vec<(String, String)> = out
        .lines()
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
        .collect();
    let start = fields
        .iter()
        .position(|(k, v)| k == "accessKey" && v == key)?;
    fields[start..]
        .iter()
        .take(8)
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.clone())
}

async fn send(ns: &str, who: (&str, &str), topic: &str) -> bool {
    let p = Producer::new(ns, "pg-acl-cli")
        .unwrap()
        .with_credentials(SessionCredentials::new(who.0, who.1));
    p.start().unwrap();
    let r = p.send(topic, Message::new("acl cli")).await;
    p.shutdown();
    r.is_ok()
}

#[actix_rt::test]
async fn account_is_created_seen_used_and_deleted_and_white_list_updated() {
    let e = acl_env().await;
    let (addr, cluster) = (e.env.addr.clone(), e.env.cluster.clone());
    let v0 = e.version().await;

    let out = e
        .ok(
            "updateAclConfig",
            &[
                "-b",
                &addr,
                "-a",
                "cliUser01",
                "-s",
                "87654321",
                "-i",
                "DENY",
                "-u",
                "SUB",
                "-t",
                "aclTopic=PUB,otherTopic=SUB",
                "-w",
                "127.0.0.1",
            ],
        )
        .await;
    assert!(
        out.contains(&format!(
            "create or update plain access config to {addr} success."
        )),
        "{out}"
    );
    assert!(out.contains("accessKey=cliUser01"), "{out}");
    let v1 = e.version().await;
    assert!(v1 > v0, "version {v0} -> {v1}");

    let got = e.ok("getAclConfig", &["-b", &addr]).await;
    assert!(got.contains("accounts:"), "{got}");
    let f = |n: &str| account_field(&got, "cliUser01", n);
    assert_eq!(f("secretKey").as_deref(), Some("87654321"), "{got}");
    assert_eq!(f("defaultTopicPerm").as_deref(), Some("DENY"));
    assert_eq!(
        f("topicPerms").as_deref(),
        Some("[aclTopic=PUB, otherTopic=SUB]")
    );
    assert_eq!(f("admin").as_deref(), Some("false"));
    let yml = e.yml();
    assert!(
        yml.contains("cliUser01") && yml.contains("aclTopic=PUB"),
        "{yml}"
    );

    // The new account publishes to the topic it was given.
    let admin = Admin::new(&e.env.ns)
        .unwrap()
        .with_credentials(SessionCredentials::new(ADMIN.0, ADMIN.1));
    admin
        .create_topic(&addr, &TopicConfig::new("aclTopic", 1, 1, 6))
        .await
        .unwrap();
    let ns = admin.name_server().unwrap().clone();
    eventually("aclTopic routed", || async {
        ns.topic_route("aclTopic").await.is_ok()
    })
    .await;
    assert!(send(&e.env.ns, ("cliUser01", "87654321"), "aclTopic").await);

    // Deleted (through the cluster and Java's alias), it is gone from the file and refused.
    let out = e
        .ok("deleteAccessConfig", &["-c", &cluster, "-a", "cliUser01"])
        .await;
    assert!(
        out.contains(&format!(
            "delete plain access config account from {addr} success."
        )),
        "{out}"
    );
    assert!(out.ends_with("account's accesskey is:cliUser01"), "{out}");
    assert!(!e.yml().contains("cliUser01"));
    assert!(e.version().await > v1);
    assert!(!send(&e.env.ns, ("cliUser01", "87654321"), "aclTopic").await);
    let got = e.ok("getAccessConfigSubCommand", &["-c", &cluster]).await;
    assert_eq!(account_field(&got, "cliUser01", "secretKey"), None, "{got}");
    assert!(account_field(&got, "rocketmq2", "admin").is_some_and(|v| v == "true"));

    let out = e
        .ok(
            "updateGlobalWhiteAddr",
            &["-c", &cluster, "-g", "10.20.*.*,192.168.0.*"],
        )
        .await;
    assert!(
        out.contains(&format!(
            "update global white remote addresses to {addr} success."
        )),
        "{out}"
    );
    let got = e.ok("getAclConfig", &["-b", &addr]).await;
    assert!(
        got.contains("globalWhiteRemoteAddresses: [10.20.*.*, 192.168.0.*]"),
        "{got}"
    );
    assert!(e.yml().contains("192.168.0.*"));
}

#[actix_rt::test]
async fn refusals_carry_javas_remarks() {
    let e = acl_env().await;
    let addr = e.env.addr.clone();
    // A non-admin account signs an admin-only request (UPDATE_AND_CREATE_TOPIC, 17).
    let o = e
        .as_(
            ("RocketMQ", "12345678"),
            "updateTopic",
            &["-b", &addr, "-t", "t1"],
        )
        .await;
    assert_eq!(o.code, 1, "{o:?}");
    assert!(
        o.err.contains(
            "org.apache.rocketmq.acl.common.AclException: Need admin permission for request code=17, but accessKey=RocketMQ is not"
        ),
        "{o:?}"
    );
    // A wrong secret fails the signature check, for the ACL commands too.
    let o = e
        .as_(("rocketmq2", "wrongsecret"), "getAclConfig", &["-b", &addr])
        .await;
    assert_eq!(o.code, 1, "{o:?}");
    assert!(
        o.err
            .contains("Check signature failed for accessKey=rocketmq2"),
        "{o:?}"
    );
    assert!(
        o.err.contains("GetAccessConfigSubCommand command failed"),
        "{o:?}"
    );
    // Without the variables the CLI signs with $ROCKETMQ_HOME/conf/tools.yml, as mqadmin.
    let home = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(home.path().join("conf")).unwrap();
    std::fs::write(
        home.path().join("conf/tools.yml"),
        "accessKey: rocketmq2\nsecretKey: 12345678\n",
    )
    .unwrap();
    let home_env = vec![(
        "ROCKETMQ_HOME".to_string(),
        home.path().display().to_string(),
    )];
    let args = |cmd: &str| {
        vec![
            cmd.to_string(),
            "-n".into(),
            e.env.ns.clone(),
            "-b".into(),
            addr.clone(),
        ]
    };
    let o = run(home_env, args("getAclConfig")).await;
    assert_eq!(o.code, 0, "{o:?}");
    assert!(account_field(&o.out, "RocketMQ", "defaultTopicPerm").is_some_and(|v| v == "DENY"));
    // Unsigned, the broker refuses the ACL commands.
    let o = run(Vec::new(), args("getAclConfig")).await;
    assert_eq!(o.code, 1, "{o:?}");
    // -b or -c is required.
    let o = e.as_(ADMIN, "clusterAclConfigVersion", &[]).await;
    assert_ne!(o.code, 0);
    assert!(o.err.contains("Missing required option"), "{o:?}");
}
