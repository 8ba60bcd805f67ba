//! A command whose body is split in parts (a zero-copy pull response, issue #17) is framed as
//! if the parts were one body: `encode_head` + the parts on the wire == `encode_frame`.

use bytes::{Bytes, BytesMut};
use rocketactor::codec::frame::{encode_frame, encode_head};
use rocketactor::codec::{RemotingCodec, RemotingCommand};
use tokio_util::codec::Decoder;

fn split_response() -> RemotingCommand {
    let mut cmd = RemotingCommand::response_to(&RemotingCommand::request(11), 0)
        .with_remark("FOUND")
        .with_ext("nextBeginOffset", 3)
        .with_body(Bytes::from_static(b"head-"));
    cmd.body_parts = vec![
        Bytes::from_static(b"first record"),
        Bytes::new(),
        Bytes::from(vec![7u8; 3000]),
    ];
    cmd
}

#[test]
fn head_then_parts_is_the_same_frame_as_one_body() {
    let cmd = split_response();
    let whole = cmd.whole_body();
    assert_eq!(whole.len(), cmd.body_len());
    assert_eq!(&whole[..17], b"head-first record");

    let mut joined = cmd.clone();
    joined.body = whole.clone();
    joined.body_parts.clear();
    let mut expected = BytesMut::new();
    encode_frame(&joined, &mut expected).unwrap();

    let mut framed = BytesMut::new();
    encode_frame(&cmd, &mut framed).unwrap();
    assert_eq!(framed, expected);

    let mut wire = BytesMut::new();
    encode_head(&cmd, &mut wire).unwrap();
    assert!(wire.len() < expected.len());
    wire.extend_from_slice(&cmd.body);
    for p in &cmd.body_parts {
        wire.extend_from_slice(p);
    }
    assert_eq!(wire, expected);

    let got = RemotingCodec::default().decode(&mut wire).unwrap().unwrap();
    assert_eq!(got.body, whole);
    assert!(got.body_parts.is_empty());
    assert_eq!(got.remark.as_deref(), Some("FOUND"));
}
