//! Golden byte vectors (docs/protocol.md §1.3 JSON examples, §1.4
//! binary layout): what Java and rocketmq-client-rust put on the wire must decode to the
//! expected fields, and what we write must be byte-exact where the format is fixed.

use bytes::{BufMut, Bytes, BytesMut};
use rocketactor::codec::frame::{decode_frame, encode_frame};
use rocketactor::codec::{LanguageCode, RemotingCodec, RemotingCommand, SerializeType};
use tokio_util::codec::{Decoder, Encoder};

/// A whole frame: length word, header tag, header, body.
fn frame(serialize_type: u8, header: &[u8], body: &[u8]) -> BytesMut {
    let mut b = BytesMut::new();
    b.put_u32((4 + header.len() + body.len()) as u32);
    b.put_u32((u32::from(serialize_type) << 24) | header.len() as u32);
    b.put_slice(header);
    b.put_slice(body);
    b
}

fn decode_one(mut bytes: BytesMut) -> RemotingCommand {
    let cmd = RemotingCodec::default()
        .decode(&mut bytes)
        .unwrap()
        .expect("a whole frame");
    assert!(bytes.is_empty(), "the decoder consumes exactly one frame");
    cmd
}

const JAVA_SEND_RESPONSE: &str = r#"{"code":0,"extFields":{"queueId":"1","TRACE_ON":"true","MSG_REGION":"DefaultRegion","msgId":"0A00000100002A9F0000000000000ABC","queueOffset":"17"},"flag":1,"language":"JAVA","opaque":42,"serializeTypeCurrentRPC":"JSON","version":407}"#;

#[test]
fn java_send_response_decodes() {
    let cmd = decode_one(frame(0, JAVA_SEND_RESPONSE.as_bytes(), b""));
    assert_eq!(cmd.code, 0);
    assert_eq!(cmd.flag, 1);
    assert!(cmd.is_response());
    assert_eq!(cmd.language, LanguageCode::Java);
    assert_eq!(cmd.opaque, 42);
    assert_eq!(cmd.version, 407);
    assert_eq!(cmd.remark, None);
    assert_eq!(cmd.serialize_type, SerializeType::Json);
    assert!(cmd.body.is_empty());
    assert_eq!(cmd.ext_fields.len(), 5);
    assert_eq!(cmd.ext("queueId"), Some("1"));
    assert_eq!(cmd.ext("TRACE_ON"), Some("true"));
    assert_eq!(cmd.ext("MSG_REGION"), Some("DefaultRegion"));
    assert_eq!(cmd.ext("msgId"), Some("0A00000100002A9F0000000000000ABC"));
    assert_eq!(cmd.ext("queueOffset"), Some("17"));
}

#[test]
fn java_send_response_re_encodes_in_fastjson_key_order() {
    let cmd = decode_one(frame(0, JAVA_SEND_RESPONSE.as_bytes(), b""));
    // Top-level keys alphabetical like fastjson; extFields keys sorted byte-wise by our encoder.
    let expected = r#"{"code":0,"extFields":{"MSG_REGION":"DefaultRegion","TRACE_ON":"true","msgId":"0A00000100002A9F0000000000000ABC","queueId":"1","queueOffset":"17"},"flag":1,"language":"JAVA","opaque":42,"serializeTypeCurrentRPC":"JSON","version":407}"#;
    let mut out = BytesMut::new();
    RemotingCodec::default().encode(&cmd, &mut out).unwrap();
    assert_eq!(&out[..], &frame(0, expected.as_bytes(), b"")[..]);
}

#[test]
fn rust_client_request_with_explicit_nulls_decodes() {
    let header = r#"{"code":34,"language":"RUST","version":474,"opaque":0,"flag":0,"remark":null,"extFields":null,"serializeTypeCurrentRPC":"JSON"}"#;
    let body = br#"{"clientID":"c1"}"#;
    let cmd = decode_one(frame(0, header.as_bytes(), body));
    assert_eq!(cmd.code, 34);
    assert_eq!(cmd.language, LanguageCode::Rust);
    assert_eq!(cmd.version, 474);
    assert_eq!(cmd.opaque, 0);
    assert_eq!(cmd.flag, 0);
    assert_eq!(cmd.remark, None);
    assert!(cmd.ext_fields.is_empty());
    assert_eq!(&cmd.body[..], body);
}

#[test]
fn json_request_encodes_byte_exact() {
    let mut cmd = RemotingCommand::request(105).with_ext("topic", "T");
    cmd.opaque = 7;
    let mut out = BytesMut::new();
    encode_frame(&cmd, &mut out).unwrap();
    let header = br#"{"code":105,"extFields":{"topic":"T"},"flag":0,"language":"JAVA","opaque":7,"serializeTypeCurrentRPC":"JSON","version":407}"#;
    assert_eq!(&out[..], &frame(0, header, b"")[..]);
}

/// A ROCKETMQ header built by hand, byte by byte, per docs/protocol.md §1.4.
fn hand_built_binary_header() -> Vec<u8> {
    let mut h = Vec::new();
    h.put_i16(310); // code
    h.put_u8(12); // language RUST
    h.put_i16(407); // version
    h.put_i32(-5); // opaque
    h.put_i32(2); // flag: oneway
    h.put_i32(2); // remark length
    h.put_slice(b"hi");
    let mut ext = Vec::new();
    for (k, v) in [("b", "TopicA"), ("e", "3"), ("z", "")] {
        ext.put_i16(k.len() as i16);
        ext.put_slice(k.as_bytes());
        ext.put_i32(v.len() as i32);
        ext.put_slice(v.as_bytes());
    }
    h.put_i32(ext.len() as i32);
    h.put_slice(&ext);
    h
}

#[test]
fn hand_built_binary_header_decodes_field_by_field() {
    let cmd = decode_one(frame(1, &hand_built_binary_header(), b"xyz"));
    assert_eq!(cmd.code, 310);
    assert_eq!(cmd.language, LanguageCode::Rust);
    assert_eq!(cmd.version, 407);
    assert_eq!(cmd.opaque, -5);
    assert_eq!(cmd.flag, 2);
    assert!(cmd.is_oneway());
    assert_eq!(cmd.remark.as_deref(), Some("hi"));
    assert_eq!(cmd.serialize_type, SerializeType::RocketMq);
    assert_eq!(cmd.ext("b"), Some("TopicA"));
    assert_eq!(cmd.ext("e"), Some("3"));
    // Java reads a zero-length value as null and drops the entry.
    assert_eq!(cmd.ext("z"), None);
    assert_eq!(cmd.ext_fields.len(), 2);
    assert_eq!(&cmd.body[..], b"xyz");
}

#[test]
fn binary_header_is_written_at_the_documented_offsets() {
    let mut cmd = RemotingCommand::request(11)
        .with_ext("topic", "T")
        .with_remark("r");
    cmd.serialize_type = SerializeType::RocketMq;
    cmd.opaque = 0x0102_0304;
    cmd.flag = 1;
    cmd.language = LanguageCode::Go;
    cmd.body = Bytes::from_static(b"B");
    let mut out = BytesMut::new();
    encode_frame(&cmd, &mut out).unwrap();
    let header_len = 21 + 1 + (2 + 5 + 4 + 1);
    assert_eq!(out.len(), 8 + header_len + 1);
    assert_eq!(&out[0..4], &((4 + header_len + 1) as u32).to_be_bytes());
    assert_eq!(
        &out[4..8],
        &((1u32 << 24) | header_len as u32).to_be_bytes()
    );
    let h = &out[8..8 + header_len];
    assert_eq!(&h[0..2], &11i16.to_be_bytes()); // code
    assert_eq!(h[2], 9); // language GO
    assert_eq!(&h[3..5], &407i16.to_be_bytes()); // version
    assert_eq!(&h[5..9], &[1, 2, 3, 4]); // opaque
    assert_eq!(&h[9..13], &1i32.to_be_bytes()); // flag
    assert_eq!(&h[13..17], &1i32.to_be_bytes()); // remark length
    assert_eq!(&h[17..18], b"r");
    assert_eq!(&h[18..22], &12i32.to_be_bytes()); // extFields length
    assert_eq!(&h[22..24], &5i16.to_be_bytes()); // key length
    assert_eq!(&h[24..29], b"topic");
    assert_eq!(&h[29..33], &1i32.to_be_bytes()); // value length
    assert_eq!(&h[33..34], b"T");
    assert_eq!(&out[8 + header_len..], b"B");
    // And it decodes back to the same command.
    assert_eq!(decode_frame(out.freeze().slice(4..)).unwrap(), cmd);
}

#[test]
fn response_keeps_request_serialize_type() {
    let req = decode_one(frame(1, &hand_built_binary_header(), b""));
    let resp = RemotingCommand::response_to(&req, 0);
    assert_eq!(resp.serialize_type, SerializeType::RocketMq);
    assert_eq!(resp.opaque, -5);
    assert!(resp.is_response());
}
