//! VIEW_BROKER_STATS_DATA (315): per-topic / per-group minute, hour and day statistics that the
//! dashboard's collector and `mqadmin statsAll` poll, read from the broker's stats windows
//! (`broker::stats`, docs/metrics.md) in Java's BrokerStatsData shape.

use serde::{Deserialize, Serialize};

use crate::broker::node::state::Broker;
use crate::broker::processors::admin_meta::json_ok;
use crate::broker::processors::command::{CommandError, Outcome};
use crate::broker::stats::item::Window;
use crate::codec::headers::admin::ViewStatsHeader;
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

/// VIEW_BROKER_STATS_DATA (Java `AdminBrokerProcessor.ViewBrokerStatsData`): the minute, hour
/// and day windows of one item; an unknown name, or a key nothing was counted for yet, answers
/// SYSTEM_ERROR "The stats <name> <key> not exist" as Java does.
pub fn view_stats(b: &Broker, h: ViewStatsHeader, req: &RemotingCommand) -> Outcome {
    let (name, key) = (h.stats_name.as_str(), h.stats_key.as_str());
    let Some(item) = b.stats.windows.item(name, key) else {
        return Err(CommandError::system(format!(
            "The stats <{name}> <{key}> not exist"
        )));
    };
    let w = |w: Window| {
        let f = item.figures(w);
        // fastjson writes Java's NaN (two samples in one millisecond) as null, which every
        // client reads as 0.
        let finite = |v: f64| if v.is_finite() { v } else { 0.0 };
        BrokerStatsItem {
            avgpt: finite(f.avgpt),
            sum: f.sum,
            tps: finite(f.tps),
        }
    };
    json_ok(
        req,
        &BrokerStatsData {
            stats_day: w(Window::Day),
            stats_hour: w(Window::Hour),
            stats_minute: w(Window::Minute),
        },
    )
}
