//! Headers of the message and queue lookups (docs/protocol.md §2.9): QUERY_MESSAGE (12, Java
//! `QueryMessageRequestHeader`), VIEW_MESSAGE_BY_ID (33, `ViewMessageRequestHeader`) and
//! QUERY_CONSUME_QUEUE (321, `QueryConsumeQueueRequestHeader`).

crate::request_header! {
    /// QUERY_MESSAGE: records indexed under `topic#key` stored within [begin, end].
    pub struct QueryMessageHeader {
        topic: String = "topic",
        key: String = "key",
        max_num: i32 = "maxNum",
        begin_timestamp: i64 = "beginTimestamp",
        end_timestamp: i64 = "endTimestamp",
        /// `MixAll.UNIQUE_MSG_QUERY_FLAG`, set by the admin's query by unique key.
        unique_key_query: Option<String> = "_UNIQUE_KEY_QUERY",
    }
}

crate::request_header! {
    /// VIEW_MESSAGE_BY_ID: the record at commit-log offset `offset`.
    pub struct ViewMessageHeader {
        offset: i64 = "offset",
    }
}

crate::request_header! {
    /// QUERY_CONSUME_QUEUE: `count` units of one consume queue from logical `index`.
    pub struct QueryConsumeQueueHeader {
        topic: String = "topic",
        queue_id: i32 = "queueId",
        index: i64 = "index",
        count: i32 = "count",
        consumer_group: Option<String> = "consumerGroup",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codec::codes::request;
    use crate::codec::headers::Header;
    use crate::codec::RemotingCommand;

    #[test]
    fn query_header_reads_the_unique_key_flag_and_refuses_a_missing_key() {
        let cmd = RemotingCommand::request(request::QUERY_MESSAGE)
            .with_ext("topic", "T")
            .with_ext("maxNum", "32")
            .with_ext("beginTimestamp", "0")
            .with_ext("endTimestamp", "9223372036854775807");
        let e = QueryMessageHeader::from_command(&cmd).unwrap_err();
        assert_eq!(e.to_string(), "the custom field <key> is null");
        let cmd = cmd
            .with_ext("key", "K")
            .with_ext("_UNIQUE_KEY_QUERY", "true");
        let h = QueryMessageHeader::from_command(&cmd).unwrap();
        assert_eq!(h.end_timestamp, i64::MAX);
        assert_eq!(h.unique_key_query.as_deref(), Some("true"));
    }

    #[test]
    fn view_header_takes_a_long_offset() {
        let cmd =
            RemotingCommand::request(request::VIEW_MESSAGE_BY_ID).with_ext("offset", "5000000000");
        assert_eq!(
            ViewMessageHeader::from_command(&cmd).unwrap().offset,
            5_000_000_000
        );
    }
}
