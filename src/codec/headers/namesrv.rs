//! Headers of the name-server requests (docs/protocol.md §2.8; Java `DefaultRequestProcessor`
//! and the `namesrv` header classes named on each struct).

crate::request_header! {
    /// REGISTER_BROKER (103), Java `RegisterBrokerRequestHeader`.
    pub struct RegisterBrokerHeader {
        broker_name: String = "brokerName",
        broker_addr: String = "brokerAddr",
        cluster_name: String = "clusterName",
        ha_server_addr: String = "haServerAddr",
        broker_id: i64 = "brokerId",
        /// The body is zlib-compressed (V4_9_x brokers with `compressedRegister`).
        compressed: bool = "compressed" or false,
        /// CRC32 of the body masked to 31 bits; 0 = not checked.
        body_crc32: i32 = "bodyCrc32" or 0,
    }
}

crate::request_header! {
    /// UNREGISTER_BROKER (104), Java `UnRegisterBrokerRequestHeader`.
    pub struct UnregisterBrokerHeader {
        broker_name: String = "brokerName",
        broker_addr: String = "brokerAddr",
        cluster_name: String = "clusterName",
        broker_id: i64 = "brokerId",
    }
}

crate::request_header! {
    /// GET_ROUTEINFO_BY_TOPIC (105), Java `GetRouteInfoRequestHeader`.
    pub struct GetRouteInfoHeader {
        topic: String = "topic",
        /// Standard JSON asked for explicitly (otherwise by `version` >= V4_9_4).
        accept_standard_json_only: bool = "acceptStandardJsonOnly" or false,
    }
}

crate::request_header! {
    /// GET_TOPICS_BY_CLUSTER (224), Java `GetTopicsByClusterRequestHeader`.
    pub struct TopicsByClusterHeader {
        cluster: String = "cluster",
    }
}

crate::request_header! {
    /// DELETE_TOPIC_IN_NAMESRV (216, `DeleteTopicFromNamesrvRequestHeader`): a blank cluster
    /// means every cluster; REGISTER_TOPIC_IN_NAMESRV (217) sends only `topic`.
    pub struct NsTopicHeader {
        topic: String = "topic",
        cluster_name: Option<String> = "clusterName",
    }
}

crate::request_header! {
    /// WIPE_WRITE_PERM_OF_BROKER (205) and ADD_WRITE_PERM_OF_BROKER (327).
    pub struct BrokerNameHeader {
        broker_name: String = "brokerName",
    }
}

crate::request_header! {
    /// QUERY_DATA_VERSION (322), Java `QueryDataVersionRequestHeader`; only the address is used.
    pub struct QueryDataVersionHeader {
        broker_addr: String = "brokerAddr",
    }
}

crate::request_header! {
    /// PUT_KV_CONFIG (100), Java `PutKVConfigRequestHeader`.
    pub struct PutKvHeader {
        namespace: String = "namespace",
        key: String = "key",
        value: String = "value",
    }
}

crate::request_header! {
    /// GET_KV_CONFIG (101) and DELETE_KV_CONFIG (102).
    pub struct KvKeyHeader {
        namespace: String = "namespace",
        key: String = "key",
    }
}

crate::request_header! {
    /// GET_KVLIST_BY_NAMESPACE (219), Java `GetKVListByNamespaceRequestHeader`.
    pub struct NamespaceHeader {
        namespace: String = "namespace",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codec::codes::request;
    use crate::codec::headers::Header;
    use crate::codec::RemotingCommand;

    #[test]
    fn register_header_defaults_and_reads_padded_ids() {
        let cmd = RemotingCommand::request(request::REGISTER_BROKER)
            .with_ext("brokerName", "b")
            .with_ext("brokerAddr", "127.0.0.1:10911")
            .with_ext("clusterName", "c")
            .with_ext("haServerAddr", "127.0.0.1:10912")
            .with_ext("brokerId", " 0");
        let h = RegisterBrokerHeader::from_command(&cmd).unwrap();
        assert_eq!((h.broker_id, h.compressed, h.body_crc32), (0, false, 0));
        let h = RegisterBrokerHeader::from_command(&cmd.with_ext("compressed", "True")).unwrap();
        assert!(h.compressed);
    }

    #[test]
    fn kv_headers_name_the_missing_field() {
        let cmd = RemotingCommand::request(request::PUT_KV_CONFIG)
            .with_ext("namespace", "N")
            .with_ext("key", "K");
        let e = PutKvHeader::from_command(&cmd).unwrap_err();
        assert_eq!(e.to_string(), "the custom field <value> is null");
        assert!(KvKeyHeader::from_command(&cmd).is_ok());
    }
}
