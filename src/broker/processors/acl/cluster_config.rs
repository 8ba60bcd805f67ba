//! GET_BROKER_CLUSTER_ACL_CONFIG (54): every ACL file merged, as Java's
//! `AdminBrokerProcessor.getBrokerClusterAclConfig` (`getAllAclConfig`): the body is
//! `{"globalWhiteAddrs":[…],"plainAccessConfigs":[…]}`. The files are read again, as Java does,
//! on a blocking thread.

use std::sync::Arc;

use serde::Serialize;

use super::{acl_or_refuse, blocking, success};
use crate::acl::edit;
use crate::acl::PlainAccessConfig;
use crate::actors::remoting::Reply;
use crate::broker::node::state::Broker;
use crate::broker::processors::reply::error;
use crate::codec::codes::response::SYSTEM_ERROR;
use crate::codec::RemotingCommand;

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Body {
    global_white_addrs: Vec<String>,
    plain_access_configs: Vec<PlainAccessConfig>,
}

pub fn handle(b: &Arc<Broker>, req: RemotingCommand) -> Reply {
    let acl = match acl_or_refuse(b, &req, SYSTEM_ERROR) {
        Ok(a) => a,
        Err(r) => return Reply::now(r),
    };
    let r = req.clone();
    blocking(
        move || {
            let files = acl.snapshot().files.clone();
            let body = edit::all_config(&files).map(|(white, accounts)| Body {
                global_white_addrs: white,
                plain_access_configs: accounts,
            });
            match body.map(|b| serde_json::to_vec(&b)) {
                Ok(Ok(bytes)) => {
                    let mut out = success(&r);
                    out.body = bytes.into();
                    out
                }
                Ok(Err(e)) => error(&r, e.to_string()),
                Err(e) => error(&r, e.to_string()),
            }
        },
        &req,
    )
}
