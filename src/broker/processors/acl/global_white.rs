//! UPDATE_GLOBAL_WHITE_ADDRS_CONFIG (53): replace the global white list of one ACL file, as
//! Java's `AdminBrokerProcessor.updateGlobalWhiteAddrsConfig`: no `aclFileFullPath` (or an
//! empty one) means the default file; a file outside the RocketMQ home is refused; no
//! `globalWhiteAddrs` is refused (211).

use std::path::PathBuf;
use std::sync::Arc;

use super::{acl_or_refuse, blocking, edited, split};
use crate::acl::edit::{self, EditError};
use crate::actors::remoting::Reply;
use crate::broker::node::state::Broker;
use crate::codec::codes::response::UPDATE_GLOBAL_WHITE_ADDRS_CONFIG_FAILED as FAILED;
use crate::codec::headers::acl::GlobalWhiteAddrsHeader;
use crate::codec::RemotingCommand;

pub fn handle(b: &Arc<Broker>, h: GlobalWhiteAddrsHeader, req: RemotingCommand) -> Reply {
    let acl = match acl_or_refuse(b, &req, FAILED) {
        Ok(a) => a,
        Err(r) => return Reply::now(r),
    };
    let list = split(h.global_white_addrs.as_deref());
    let addrs = h.global_white_addrs.unwrap_or_else(|| "null".to_owned());
    let file = h
        .acl_file_full_path
        .as_deref()
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(PathBuf::from);
    let r = req.clone();
    blocking(
        move || {
            let out = acl.edit(|_, loc| {
                let Some(list) = &list else {
                    return Err(EditError::Refused);
                };
                edit::update_global_white(
                    loc.home.as_deref(),
                    loc.default_file.as_deref(),
                    file.as_deref(),
                    list,
                )
            });
            edited(
                &r,
                out,
                FAILED,
                format!("The globalWhiteAddresses[{addrs}] has been updated failed."),
            )
        },
        &req,
    )
}
