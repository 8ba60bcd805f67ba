//! Message lookups: QUERY_MESSAGE (12, index lookup by KEYS entry or UNIQ_KEY) and
//! VIEW_MESSAGE_BY_ID (33, one record by commit-log offset) — mqadmin's `queryMsgByKey`,
//! `queryMsgById`, `queryMsgByUniqueKey` and the dashboard's message page. Both answer raw
//! commit-log records, exactly as stored, which every client decodes with its pull decoder.

use bytes::BytesMut;

use crate::broker::node::state::Broker;
use crate::broker::processors::command::{CommandError, Outcome};
use crate::broker::processors::reply::{ok, resp};
use crate::codec::codes::response;
use crate::codec::ext::HeaderError;
use crate::codec::RemotingCommand;
use crate::store::record::decode_record;

/// The extField the Java admin sets for a query by unique key (`MixAll.UNIQUE_MSG_QUERY_FLAG`).
const UNIQUE_KEY_QUERY: &str = "_UNIQUE_KEY_QUERY";

struct QueryArgs {
    topic: String,
    key: String,
    max_num: i32,
    begin: i64,
    end: i64,
}

fn query_args(req: &RemotingCommand) -> Result<QueryArgs, HeaderError> {
    Ok(QueryArgs {
        topic: req.header_str("topic")?.to_string(),
        key: req.header_str("key")?.to_string(),
        max_num: req.header_i32("maxNum")?,
        begin: req.header_i64("beginTimestamp")?,
        end: req.header_i64("endTimestamp")?,
    })
}

/// QUERY_MESSAGE: the records indexed under `topic#key` stored within [begin, end]. A
/// unique-key query always asks for `defaultQueryMaxNum`; any query is capped at
/// `maxMsgsNumBatch`. The index position headers are set on every answer, found or not.
pub fn query_message(b: &Broker, req: &RemotingCommand) -> Outcome {
    let mut args = match query_args(req) {
        Ok(a) => a,
        Err(e) => return Err(CommandError::system(e.to_string())),
    };
    if req.ext(UNIQUE_KEY_QUERY) == Some("true") {
        args.max_num = i32::try_from(b.cfg.default_query_max_num).unwrap_or(i32::MAX);
    }
    let cap = usize::try_from(b.cfg.max_msgs_num_batch).unwrap_or(usize::MAX);
    let max = usize::try_from(args.max_num.max(0)).unwrap_or(0).min(cap);
    let found = if max == 0 {
        Default::default()
    } else {
        b.store
            .reader()
            .query_by_key(&args.topic, &args.key, max, args.begin, args.end)
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
pub fn view_message(b: &Broker, req: &RemotingCommand) -> Outcome {
    let offset = req.header_i64("offset")?;
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
