//! The loaded ACL: accounts compiled from every ACL file (an access key defined in two files
//! keeps the first), the global white list, and each file's data version. Built whole by
//! [`AclState::load`] and swapped in at once, so a request never sees half a reload.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use super::address::AddressPattern;
use super::error::AclConfigError;
use super::locations::AclLocations;
use super::model::{self, line_of, AclFileData, PlainAccessConfig};
use super::permission;
use crate::protocol::topic::DataVersion;

/// Java's minimum key lengths are "longer than 6".
const MIN_KEY_LEN: usize = 6;

/// One account, compiled (Java `PlainAccessResource` built by `buildPlainAccessResource`).
#[derive(Debug, Clone)]
pub struct Account {
    pub access_key: String,
    pub secret_key: String,
    pub white: AddressPattern,
    pub admin: bool,
    pub default_topic_perm: u8,
    pub default_group_perm: u8,
    /// Per-resource permissions (groups under their retry topic); `None` when none is listed.
    pub perms: Option<HashMap<String, u8>>,
    /// The file it was read from.
    pub file: PathBuf,
}

/// A file's identity for change detection: (path, modified time, length).
pub type Stamp = Vec<(PathBuf, Option<SystemTime>, u64)>;

/// Everything the validator needs, immutable once built.
#[derive(Debug, Default)]
pub struct AclState {
    pub files: Vec<PathBuf>,
    pub global_white: Vec<AddressPattern>,
    pub accounts: HashMap<String, Account>,
    pub versions: BTreeMap<PathBuf, DataVersion>,
    pub stamp: Stamp,
}

/// The change stamp of the ACL files now.
pub fn stamp(loc: &AclLocations) -> Stamp {
    let mut files = loc.files();
    if let Some(f) = &loc.default_file {
        if !files.contains(f) {
            files.push(f.clone());
        }
    }
    files
        .into_iter()
        .map(|p| {
            let md = std::fs::metadata(&p).ok();
            let mtime = md.as_ref().and_then(|m| m.modified().ok());
            let len = md.map_or(0, |m| m.len());
            (p, mtime, len)
        })
        .collect()
}

/// Java `checkPlainAccessConfig`, as a key error of `path`.
fn check_keys(path: &Path, text: &str, c: &PlainAccessConfig) -> Result<(), AclConfigError> {
    let ak = c.access_key.as_deref().unwrap_or_default();
    let sk = c.secret_key.as_deref().unwrap_or_default();
    let (key, bad) = if c.access_key.is_none() || ak.len() <= MIN_KEY_LEN {
        ("accessKey", true)
    } else if c.secret_key.is_none() || sk.len() <= MIN_KEY_LEN {
        ("secretKey", true)
    } else {
        ("", false)
    };
    if !bad {
        return Ok(());
    }
    Err(AclConfigError::Key {
        path: path.to_owned(),
        line: line_of(text, if ak.is_empty() { key } else { ak }),
        key: key.to_owned(),
        message: format!(
            "The accessKey={} and secretKey={} cannot be null and length should longer than 6",
            c.access_key.as_deref().unwrap_or("null"),
            c.secret_key.as_deref().unwrap_or("null")
        ),
    })
}

/// Compiles one account (Java `buildPlainAccessResource`); `text` is the file, for lines.
pub fn compile(path: &Path, text: &str, c: &PlainAccessConfig) -> Result<Account, AclConfigError> {
    check_keys(path, text, c)?;
    let ak = c.access_key.clone().unwrap_or_default();
    let key_err = |key: &str, message: String| AclConfigError::Key {
        path: path.to_owned(),
        line: line_of(text, &ak),
        key: key.to_owned(),
        message,
    };
    let mut perms = HashMap::new();
    permission::parse_resource_perms(
        c.group_perms.as_deref().unwrap_or_default(),
        false,
        &mut perms,
    )
    .map_err(|e| {
        key_err(
            "groupPerms",
            format!("Parse resource permission failed for group:{e}"),
        )
    })?;
    permission::parse_resource_perms(
        c.topic_perms.as_deref().unwrap_or_default(),
        true,
        &mut perms,
    )
    .map_err(|e| {
        key_err(
            "topicPerms",
            format!("Parse resource permission failed for topic:{e}"),
        )
    })?;
    let white = AddressPattern::parse(c.white_remote_address.as_deref())
        .map_err(|e| key_err("whiteRemoteAddress", e.0))?;
    Ok(Account {
        access_key: ak.clone(),
        secret_key: c.secret_key.clone().unwrap_or_default(),
        white,
        admin: c.admin,
        default_topic_perm: permission::parse(c.default_topic_perm.as_deref()),
        default_group_perm: permission::parse(c.default_group_perm.as_deref()),
        perms: (!perms.is_empty()).then_some(perms),
        file: path.to_owned(),
    })
}

fn read_text(path: &Path) -> Result<Option<String>, AclConfigError> {
    match std::fs::read_to_string(path) {
        Ok(t) => Ok(Some(t)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(source) => Err(AclConfigError::Read {
            path: path.to_owned(),
            source,
        }),
    }
}

impl AclState {
    /// Reads every ACL file of `loc` (Java `PlainPermissionManager.load()`). Blocking file I/O:
    /// call it at start-up or from the watcher thread, never on an actor's event loop.
    pub fn load(loc: &AclLocations) -> Result<AclState, AclConfigError> {
        let stamp = stamp(loc);
        let mut st = AclState {
            files: loc.files(),
            stamp,
            ..AclState::default()
        };
        for path in st.files.clone() {
            let Some(text) = read_text(&path)? else {
                continue;
            };
            let data: AclFileData = model::parse(&path, &text)?;
            for w in &data.global_white {
                let p = AddressPattern::parse(Some(w)).map_err(|e| AclConfigError::Key {
                    path: path.clone(),
                    line: line_of(&text, w),
                    key: "globalWhiteRemoteAddresses".into(),
                    message: e.0,
                })?;
                st.global_white.push(p);
            }
            for c in &data.accounts {
                let a = compile(&path, &text, c)?;
                // An access key defined in several files keeps its first definition (Java).
                st.accounts.entry(a.access_key.clone()).or_insert(a);
            }
            let version = data.data_version.unwrap_or(DataVersion {
                counter: 0,
                state_version: 0,
                timestamp: crate::store::time::now_ms(),
            });
            st.versions.insert(path, version);
        }
        Ok(st)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn load_compiles_accounts_first_definition_wins() {
        let d = tempfile::tempdir().unwrap();
        let home = d.path().to_owned();
        std::fs::create_dir_all(home.join("conf/acl")).unwrap();
        std::fs::write(
            home.join("conf/plain_acl.yml"),
            "globalWhiteRemoteAddresses: ['10.0.0.*']\naccounts:\n  - accessKey: rocketmq2\n    secretKey: 12345678\n    admin: true\n",
        )
        .unwrap();
        std::fs::write(
            home.join("conf/acl/extra.yml"),
            "accounts:\n  - accessKey: rocketmq2\n    secretKey: otherother\n  - accessKey: RocketMQ\n    secretKey: 12345678\n    topicPerms: [t=PUB]\n    groupPerms: [g=SUB]\n",
        )
        .unwrap();
        let st = AclState::load(&AclLocations::resolve(Some(home.clone()), None, None)).unwrap();
        assert_eq!(st.files.len(), 2);
        assert_eq!(
            st.accounts["rocketmq2"].secret_key, "otherother",
            "conf/acl is read first"
        );
        let a = &st.accounts["RocketMQ"];
        let perms = a.perms.as_ref().unwrap();
        assert_eq!(perms["t"], permission::PUB);
        assert_eq!(perms["%RETRY%g"], permission::SUB);
        assert_eq!(a.default_topic_perm, permission::DENY);
        assert_eq!(st.global_white.len(), 1);
        assert_eq!(st.versions.len(), 2);
    }

    #[test]
    fn short_key_names_file_line_and_key() {
        let d = tempfile::tempdir().unwrap();
        let f = d.path().join("plain_acl.yml");
        std::fs::write(
            &f,
            "accounts:\n  - accessKey: abcdefg\n    secretKey: 123\n",
        )
        .unwrap();
        let e = AclState::load(&AclLocations::resolve(None, None, Some(&f))).unwrap_err();
        let s = e.to_string();
        assert!(
            s.contains("plain_acl.yml") && s.contains("line 2") && s.contains("`secretKey`"),
            "{s}"
        );
        std::fs::write(&f, "accounts:\n  - accessKey: abcdefg\n    secretKey: 12345678\n    whiteRemoteAddress: 1.2.3\n").unwrap();
        let s = AclState::load(&AclLocations::resolve(None, None, Some(&f)))
            .unwrap_err()
            .to_string();
        assert!(s.contains("`whiteRemoteAddress`"), "{s}");
    }
}
