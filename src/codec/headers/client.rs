//! Headers of the client-management and client-relay commands (docs/protocol.md §2.5, §2.9):
//! UNREGISTER_CLIENT (35, Java `UnregisterClientRequestHeader`), GET_CONSUMER_RUNNING_INFO (307)
//! and CONSUME_MESSAGE_DIRECTLY (309) relayed to a client, RESUME_CHECK_HALF_MESSAGE (323).

crate::request_header! {
    /// UNREGISTER_CLIENT: the client leaves the groups it names.
    pub struct UnregisterClientHeader {
        client_id: Option<String> = "clientID",
        producer_group: Option<String> = "producerGroup",
        consumer_group: Option<String> = "consumerGroup",
    }
}

crate::request_header! {
    /// GET_CONSUMER_RUNNING_INFO / CONSUME_MESSAGE_DIRECTLY as the admin sends them to the
    /// broker (Java `GetConsumerRunningInfoRequestHeader`, `ConsumeMessageDirectlyResultRequestHeader`).
    /// Absent ids read as empty and find no client, as before.
    pub struct CallConsumerHeader {
        consumer_group: String = "consumerGroup" or String::new(),
        client_id: String = "clientId" or String::new(),
        /// CONSUME_MESSAGE_DIRECTLY: the offsetMsgId of the record to hand the client.
        msg_id: Option<String> = "msgId",
    }
}

crate::request_header! {
    /// RESUME_CHECK_HALF_MESSAGE (Java `ResumeCheckHalfMessageRequestHeader`).
    pub struct ResumeCheckHalfHeader {
        msg_id: String = "msgId",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codec::codes::request;
    use crate::codec::headers::Header;
    use crate::codec::RemotingCommand;

    #[test]
    fn unregister_fields_are_all_optional() {
        let cmd =
            RemotingCommand::request(request::UNREGISTER_CLIENT).with_ext("consumerGroup", "G");
        let h = UnregisterClientHeader::from_command(&cmd).unwrap();
        assert_eq!(h.consumer_group.as_deref(), Some("G"));
        assert_eq!(h.producer_group, None);
    }

    #[test]
    fn resume_requires_the_msg_id() {
        let cmd = RemotingCommand::request(request::RESUME_CHECK_HALF_MESSAGE);
        let e = ResumeCheckHalfHeader::from_command(&cmd).unwrap_err();
        assert_eq!(e.to_string(), "the custom field <msgId> is null");
        let h = CallConsumerHeader::from_command(&cmd).unwrap();
        assert_eq!((h.consumer_group.as_str(), h.client_id.as_str()), ("", ""));
    }
}
