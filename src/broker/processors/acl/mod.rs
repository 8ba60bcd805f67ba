//! The broker's side of ACL 1.0 (docs/acl.md): opening the ACL files when `aclEnable` is on,
//! the one check at the entry of the request dispatch, and the ACL admin commands 50-54 (one
//! file each). The model itself is in `crate::acl`.

pub mod cluster_config;
pub mod config_version;
pub mod delete_account;
pub mod global_white;
pub mod update_account;

use std::sync::Arc;

use slog::{info, warn, Logger};

use super::reply::{error, resp};
use crate::acl::watcher::{self, WatcherGuard};
use crate::acl::{AclLocations, PlainAcl};
use crate::actors::remoting::{ConnHandle, Reply};
use crate::broker::node::error::BrokerError;
use crate::broker::node::state::Broker;
use crate::codec::codes::response;
use crate::codec::RemotingCommand;
use crate::config::BrokerConfig;

/// Opens the ACL when `aclEnable` is on and starts its hot-reload thread (blocking reads:
/// start-up only). A bad ACL file stops the start with its file, line and key.
pub fn open(
    cfg: &BrokerConfig,
    log: &Logger,
) -> Result<(Option<Arc<PlainAcl>>, Option<WatcherGuard>), BrokerError> {
    if !cfg.acl_enable {
        return Ok((None, None));
    }
    let loc = AclLocations::from_env(cfg.acl_plain_file.as_deref());
    if loc.default_file.is_none() {
        warn!(log, "aclEnable=true but neither ROCKETMQ_HOME nor aclPlainFile is set: every request without a global white address is refused");
    }
    let acl = Arc::new(PlainAcl::open(loc)?);
    let st = acl.snapshot();
    info!(log, "ACL enabled"; "files" => format!("{:?}", st.files), "accounts" => st.accounts.len());
    let guard =
        watcher::spawn(acl.clone(), watcher::POLL, log.clone()).map_err(BrokerError::AclWatcher)?;
    Ok((Some(acl), Some(guard)))
}

/// The ACL check of one request, made once at the entry of the dispatch. `None` lets it
/// through; a refusal is answered as Java 4.9.7 answers an exception of its server RPC hook:
/// SYSTEM_ERROR with the exception's simple description, nothing for a oneway request.
pub fn check(b: &Broker, conn: &ConnHandle, req: &RemotingCommand) -> Option<Reply> {
    let acl = b.acl.as_ref()?;
    let denied = acl.check(req, conn.peer()).err()?;
    info!(b.log, "request refused by ACL"; "peer" => %conn.peer(), "code" => req.code, "reason" => &denied.message);
    if req.is_oneway() {
        return Some(Reply::none());
    }
    Some(Reply::now(error(req, denied.remark())))
}

/// The ACL of `b`, or the answer when ACL is off (Java fails these commands then too; it
/// has no text for it, ours says why).
fn acl_or_refuse(
    b: &Broker,
    req: &RemotingCommand,
    failed_code: i32,
) -> Result<Arc<PlainAcl>, RemotingCommand> {
    b.acl.clone().ok_or_else(|| {
        resp(
            req,
            failed_code,
            Some("ACL is not enabled on this broker (aclEnable=false)".to_owned()),
        )
    })
}

/// Java `UtilAll.split(s, ",")`: `None` for no value, trailing empty items dropped.
fn split(s: Option<&str>) -> Option<Vec<String>> {
    let mut v: Vec<String> = s?.split(',').map(str::to_owned).collect();
    while v.last().is_some_and(|x| x.is_empty()) {
        v.pop();
    }
    Some(v)
}

/// Runs a blocking ACL edit off the event loop and answers with what it returns.
fn blocking(f: impl FnOnce() -> RemotingCommand + Send + 'static, req: &RemotingCommand) -> Reply {
    let fallback = error(req, "ACL edit task failed");
    Reply::later(async move { Some(tokio::task::spawn_blocking(f).await.unwrap_or(fallback)) })
}

/// The answer to an ACL edit: SUCCESS, or `code` with Java's refusal remark (`refused`) or the
/// edit's error.
fn edited(
    req: &RemotingCommand,
    out: Result<(), crate::acl::edit::EditError>,
    code: i32,
    refused: String,
) -> RemotingCommand {
    match out {
        Ok(()) => success(req),
        Err(crate::acl::edit::EditError::Refused) => resp(req, code, Some(refused)),
        Err(e) => resp(req, code, Some(e.to_string())),
    }
}

/// SUCCESS with no remark (Java writes the response itself with remark null).
fn success(req: &RemotingCommand) -> RemotingCommand {
    resp(req, response::SUCCESS, None)
}
