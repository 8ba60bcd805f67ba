//! The decision on one request, in the order of Java 4.9.7's `PlainPermissionManager.validate`:
//! a global white address lets it in; then the access key must be known; the account's white
//! address lets it in; then the signature must match; then (unless it is a trace-topic send)
//! each resource's needed permission is checked against the account (`checkPerm`). The
//! refusal texts are Java's, with the Java frame that throws each one (for the remark).

use super::error::AclDenied;
use super::permission::{self, print_resource, PUB};
use super::resource::AccessRequest;
use super::signer::sign;
use super::state::{Account, AclState};

const AT_NO_AK: &str =
    "org.apache.rocketmq.acl.plain.PlainPermissionManager.validate(PlainPermissionManager.java:663)";
const AT_NO_CONFIG: &str =
    "org.apache.rocketmq.acl.plain.PlainPermissionManager.validate(PlainPermissionManager.java:667)";
const AT_SIGNATURE: &str =
    "org.apache.rocketmq.acl.plain.PlainPermissionManager.validate(PlainPermissionManager.java:683)";
const AT_ADMIN: &str =
    "org.apache.rocketmq.acl.plain.PlainPermissionManager.checkPerm(PlainPermissionManager.java:580)";
const AT_DEFAULT_PERM: &str =
    "org.apache.rocketmq.acl.plain.PlainPermissionManager.checkPerm(PlainPermissionManager.java:605)";
const AT_PERM: &str =
    "org.apache.rocketmq.acl.plain.PlainPermissionManager.checkPerm(PlainPermissionManager.java:610)";

/// The topic whose PUB is never checked (Java `TopicValidator.RMQ_SYS_TRACE_TOPIC`).
const TRACE_TOPIC: &str = "RMQ_SYS_TRACE_TOPIC";

/// Lets `r` in or says why not.
pub fn validate(st: &AclState, r: &AccessRequest) -> Result<(), AclDenied> {
    if st.global_white.iter().any(|p| p.matches(&r.remote_host)) {
        return Ok(());
    }
    let Some(ak) = r.access_key.as_deref() else {
        return Err(AclDenied::new("No accessKey is configured", AT_NO_AK));
    };
    let Some(owned) = st.accounts.get(ak) else {
        return Err(AclDenied::new(
            format!("No acl config for {ak}"),
            AT_NO_CONFIG,
        ));
    };
    if owned.white.matches(&r.remote_host) {
        return Ok(());
    }
    let expected = sign(&r.content, &owned.secret_key);
    if r.signature.as_deref() != Some(expected.as_str()) {
        return Err(AclDenied::new(
            format!("Check signature failed for accessKey={ak}"),
            AT_SIGNATURE,
        ));
    }
    if let Some(perms) = &r.perms {
        if perms.iter().any(|(res, p)| res == TRACE_TOPIC && *p == PUB) {
            return Ok(());
        }
    }
    check_perm(r, owned)
}

/// Java `checkPerm`.
fn check_perm(r: &AccessRequest, owned: &Account) -> Result<(), AclDenied> {
    if permission::needs_admin(r.code) && !owned.admin {
        return Err(AclDenied::new(
            format!(
                "Need admin permission for request code={}, but accessKey={} is not",
                r.code, owned.access_key
            ),
            AT_ADMIN,
        ));
    }
    let Some(needed) = &r.perms else {
        return Ok(());
    };
    if owned.perms.is_none() && owned.admin {
        return Ok(());
    }
    for (resource, perm) in needed {
        let is_group = permission::is_retry_topic(resource);
        match owned.perms.as_ref().and_then(|m| m.get(resource)) {
            None => {
                let default = if is_group {
                    owned.default_group_perm
                } else {
                    owned.default_topic_perm
                };
                if !permission::check(*perm, default) {
                    return Err(AclDenied::new(
                        format!("No default permission for {}", print_resource(resource)),
                        AT_DEFAULT_PERM,
                    ));
                }
            }
            Some(have) => {
                if !permission::check(*perm, *have) {
                    return Err(AclDenied::new(
                        format!("No default permission for {}", print_resource(resource)),
                        AT_PERM,
                    ));
                }
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;
    use std::path::Path;

    use super::*;
    use crate::acl::model::PlainAccessConfig;
    use crate::acl::state::compile;
    use crate::codec::codes::request;

    fn state() -> AclState {
        let mut st = AclState::default();
        let mk = |ak: &str, f: &dyn Fn(&mut PlainAccessConfig)| {
            let mut c = PlainAccessConfig {
                access_key: Some(ak.into()),
                secret_key: Some("12345678".into()),
                ..Default::default()
            };
            f(&mut c);
            compile(Path::new("t.yml"), "", &c).unwrap()
        };
        let user = mk("RocketMQ", &|c| {
            c.default_topic_perm = Some("DENY".into());
            c.default_group_perm = Some("SUB".into());
            c.topic_perms = Some(vec!["topicB=PUB|SUB".into(), "topicC=SUB".into()]);
            c.group_perms = Some(vec!["groupA=DENY".into()]);
        });
        let admin = mk("rocketmq2", &|c| {
            c.admin = true;
            c.white_remote_address = Some("192.168.1.*".into());
        });
        st.accounts.insert(user.access_key.clone(), user);
        st.accounts.insert(admin.access_key.clone(), admin);
        st
    }

    fn signed(
        ak: &str,
        secret: &str,
        code: i32,
        perms: &[(&str, u8)],
        host: &str,
    ) -> AccessRequest {
        let content = b"content".to_vec();
        AccessRequest {
            remote_host: host.into(),
            code,
            access_key: Some(ak.into()),
            signature: Some(sign(&content, secret)),
            perms: (!perms.is_empty())
                .then(|| perms.iter().map(|(r, p)| ((*r).to_owned(), *p)).collect()),
            content,
        }
    }

    #[test]
    fn order_and_texts_follow_java() {
        let st = state();
        let ok = signed(
            "RocketMQ",
            "12345678",
            request::SEND_MESSAGE_V2,
            &[("topicB", PUB)],
            "127.0.0.1",
        );
        assert_eq!(validate(&st, &ok), Ok(()));
        let wrong = signed(
            "RocketMQ",
            "nope-nope",
            request::SEND_MESSAGE_V2,
            &[("topicB", PUB)],
            "127.0.0.1",
        );
        assert_eq!(
            validate(&st, &wrong).unwrap_err().message,
            "Check signature failed for accessKey=RocketMQ"
        );
        let unknown = signed("nobody1", "12345678", 10, &[], "127.0.0.1");
        assert_eq!(
            validate(&st, &unknown).unwrap_err().message,
            "No acl config for nobody1"
        );
        let mut none = ok.clone();
        none.access_key = None;
        assert_eq!(
            validate(&st, &none).unwrap_err().message,
            "No accessKey is configured"
        );
        let sub_only = signed("RocketMQ", "12345678", 10, &[("topicC", PUB)], "127.0.0.1");
        assert_eq!(
            validate(&st, &sub_only).unwrap_err().message,
            "No default permission for topic:topicC"
        );
        let default_deny = signed("RocketMQ", "12345678", 10, &[("other", PUB)], "127.0.0.1");
        assert_eq!(
            validate(&st, &default_deny).unwrap_err().message,
            "No default permission for topic:other"
        );
        let group = signed(
            "RocketMQ",
            "12345678",
            11,
            &[("%RETRY%groupA", permission::SUB)],
            "127.0.0.1",
        );
        assert_eq!(
            validate(&st, &group).unwrap_err().message,
            "No default permission for group:groupA"
        );
        let trace = signed(
            "RocketMQ",
            "12345678",
            310,
            &[("RMQ_SYS_TRACE_TOPIC", PUB)],
            "127.0.0.1",
        );
        assert_eq!(validate(&st, &trace), Ok(()));
        let admin_code = signed(
            "RocketMQ",
            "12345678",
            request::UPDATE_AND_CREATE_TOPIC,
            &[],
            "127.0.0.1",
        );
        let e = validate(&st, &admin_code).unwrap_err();
        assert_eq!(
            e.message,
            "Need admin permission for request code=17, but accessKey=RocketMQ is not"
        );
        assert!(e
            .remark()
            .starts_with("org.apache.rocketmq.acl.common.AclException: Need admin"));
        let admin = signed(
            "rocketmq2",
            "12345678",
            request::UPDATE_AND_CREATE_TOPIC,
            &[("x", PUB)],
            "127.0.0.1",
        );
        assert_eq!(validate(&st, &admin), Ok(()));
    }

    #[test]
    fn white_addresses_skip_the_signature() {
        let mut st = state();
        let mut unsigned = signed("rocketmq2", "wrong-secret", 10, &[], "192.168.1.7");
        assert_eq!(validate(&st, &unsigned), Ok(()), "account white address");
        unsigned.remote_host = "127.0.0.1".into();
        assert!(validate(&st, &unsigned).is_err());
        st.global_white
            .push(crate::acl::address::AddressPattern::parse(Some("127.0.0.*")).unwrap());
        unsigned.access_key = None;
        assert_eq!(validate(&st, &unsigned), Ok(()), "global white address");
        let _ = HashMap::<(), ()>::new();
    }
}
