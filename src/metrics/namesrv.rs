//! The name server's `/metrics` families, read at scrape time: clusters, broker names, live
//! broker addresses and topics from the route tables, requests served by request code, and
//! the restarts of its supervised components. docs/metrics.md.

use std::sync::{Arc, Weak};

use parking_lot::Mutex;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::registry::Registry;

use crate::actors::supervisor::RestartBook;
use crate::namesrv::handler::RequestCounts;
use crate::namesrv::state::NamesrvState;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct CodeLabels {
    code: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ComponentLabels {
    component: String,
}

/// What a name server's scrape reads.
#[derive(Clone)]
pub struct NamesrvSources {
    pub state: Weak<Mutex<NamesrvState>>,
    pub requests: Arc<RequestCounts>,
    pub book: RestartBook,
}

/// The renderer `/metrics` calls for this name server.
pub fn render(src: NamesrvSources) -> super::Render {
    Arc::new(move || {
        let mut out = String::new();
        let reg = registry(&src);
        prometheus_client::encoding::text::encode(&mut out, &reg)?;
        Ok(out)
    })
}

/// Builds the registry now.
pub fn registry(src: &NamesrvSources) -> Registry {
    let mut reg = Registry::default();
    let (clusters, brokers, live, topics) = src
        .state
        .upgrade()
        .map(|s| s.lock().tables.sizes())
        .unwrap_or_default();
    for (name, help, v) in [
        (
            "rocketmq_namesrv_clusters",
            "Clusters with registered brokers",
            clusters,
        ),
        (
            "rocketmq_namesrv_broker_names",
            "Broker names (master/slave sets) registered",
            brokers,
        ),
        (
            "rocketmq_namesrv_brokers",
            "Live registered broker addresses",
            live,
        ),
        ("rocketmq_namesrv_topics", "Topics with routes", topics),
    ] {
        let g: Gauge = Gauge::default();
        g.set(v as i64);
        reg.register(name, help, g);
    }
    let requests = Family::<CodeLabels, Counter>::default();
    for (code, n) in src.requests.snapshot() {
        requests
            .get_or_create(&CodeLabels {
                code: code.to_string(),
            })
            .inc_by(n);
    }
    reg.register(
        "rocketmq_namesrv_requests",
        "Requests served, by request code",
        requests,
    );
    let restarts = Family::<ComponentLabels, Counter>::default();
    for (component, n) in src.book.snapshot() {
        restarts
            .get_or_create(&ComponentLabels { component })
            .inc_by(n);
    }
    reg.register(
        "rocketmq_actor_restarts",
        "Restarts of each supervised component",
        restarts,
    );
    reg
}
