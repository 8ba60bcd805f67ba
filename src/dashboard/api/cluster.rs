//! `GET /api/cluster`: every broker of every cluster with its role, addresses (brokerIP1,
//! brokerIP2, listen and HA ports from its config), runtime counters and HA lag (a slave's
//! commit-log max offset behind its master's); `GET /api/cluster/tps`: the sampled put/get TPS
//! history (`super::super::tps`).

use std::collections::BTreeMap;

use serde::Serialize;

use super::{ok, ApiResult, Data};
use crate::dashboard::tps::Sample;

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct BrokerRow {
    cluster: String,
    broker_name: String,
    broker_id: i64,
    addr: String,
    role: String,
    version: String,
    broker_ip1: String,
    broker_ip2: String,
    listen_port: String,
    ha_listen_port: String,
    put_tps: String,
    get_tps: String,
    msg_put_total_today: String,
    msg_get_total_today: String,
    commit_log_max_offset: Option<i64>,
    /// Bytes a slave's commit log is behind its master's; `None` on masters and when unknown.
    ha_lag_bytes: Option<i64>,
    runtime: String,
    /// Why the broker's runtime info or config could not be read.
    error: Option<String>,
}

fn get(t: &BTreeMap<String, String>, k: &str) -> String {
    t.get(k).cloned().unwrap_or_default()
}

/// `haListenPort` as configured; when the broker leaves it empty, Java's rule
/// (`BrokerStartup`: listenPort + 1), marked as derived.
fn ha_port(cfg: &BTreeMap<String, String>) -> String {
    match cfg.get("haListenPort").map(|s| s.trim()) {
        Some(p) if !p.is_empty() => p.to_owned(),
        _ => cfg
            .get("listenPort")
            .and_then(|p| p.trim().parse::<u32>().ok())
            .map(|p| format!("{} (listenPort+1)", p + 1))
            .unwrap_or_default(),
    }
}

pub async fn list(st: Data) -> ApiResult {
    let brokers = st.brokers().await?;
    let mut rows = Vec::with_capacity(brokers.len());
    for b in brokers {
        let mut error = None;
        let rt = match st.admin.broker_runtime_info(&b.addr).await {
            Ok(t) => t,
            Err(e) => {
                error = Some(e.to_string());
                BTreeMap::new()
            }
        };
        let cfg = match st.admin.broker_config(&b.addr).await {
            Ok(c) => c,
            Err(e) => {
                error.get_or_insert(e.to_string());
                BTreeMap::new()
            }
        };
        let role = match rt.get("brokerRole") {
            Some(r) => r.clone(),
            None if b.broker_id == 0 => "MASTER".into(),
            None => "SLAVE".into(),
        };
        rows.push(BrokerRow {
            commit_log_max_offset: rt.get("commitLogMaxOffset").and_then(|v| v.parse().ok()),
            cluster: b.cluster,
            broker_name: b.broker_name,
            broker_id: b.broker_id,
            addr: b.addr,
            role,
            version: get(&rt, "brokerVersionDesc"),
            broker_ip1: get(&cfg, "brokerIP1"),
            broker_ip2: get(&cfg, "brokerIP2"),
            listen_port: get(&cfg, "listenPort"),
            ha_listen_port: ha_port(&cfg),
            put_tps: get(&rt, "putTps"),
            get_tps: get(&rt, "getTransferedTps"),
            msg_put_total_today: get(&rt, "msgPutTotalTodayNow"),
            msg_get_total_today: get(&rt, "msgGetTotalTodayNow"),
            ha_lag_bytes: None,
            runtime: get(&rt, "runtime"),
            error,
        });
    }
    let master_max: BTreeMap<(String, String), i64> = rows
        .iter()
        .filter(|r| r.broker_id == 0)
        .filter_map(|r| {
            r.commit_log_max_offset
                .map(|o| ((r.cluster.clone(), r.broker_name.clone()), o))
        })
        .collect();
    for r in rows.iter_mut().filter(|r| r.broker_id != 0) {
        let master = master_max.get(&(r.cluster.clone(), r.broker_name.clone()));
        if let (Some(m), Some(s)) = (master, r.commit_log_max_offset) {
            r.ha_lag_bytes = Some((m - s).max(0));
        }
    }
    ok(&serde_json::json!({ "namesrv": st.namesrv, "brokers": rows }))
}

pub async fn tps(st: Data) -> ApiResult {
    let h = st.tps.lock();
    let brokers: BTreeMap<&String, Vec<Sample>> = h
        .brokers
        .iter()
        .map(|(a, q)| (a, q.iter().copied().collect()))
        .collect();
    ok(&serde_json::json!({ "brokers": brokers }))
}
