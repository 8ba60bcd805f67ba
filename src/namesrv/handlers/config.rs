//! The configuration requests: GET_NAMESRV_CONFIG (319) and UPDATE_NAMESRV_CONFIG (318, the
//! work is in `namesrv/config_update.rs`).

use super::{ok, NsCtx};
use crate::codec::RemotingCommand;
use crate::namesrv::state::config_text;

/// GET_NAMESRV_CONFIG: the configuration as `key=value` lines.
pub fn get(c: &mut NsCtx<'_>, req: &RemotingCommand) -> RemotingCommand {
    ok(req).with_body(config_text(&c.state.config))
}

/// UPDATE_NAMESRV_CONFIG.
pub fn update(c: &mut NsCtx<'_>, req: &RemotingCommand) -> RemotingCommand {
    crate::namesrv::config_update::update_config(c.state, req, c.log)
}
