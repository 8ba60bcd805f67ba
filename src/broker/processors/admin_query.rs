//! Message lookups: QUERY_MESSAGE (12, index lookup by KEYS entry or UNIQ_KEY) and
//! VIEW_MESSAGE_BY_ID (33, one record by commit-log offset) — mqadmin's `queryMsgByKey`,
//! `queryMsgById`, `queryMsgByUniqueKey` and the dashboard's message page. Both answer raw
//! commit-log records, exactly as stored, which every client decodes with its pull decoder.

use bytes::BytesMut;

use crate::broker::node::state::Broker;
use crate::broker::processors::command::{CommandError, Outcome};
use crate::broker::processors::reply::{ok, resp};
use crate::codec::codes::response;
use crate::codec::headers::query::{QueryMessageHeader, ViewMessageHeader};
use crate::codec::RemotingCommand;
use crate::store::record::decode_record;

/// QUERY_MESSAGE: the records indexed under `topic#key` stored within [begin, end]. A
/// unique-key query always asks for `defaultQueryMaxNum`; any query is capped at
/// `maxMsgsNumBatch`. The index position headers are set on every answer, found or not.
pub fn query_message(b: &Broker, mut args: QueryMessageHeader, req: &RemotingCommand) -> Outcome {
    if args.unique_key_query.as_deref() == Some("true") {
        args.max_num = i32::try_from(b.cfg.default_query_max_num).unwrap_or(i32::MAX);
    }
    let cap = usize::try_from(b.cfg.max_msgs_num_batch).unwrap_or(usize::MAX);
    let max = usize::try_from(args.max_num.max(0)).unwrap_or(0).min(cap);
    let found = if max == 0 {
        Default::default()
    } else {
        b.store.reader().query_by_key(
            &args.topic,
            &args.key,
            max,
            args.begin_timestamp,
            args.end_timestamp,
        )
    };
    let r = if found.messages.is_empty() {
        // Not an error path: the response keeps the index headers below.
        resp(
            req,
            response::QUERY_NOT_FOUND,
            Some("can not find message, maybe time range not correct".into()),
        )
    } else {
        let mut body = BytesMut::with_capacity(found.messages.iter().map(|m| m.len()).sum());
        for m in &found.messages {
            body.extend_from_slice(m);
        }
        ok(req).with_body(body.freeze())
    };
    Ok(r.with_ext(
        "indexLastUpdateTimestamp",
        found.index_last_update_timestamp,
    )
    .with_ext(
        "indexLastUpdatePhyoffset",
        found.index_last_update_phyoffset,
    ))
}

/// VIEW_MESSAGE_BY_ID: the record starting at commit-log offset `offset`. An offset that is
/// out of range, expired, or not the start of a message is SYSTEM_ERROR, as in Java.
pub fn view_message(b: &Broker, h: ViewMessageHeader, req: &RemotingCommand) -> Outcome {
    let offset = h.offset;
    let record = (offset >= 0)
        .then(|| b.store.reader().look_message_by_offset(offset))
        .flatten()
        // An offset inside a record reads garbage: only answer bytes that decode as a message
        // stored at exactly this offset.
        .filter(|bytes| decode_record(bytes, false).is_ok_and(|r| r.phys_offset == offset));
    match record {
        Some(bytes) => Ok(ok(req).with_body(bytes)),
        None => Err(CommandError::system(format!(
            "can not find message by the offset, {offset}"
        ))),
    }
}
