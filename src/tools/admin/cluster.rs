//! The broker-wide commands: clusterList, brokerStatus, getBrokerConfig, updateBrokerConfig
//! (Java `ClusterListSubCommand`, `BrokerStatusSubCommand`, `GetBrokerConfigCommand`,
//! `UpdateBrokerConfigSubCommand`).

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::args::{flag, opt, req};
use super::{AdminError, Command, Ctx};
use crate::store::time::now_ms;

pub static CLUSTER_LIST: Command = Command {
    name: "clusterList",
    desc: "List all of clusters",
    java: "ClusterListSubCommand",
    opts: &[
        flag('m', "moreStats", "Print more stats"),
        opt(
            'i',
            "interval",
            "specify intervals numbers, it is in seconds",
        ),
    ],
};

pub static BROKER_STATUS: Command = Command {
    name: "brokerStatus",
    desc: "Fetch broker runtime status data",
    java: "BrokerStatusSubCommand",
    opts: &[
        opt('b', "brokerAddr", "Broker address"),
        opt('c', "clusterName", "which cluster"),
    ],
};

pub static GET_BROKER_CONFIG: Command = Command {
    name: "getBrokerConfig",
    desc: "Get broker config by cluster or special broker!",
    java: "GetBrokerConfigCommand",
    opts: &[
        opt('b', "brokerAddr", "get which broker"),
        opt('c', "clusterName", "get which cluster"),
    ],
};

pub static UPDATE_BROKER_CONFIG: Command = Command {
    name: "updateBrokerConfig",
    desc: "Update broker's config",
    java: "UpdateBrokerConfigSubCommand",
    opts: &[
        opt('b', "brokerAddr", "update which broker"),
        opt('c', "clusterName", "update which cluster"),
        req('k', "key", "config key"),
        req('v', "value", "config value"),
    ],
};

fn first_f64(s: Option<&String>) -> f64 {
    s.and_then(|v| v.split(' ').next())
        .and_then(|v| v.parse().ok())
        .unwrap_or(0.0)
}

pub async fn cluster_list(c: &Ctx, out: &mut String) -> Result<(), AdminError> {
    let interval: Option<u64> = c.p.num('i')?;
    loop {
        if c.p.has('m') {
            more_stats(c, out).await?;
        } else {
            base_info(c, out).await?;
        }
        match interval {
            // Java loops forever with -i; we print as we go and keep looping until killed.
            Some(secs) => {
                print!("{out}");
                out.clear();
                tokio::time::sleep(std::time::Duration::from_secs(secs.max(1))).await;
            }
            None => return Ok(()),
        }
    }
}

async fn base_info(c: &Ctx, out: &mut String) -> Result<(), AdminError> {
    let info = c.cluster_info().await?;
    let row = |o: &mut String, v: [&str; 10]| {
        let _ = writeln!(
            o,
            "{:<16}  {:<22}  {:<4}  {:<22} {:<16} {:>19} {:>19} {:>10} {:>5} {:>6}",
            v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8], v[9]
        );
    };
    row(
        out,
        [
            "#Cluster Name",
            "#Broker Name",
            "#BID",
            "#Addr",
            "#Version",
            "#InTPS(LOAD)",
            "#OutTPS(LOAD)",
            "#PCWait(ms)",
            "#Hour",
            "#SPACE",
        ],
    );
    for (cluster, names) in &info.cluster_addr_table {
        for name in names {
            let Some(bd) = info.broker_addr_table.get(name) else {
                continue;
            };
            for (id, addr) in &bd.broker_addrs {
                let kv = c.admin.broker_runtime_info(addr).await.unwrap_or_default();
                let g = |k: &str| kv.get(k).cloned().unwrap_or_default();
                let hour = kv
                    .get("earliestMessageTimeStamp")
                    .and_then(|v| v.parse::<i64>().ok())
                    .map(|t| (now_ms() - t) as f64 / 1000.0 / 3600.0)
                    .unwrap_or(0.0);
                let space: f64 = kv
                    .get("commitLogDiskRatio")
                    .and_then(|v| v.parse().ok())
                    .unwrap_or(0.0);
                let in_tps = format!(
                    "{:9.2}({},{}ms)",
                    first_f64(kv.get("putTps")),
                    g("sendThreadPoolQueueSize"),
                    g("sendThreadPoolQueueHeadWaitTimeMills")
                );
                let out_tps = format!(
                    "{:9.2}({},{}ms)",
                    first_f64(kv.get("getTransferedTps")),
                    g("pullThreadPoolQueueSize"),
                    g("pullThreadPoolQueueHeadWaitTimeMills")
                );
                row(
                    out,
                    [
                        cluster,
                        name,
                        &id.to_string(),
                        addr,
                        &g("brokerVersionDesc"),
                        &in_tps,
                        &out_tps,
                        &g("pageCacheLockTimeMills"),
                        &format!("{hour:2.2}"),
                        &format!("{space:.4}"),
                    ],
                );
            }
        }
    }
    Ok(())
}

async fn more_stats(c: &Ctx, out: &mut String) -> Result<(), AdminError> {
    let info = c.cluster_info().await?;
    let _ = writeln!(
        out,
        "{:<16}  {:<32} {:>14} {:>14} {:>14} {:>14}",
        "#Cluster Name",
        "#Broker Name",
        "#InTotalYest",
        "#OutTotalYest",
        "#InTotalToday",
        "#OutTotalToday"
    );
    for (cluster, names) in &info.cluster_addr_table {
        for name in names {
            let Some(bd) = info.broker_addr_table.get(name) else {
                continue;
            };
            for addr in bd.broker_addrs.values() {
                let kv = c.admin.broker_runtime_info(addr).await.unwrap_or_default();
                let n = |k: &str| -> Option<i64> { kv.get(k)?.parse().ok() };
                let diff = |a: &str, b: &str| Some(n(a)? - n(b)?);
                let (iy, oy, it, ot) = match (
                    diff("msgPutTotalTodayMorning", "msgPutTotalYesterdayMorning"),
                    diff("msgGetTotalTodayMorning", "msgGetTotalYesterdayMorning"),
                    diff("msgPutTotalTodayNow", "msgPutTotalTodayMorning"),
                    diff("msgGetTotalTodayNow", "msgGetTotalTodayMorning"),
                ) {
                    (Some(a), Some(b), Some(c), Some(d)) => (a, b, c, d),
                    _ => (0, 0, 0, 0),
                };
                let _ = writeln!(
                    out,
                    "{cluster:<16}  {name:<32} {iy:>14} {oy:>14} {it:>14} {ot:>14}"
                );
            }
        }
    }
    Ok(())
}

pub async fn broker_status(c: &Ctx, out: &mut String) -> Result<(), AdminError> {
    if let Some(addr) = c.p.get('b') {
        let kv = c.admin.broker_runtime_info(addr).await?;
        for (k, v) in kv {
            let _ = writeln!(out, "{k:<32}: {v}");
        }
    } else if let Some(cluster) = c.p.get('c') {
        let brokers = c.brokers_of(cluster, out).await?;
        for addr in brokers.values().flat_map(|m| m.values()) {
            match c.admin.broker_runtime_info(addr).await {
                Ok(kv) => {
                    for (k, v) in kv {
                        let _ = writeln!(out, "{addr:<24} {k:<32}: {v}");
                    }
                }
                Err(e) => eprintln!("{addr}: {e}"),
            }
        }
    }
    Ok(())
}

async fn print_config(
    c: &Ctx,
    out: &mut String,
    prefix: String,
    addr: &str,
) -> Result<(), AdminError> {
    out.push_str(&prefix);
    let props = c.admin.broker_config(addr).await?;
    if props.is_empty() {
        let _ = writeln!(out, "Broker[{addr}] has no config property!");
        return Ok(());
    }
    for (k, v) in props {
        let _ = writeln!(out, "{k:<50}=  {v}");
    }
    out.push('\n');
    Ok(())
}

pub async fn get_broker_config(c: &Ctx, out: &mut String) -> Result<(), AdminError> {
    if let Some(addr) = c.p.get('b') {
        print_config(c, out, format!("============{addr}============\n"), addr).await?;
    } else if let Some(cluster) = c.p.get('c') {
        for addrs in c.brokers_of(cluster, out).await?.values() {
            let Some(master) = addrs.get(&0) else {
                continue;
            };
            print_config(
                c,
                out,
                format!("============Master: {master}============\n"),
                master,
            )
            .await?;
            for (_, slave) in addrs.iter().filter(|(id, _)| **id != 0) {
                let prefix =
                    format!("============My Master: {master}=====Slave: {slave}============\n");
                print_config(c, out, prefix, slave).await?;
            }
        }
    }
    Ok(())
}

pub async fn update_broker_config(c: &Ctx, out: &mut String) -> Result<(), AdminError> {
    let key = c.p.must('k')?;
    let value = c.p.must('v')?;
    let props: BTreeMap<String, String> = [(key.to_owned(), value.to_owned())].into();
    let targets: Vec<String> = if let Some(addr) = c.p.get('b') {
        vec![addr.to_owned()]
    } else if let Some(cluster) = c.p.get('c') {
        c.brokers_of(cluster, out)
            .await?
            .into_values()
            .flat_map(|m| m.into_values())
            .collect()
    } else {
        Vec::new()
    };
    for addr in targets {
        c.admin.update_broker_config(&addr, &props).await?;
        let _ = writeln!(out, "update broker config success, {addr}");
    }
    Ok(())
}
