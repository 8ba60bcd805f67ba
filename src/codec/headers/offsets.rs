//! Headers of the offset commands (docs/protocol.md §2.7): QUERY_CONSUMER_OFFSET (14),
//! UPDATE_CONSUMER_OFFSET (15), SEARCH_OFFSET_BY_TIMESTAMP (29), GET_MAX_OFFSET (30),
//! GET_MIN_OFFSET (31), GET_EARLIEST_MSG_STORETIME (32). Java: `QueryConsumerOffsetRequestHeader`,
//! `UpdateConsumerOffsetRequestHeader`, `SearchOffsetRequestHeader`, `GetMaxOffsetRequestHeader`,
//! `GetMinOffsetRequestHeader`, `GetEarliestMsgStoretimeRequestHeader`.

crate::request_header! {
    /// `topic` and `queueId`: GET_MAX_OFFSET, GET_MIN_OFFSET and GET_EARLIEST_MSG_STORETIME.
    pub struct QueueHeader {
        topic: String = "topic",
        queue_id: i32 = "queueId",
    }
}

crate::request_header! {
    /// QUERY_CONSUMER_OFFSET.
    pub struct QueryConsumerOffsetHeader {
        consumer_group: String = "consumerGroup",
        topic: String = "topic",
        queue_id: i32 = "queueId",
    }
}

crate::request_header! {
    /// UPDATE_CONSUMER_OFFSET (usually oneway).
    pub struct UpdateConsumerOffsetHeader {
        consumer_group: String = "consumerGroup",
        topic: String = "topic",
        queue_id: i32 = "queueId",
        commit_offset: i64 = "commitOffset",
    }
}

crate::request_header! {
    /// SEARCH_OFFSET_BY_TIMESTAMP.
    pub struct SearchOffsetHeader {
        topic: String = "topic",
        queue_id: i32 = "queueId",
        timestamp: i64 = "timestamp",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codec::codes::request;
    use crate::codec::headers::Header;
    use crate::codec::RemotingCommand;

    #[test]
    fn numbers_sent_as_padded_strings_decode() {
        let cmd = RemotingCommand::request(request::UPDATE_CONSUMER_OFFSET)
            .with_ext("consumerGroup", "G")
            .with_ext("topic", "T")
            .with_ext("queueId", "3 ")
            .with_ext("commitOffset", " 42");
        let h = UpdateConsumerOffsetHeader::from_command(&cmd).unwrap();
        assert_eq!((h.queue_id, h.commit_offset), (3, 42));
    }

    #[test]
    fn a_missing_queue_id_is_refused_with_javas_text() {
        let cmd = RemotingCommand::request(request::GET_MAX_OFFSET).with_ext("topic", "T");
        let e = QueueHeader::from_command(&cmd).unwrap_err();
        assert_eq!(e.to_string(), "the custom field <queueId> is null");
        let cmd = cmd.with_ext("queueId", "one");
        assert!(!QueueHeader::from_command(&cmd).unwrap_err().is_missing());
    }
}
