//! The request signature of ACL 1.0: HMAC-SHA1 with the secret key over the values of the
//! extFields sorted by key (without `Signature`), followed by the body, Base64-encoded. This is
//! what Java's `AclClientRPCHook` sends and `PlainAccessValidator.parse` recomputes
//! (`AclUtils.combineRequestContent`, `AclSigner`). See docs/acl.md.

use std::collections::{BTreeMap, HashMap};

use base64::Engine;
use hmac::{Hmac, KeyInit, Mac};
use sha1::Sha1;

use crate::codec::RemotingCommand;

/// extFields key of the account name.
pub const ACCESS_KEY: &str = "AccessKey";
/// extFields key of the signature.
pub const SIGNATURE: &str = "Signature";
/// extFields key of the optional security token.
pub const SECURITY_TOKEN: &str = "SecurityToken";
/// extFields key that the broker leaves out of the signed content (Java
/// `MixAll.UNIQUE_MSG_QUERY_FLAG`); a Java client never sends it signed.
pub const UNIQUE_KEY_QUERY: &str = "_UNIQUE_KEY_QUERY";

/// The bytes that are signed: the values of `fields` in key order, skipping `Signature` and
/// the keys in `skip`, then `body`.
pub fn content<S: std::hash::BuildHasher>(
    fields: &HashMap<String, String, S>,
    skip: &[&str],
    body: &[u8],
) -> Vec<u8> {
    let sorted: BTreeMap<&str, &str> = fields
        .iter()
        .filter(|(k, _)| k.as_str() != SIGNATURE && !skip.contains(&k.as_str()))
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let mut out = Vec::with_capacity(body.len() + 64 * sorted.len());
    for v in sorted.values() {
        out.extend_from_slice(v.as_bytes());
    }
    out.extend_from_slice(body);
    out
}

/// Base64(HMAC-SHA1(secret, data)), as Java `AclSigner.calSignature`.
pub fn sign(data: &[u8], secret: &str) -> String {
    // HMAC takes keys of any length: new_from_slice cannot fail here.
    let mut mac = match <Hmac<Sha1> as KeyInit>::new_from_slice(secret.as_bytes()) {
        Ok(m) => m,
        Err(_) => unreachable!("HMAC accepts keys of every length"),
    };
    mac.update(data);
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

/// An account's credentials, as Java's `SessionCredentials`: what a client signs with.
#[derive(Clone, PartialEq, Eq)]
pub struct SessionCredentials {
    pub access_key: String,
    pub secret_key: String,
    pub security_token: Option<String>,
}

impl std::fmt::Debug for SessionCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The secret never reaches a log line.
        f.debug_struct("SessionCredentials")
            .field("access_key", &self.access_key)
            .finish_non_exhaustive()
    }
}

impl SessionCredentials {
    pub fn new(access_key: impl Into<String>, secret_key: impl Into<String>) -> Self {
        SessionCredentials {
            access_key: access_key.into(),
            secret_key: secret_key.into(),
            security_token: None,
        }
    }

    /// Adds `AccessKey` (and `SecurityToken`) to the request and then its `Signature`, as
    /// Java's `AclClientRPCHook.doBeforeRequest`.
    pub fn sign_request(&self, cmd: &mut RemotingCommand) {
        cmd.ext_fields
            .insert(ACCESS_KEY.to_owned(), self.access_key.clone());
        if let Some(t) = &self.security_token {
            cmd.ext_fields.insert(SECURITY_TOKEN.to_owned(), t.clone());
        }
        let data = content(&cmd.ext_fields, &[], &cmd.body);
        let signature = sign(&data, &self.secret_key);
        cmd.ext_fields.insert(SIGNATURE.to_owned(), signature);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Reference values computed once with the Java 4.9.7 jars (rocketmq-acl + commons-codec):
    /// `AclUtils.calSignature(bytes, secret)` in a one-off jshell session on the interop
    /// classpath (`mvn dependency:build-classpath` in interop/java), e.g.
    /// `AclUtils.calSignature("rocketmq2AaTopicTest".getBytes(UTF_8), "12345678")`.
    #[test]
    fn java_reference_vectors() {
        for (data, secret, expected) in super::tests_vectors::VECTORS {
            assert_eq!(sign(data.as_bytes(), secret), *expected, "data={data:?}");
        }
    }

    #[test]
    fn content_sorts_and_skips_signature() {
        let mut f = HashMap::new();
        f.insert("b".to_owned(), "2".to_owned());
        f.insert("a".to_owned(), "1".to_owned());
        f.insert(SIGNATURE.to_owned(), "zzz".to_owned());
        f.insert(UNIQUE_KEY_QUERY.to_owned(), "true".to_owned());
        assert_eq!(content(&f, &[UNIQUE_KEY_QUERY], b"body"), b"12body");
        // `_` sorts before lower-case letters, as in Java's TreeMap.
        assert_eq!(content(&f, &[], b""), b"true12");
    }

    #[test]
    fn sign_request_adds_fields() {
        let mut cmd = RemotingCommand::request(10);
        cmd.ext_fields.insert("topic".into(), "T".into());
        SessionCredentials::new("rocketmq2", "12345678").sign_request(&mut cmd);
        assert_eq!(cmd.ext("AccessKey"), Some("rocketmq2"));
        let sig = cmd.ext(SIGNATURE).unwrap().to_owned();
        assert_eq!(sig, sign(b"rocketmq2T", "12345678"));
    }
}

#[cfg(test)]
#[path = "signer_vectors.rs"]
mod tests_vectors;
