//! The plain_acl.yml model: `globalWhiteRemoteAddresses`, `accounts` (Java `PlainAccessConfig`)
//! and `dataVersion`, read as leniently as Java reads them (snakeyaml into a fastjson
//! `JSONObject`, then `toJavaList`: numbers and booleans become strings where a string is
//! expected, `"true"` is a boolean). Errors name the file, the line and the key. See docs/acl.md.

use std::path::Path;

use serde::{Deserialize, Serialize};
use serde_norway::Value;

use super::error::AclConfigError;
use crate::protocol::topic::DataVersion;

/// One account, as Java's `PlainAccessConfig` (also its JSON form in admin bodies).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PlainAccessConfig {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access_key: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret_key: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub white_remote_address: Option<String>,
    #[serde(default)]
    pub admin: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_topic_perm: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_group_perm: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub topic_perms: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group_perms: Option<Vec<String>>,
}

/// One parsed ACL file.
#[derive(Debug, Clone, Default)]
pub struct AclFileData {
    pub global_white: Vec<String>,
    pub accounts: Vec<PlainAccessConfig>,
    pub data_version: Option<DataVersion>,
    /// The document as read (kept so admin edits rewrite it without losing other keys).
    pub doc: Value,
}

/// The 1-based line where `needle` first appears in `text` (1 when it does not).
pub fn line_of(text: &str, needle: &str) -> usize {
    text.lines()
        .position(|l| l.contains(needle))
        .map_or(1, |i| i + 1)
}

/// A scalar as fastjson would give it for a `String` field.
fn scalar(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

struct Ctx<'a> {
    path: &'a Path,
    text: &'a str,
}

impl Ctx<'_> {
    fn err(&self, key: &str, near: &str, message: impl Into<String>) -> AclConfigError {
        let needle = if near.is_empty() { key } else { near };
        AclConfigError::Key {
            path: self.path.to_owned(),
            line: line_of(self.text, needle),
            key: key.to_owned(),
            message: message.into(),
        }
    }

    fn string(&self, v: &Value, key: &str) -> Result<Option<String>, AclConfigError> {
        match v {
            Value::Null => Ok(None),
            other => scalar(other)
                .map(Some)
                .ok_or_else(|| self.err(key, key, "expected a string")),
        }
    }

    fn list(&self, v: &Value, key: &str) -> Result<Option<Vec<String>>, AclConfigError> {
        match v {
            Value::Null => Ok(None),
            Value::Sequence(items) => items
                .iter()
                .map(|i| scalar(i).ok_or_else(|| self.err(key, key, "expected a list of strings")))
                .collect::<Result<Vec<_>, _>>()
                .map(Some),
            _ => Err(self.err(key, key, "expected a list of strings")),
        }
    }

    fn account(&self, v: &Value, index: usize) -> Result<PlainAccessConfig, AclConfigError> {
        let Value::Mapping(m) = v else {
            return Err(self.err(
                "accounts",
                "accounts",
                format!("entry {index} is not a mapping"),
            ));
        };
        let get = |k: &str| m.get(k).unwrap_or(&Value::Null);
        let access_key = self.string(get("accessKey"), "accessKey")?;
        let near = access_key.clone().unwrap_or_default();
        let admin = match get("admin") {
            Value::Null => false,
            Value::Bool(b) => *b,
            Value::String(s) if s.eq_ignore_ascii_case("true") => true,
            Value::String(s) if s.eq_ignore_ascii_case("false") => false,
            Value::Number(n) => n.as_i64().is_some_and(|n| n != 0),
            _ => return Err(self.err("admin", &near, "expected true or false")),
        };
        Ok(PlainAccessConfig {
            access_key,
            secret_key: self.string(get("secretKey"), "secretKey")?,
            white_remote_address: self.string(get("whiteRemoteAddress"), "whiteRemoteAddress")?,
            admin,
            default_topic_perm: self.string(get("defaultTopicPerm"), "defaultTopicPerm")?,
            default_group_perm: self.string(get("defaultGroupPerm"), "defaultGroupPerm")?,
            topic_perms: self.list(get("topicPerms"), "topicPerms")?,
            group_perms: self.list(get("groupPerms"), "groupPerms")?,
        })
    }
}

/// Parses the text of one ACL file. An empty document gives an empty file (Java: "No data in
/// file", skipped).
pub fn parse(path: &Path, text: &str) -> Result<AclFileData, AclConfigError> {
    let doc: Value = serde_norway::from_str(text).map_err(|e| AclConfigError::Syntax {
        path: path.to_owned(),
        line: e.location().map_or(1, |l| l.line()),
        message: e.to_string(),
    })?;
    let ctx = Ctx { path, text };
    let m = match &doc {
        Value::Null => return Ok(AclFileData::default()),
        Value::Mapping(m) => m,
        _ => {
            return Err(AclConfigError::Key {
                path: path.to_owned(),
                line: 1,
                key: "(document)".into(),
                message: "the file must be a mapping of keys".into(),
            })
        }
    };
    let global_white = ctx
        .list(
            m.get("globalWhiteRemoteAddresses").unwrap_or(&Value::Null),
            "globalWhiteRemoteAddresses",
        )?
        .unwrap_or_default();
    let accounts = match m.get("accounts").unwrap_or(&Value::Null) {
        Value::Null => Vec::new(),
        Value::Sequence(items) => items
            .iter()
            .enumerate()
            .map(|(i, v)| ctx.account(v, i))
            .collect::<Result<_, _>>()?,
        _ => return Err(ctx.err("accounts", "accounts", "expected a list of accounts")),
    };
    let data_version = match m.get("dataVersion") {
        Some(Value::Sequence(items)) => match items.first() {
            Some(Value::Mapping(v)) => {
                let num = |k: &str| match v.get(k) {
                    Some(Value::Number(n)) => n.as_i64().unwrap_or(0),
                    Some(Value::String(s)) => s.trim().parse().unwrap_or(0),
                    _ => 0,
                };
                Some(DataVersion {
                    counter: num("counter"),
                    state_version: 0,
                    timestamp: num("timestamp"),
                })
            }
            _ => None,
        },
        _ => None,
    };
    Ok(AclFileData {
        global_white,
        accounts,
        data_version,
        doc: doc.clone(),
    })
}

/// Reads and parses one ACL file; a missing file is `Ok(None)` (Java skips it).
pub fn read(path: &Path) -> Result<Option<AclFileData>, AclConfigError> {
    match std::fs::read_to_string(path) {
        Ok(text) => parse(path, &text).map(Some),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(source) => Err(AclConfigError::Read {
            path: path.to_owned(),
            source,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const JAVA_DEFAULT: &str = r#"globalWhiteRemoteAddresses:
  - 10.10.103.*
  - 192.168.0.*

accounts:
  - accessKey: RocketMQ
    secretKey: 12345678
    whiteRemoteAddress:
    admin: false
    defaultTopicPerm: DENY
    defaultGroupPerm: SUB
    topicPerms:
      - topicA=DENY
      - topicB=PUB|SUB
      - topicC=SUB
    groupPerms:
      # the group should convert to retry topic
      - groupA=DENY
      - groupB=PUB|SUB
      - groupC=SUB

  - accessKey: rocketmq2
    secretKey: 12345678
    whiteRemoteAddress: 192.168.1.*
    # if it is admin, it could access all resources
    admin: true
"#;

    #[test]
    fn parses_java_default_file() {
        let f = parse(Path::new("plain_acl.yml"), JAVA_DEFAULT).unwrap();
        assert_eq!(f.global_white, vec!["10.10.103.*", "192.168.0.*"]);
        assert_eq!(f.accounts.len(), 2);
        let a = &f.accounts[0];
        assert_eq!(a.access_key.as_deref(), Some("RocketMQ"));
        assert_eq!(
            a.secret_key.as_deref(),
            Some("12345678"),
            "a number read as a string"
        );
        assert_eq!(a.white_remote_address, None);
        assert_eq!(a.topic_perms.as_ref().unwrap().len(), 3);
        assert!(f.accounts[1].admin);
        assert!(f.data_version.is_none());
    }

    #[test]
    fn empty_file_is_empty() {
        let f = parse(Path::new("x.yml"), "").unwrap();
        assert!(f.accounts.is_empty());
    }

    #[test]
    fn errors_name_line_and_key() {
        let text = "accounts:\n  - accessKey: abcdefg\n    topicPerms: {a: b}\n";
        let e = parse(Path::new("/c/plain_acl.yml"), text).unwrap_err();
        let s = e.to_string();
        assert!(s.contains("/c/plain_acl.yml"), "{s}");
        assert!(s.contains("line 3"), "{s}");
        assert!(s.contains("topicPerms"), "{s}");
        let e = parse(Path::new("y.yml"), "accounts:\n  - a: [\n").unwrap_err();
        assert!(matches!(e, AclConfigError::Syntax { .. }), "{e}");
    }

    #[test]
    fn reads_data_version_and_lenient_admin() {
        let text = "accounts:\n  - accessKey: abcdefg\n    admin: 'true'\ndataVersion:\n  - counter: 3\n    timestamp: 1700000000000\n";
        let f = parse(Path::new("z.yml"), text).unwrap();
        assert!(f.accounts[0].admin);
        let v = f.data_version.unwrap();
        assert_eq!((v.counter, v.timestamp), (3, 1_700_000_000_000));
    }
}
