//! DELETE_ACL_CONFIG (51): remove one account from the file that defines it, as Java's
//! `AdminBrokerProcessor.deleteAccessConfig`; an unknown access key is DELETE_ACL_CONFIG_FAILED
//! with Java's remark.

use std::sync::Arc;

use super::{acl_or_refuse, blocking, edited};
use crate::acl::edit;
use crate::actors::remoting::Reply;
use crate::broker::node::state::Broker;
use crate::codec::codes::response::DELETE_ACL_CONFIG_FAILED as FAILED;
use crate::codec::headers::acl::DeleteAccessConfigHeader;
use crate::codec::RemotingCommand;

pub fn handle(b: &Arc<Broker>, h: DeleteAccessConfigHeader, req: RemotingCommand) -> Reply {
    let acl = match acl_or_refuse(b, &req, FAILED) {
        Ok(a) => a,
        Err(r) => return Reply::now(r),
    };
    // Missing: Java's accessKey is null, which deletes nothing (remark "accesskey[null]").
    let key = h.access_key.clone().unwrap_or_default();
    let access_key = h.access_key.unwrap_or_else(|| "null".to_owned());
    let r = req.clone();
    blocking(
        move || {
            edited(
                &r,
                acl.edit(|st, _| edit::delete_account(st, &key)),
                FAILED,
                format!(
                    "The accesskey[{access_key}] corresponding to accessConfig has been deleted failed."
                ),
            )
        },
        &req,
    )
}
