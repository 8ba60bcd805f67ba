//! Lenient decoding of what real clients send, typed errors (never panics, never more than the
//! frame limit allocated) for what they must not send, and stream reassembly at every split.

use bytes::{BufMut, BytesMut};
use rocketactor::codec::{
    CodecError, LanguageCode, RemotingCodec, RemotingCommand, SerializeType, MAX_FRAME_LEN,
};
use tokio_util::codec::{Decoder, Encoder};

fn frame(serialize_type: u8, header: &[u8], body: &[u8]) -> BytesMut {
    let mut b = BytesMut::new();
    b.put_u32((4 + header.len() + body.len()) as u32);
    b.put_u32((u32::from(serialize_type) << 24) | header.len() as u32);
    b.put_slice(header);
    b.put_slice(body);
    b
}

fn decode_json(header: &str) -> Result<RemotingCommand, CodecError> {
    let mut b = frame(0, header.as_bytes(), b"");
    RemotingCodec::default()
        .decode(&mut b)
        .map(|c| c.expect("whole frame"))
}

fn decode_err(mut bytes: BytesMut) -> CodecError {
    match RemotingCodec::default().decode(&mut bytes) {
        Err(e) => e,
        Ok(r) => panic!("expected an error, got {r:?}"),
    }
}

// ---- lenient JSON ----

#[test]
fn ext_numbers_and_booleans_become_strings() {
    let cmd = decode_json(
        r#"{"code":11,"extFields":{"queueId":3,"commitOffset":-1,"unitMode":false,"ratio":1.5,"gone":null}}"#,
    )
    .unwrap();
    assert_eq!(cmd.ext("queueId"), Some("3"));
    assert_eq!(cmd.ext("commitOffset"), Some("-1"));
    assert_eq!(cmd.ext("unitMode"), Some("false"));
    assert_eq!(cmd.ext("ratio"), Some("1.5"));
    assert_eq!(
        cmd.ext("gone"),
        None,
        "null values are dropped like fastjson"
    );
}

#[test]
fn missing_optional_fields_take_java_defaults() {
    let cmd = decode_json(r#"{"code":105}"#).unwrap();
    assert_eq!(cmd.code, 105);
    assert_eq!(cmd.language, LanguageCode::Java);
    assert_eq!((cmd.version, cmd.opaque, cmd.flag), (0, 0, 0));
    assert_eq!(cmd.remark, None);
    assert!(cmd.ext_fields.is_empty());
}

#[test]
fn unknown_fields_whitespace_and_escapes_are_accepted() {
    let cmd = decode_json(
        " {\n \"future\": {\"a\":[1,2]}, \"code\" : \"34\", \"remark\": \"a\\u0001b\\\"c\",\n \"onewayRPC\": true, \"language\":\"CPP\"} ",
    )
    .unwrap();
    assert_eq!(cmd.code, 34, "numeric strings are accepted for int fields");
    assert_eq!(cmd.remark.as_deref(), Some("a\u{1}b\"c"));
    assert_eq!(cmd.language, LanguageCode::Cpp);
}

#[test]
fn language_as_number_or_unknown_name() {
    assert_eq!(
        decode_json(r#"{"code":1,"language":12}"#).unwrap().language,
        LanguageCode::Rust
    );
    assert_eq!(
        decode_json(r#"{"code":1,"language":9}"#).unwrap().language,
        LanguageCode::Go
    );
    assert_eq!(
        decode_json(r#"{"code":1,"language":"COBOL"}"#)
            .unwrap()
            .language,
        LanguageCode::Other
    );
    assert_eq!(
        decode_json(r#"{"code":1,"language":null}"#)
            .unwrap()
            .language,
        LanguageCode::Java
    );
}

#[test]
fn explicit_nulls_everywhere() {
    let cmd = decode_json(
        r#"{"code":null,"language":null,"version":null,"opaque":null,"flag":null,"remark":null,"extFields":null}"#,
    )
    .unwrap();
    assert_eq!(
        cmd,
        RemotingCommand {
            serialize_type: SerializeType::Json,
            ..Default::default()
        }
    );
}

// ---- malformed input: typed errors ----

#[test]
fn negative_length_is_rejected_before_buffering() {
    let mut b = BytesMut::new();
    b.put_i32(-1);
    b.put_slice(b"junk");
    assert!(matches!(
        decode_err(b),
        CodecError::FrameLength { length: -1, .. }
    ));
}

#[test]
fn length_below_four_is_rejected() {
    for len in 0..4 {
        let mut b = BytesMut::new();
        b.put_i32(len);
        b.put_slice(&[0u8; 8]);
        assert!(
            matches!(decode_err(b), CodecError::FrameLength { .. }),
            "length {len}"
        );
    }
}

#[test]
fn oversized_length_is_rejected_without_allocating() {
    let mut b = BytesMut::with_capacity(8);
    b.put_i32(MAX_FRAME_LEN as i32); // + 4 for the length word exceeds the limit
    b.put_i32(0);
    let cap_before = b.capacity();
    assert!(matches!(
        decode_err(b.clone()),
        CodecError::FrameLength { .. }
    ));
    let mut c = b;
    let _ = RemotingCodec::default().decode(&mut c);
    assert_eq!(
        c.capacity(),
        cap_before,
        "nothing reserved for a rejected frame"
    );
}

#[test]
fn largest_legal_frame_announcement_reserves_at_most_the_limit() {
    let mut b = BytesMut::new();
    b.put_i32((MAX_FRAME_LEN - 4) as i32);
    b.put_i32(0);
    assert!(
        RemotingCodec::default().decode(&mut b).unwrap().is_none(),
        "waits for more bytes"
    );
    assert!(
        b.capacity() <= 2 * MAX_FRAME_LEN,
        "capacity {} beyond limit",
        b.capacity()
    );
}

#[test]
fn header_length_beyond_frame_is_rejected() {
    let mut b = BytesMut::new();
    b.put_i32(4 + 2);
    b.put_u32(100); // JSON, header length 100
    b.put_slice(b"{}");
    assert!(matches!(
        decode_err(b),
        CodecError::HeaderLength {
            header_len: 100,
            ..
        }
    ));
}

#[test]
fn unknown_serialize_type_is_rejected() {
    let b = frame(7, br#"{"code":1}"#, b"");
    assert!(matches!(decode_err(b), CodecError::SerializeType(7)));
}

#[test]
fn bad_utf8_is_rejected_in_both_header_types() {
    let json = frame(0, b"{\"code\":1,\"remark\":\"\xff\xfe\"}", b"");
    assert!(matches!(decode_err(json), CodecError::JsonHeader(_)));

    let mut h = Vec::new();
    h.put_i16(1);
    h.put_u8(0);
    h.put_i16(407);
    h.put_i32(1);
    h.put_i32(0);
    h.put_i32(2);
    h.put_slice(b"\xc3\x28");
    h.put_i32(0);
    assert!(matches!(
        decode_err(frame(1, &h, b"")),
        CodecError::Utf8 { field: "remark" }
    ));
}

#[test]
fn truncated_binary_headers_are_rejected_at_every_length() {
    let mut h = Vec::new();
    h.put_i16(10);
    h.put_u8(0);
    h.put_i16(407);
    h.put_i32(9);
    h.put_i32(0);
    h.put_i32(3);
    h.put_slice(b"abc");
    let mut ext = Vec::new();
    ext.put_i16(5);
    ext.put_slice(b"topic");
    ext.put_i32(2);
    ext.put_slice(b"TT");
    h.put_i32(ext.len() as i32);
    h.put_slice(&ext);
    // The whole header decodes...
    let mut ok = frame(1, &h, b"");
    assert!(RemotingCodec::default().decode(&mut ok).unwrap().is_some());
    // ...and every truncation is a typed BinaryHeader error (or Utf8 never: data is ASCII).
    for cut in 0..h.len() {
        let err = decode_err(frame(1, &h[..cut], b""));
        assert!(
            matches!(err, CodecError::BinaryHeader(_)),
            "cut {cut}: {err:?}"
        );
    }
}

#[test]
fn negative_binary_lengths_are_rejected() {
    let mut h = Vec::new();
    h.put_i16(10);
    h.put_u8(0);
    h.put_i16(407);
    h.put_i32(9);
    h.put_i32(0);
    h.put_i32(-7); // remark length
    h.put_i32(0);
    assert!(matches!(
        decode_err(frame(1, &h, b"")),
        CodecError::BinaryHeader(_)
    ));
}

#[test]
fn json_header_that_is_not_an_object_is_rejected() {
    for bad in [
        "",
        "null",
        "[1,2]",
        "{\"code\":1",
        "{\"code\":\"ten\"}",
        "{\"code\":4294967296}",
    ] {
        let err = decode_err(frame(0, bad.as_bytes(), b""));
        assert!(matches!(err, CodecError::JsonHeader(_)), "{bad:?}: {err:?}");
    }
}

// ---- stream reassembly ----

fn sample_stream() -> (Vec<RemotingCommand>, Vec<u8>) {
    let mut cmds = Vec::new();
    let mut a = RemotingCommand::request(310)
        .with_ext("b", "T")
        .with_body(vec![7u8; 300]);
    a.opaque = 1;
    cmds.push(a);
    let mut b = RemotingCommand::request(11)
        .with_ext("topic", "T")
        .with_remark("ü");
    b.serialize_type = SerializeType::RocketMq;
    b.opaque = 2;
    cmds.push(b);
    let mut c = RemotingCommand::response_to(&cmds[0], 0);
    c.body = bytes::Bytes::from_static(b"{}");
    cmds.push(c);
    let mut out = BytesMut::new();
    let mut codec = RemotingCodec::default();
    for c in &cmds {
        codec.encode(c, &mut out).unwrap();
    }
    (cmds, out.to_vec())
}

#[test]
fn split_at_every_byte_boundary_gives_the_same_commands() {
    let (expected, wire) = sample_stream();
    for split in 0..=wire.len() {
        let mut codec = RemotingCodec::default();
        let mut buf = BytesMut::new();
        let mut got = Vec::new();
        for chunk in [&wire[..split], &wire[split..]] {
            buf.extend_from_slice(chunk);
            while let Some(cmd) = codec.decode(&mut buf).unwrap() {
                got.push(cmd);
            }
        }
        assert!(buf.is_empty(), "split {split}: leftover bytes");
        assert_eq!(got, expected, "split {split}");
    }
}

#[test]
fn byte_at_a_time_gives_the_same_commands() {
    let (expected, wire) = sample_stream();
    let mut codec = RemotingCodec::default();
    let mut buf = BytesMut::new();
    let mut got = Vec::new();
    for byte in &wire {
        buf.put_u8(*byte);
        while let Some(cmd) = codec.decode(&mut buf).unwrap() {
            got.push(cmd);
        }
    }
    assert_eq!(got, expected);
}
