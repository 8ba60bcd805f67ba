//! Headers of the topic and group admin commands (docs/protocol.md §2.9; Java
//! `AdminBrokerProcessor` and the `*RequestHeader` class named on each struct).

crate::request_header! {
    /// UPDATE_AND_CREATE_TOPIC (17), Java `CreateTopicRequestHeader`.
    pub struct CreateTopicHeader {
        topic: String = "topic",
        read_queue_nums: i32 = "readQueueNums",
        write_queue_nums: i32 = "writeQueueNums",
        perm: i32 = "perm",
        /// `SINGLE_TAG` (the default) or `MULTI_TAG`.
        topic_filter_type: Option<String> = "topicFilterType",
        topic_sys_flag: i32 = "topicSysFlag" or 0,
        order: bool = "order" or false,
    }
}

crate::request_header! {
    /// Commands that name one topic: DELETE_TOPIC_IN_BROKER (215, `DeleteTopicRequestHeader`),
    /// GET_TOPIC_STATS_INFO (202), QUERY_TOPIC_CONSUME_BY_WHO (300), GET_TOPIC_CONFIG (351).
    pub struct TopicHeader {
        topic: String = "topic",
    }
}

crate::request_header! {
    /// QUERY_TOPICS_BY_CONSUMER (343), Java `QueryTopicsByConsumerRequestHeader`.
    pub struct GroupHeader {
        group: String = "group",
    }
}

crate::request_header! {
    /// DELETE_SUBSCRIPTIONGROUP (207), Java `DeleteSubscriptionGroupRequestHeader`.
    pub struct DeleteGroupHeader {
        group_name: String = "groupName",
        remove_offset: bool = "removeOffset" or false,
    }
}

crate::request_header! {
    /// GET_CONSUME_STATS (208, `GetConsumeStatsRequestHeader`; a blank topic means every topic),
    /// GET_CONSUMER_CONNECTION_LIST (203), GET_CONSUMER_LIST_BY_GROUP (38).
    pub struct ConsumerGroupHeader {
        consumer_group: String = "consumerGroup",
        topic: Option<String> = "topic",
    }
}

crate::request_header! {
    /// GET_PRODUCER_CONNECTION_LIST (204), Java `GetProducerConnectionListRequestHeader`.
    pub struct ProducerGroupHeader {
        producer_group: String = "producerGroup",
    }
}

crate::request_header! {
    /// GET_BROKER_CONSUME_STATS (317), Java `GetConsumeStatsInBrokerHeader`.
    pub struct BrokerConsumeStatsHeader {
        is_order: bool = "isOrder",
    }
}

crate::request_header! {
    /// VIEW_BROKER_STATS_DATA (315), Java `ViewBrokerStatsDataRequestHeader`.
    pub struct ViewStatsHeader {
        stats_name: String = "statsName",
        stats_key: String = "statsKey",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::broker::processors::command::CommandError;
    use crate::codec::codes::{request, response};
    use crate::codec::headers::Header;
    use crate::codec::RemotingCommand;

    #[test]
    fn primitive_fields_default_and_flags_are_case_insensitive() {
        let cmd = RemotingCommand::request(request::UPDATE_AND_CREATE_TOPIC)
            .with_ext("topic", "T")
            .with_ext("readQueueNums", "8")
            .with_ext("writeQueueNums", "8")
            .with_ext("perm", "6")
            .with_ext("order", "TRUE");
        let h = CreateTopicHeader::from_command(&cmd).unwrap();
        assert_eq!((h.topic_sys_flag, h.order), (0, true));
        assert_eq!(h.topic_filter_type, None);
        let d = DeleteGroupHeader::from_command(
            &RemotingCommand::request(request::DELETE_SUBSCRIPTIONGROUP).with_ext("groupName", "G"),
        )
        .unwrap();
        assert!(!d.remove_offset);
    }

    #[test]
    fn a_missing_required_field_answers_system_error_with_its_name() {
        let req = RemotingCommand::request(request::GET_BROKER_CONSUME_STATS);
        let e: CommandError = BrokerConsumeStatsHeader::from_command(&req)
            .unwrap_err()
            .into();
        let r = e.into_response(&req);
        assert_eq!(r.code, response::SYSTEM_ERROR);
        assert_eq!(
            r.remark.as_deref(),
            Some("the custom field <isOrder> is null")
        );
    }
}
