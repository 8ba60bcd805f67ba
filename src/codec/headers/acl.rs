//! Headers of the ACL admin commands (docs/acl.md; Java `PlainAccessConfig` fields as sent by
//! `DefaultMQAdminExt`): UPDATE_AND_CREATE_ACL_CONFIG (50, `CreateAccessConfigRequestHeader`),
//! DELETE_ACL_CONFIG (51, `DeleteAccessConfigRequestHeader`) and
//! UPDATE_GLOBAL_WHITE_ADDRS_CONFIG (53, `UpdateGlobalWhiteAddrsConfigRequestHeader`).
//! Every field is optional here: Java 4.9.7's decoder logs a missing `@CFNotNull` field and
//! leaves it null, and the handlers answer for a null the way Java's processor does.

crate::request_header! {
    /// UPDATE_AND_CREATE_ACL_CONFIG; permissions are comma-separated.
    pub struct CreateAccessConfigHeader {
        access_key: Option<String> = "accessKey",
        secret_key: Option<String> = "secretKey",
        white_remote_address: Option<String> = "whiteRemoteAddress",
        /// Read with `Boolean.parseBoolean`: anything but `true` (any case) is false.
        admin: Option<String> = "admin",
        default_topic_perm: Option<String> = "defaultTopicPerm",
        default_group_perm: Option<String> = "defaultGroupPerm",
        topic_perms: Option<String> = "topicPerms",
        group_perms: Option<String> = "groupPerms",
    }
}

crate::request_header! {
    /// DELETE_ACL_CONFIG.
    pub struct DeleteAccessConfigHeader {
        access_key: Option<String> = "accessKey",
    }
}

crate::request_header! {
    /// UPDATE_GLOBAL_WHITE_ADDRS_CONFIG; a blank `aclFileFullPath` means the default file.
    pub struct GlobalWhiteAddrsHeader {
        global_white_addrs: Option<String> = "globalWhiteAddrs",
        acl_file_full_path: Option<String> = "aclFileFullPath",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codec::codes::request;
    use crate::codec::headers::Header;
    use crate::codec::RemotingCommand;

    #[test]
    fn absent_acl_fields_are_null_not_refusals() {
        let cmd = RemotingCommand::request(request::UPDATE_AND_CREATE_ACL_CONFIG)
            .with_ext("accessKey", "AK")
            .with_ext("admin", "TRUE");
        let h = CreateAccessConfigHeader::from_command(&cmd).unwrap();
        assert_eq!(h.access_key.as_deref(), Some("AK"));
        assert_eq!(h.secret_key, None);
        let d = DeleteAccessConfigHeader::from_command(&RemotingCommand::request(
            request::DELETE_ACL_CONFIG,
        ))
        .unwrap();
        assert_eq!(d.access_key, None);
    }
}
