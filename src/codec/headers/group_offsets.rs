//! Headers of the commands that read or move a group's offsets (docs/protocol.md §2.9):
//! CLONE_GROUP_OFFSET (314, Java `CloneGroupOffsetRequestHeader`), QUERY_CONSUME_TIME_SPAN
//! (303, `QueryConsumeTimeSpanRequestHeader`), QUERY_CORRECTION_OFFSET (308,
//! `QueryCorrectionOffsetHeader`), INVOKE_BROKER_TO_RESET_OFFSET (222, `ResetOffsetRequestHeader`)
//! and INVOKE_BROKER_TO_GET_CONSUMER_STATUS (223, `GetConsumerStatusRequestHeader`).

crate::request_header! {
    /// CLONE_GROUP_OFFSET; a blank `topic` means every topic the source group has offsets for.
    pub struct CloneGroupOffsetHeader {
        src_group: String = "srcGroup",
        dest_group: String = "destGroup",
        topic: Option<String> = "topic",
        offline: bool = "offline",
    }
}

crate::request_header! {
    /// QUERY_CONSUME_TIME_SPAN.
    pub struct TopicGroupHeader {
        topic: String = "topic",
        group: String = "group",
    }
}

crate::request_header! {
    /// QUERY_CORRECTION_OFFSET; `filterGroups` is comma-separated.
    pub struct CorrectionOffsetHeader {
        topic: String = "topic",
        compare_group: String = "compareGroup",
        filter_groups: Option<String> = "filterGroups",
    }
}

crate::request_header! {
    /// INVOKE_BROKER_TO_RESET_OFFSET; `timestamp` -1 means each queue's max offset.
    pub struct ResetOffsetHeader {
        topic: String = "topic",
        group: String = "group",
        timestamp: i64 = "timestamp",
        is_force: bool = "isForce" or false,
    }
}

crate::request_header! {
    /// INVOKE_BROKER_TO_GET_CONSUMER_STATUS; `clientAddr` (a client id) narrows to one client.
    pub struct ConsumerStatusHeader {
        topic: String = "topic",
        group: String = "group",
        client_addr: Option<String> = "clientAddr",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codec::codes::request;
    use crate::codec::headers::Header;
    use crate::codec::RemotingCommand;

    #[test]
    fn reset_header_defaults_force_and_takes_a_negative_timestamp() {
        let cmd = RemotingCommand::request(request::INVOKE_BROKER_TO_RESET_OFFSET)
            .with_ext("topic", "T")
            .with_ext("group", "G")
            .with_ext("timestamp", "-1");
        let h = ResetOffsetHeader::from_command(&cmd).unwrap();
        assert_eq!((h.timestamp, h.is_force), (-1, false));
        let h = ResetOffsetHeader::from_command(&cmd.with_ext("isForce", "True")).unwrap();
        assert!(h.is_force);
    }

    #[test]
    fn clone_header_requires_offline() {
        let cmd = RemotingCommand::request(request::CLONE_GROUP_OFFSET)
            .with_ext("srcGroup", "A")
            .with_ext("destGroup", "B");
        let e = CloneGroupOffsetHeader::from_command(&cmd).unwrap_err();
        assert_eq!(e.to_string(), "the custom field <offline> is null");
    }
}
