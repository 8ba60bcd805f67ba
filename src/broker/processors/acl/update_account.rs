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
use crate::codec::headers::acl::CreateAccessConfigHeader;
use crate::codec::RemotingCommand;

pub fn handle(b: &Arc<Broker>, h: CreateAccessConfigHeader, req: RemotingCommand) -> Reply {
    let acl = match acl_or_refuse(b, &req, FAILED) {
        Ok(a) => a,
        Err(r) => return Reply::now(r),
    };
    // A missing header field is null, as Java 4.9.7's header decoding leaves it.
    let access_key = h.access_key.clone().unwrap_or_else(|| "null".to_owned());
    let cfg = PlainAccessConfig {
        access_key: h.access_key,
        secret_key: h.secret_key,
        white_remote_address: h.white_remote_address,
        admin: h.admin.is_some_and(|v| v.eq_ignore_ascii_case("true")),
        default_topic_perm: h.default_topic_perm,
        default_group_perm: h.default_group_perm,
        topic_perms: split(h.topic_perms.as_deref()),
        group_perms: split(h.group_perms.as_deref()),
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
