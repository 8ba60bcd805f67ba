//! The broker's rewrite of a sent message's properties string, in one pass: drop malformed pairs
//! (Java's leniency), drop `WAIT` (noting `WAIT=false`) and any client-sent `CLUSTER`, append
//! `CLUSTER=<brokerClusterName>`, and note the first `DELAY` level and `TRAN_MSG` flag. The
//! result is exactly what decoding into pairs, editing and re-encoding gives (see the tests),
//! without a `String` per key and value on every send.

use crate::store::message::{NAME_VALUE_SEPARATOR, PROPERTY_SEPARATOR};

/// What the send path needs from the client's properties.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SendProps {
    /// The properties to store (without `WAIT`, with this broker's `CLUSTER` last).
    pub rewritten: String,
    /// False when the client sent `WAIT=false`: answer without waiting for flush or slave.
    pub wait_store: bool,
    /// The first `DELAY` property as a number (0 when absent or not a number).
    pub delay: i32,
    /// The first `TRAN_MSG` property is `true` (Java `Boolean.parseBoolean`): a half message.
    pub tran_msg: bool,
}

/// Rewrites `props` (the `properties` header, empty when absent) for storing.
pub fn rewrite(props: &str, cluster: &str) -> SendProps {
    let mut rewritten = String::with_capacity(props.len() + cluster.len() + 10);
    let mut wait_store = true;
    let mut delay = None;
    let mut tran_msg = None;
    for seg in props.split(PROPERTY_SEPARATOR) {
        let Some(idx) = seg.find(NAME_VALUE_SEPARATOR) else {
            continue;
        };
        if seg.len() < 3 || idx == 0 || idx >= seg.len() - 1 {
            continue;
        }
        let (key, value) = (&seg[..idx], &seg[idx + 1..]);
        match key {
            "CLUSTER" => continue,
            "WAIT" => {
                wait_store &= value != "false";
                continue;
            }
            "DELAY" if delay.is_none() => delay = Some(value.trim().parse().unwrap_or(0)),
            "TRAN_MSG" if tran_msg.is_none() => tran_msg = Some(value.eq_ignore_ascii_case("true")),
            _ => {}
        }
        if !rewritten.is_empty() {
            rewritten.push(PROPERTY_SEPARATOR);
        }
        rewritten.push_str(seg);
    }
    if !rewritten.is_empty() {
        rewritten.push(PROPERTY_SEPARATOR);
    }
    rewritten.push_str("CLUSTER");
    rewritten.push(NAME_VALUE_SEPARATOR);
    rewritten.push_str(cluster);
    SendProps {
        rewritten,
        wait_store,
        delay: delay.unwrap_or(0),
        tran_msg: tran_msg.unwrap_or(false),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::message::{decode_properties, encode_properties};

    /// The straightforward version: decode into pairs, edit, encode.
    fn reference(props: &str, cluster: &str) -> SendProps {
        let mut p = decode_properties(props);
        p.retain(|(k, _)| k != "CLUSTER");
        p.push(("CLUSTER".into(), cluster.into()));
        let wait_store = !p.iter().any(|(k, v)| k == "WAIT" && v == "false");
        p.retain(|(k, _)| k != "WAIT");
        let delay = p
            .iter()
            .find(|(k, _)| k == "DELAY")
            .and_then(|(_, v)| v.trim().parse::<i32>().ok())
            .unwrap_or(0);
        let tran_msg = p
            .iter()
            .find(|(k, _)| k == "TRAN_MSG")
            .is_some_and(|(_, v)| v.eq_ignore_ascii_case("true"));
        SendProps {
            rewritten: encode_properties(p.iter().map(|(k, v)| (k.as_str(), v.as_str()))),
            wait_store,
            delay,
            tran_msg,
        }
    }

    #[test]
    fn same_as_decode_edit_encode() {
        let cases = [
            "",
            "UNIQ_KEY\u{1}AB\u{2}WAIT\u{1}true\u{2}TAGS\u{1}TagA",
            "WAIT\u{1}false\u{2}CLUSTER\u{1}theirs\u{2}K\u{1}V",
            "DELAY\u{1} 3 \u{2}DELAY\u{1}5\u{2}X\u{1}a\u{1}b",
            "DELAY\u{1}x\u{2}\u{2}\u{1}v\u{2}k\u{1}\u{2}ab\u{2}K\u{1}V\u{2}",
            "WAIT\u{1}false\u{2}WAIT\u{1}true",
            "TRAN_MSG\u{1}TRUE\u{2}PGROUP\u{1}pg",
            "TRAN_MSG\u{1}no\u{2}TRAN_MSG\u{1}true",
        ];
        for c in cases {
            for cluster in ["DefaultCluster", ""] {
                assert_eq!(rewrite(c, cluster), reference(c, cluster), "{c:?}");
            }
        }
    }
}
