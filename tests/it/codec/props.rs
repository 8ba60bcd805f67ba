//! Property tests: arbitrary commands survive an encode/decode round trip in both header types,
//! and arbitrary or mutated bytes never make the decoder panic (the stable stand-in for the
//! cargo-fuzz target in `fuzz/`).

use bytes::{Bytes, BytesMut};
use proptest::prelude::*;
use rocketactor::codec::{LanguageCode, RemotingCodec, RemotingCommand, SerializeType};
use tokio_util::codec::{Decoder, Encoder};

/// Any Unicode text, including control characters (properties use 0x01/0x02).
fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        ".{0,24}",
        proptest::collection::vec(any::<char>(), 0..12).prop_map(|v| v.into_iter().collect()),
        "[\\x00-\\x1f\"\\\\]{0,8}",
    ]
}

fn language() -> impl Strategy<Value = LanguageCode> {
    (0u8..14).prop_map(LanguageCode::from_code)
}

fn body() -> impl Strategy<Value = Bytes> {
    proptest::collection::vec(any::<u8>(), 0..512).prop_map(Bytes::from)
}

fn json_command() -> impl Strategy<Value = RemotingCommand> {
    (
        (
            any::<i32>(),
            language(),
            any::<i32>(),
            any::<i32>(),
            any::<i32>(),
        ),
        proptest::option::of(text()),
        proptest::collection::hash_map(text(), text(), 0..6),
        body(),
    )
        .prop_map(
            |((code, language, version, opaque, flag), remark, ext_fields, body)| RemotingCommand {
                code,
                language,
                version,
                opaque,
                flag,
                remark,
                ext_fields: ext_fields.into_iter().collect(),
                serialize_type: SerializeType::Json,
                body,
                body_parts: Vec::new(),
            },
        )
}

/// The binary header carries code/version as i16 and reads empty strings as null, so the
/// round-trip domain is narrowed to what it can represent.
fn binary_command() -> impl Strategy<Value = RemotingCommand> {
    let non_empty = || text().prop_filter("non-empty", |s| !s.is_empty());
    (
        (
            any::<i16>(),
            language(),
            any::<i16>(),
            any::<i32>(),
            any::<i32>(),
        ),
        proptest::option::of(non_empty()),
        proptest::collection::hash_map(non_empty(), non_empty(), 0..6),
        body(),
    )
        .prop_map(
            |((code, language, version, opaque, flag), remark, ext_fields, body)| RemotingCommand {
                code: code.into(),
                language,
                version: version.into(),
                opaque,
                flag,
                remark,
                ext_fields: ext_fields.into_iter().collect(),
                serialize_type: SerializeType::RocketMq,
                body,
                body_parts: Vec::new(),
            },
        )
}

fn round_trip(cmd: &RemotingCommand) -> RemotingCommand {
    let mut codec = RemotingCodec::default();
    let mut buf = BytesMut::new();
    codec.encode(cmd, &mut buf).unwrap();
    let back = codec.decode(&mut buf).unwrap().expect("a whole frame");
    assert!(buf.is_empty());
    back
}

/// Decodes frames from `bytes` until the decoder needs more data or errors. Bounded: every
/// successful decode consumes at least the 8-byte frame prefix.
fn drain(bytes: &[u8]) {
    let mut codec = RemotingCodec::default();
    let mut buf = BytesMut::from(bytes);
    for _ in 0..=bytes.len() / 8 {
        match codec.decode(&mut buf) {
            Ok(Some(cmd)) => {
                // Whatever decodes must re-encode (it came from a frame within the limit) and
                // survive a second round trip unchanged (it is inside the representable domain).
                let mut out = BytesMut::new();
                codec.encode(&cmd, &mut out).unwrap();
                let again = codec.decode(&mut out).unwrap().expect("a whole frame");
                assert_eq!(again, cmd);
            }
            Ok(None) | Err(_) => return,
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn json_round_trip(cmd in json_command()) {
        prop_assert_eq!(round_trip(&cmd), cmd);
    }

    #[test]
    fn binary_round_trip(cmd in binary_command()) {
        prop_assert_eq!(round_trip(&cmd), cmd);
    }

    #[test]
    fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..256)) {
        drain(&bytes);
    }

    #[test]
    fn random_bytes_behind_a_valid_prefix_never_panic(
        serialize_type in 0u8..3,
        header in proptest::collection::vec(any::<u8>(), 0..128),
        body_len in 0usize..16,
    ) {
        // A well-formed length and tag so the header decoders actually run on junk.
        let mut bytes = Vec::new();
        bytes.extend_from_slice(&((4 + header.len() + body_len) as u32).to_be_bytes());
        bytes.extend_from_slice(&((u32::from(serialize_type) << 24) | header.len() as u32).to_be_bytes());
        bytes.extend_from_slice(&header);
        bytes.resize(bytes.len() + body_len, 0);
        drain(&bytes);
    }

    #[test]
    fn mutated_valid_frames_never_panic(
        cmd in prop_oneof![json_command(), binary_command()],
        flips in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8),
    ) {
        let mut buf = BytesMut::new();
        RemotingCodec::default().encode(&cmd, &mut buf).unwrap();
        let mut bytes = buf.to_vec();
        for (at, value) in flips {
            let i = at.index(bytes.len());
            bytes[i] = value;
        }
        drain(&bytes);
    }
}
