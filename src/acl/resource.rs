//! What a request asks for: the peer host, the account and signature it carries, the bytes that
//! were signed, and the resources with the permission each needs. This follows Java 4.9.7's
//! `PlainAccessValidator.parse` code by code (send: topic PUB, or the group's retry topic SUB
//! for a retry topic; pull: topic SUB and group SUB; heartbeat: every group and subscribed
//! topic SUB; …). Codes not listed there need no resource, only a valid signature.

use std::net::SocketAddr;

use super::error::AclDenied;
use super::permission::{is_retry_topic, retry_topic, PUB, SUB};
use super::signer::{content, ACCESS_KEY, SIGNATURE, UNIQUE_KEY_QUERY};
use crate::codec::codes::request;
use crate::codec::RemotingCommand;
use crate::protocol::heartbeat::HeartbeatData;

/// Where Java throws a parse failure (for the remark).
pub const AT_PARSE: &str =
    "org.apache.rocketmq.acl.plain.PlainAccessValidator.parse(PlainAccessValidator.java:134)";

/// One request, as the validator sees it (Java `PlainAccessResource` of the request).
#[derive(Debug, Clone, Default)]
pub struct AccessRequest {
    /// The peer host without its port.
    pub remote_host: String,
    pub code: i32,
    pub access_key: Option<String>,
    pub signature: Option<String>,
    /// (resource, needed permission); a later entry for the same resource replaces the
    /// earlier one, as Java's map does. `None` when the request names no resource.
    pub perms: Option<Vec<(String, u8)>>,
    /// The signed bytes (empty when the request has no extFields).
    pub content: Vec<u8>,
}

impl AccessRequest {
    fn add(&mut self, resource: Option<String>, perm: u8) {
        let Some(resource) = resource else { return };
        let perms = self.perms.get_or_insert_with(Vec::new);
        match perms.iter_mut().find(|(r, _)| *r == resource) {
            Some(entry) => entry.1 = perm,
            None => perms.push((resource, perm)),
        }
    }
}

/// The host part of a peer address, as Java keeps it (`remoteAddr` up to its last `:`).
pub fn host_of(peer: SocketAddr) -> String {
    peer.ip().to_string()
}

/// Builds the access request of `req` from `peer` (Java `PlainAccessValidator.parse`).
pub fn parse(req: &RemotingCommand, peer: SocketAddr) -> Result<AccessRequest, AclDenied> {
    let mut r = AccessRequest {
        remote_host: host_of(peer),
        code: req.code,
        ..AccessRequest::default()
    };
    if req.ext_fields.is_empty() {
        // Java: no extFields, no account; only a global white address can let it in.
        return Ok(r);
    }
    r.access_key = req.ext(ACCESS_KEY).map(str::to_owned);
    r.signature = req.ext(SIGNATURE).map(str::to_owned);
    let ext = |k: &str| req.ext(k).map(str::to_owned);
    let retry = |k: &str| req.ext(k).map(retry_topic);
    use request::*;
    match req.code {
        SEND_MESSAGE => match ext("topic") {
            Some(t) if is_retry_topic(&t) => r.add(retry("group"), SUB),
            t => r.add(t, PUB),
        },
        SEND_MESSAGE_V2 => match ext("b") {
            Some(t) if is_retry_topic(&t) => r.add(retry("a"), SUB),
            t => r.add(t, PUB),
        },
        CONSUMER_SEND_MSG_BACK => r.add(retry("group"), SUB),
        PULL_MESSAGE => {
            r.add(ext("topic"), SUB);
            r.add(retry("consumerGroup"), SUB);
        }
        QUERY_MESSAGE => r.add(ext("topic"), SUB),
        HEART_BEAT => {
            let hb = HeartbeatData::decode(&req.body)
                .map_err(|e| AclDenied::new(e.to_string(), AT_PARSE))?;
            for data in &hb.consumer_data_set {
                r.add(Some(retry_topic(&data.group_name)), SUB);
                for sub in &data.subscription_data_set {
                    r.add(Some(sub.topic.clone()), SUB);
                }
            }
        }
        // Java 4.9.7's header decoding logs and skips a missing or bad field instead of
        // throwing (checked against the 4.9.7 broker): a missing group names no resource.
        UNREGISTER_CLIENT | GET_CONSUMER_LIST_BY_GROUP => r.add(retry("consumerGroup"), SUB),
        UPDATE_CONSUMER_OFFSET => {
            r.add(retry("consumerGroup"), SUB);
            r.add(ext("topic"), SUB);
        }
        _ => {}
    }
    r.content = content(&req.ext_fields, &[UNIQUE_KEY_QUERY], &req.body);
    Ok(r)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn peer() -> SocketAddr {
        "127.0.0.1:5555".parse().unwrap()
    }

    fn req(code: i32, fields: &[(&str, &str)]) -> RemotingCommand {
        let mut c = RemotingCommand::request(code);
        for (k, v) in fields {
            c.ext_fields.insert((*k).into(), (*v).into());
        }
        c
    }

    #[test]
    fn send_needs_pub_or_retry_group_sub() {
        let r = parse(
            &req(request::SEND_MESSAGE_V2, &[("a", "g"), ("b", "T")]),
            peer(),
        )
        .unwrap();
        assert_eq!(r.perms, Some(vec![("T".into(), PUB)]));
        assert_eq!(r.remote_host, "127.0.0.1");
        let r = parse(
            &req(request::SEND_MESSAGE_V2, &[("a", "g"), ("b", "%RETRY%g")]),
            peer(),
        )
        .unwrap();
        assert_eq!(r.perms, Some(vec![("%RETRY%g".into(), SUB)]));
    }

    #[test]
    fn pull_needs_topic_and_group() {
        let r = parse(
            &req(
                request::PULL_MESSAGE,
                &[("topic", "T"), ("consumerGroup", "G")],
            ),
            peer(),
        )
        .unwrap();
        assert_eq!(
            r.perms,
            Some(vec![("T".into(), SUB), ("%RETRY%G".into(), SUB)])
        );
    }

    #[test]
    fn a_missing_header_field_names_no_resource_as_in_java() {
        let r = parse(
            &req(request::GET_CONSUMER_LIST_BY_GROUP, &[("x", "1")]),
            peer(),
        )
        .unwrap();
        assert_eq!(r.perms, None);
        let r = parse(
            &req(request::UPDATE_CONSUMER_OFFSET, &[("topic", "T")]),
            peer(),
        )
        .unwrap();
        assert_eq!(r.perms, Some(vec![("T".into(), SUB)]));
    }

    #[test]
    fn content_leaves_out_signature_and_unique_key_flag() {
        let mut c = req(
            request::QUERY_MESSAGE,
            &[
                ("topic", "T"),
                ("Signature", "s"),
                ("_UNIQUE_KEY_QUERY", "true"),
                ("AccessKey", "ak"),
            ],
        );
        c.body = bytes::Bytes::from_static(b"B");
        let r = parse(&c, peer()).unwrap();
        assert_eq!(r.content, b"akTB");
        assert_eq!(r.access_key.as_deref(), Some("ak"));
        assert_eq!(r.signature.as_deref(), Some("s"));
    }

    #[test]
    fn no_ext_fields_no_account() {
        let r = parse(&RemotingCommand::request(request::HEART_BEAT), peer()).unwrap();
        assert!(r.access_key.is_none() && r.perms.is_none());
    }
}
