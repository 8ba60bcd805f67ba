//! The JSON header fast path (`codec::json_fast`) against the serde path it shortcuts: on every
//! header the fast path accepts, both must decode the same command; on generated well-formed
//! headers the fast path must actually be taken; and random byte damage must never make the fast
//! path accept what serde rejects or read it differently.

use proptest::prelude::*;
use rocketactor::codec::json_fast;
use rocketactor::codec::json_header::{decode_serde, encode};
use rocketactor::codec::{LanguageCode, RemotingCommand, SerializeType};

/// JSON text of a scalar, as different clients write them.
fn scalar() -> impl Strategy<Value = String> {
    prop_oneof![
        "[ -~]{0,12}".prop_map(|s| serde_json::to_string(&s).unwrap()),
        "[\u{1}\u{2}a-z\u{e9}\u{1F600}\"\\\\/\n\t]{0,10}"
            .prop_map(|s| serde_json::to_string(&s).unwrap()),
        (-999_999_999_999_999_999i64..=999_999_999_999_999_999).prop_map(|n| n.to_string()),
        (-1000i32..1000).prop_map(|n| n.to_string()),
        Just("null".to_owned()),
        Just("true".to_owned()),
        Just("false".to_owned()),
        Just("\"\\u0041\\ud83d\\ude00\"".to_owned()),
    ]
}

fn ws() -> impl Strategy<Value = &'static str> {
    prop_oneof![Just(""), Just(" "), Just("\n\t "), Just("\r\n")]
}

/// A header object: known keys with lenient values, unknown keys, extFields, in any order.
fn header() -> impl Strategy<Value = String> {
    let known = prop_oneof![
        (-100_000i32..100_000).prop_map(|n| format!("\"code\":{n}")),
        (-5i32..500).prop_map(|n| format!("\"opaque\":\"{n}\"")),
        (0i32..4).prop_map(|n| format!("\"flag\":{n}")),
        (0i32..500).prop_map(|n| format!("\"version\":{n}")),
        prop_oneof![
            Just("\"JAVA\""),
            Just("\"RUST\""),
            Just("\"XX\""),
            Just("3"),
            Just("300"),
            Just("null")
        ]
        .prop_map(|l| format!("\"language\":{l}")),
        scalar().prop_map(|v| format!("\"remark\":{v}")),
        scalar().prop_map(|v| format!("\"serializeTypeCurrentRPC\":{v}")),
        prop::collection::vec(("[a-zA-Z_]{1,8}", scalar(), ws()), 0..14).prop_map(|kv| {
            let body: Vec<String> = kv
                .iter()
                .map(|(k, v, w)| format!("{w}\"{k}\"{w}:{w}{v}{w}"))
                .collect();
            format!("\"extFields\":{{{}}}", body.join(","))
        }),
        Just("\"extFields\":null".to_owned()),
    ];
    (prop::collection::vec((known, ws()), 0..9), ws()).prop_map(|(fields, w)| {
        let body: Vec<String> = fields.iter().map(|(f, w)| format!("{w}{f}{w}")).collect();
        format!("{w}{{{}}}{w}", body.join(","))
    })
}

fn agree(bytes: &[u8]) -> Result<(), TestCaseError> {
    if let Some(fast) = json_fast::decode(bytes) {
        match decode_serde(bytes) {
            Ok(slow) => prop_assert_eq!(fast, slow),
            Err(e) => prop_assert!(
                false,
                "fast path accepted what serde rejects ({e}): {}",
                String::from_utf8_lossy(bytes)
            ),
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(800))]

    #[test]
    fn fast_and_serde_agree(h in header()) {
        agree(h.as_bytes())?;
        // Repeated known keys are serde's to reject; everything else here is well formed.
        let known = ["\"code\"", "\"opaque\"", "\"flag\"", "\"version\"", "\"language\"",
            "\"remark\"", "\"extFields\""];
        let repeated = known.iter().any(|k| h.matches(k).count() > 1);
        if !repeated && decode_serde(h.as_bytes()).is_ok() {
            prop_assert!(json_fast::decode(h.as_bytes()).is_some(), "fast path declined {}", h);
        }
    }

    #[test]
    fn damaged_headers_never_diverge(h in header(), edits in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..4)) {
        let mut b = h.into_bytes();
        for (at, byte) in edits {
            if !b.is_empty() {
                let i = at.index(b.len());
                b[i] = byte;
            }
        }
        agree(&b)?;
    }

    #[test]
    fn our_encoding_takes_the_fast_path(
        code in any::<i32>(), opaque in any::<i32>(), flag in 0i32..4,
        remark in proptest::option::of("[ -~\u{1}\u{2}\u{e9}]{0,20}"),
        ext in prop::collection::hash_map("[a-zA-Z]{1,6}", "[ -~\u{1}\u{2}]{0,20}", 0..14),
    ) {
        let cmd = RemotingCommand {
            code, language: LanguageCode::Java, version: 407, opaque, flag, remark,
            ext_fields: ext.into_iter().collect(), serialize_type: SerializeType::Json, body: Default::default(), body_parts: Vec::new(),
        };
        let mut out = Vec::new();
        encode(&cmd, &mut out);
        prop_assert_eq!(json_fast::decode(&out), Some(cmd));
    }
}
