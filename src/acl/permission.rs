//! Permissions of ACL 1.0, as Java's `Permission` (acl/common) defines them: bit flags, their
//! spelling in plain_acl.yml, the check of a needed permission against an owned one, and the
//! request codes that only an admin account may send. See docs/acl.md.

use std::collections::HashMap;

use crate::codec::codes::request;

/// The owned permission refuses everything.
pub const DENY: u8 = 1;
/// Needed: any of PUB or SUB will do.
pub const ANY: u8 = 1 << 1;
/// Publish to a topic.
pub const PUB: u8 = 1 << 2;
/// Subscribe to a topic, or consume as a group.
pub const SUB: u8 = 1 << 3;

/// The retry-topic prefix that marks a group resource (Java `MixAll.RETRY_GROUP_TOPIC_PREFIX`).
pub const RETRY_PREFIX: &str = "%RETRY%";

/// Java's `Permission.checkPermission`: DENY wins, ANY is satisfied by PUB or SUB, otherwise
/// one common bit is enough.
pub fn check(needed: u8, owned: u8) -> bool {
    if owned & DENY != 0 {
        return false;
    }
    if needed & ANY != 0 {
        return owned & (PUB | SUB) != 0;
    }
    needed & owned != 0
}

/// Java's `Permission.parsePermFromString`: unknown or missing spellings are DENY.
pub fn parse(s: Option<&str>) -> u8 {
    match s.map(str::trim) {
        Some("PUB") => PUB,
        Some("SUB") => SUB,
        Some("PUB|SUB") | Some("SUB|PUB") => PUB | SUB,
        _ => DENY,
    }
}

/// The codes Java 4.9.7 reserves for admin accounts (`Permission.ADMIN_CODE`).
pub fn needs_admin(code: i32) -> bool {
    matches!(
        code,
        request::UPDATE_AND_CREATE_TOPIC
            | request::UPDATE_BROKER_CONFIG
            | request::DELETE_TOPIC_IN_BROKER
            | request::UPDATE_AND_CREATE_SUBSCRIPTIONGROUP
            | request::DELETE_SUBSCRIPTIONGROUP
    )
}

/// `%RETRY%group`: the resource name under which a group's permission is kept.
pub fn retry_topic(group: &str) -> String {
    format!("{RETRY_PREFIX}{group}")
}

/// True for a resource that stands for a group.
pub fn is_retry_topic(resource: &str) -> bool {
    resource.starts_with(RETRY_PREFIX)
}

/// Java's `PlainAccessResource.printStr`: `group:G` or `topic:T`, as the refusal remarks say.
pub fn print_resource(resource: &str) -> String {
    match resource.strip_prefix(RETRY_PREFIX) {
        Some(group) => format!("group:{group}"),
        None => format!("topic:{resource}"),
    }
}

/// Splits `res=PERM` entries as Java's `Permission.parseResourcePerms` does (groups are kept
/// under their retry topic). `Err` holds the entry that is not of the form `a=b`.
pub fn parse_resource_perms(
    entries: &[String],
    is_topic: bool,
    into: &mut HashMap<String, u8>,
) -> Result<(), String> {
    for entry in entries {
        // StringUtils.split drops empty tokens: "a==SUB" is two items.
        let items: Vec<&str> = entry.split('=').filter(|s| !s.is_empty()).collect();
        if items.len() != 2 {
            return Err(entry.clone());
        }
        let name = items[0].trim();
        let key = if is_topic {
            name.to_owned()
        } else {
            retry_topic(name)
        };
        into.insert(key, parse(Some(items[1].trim())));
    }
    Ok(())
}

/// Java's `Permission.checkResourcePerms` for the admin update command: the error text it throws.
pub fn check_resource_perms(entries: &[String]) -> Result<(), String> {
    for entry in entries {
        let items: Vec<&str> = entry.split('=').filter(|s| !s.is_empty()).collect();
        if items.len() != 2 {
            return Err(format!(
                "Parse Resource format error for {entry}.\nThe expected resource format is 'Res=Perm'. For example: topicA=SUB"
            ));
        }
        let perm = items[1].trim();
        if perm != "DENY" && parse(Some(perm)) == DENY {
            return Err(format!(
                "Parse resource permission error for {entry}.\nThe expected permissions are 'SUB' or 'PUB' or 'SUB|PUB' or 'PUB|SUB'."
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_follows_java() {
        assert!(!check(PUB, DENY));
        assert!(!check(PUB, DENY | PUB));
        assert!(check(PUB, PUB));
        assert!(!check(SUB, PUB));
        assert!(check(SUB, PUB | SUB));
        assert!(check(ANY, SUB));
        assert!(check(ANY, PUB));
        assert!(!check(ANY, 0));
        assert!(!check(PUB, 0));
    }

    #[test]
    fn parse_spellings() {
        assert_eq!(parse(Some("PUB")), PUB);
        assert_eq!(parse(Some(" SUB ")), SUB);
        assert_eq!(parse(Some("PUB|SUB")), PUB | SUB);
        assert_eq!(parse(Some("SUB|PUB")), PUB | SUB);
        assert_eq!(parse(Some("DENY")), DENY);
        assert_eq!(parse(Some("pub")), DENY);
        assert_eq!(parse(None), DENY);
    }

    #[test]
    fn resource_perms() {
        let mut m = HashMap::new();
        parse_resource_perms(&["topicA=PUB|SUB".into(), " t = SUB".into()], true, &mut m).unwrap();
        parse_resource_perms(&["g1=SUB".into()], false, &mut m).unwrap();
        assert_eq!(m["topicA"], PUB | SUB);
        assert_eq!(m["t"], SUB);
        assert_eq!(m["%RETRY%g1"], SUB);
        assert!(parse_resource_perms(&["bad".into()], true, &mut m).is_err());
        assert!(check_resource_perms(&["a=PUB".into(), "b=DENY".into()]).is_ok());
        let e = check_resource_perms(&["a=READ".into()]).unwrap_err();
        assert!(
            e.starts_with("Parse resource permission error for a=READ."),
            "{e}"
        );
    }

    #[test]
    fn print_and_admin() {
        assert_eq!(print_resource("%RETRY%g"), "group:g");
        assert_eq!(print_resource("t"), "topic:t");
        assert!(needs_admin(request::UPDATE_AND_CREATE_TOPIC));
        assert!(!needs_admin(request::SEND_MESSAGE));
    }
}
