//! Codec throughput on the two hottest frames: a V2 send request with a 1 KiB body and a pull
//! response carrying a few stored records, each with JSON and ROCKETMQ headers. Measures a full
//! encode + decode of one frame, plus typed header parsing of the send request.

use bytes::{Bytes, BytesMut};
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use rocketactor::codec::codes::request;
use rocketactor::codec::headers::{
    PullMessageResponseHeader, SendMessageRequestHeader, SendMessageResponseHeader,
};
use rocketactor::codec::{RemotingCodec, RemotingCommand, SerializeType};
use std::hint::black_box;
use tokio_util::codec::{Decoder, Encoder};

fn send_request(ser: SerializeType) -> RemotingCommand {
    let header = SendMessageRequestHeader {
        producer_group: "please_rename_unique_group_name".into(),
        topic: "BenchTopic".into(),
        default_topic: "TBW102".into(),
        default_topic_queue_nums: 4,
        queue_id: 3,
        sys_flag: 0,
        born_timestamp: 1_700_000_000_000,
        flag: 0,
        properties: Some(
            "UNIQ_KEY\u{1}7F0000011A2B18B4AAC2\u{2}WAIT\u{1}true\u{2}TAGS\u{1}TagA\u{2}".into(),
        ),
        reconsume_times: Some(0),
        unit_mode: false,
        max_reconsume_times: None,
        batch: false,
        bname: Some("broker-a".into()),
    };
    let mut cmd = RemotingCommand::request(request::SEND_MESSAGE_V2).with_body(vec![b'x'; 1024]);
    header.write_to(&mut cmd);
    cmd.opaque = 12345;
    cmd.serialize_type = ser;
    cmd
}

fn pull_response(ser: SerializeType) -> RemotingCommand {
    let mut req = RemotingCommand::request(request::PULL_MESSAGE);
    req.serialize_type = ser;
    let mut cmd = RemotingCommand::response_to(&req, 0).with_remark("FOUND");
    PullMessageResponseHeader {
        suggest_which_broker_id: 0,
        next_begin_offset: 132,
        min_offset: 0,
        max_offset: 200,
    }
    .write_to(&mut cmd);
    // 32 records of about 1.2 KiB, roughly what a push consumer pull returns.
    cmd.body = Bytes::from(vec![0u8; 32 * 1200]);
    cmd
}

fn bench_round_trip(c: &mut Criterion, name: &str, make: fn(SerializeType) -> RemotingCommand) {
    let mut group = c.benchmark_group(name);
    for ser in [SerializeType::Json, SerializeType::RocketMq] {
        let cmd = make(ser);
        let mut wire = BytesMut::new();
        RemotingCodec::default().encode(&cmd, &mut wire).unwrap();
        group.throughput(Throughput::Bytes(wire.len() as u64));
        group.bench_with_input(
            BenchmarkId::new("encode+decode", ser.name()),
            &cmd,
            |b, cmd| {
                let mut codec = RemotingCodec::default();
                let mut buf = BytesMut::with_capacity(wire.len());
                b.iter(|| {
                    codec.encode(black_box(cmd), &mut buf).unwrap();
                    black_box(codec.decode(&mut buf).unwrap().unwrap())
                })
            },
        );
        group.bench_with_input(BenchmarkId::new("decode", ser.name()), &wire, |b, wire| {
            let mut codec = RemotingCodec::default();
            b.iter(|| {
                let mut buf = wire.clone();
                black_box(codec.decode(&mut buf).unwrap().unwrap())
            })
        });
    }
    group.finish();
}

fn codec_benches(c: &mut Criterion) {
    bench_round_trip(c, "send_request_v2_1k", send_request);
    bench_round_trip(c, "pull_response_32", pull_response);

    let cmd = send_request(SerializeType::Json);
    c.bench_function("send_header_parse_v2", |b| {
        b.iter(|| black_box(SendMessageRequestHeader::from_command(black_box(&cmd)).unwrap()))
    });
    let mut resp = RemotingCommand::response_to(&cmd, 0);
    c.bench_function("send_response_header_write", |b| {
        b.iter(|| {
            resp.ext_fields.clear();
            SendMessageResponseHeader {
                msg_id: "0A00000100002A9F0000000000000ABC".into(),
                queue_id: 1,
                queue_offset: 17,
                transaction_id: None,
                msg_region: Some("DefaultRegion".into()),
                trace_on: Some(true),
            }
            .write_to(black_box(&mut resp))
        })
    });
}

criterion_group!(benches, codec_benches);
criterion_main!(benches);
