//! VIEW_BROKER_STATS_DATA (315): per-topic / per-group minute, hour and day statistics that the
//! dashboard's collector polls. The broker keeps no such windows, so every known stats name
//! answers a zero-valued BrokerStatsData (Java's shape), which the dashboard shows as idle
//! rather than logging an error per topic every minute.

use serde::{Deserialize, Serialize};

use crate::broker::node::state::Broker;
use crate::broker::processors::admin_meta::json_ok;
use crate::broker::processors::command::{CommandError, Outcome};
use crate::codec::RemotingCommand;

/// One window of BrokerStatsData.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct BrokerStatsItem {
    #[serde(default)]
    pub avgpt: f64,
    #[serde(default)]
    pub sum: i64,
    #[serde(default)]
    pub tps: f64,
}

/// Body of VIEW_BROKER_STATS_DATA.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BrokerStatsData {
    #[serde(default)]
    pub stats_day: BrokerStatsItem,
    #[serde(default)]
    pub stats_hour: BrokerStatsItem,
    #[serde(default)]
    pub stats_minute: BrokerStatsItem,
}

/// The stats names of Java's `BrokerStatsManager`; anything else is "not exist" as in Java.
const STATS_NAMES: &[&str] = &[
    "TOPIC_PUT_NUMS",
    "TOPIC_PUT_SIZE",
    "GROUP_GET_NUMS",
    "GROUP_GET_SIZE",
    "SNDBCK_PUT_NUMS",
    "BROKER_PUT_NUMS",
    "BROKER_GET_NUMS",
    "GROUP_GET_FROM_DISK_NUMS",
    "GROUP_GET_FROM_DISK_SIZE",
    "BROKER_GET_FROM_DISK_NUMS",
    "BROKER_GET_FROM_DISK_SIZE",
    "COMMERCIAL_SEND_TIMES",
    "COMMERCIAL_SNDBCK_TIMES",
    "COMMERCIAL_RCV_TIMES",
    "COMMERCIAL_RCV_EPOLLS",
    "COMMERCIAL_SEND_SIZE",
    "COMMERCIAL_RCV_SIZE",
    "COMMERCIAL_PERM_FAILURES",
    "GROUP_GET_LATENCY",
    "TOPIC_PUT_LATENCY",
];

/// VIEW_BROKER_STATS_DATA.
pub fn view_stats(_b: &Broker, req: &RemotingCommand) -> Outcome {
    let name = req.header_str("statsName")?;
    let key = req.header_str("statsKey")?;
    if !STATS_NAMES.contains(&name) {
        return Err(CommandError::system(format!(
            "The stats <{name}> <{key}> not exist"
        )));
    }
    json_ok(req, &BrokerStatsData::default())
}
