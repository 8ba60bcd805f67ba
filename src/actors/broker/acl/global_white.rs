//! UPDATE_GLOBAL_WHITE_ADDRS_CONFIG (53): replace the global white list of one ACL file, as
//! Java's `AdminBrokerProcessor.updateGlobalWhiteAddrsConfig`. Java 4.9.7 requires both header
//! fields (`globalWhiteAddrs`, `aclFileFullPath`) and refuses a file outside the RocketMQ home;
//! an empty path means the default file.

use std::path::PathBuf;
use std::sync::Arc;

use super::{acl_or_refuse, blocking, required, split, success};
use crate::acl::edit::{self, EditError};
use crate::actors::broker::reply::resp;
use crate::actors::broker::state::Broker;
use crate::actors::remoting::Reply;
use crate::codec::codes::response::UPDATE_GLOBAL_WHITE_ADDRS_CONFIG_FAILED as FAILED;
use crate::codec::RemotingCommand;

pub fn handle(b: &Arc<Broker>, req: RemotingCommand) -> Reply {
    let acl = match acl_or_refuse(b, &req, FAILED) {
        Ok(a) => a,
        Err(r) => return Reply::now(r),
    };
    let (addrs, path) = match (
        required(&req, "globalWhiteAddrs"),
        required(&req, "aclFileFullPath"),
    ) {
        (Ok(a), Ok(p)) => (a, p),
        (Err(r), _) | (_, Err(r)) => return Reply::now(r),
    };
    let list = split(Some(&addrs)).unwrap_or_default();
    let file = (!path.trim().is_empty()).then(|| PathBuf::from(path.trim()));
    let r = req.clone();
    blocking(
        move || {
            let out = acl.edit(|_, loc| {
                edit::update_global_white(
                    loc.home.as_deref(),
                    loc.default_file.as_deref(),
                    file.as_deref(),
                    &list,
                )
            });
            match out {
                Ok(()) => success(&r),
                Err(EditError::Refused) => resp(
                    &r,
                    FAILED,
                    Some(format!(
                        "The globalWhiteAddresses[{addrs}] has been updated failed."
                    )),
                ),
                Err(e) => resp(&r, FAILED, Some(e.to_string())),
            }
        },
        &req,
    )
}
