//! Authentication of the HA link (issue #15; docs/acl.md "HA link"): with a shared secret
//! (`haAuthSecret`, ours) the slave's hello also carries a timestamp and
//! Base64(HMAC-SHA1(secret, "cluster\nbrokerName\nbrokerId\ntimestamp")); the master streams
//! nothing to a slave whose proof is missing, wrong or older than [`MAX_SKEW_MS`]. Java 4.9.7's HA
//! link has no authentication at all (nor our hello: see `protocol`).

use super::protocol::Hello;
pub use super::protocol::HelloAuth;
use crate::acl::signer::sign;

/// How far the slave's timestamp may be from the master's clock.
pub const MAX_SKEW_MS: i64 = 5 * 60 * 1000;

fn content(hello: &Hello, timestamp: i64) -> String {
    format!(
        "{}\n{}\n{}\n{}",
        hello.cluster, hello.broker_name, hello.broker_id, timestamp
    )
}

/// The proof for `hello` at `now_ms`.
pub fn prove(hello: &Hello, secret: &str, now_ms: i64) -> HelloAuth {
    HelloAuth {
        timestamp: now_ms,
        auth: sign(content(hello, now_ms).as_bytes(), secret),
    }
}

/// Checks the proof of `hello`; `Err` says why it is refused.
pub fn verify(
    hello: &Hello,
    auth: Option<&HelloAuth>,
    secret: &str,
    now_ms: i64,
) -> Result<(), String> {
    let Some(a) = auth else {
        return Err("no authentication in the hello (haAuthSecret set on the master only?)".into());
    };
    if (now_ms - a.timestamp).abs() > MAX_SKEW_MS {
        return Err(format!(
            "hello timestamp {} is more than {} s from the master's clock",
            a.timestamp,
            MAX_SKEW_MS / 1000
        ));
    }
    if sign(content(hello, a.timestamp).as_bytes(), secret) != a.auth {
        return Err("wrong HA authentication (haAuthSecret differs)".into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hello() -> Hello {
        Hello {
            broker_name: "broker-a".into(),
            cluster: "c".into(),
            broker_id: 1,
        }
    }

    #[test]
    fn proof_round_trip_and_refusals() {
        let h = hello();
        let a = prove(&h, "s3cret", 1_000_000);
        assert_eq!(verify(&h, Some(&a), "s3cret", 1_000_500), Ok(()));
        assert!(verify(&h, Some(&a), "other", 1_000_500).is_err());
        assert!(verify(&h, None, "s3cret", 1_000_500).is_err());
        assert!(verify(&h, Some(&a), "s3cret", 1_000_000 + MAX_SKEW_MS + 1).is_err());
        let mut other = h.clone();
        other.broker_id = 2;
        assert!(
            verify(&other, Some(&a), "s3cret", 1_000_500).is_err(),
            "bound to the identity"
        );
    }
}
