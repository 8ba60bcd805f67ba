//! The ACL admin operations that rewrite ACL files, as Java 4.9.7's `PlainPermissionManager`
//! does for UPDATE_AND_CREATE_ACL_CONFIG (50), DELETE_ACL_CONFIG (51) and
//! UPDATE_GLOBAL_WHITE_ADDRS_CONFIG (53): read the file, change the one entry, bump the
//! file's `dataVersion` and write the whole document back (other keys are kept). Blocking file
//! I/O: the broker runs these on a blocking thread. The error texts are Java's.

use std::path::{Path, PathBuf};

use serde_norway::{Mapping, Value};

use super::error::AclConfigError;
use super::model::PlainAccessConfig;
use super::permission;
use super::state::AclState;
use crate::store::time::now_ms;

/// Why an admin edit failed: Java's exception message (the answer's remark), or `Refused`
/// when Java returns false (the command answers its own "…has been … failed." text).
#[derive(Debug, thiserror::Error)]
pub enum EditError {
    #[error("{0}")]
    Invalid(String),
    #[error("refused")]
    Refused,
    #[error(transparent)]
    File(#[from] AclConfigError),
}

fn read_doc(path: &Path) -> Result<Value, AclConfigError> {
    match std::fs::read_to_string(path) {
        Ok(text) => serde_norway::from_str(&text).map_err(|e| AclConfigError::Syntax {
            path: path.to_owned(),
            line: e.location().map_or(1, |l| l.line()),
            message: e.to_string(),
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Value::Null),
        Err(source) => Err(AclConfigError::Read {
            path: path.to_owned(),
            source,
        }),
    }
}

/// Writes `doc` with its `dataVersion` advanced (Java `updateAclConfigFileVersion`), through
/// a temporary file and a rename so the watcher never reads half a file.
fn write_doc(path: &Path, mut doc: Mapping) -> Result<(), AclConfigError> {
    let counter = doc
        .get("dataVersion")
        .and_then(|v| v.as_sequence())
        .and_then(|s| s.first())
        .and_then(|m| m.get("counter"))
        .and_then(|c| {
            c.as_i64()
                .or_else(|| c.as_str().and_then(|s| s.parse().ok()))
        })
        .unwrap_or(0);
    let mut version = Mapping::new();
    version.insert("counter".into(), Value::from(counter + 1));
    version.insert("timestamp".into(), Value::from(now_ms()));
    doc.insert(
        "dataVersion".into(),
        Value::Sequence(vec![Value::Mapping(version)]),
    );
    let text =
        serde_norway::to_string(&Value::Mapping(doc)).map_err(|e| AclConfigError::Render {
            path: path.to_owned(),
            message: e.to_string(),
        })?;
    let tmp = path.with_extension("yml.tmp");
    let write = |p: &Path| std::fs::write(p, text.as_bytes());
    write(&tmp)
        .and_then(|()| std::fs::rename(&tmp, path))
        .map_err(|source| AclConfigError::Write {
            path: path.to_owned(),
            source,
        })
}

fn as_mapping(doc: Value) -> Mapping {
    match doc {
        Value::Mapping(m) => m,
        _ => Mapping::new(),
    }
}

fn strings(v: &[String]) -> Value {
    Value::Sequence(v.iter().map(|s| Value::from(s.as_str())).collect())
}

/// Java `createAclAccessConfigMap`: the account entry, merged into `existing`.
fn account_entry(existing: Option<Mapping>, c: &PlainAccessConfig) -> Result<Mapping, EditError> {
    let mut m = existing.unwrap_or_default();
    let ak = c.access_key.as_deref().unwrap_or_default();
    if ak.len() <= 6 {
        return Err(EditError::Invalid(format!(
            "The accessKey={} cannot be null and length should longer than 6",
            c.access_key.as_deref().unwrap_or("null")
        )));
    }
    m.insert("accessKey".into(), ak.into());
    if let Some(sk) = c.secret_key.as_deref().filter(|s| !s.is_empty()) {
        if sk.len() <= 6 {
            return Err(EditError::Invalid(format!(
                "The secretKey={sk} value length should longer than 6"
            )));
        }
        m.insert("secretKey".into(), sk.into());
    }
    if let Some(w) = &c.white_remote_address {
        m.insert("whiteRemoteAddress".into(), w.as_str().into());
    }
    m.insert("admin".into(), Value::Bool(c.admin));
    if let Some(p) = c.default_topic_perm.as_deref().filter(|s| !s.is_empty()) {
        m.insert("defaultTopicPerm".into(), p.into());
    }
    if let Some(p) = c.default_group_perm.as_deref().filter(|s| !s.is_empty()) {
        m.insert("defaultGroupPerm".into(), p.into());
    }
    if let Some(t) = &c.topic_perms {
        m.insert("topicPerms".into(), strings(t));
    }
    if let Some(g) = &c.group_perms {
        m.insert("groupPerms".into(), strings(g));
    }
    Ok(m)
}

fn same_key(entry: &Value, ak: &str) -> bool {
    entry.get("accessKey").and_then(|v| match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }) == Some(ak.to_owned())
}

/// Creates or updates an account (UPDATE_AND_CREATE_ACL_CONFIG): in the file that defines it,
/// or else in `default_file`.
pub fn update_account(
    st: &AclState,
    default_file: Option<&Path>,
    c: &PlainAccessConfig,
) -> Result<(), EditError> {
    let ak = c.access_key.as_deref().unwrap_or_default();
    let sk = c.secret_key.as_deref().unwrap_or_default();
    if c.access_key.is_none() || c.secret_key.is_none() || ak.len() <= 6 || sk.len() <= 6 {
        return Err(EditError::Invalid(format!(
            "The accessKey={} and secretKey={} cannot be null and length should longer than 6",
            c.access_key.as_deref().unwrap_or("null"),
            c.secret_key.as_deref().unwrap_or("null")
        )));
    }
    for list in [&c.topic_perms, &c.group_perms].into_iter().flatten() {
        permission::check_resource_perms(list).map_err(EditError::Invalid)?;
    }
    let file: PathBuf = match st.accounts.get(ak) {
        Some(a) => a.file.clone(),
        None => default_file.ok_or(EditError::Refused)?.to_owned(),
    };
    let mut doc = as_mapping(read_doc(&file)?);
    let mut accounts = match doc.remove("accounts") {
        Some(Value::Sequence(s)) => s,
        _ => Vec::new(),
    };
    let existing = accounts
        .iter()
        .position(|e| same_key(e, ak))
        .map(|i| accounts.remove(i))
        .map(as_mapping);
    accounts.push(Value::Mapping(account_entry(existing, c)?));
    doc.insert("accounts".into(), Value::Sequence(accounts));
    write_doc(&file, doc)?;
    Ok(())
}

/// Deletes an account (DELETE_ACL_CONFIG); `Refused` when it is not known.
pub fn delete_account(st: &AclState, ak: &str) -> Result<(), EditError> {
    let Some(a) = st.accounts.get(ak).filter(|_| !ak.is_empty()) else {
        return Err(EditError::Refused);
    };
    let mut doc = match read_doc(&a.file)? {
        Value::Mapping(m) if !m.is_empty() => m,
        // Java: nothing in the file, nothing to delete, success.
        _ => return Ok(()),
    };
    let Some(Value::Sequence(accounts)) = doc.get_mut("accounts") else {
        return Err(EditError::Refused);
    };
    let Some(i) = accounts.iter().position(|e| same_key(e, ak)) else {
        return Err(EditError::Refused);
    };
    accounts.remove(i);
    write_doc(&a.file, doc)?;
    Ok(())
}

/// Replaces the global white list of `file` (UPDATE_GLOBAL_WHITE_ADDRS_CONFIG). Java refuses
/// a file that does not exist, is a directory, or lies outside the RocketMQ home; ours also
/// accepts the configured default file wherever it is.
pub fn update_global_white(
    home: Option<&Path>,
    default_file: Option<&Path>,
    file: Option<&Path>,
    addrs: &[String],
) -> Result<(), EditError> {
    let Some(file) = file.or(default_file) else {
        return Err(EditError::Refused);
    };
    if !file.is_file() {
        return Err(EditError::Refused);
    }
    let inside_home = home.is_some_and(|h| file.starts_with(h));
    if !inside_home && Some(file) != default_file {
        return Err(EditError::Refused);
    }
    let mut doc = as_mapping(read_doc(file)?);
    doc.insert("globalWhiteRemoteAddresses".into(), strings(addrs));
    write_doc(file, doc)?;
    Ok(())
}

/// The merged view of every file (GET_BROKER_CLUSTER_ACL_CONFIG, Java `getAllAclConfig`):
/// the global white lists one after the other, each access key once (its first definition).
pub fn all_config(
    files: &[PathBuf],
) -> Result<(Vec<String>, Vec<PlainAccessConfig>), AclConfigError> {
    let mut white = Vec::new();
    let mut accounts: Vec<PlainAccessConfig> = Vec::new();
    for f in files {
        let Some(data) = super::model::read(f)? else {
            continue;
        };
        white.extend(data.global_white);
        for a in data.accounts {
            if !accounts.iter().any(|b| b.access_key == a.access_key) {
                accounts.push(a);
            }
        }
    }
    Ok((white, accounts))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::acl::locations::AclLocations;

    fn cfg(ak: &str, sk: &str) -> PlainAccessConfig {
        PlainAccessConfig {
            access_key: Some(ak.into()),
            secret_key: Some(sk.into()),
            ..Default::default()
        }
    }

    #[test]
    fn update_delete_and_white_list_rewrite_the_file() {
        let d = tempfile::tempdir().unwrap();
        let f = d.path().join("plain_acl.yml");
        std::fs::write(&f, "# comment\nsomethingElse: 1\naccounts:\n  - accessKey: rocketmq2\n    secretKey: 12345678\n    admin: true\n").unwrap();
        let loc = AclLocations::resolve(Some(d.path().to_owned()), None, Some(&f));
        let st = AclState::load(&loc).unwrap();
        let mut c = cfg("newaccount", "secret12345");
        c.topic_perms = Some(vec!["topicA=PUB|SUB".into()]);
        c.white_remote_address = Some("127.0.0.*".into());
        update_account(&st, Some(&f), &c).unwrap();
        let st = AclState::load(&loc).unwrap();
        assert!(st.accounts.contains_key("newaccount"));
        assert_eq!(st.versions[&f].counter, 1);
        // Update in place keeps the other fields of the entry.
        update_account(&st, Some(&f), &cfg("newaccount", "another-secret")).unwrap();
        let st = AclState::load(&loc).unwrap();
        let a = &st.accounts["newaccount"];
        assert_eq!(a.secret_key, "another-secret");
        assert!(a.perms.as_ref().unwrap().contains_key("topicA"));
        assert_eq!(st.versions[&f].counter, 2);
        let text = std::fs::read_to_string(&f).unwrap();
        assert!(text.contains("somethingElse"), "{text}");
        delete_account(&st, "newaccount").unwrap();
        let st = AclState::load(&loc).unwrap();
        assert!(!st.accounts.contains_key("newaccount"));
        assert!(matches!(
            delete_account(&st, "newaccount"),
            Err(EditError::Refused)
        ));
        update_global_white(loc.home.as_deref(), Some(&f), None, &["10.10.*.*".into()]).unwrap();
        let st = AclState::load(&loc).unwrap();
        assert!(st.global_white[0].matches("10.10.1.2"));
        let (white, accounts) = all_config(&st.files).unwrap();
        assert_eq!(white, vec!["10.10.*.*"]);
        assert_eq!(accounts.len(), 1);
    }

    #[test]
    fn invalid_input_gives_java_text() {
        let st = AclState::default();
        let e = update_account(&st, None, &cfg("short", "12345678")).unwrap_err();
        assert_eq!(
            e.to_string(),
            "The accessKey=short and secretKey=12345678 cannot be null and length should longer than 6"
        );
        let mut c = cfg("longenough", "12345678");
        c.topic_perms = Some(vec!["a=READ".into()]);
        assert!(update_account(&st, None, &c)
            .unwrap_err()
            .to_string()
            .starts_with("Parse resource permission error"));
    }
}
