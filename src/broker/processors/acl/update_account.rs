//! UPDATE_AND_CREATE_ACL_CONFIG (50): create or update one account, as Java's
//! `AdminBrokerProcessor.updateAndCreateAccessConfig`: the header fields become a
//! `PlainAccessConfig` (topic and group permissions comma-separated), the file that defines the
//! account (or the default file) is rewritten, and the ACL reloads.

use std::sync::Arc;

use super::{acl_or_refuse, blocking, edited, split};
use crate::acl::edit;
use crate::acl::PlainAccessConfig;
use crate::actors::remoting::Reply;
use crate::broker::node::state::Broker;
use crate::codec::codes::response::UPDATE_AND_CREATE_ACL_CONFIG_FAILED as FAILED;
use crate::codec::RemotingCommand;

pub fn handle(b: &Arc<Broker>, req: RemotingCommand) -> Reply {
    let acl = match acl_or_refuse(b, &req, FAILED) {
        Ok(a) => a,
        Err(r) => return Reply::now(r),
    };
    // A missing header field is null, as Java 4.9.7's header decoding leaves it.
    let ext = |k: &str| req.ext(k).map(str::to_owned);
    let access_key = ext("accessKey").unwrap_or_else(|| "null".to_owned());
    let cfg = PlainAccessConfig {
        access_key: ext("accessKey"),
        secret_key: ext("secretKey"),
        white_remote_address: ext("whiteRemoteAddress"),
        admin: req
            .ext("admin")
            .is_some_and(|v| v.eq_ignore_ascii_case("true")),
        default_topic_perm: ext("defaultTopicPerm"),
        default_group_perm: ext("defaultGroupPerm"),
        topic_perms: split(req.ext("topicPerms")),
        group_perms: split(req.ext("groupPerms")),
    };
    let r = req.clone();
    blocking(
        move || {
            let out =
                acl.edit(|st, loc| edit::update_account(st, loc.default_file.as_deref(), &cfg));
            edited(
                &r,
                out,
                FAILED,
                format!(
                    "The accesskey[{access_key}] corresponding to accessConfig has been updated failed."
                ),
            )
        },
        &req,
    )
}
