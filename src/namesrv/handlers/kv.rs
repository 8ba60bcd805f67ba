//! KV-config requests (Java `DefaultRequestProcessor.putKVConfig` and friends): PUT_KV_CONFIG
//! (100), GET_KV_CONFIG (101), DELETE_KV_CONFIG (102), GET_KVLIST_BY_NAMESPACE (219).

use super::{fail, json_body, ok, NsCtx};
use crate::codec::codes::response;
use crate::codec::headers::namesrv::{KvKeyHeader, NamespaceHeader, PutKvHeader};
use crate::codec::RemotingCommand;

pub fn put(c: &mut NsCtx<'_>, h: PutKvHeader, req: &RemotingCommand) -> RemotingCommand {
    c.state.kv.put(&h.namespace, &h.key, &h.value);
    ok(req)
}

pub fn get(c: &mut NsCtx<'_>, h: KvKeyHeader, req: &RemotingCommand) -> RemotingCommand {
    match c.state.kv.get(&h.namespace, &h.key) {
        Some(v) => ok(req).with_ext("value", v),
        None => fail(
            req,
            response::QUERY_NOT_FOUND,
            format!("No config item, Namespace: {} Key: {}", h.namespace, h.key),
        ),
    }
}

pub fn delete(c: &mut NsCtx<'_>, h: KvKeyHeader, req: &RemotingCommand) -> RemotingCommand {
    c.state.kv.delete(&h.namespace, &h.key);
    ok(req)
}

pub fn list(c: &mut NsCtx<'_>, h: NamespaceHeader, req: &RemotingCommand) -> RemotingCommand {
    match c.state.kv.list(&h.namespace) {
        Some(table) => json_body(req, &table),
        None => fail(
            req,
            response::QUERY_NOT_FOUND,
            format!("No config item, Namespace: {}", h.namespace),
        ),
    }
}
