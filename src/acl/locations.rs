//! Where the ACL files are, as Java 4.9.7's `PlainPermissionManager` looks for them:
//! `$ROCKETMQ_HOME/conf/plain_acl.yml` (the file name relative to the home can be changed,
//! as Java's `-Drocketmq.acl.plain.file`, with the `ROCKETMQ_ACL_PLAIN_FILE` environment
//! variable), plus every `*.yml` / `*.yaml` under `$ROCKETMQ_HOME/conf/acl/` (recursively).
//! Our broker key `aclPlainFile` names the default file explicitly instead. See docs/acl.md.

use std::path::{Path, PathBuf};

/// Environment variable of the RocketMQ home (Java `MixAll.ROCKETMQ_HOME_ENV`).
pub const HOME_ENV: &str = "ROCKETMQ_HOME";
/// Our spelling of Java's `-Drocketmq.acl.plain.file`: the default file relative to the home.
pub const PLAIN_FILE_ENV: &str = "ROCKETMQ_ACL_PLAIN_FILE";
/// The default file relative to the home.
pub const DEFAULT_PLAIN_FILE: &str = "conf/plain_acl.yml";

/// The resolved locations of one broker's ACL files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AclLocations {
    /// The RocketMQ home, when known.
    pub home: Option<PathBuf>,
    /// The file that new accounts and the global white list are written to.
    pub default_file: Option<PathBuf>,
    /// `$ROCKETMQ_HOME/conf/acl`, scanned for more files.
    pub acl_dir: Option<PathBuf>,
}

impl AclLocations {
    /// Resolves from the process environment and the broker's `aclPlainFile`.
    pub fn from_env(explicit: Option<&Path>) -> AclLocations {
        let home = std::env::var_os(HOME_ENV)
            .filter(|h| !h.is_empty())
            .map(PathBuf::from);
        let rel = std::env::var(PLAIN_FILE_ENV).ok().filter(|s| !s.is_empty());
        Self::resolve(home, rel.as_deref(), explicit)
    }

    /// Resolves from explicit values (`rel` as `ROCKETMQ_ACL_PLAIN_FILE`).
    pub fn resolve(home: Option<PathBuf>, rel: Option<&str>, explicit: Option<&Path>) -> Self {
        let default_file = match explicit {
            Some(p) => Some(p.to_owned()),
            None => home
                .as_ref()
                .map(|h| h.join(rel.unwrap_or(DEFAULT_PLAIN_FILE))),
        };
        let acl_dir = home.as_ref().map(|h| h.join("conf").join("acl"));
        AclLocations {
            home,
            default_file,
            acl_dir,
        }
    }

    /// Every ACL file that exists now: those under the ACL directory (sorted), then the
    /// default file unless already listed.
    pub fn files(&self) -> Vec<PathBuf> {
        let mut out = Vec::new();
        if let Some(dir) = &self.acl_dir {
            collect(dir, &mut out);
        }
        out.sort();
        if let Some(f) = &self.default_file {
            if f.is_file() && !out.contains(f) {
                out.push(f.clone());
            }
        }
        out
    }
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            collect(&p, out);
        } else if p.extension().is_some_and(|x| x == "yml" || x == "yaml") {
            out.push(p);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn java_locations() {
        let d = tempfile::tempdir().unwrap();
        let home = d.path().to_owned();
        std::fs::create_dir_all(home.join("conf/acl/sub")).unwrap();
        std::fs::write(home.join("conf/plain_acl.yml"), "").unwrap();
        std::fs::write(home.join("conf/acl/a.yml"), "").unwrap();
        std::fs::write(home.join("conf/acl/sub/b.yaml"), "").unwrap();
        std::fs::write(home.join("conf/acl/readme.txt"), "").unwrap();
        let loc = AclLocations::resolve(Some(home.clone()), None, None);
        assert_eq!(
            loc.files(),
            vec![
                home.join("conf/acl/a.yml"),
                home.join("conf/acl/sub/b.yaml"),
                home.join("conf/plain_acl.yml"),
            ]
        );
        let other = AclLocations::resolve(Some(home.clone()), Some("conf/other.yml"), None);
        assert_eq!(other.default_file, Some(home.join("conf/other.yml")));
        let explicit = AclLocations::resolve(None, None, Some(Path::new("/x/acl.yml")));
        assert_eq!(explicit.default_file, Some(PathBuf::from("/x/acl.yml")));
        assert_eq!(explicit.acl_dir, None);
    }
}
