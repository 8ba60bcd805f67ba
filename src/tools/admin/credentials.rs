//! The ACL 1.0 credentials `rocketactor admin` signs every request with (docs/admin.md, ACL):
//! our `ROCKETMQ_ACCESS_KEY` / `ROCKETMQ_SECRET_KEY` environment variables (an extension),
//! else `accessKey` / `secretKey` of `$ROCKETMQ_HOME/conf/tools.yml`, the file mqadmin reads
//! (Java `AclUtils.getAclRPCHook(rocketmqHome + "/conf/tools.yml")`). Neither: unsigned.

use std::path::Path;

use crate::acl::SessionCredentials;

/// The credentials to sign with, if any.
pub fn from_env() -> Option<SessionCredentials> {
    let var = |k: &str| std::env::var(k).ok().filter(|v| !v.trim().is_empty());
    if let (Some(a), Some(s)) = (var("ROCKETMQ_ACCESS_KEY"), var("ROCKETMQ_SECRET_KEY")) {
        return Some(SessionCredentials::new(a.trim(), s.trim()));
    }
    let home = var("ROCKETMQ_HOME")?;
    let text = std::fs::read_to_string(Path::new(&home).join("conf").join("tools.yml")).ok()?;
    from_tools_yml(&text)
}

/// `accessKey: x` and `secretKey: y` of a tools.yml; both needed, as Java's `AclUtils`.
pub fn from_tools_yml(text: &str) -> Option<SessionCredentials> {
    let get = |key: &str| {
        text.lines().find_map(|l| {
            let (k, v) = l.split_once(':')?;
            (k.trim() == key).then(|| {
                v.split(" #")
                    .next()
                    .unwrap_or_default()
                    .trim()
                    .trim_matches(|c| c == '"' || c == '\'')
                    .to_owned()
            })
        })
    };
    let (a, s) = (get("accessKey")?, get("secretKey")?);
    (!a.is_empty() && !s.is_empty()).then(|| SessionCredentials::new(a, s))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tools_yml_needs_both_keys() {
        let c = from_tools_yml("accessKey: rocketmq2\nsecretKey: \"12345678\" # admin\n").unwrap();
        assert_eq!(c.access_key, "rocketmq2");
        assert_eq!(c.secret_key, "12345678");
        assert!(from_tools_yml("accessKey: rocketmq2\n").is_none());
        assert!(from_tools_yml("accessKey:\nsecretKey: x\n").is_none());
    }
}
