//! Name-server lookups ([`NameServerClient`]) and the per-client route cache ([`RouteCache`]).
//!
//! Name servers are independent copies of the same tables, so a lookup goes to one of them and
//! moves on to the next only when the call itself fails (connect, timeout, closed connection);
//! an answer such as TOPIC_NOT_EXIST is final, as in Java. The last name server that answered
//! stays preferred, so a dead one costs one connect timeout, not one per call.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use parking_lot::Mutex;

use super::mq_error::{expect_success, MqError};
use super::pool::ConnectionPool;
use crate::codec::codes::request;
use crate::codec::RemotingCommand;
use crate::protocol::cluster::{ClusterInfo, TopicList};
use crate::protocol::route::TopicRouteData;

/// Default per-call timeout of the high-level clients (Java: 3 s).
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(3);

/// Splits `"a:9876;b:9876"` (also accepting `,` and spaces) into addresses.
pub fn parse_addrs(list: &str) -> Vec<String> {
    list.split([';', ',', ' '])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Calls to one or more name servers.
#[derive(Debug, Clone)]
pub struct NameServerClient {
    addrs: Arc<Vec<String>>,
    pool: ConnectionPool,
    timeout: Duration,
    preferred: Arc<AtomicUsize>,
}

impl NameServerClient {
    /// A client for `addrs` (`"a:9876;b:9876"`) with its own connection pool.
    pub fn new(addrs: &str) -> Result<Self, MqError> {
        Self::with_pool(addrs, ConnectionPool::default(), DEFAULT_TIMEOUT)
    }

    /// A client sharing `pool`.
    pub fn with_pool(
        addrs: &str,
        pool: ConnectionPool,
        timeout: Duration,
    ) -> Result<Self, MqError> {
        let addrs = parse_addrs(addrs);
        if addrs.is_empty() {
            return Err(MqError::NoNameServer);
        }
        Ok(NameServerClient {
            addrs: Arc::new(addrs),
            pool,
            timeout,
            preferred: Arc::new(AtomicUsize::new(0)),
        })
    }

    /// The configured addresses.
    pub fn addrs(&self) -> &[String] {
        &self.addrs
    }

    /// Sends `cmd` to the preferred name server, trying the others in turn when the call
    /// fails. Returns the answering address and its response (whatever its code).
    pub async fn invoke(&self, cmd: RemotingCommand) -> Result<(String, RemotingCommand), MqError> {
        let n = self.addrs.len();
        let first = self.preferred.load(Ordering::Relaxed);
        let mut last_err = None;
        for i in 0..n {
            let idx = (first + i) % n;
            let addr = &self.addrs[idx];
            match self.pool.invoke(addr, cmd.clone(), self.timeout).await {
                Ok(resp) => {
                    self.preferred.store(idx, Ordering::Relaxed);
                    return Ok((addr.clone(), resp));
                }
                Err(e) => last_err = Some(e),
            }
        }
        Err(last_err.map_or(MqError::NoNameServer, MqError::from))
    }

    /// Sends `cmd` to every name server (writes such as KV config and topic deletion must
    /// reach all of them); one result per address, in configuration order.
    pub async fn invoke_all(
        &self,
        cmd: RemotingCommand,
    ) -> Vec<(String, Result<RemotingCommand, MqError>)> {
        let calls = self.addrs.iter().map(|addr| {
            let cmd = cmd.clone();
            async move {
                let r = self.pool.invoke(addr, cmd, self.timeout).await;
                (addr.clone(), r.map_err(MqError::from))
            }
        });
        futures::future::join_all(calls).await
    }

    /// GET_ROUTEINFO_BY_TOPIC (105). An unknown topic is `MqError::Response` with code 17.
    pub async fn topic_route(&self, topic: &str) -> Result<TopicRouteData, MqError> {
        let code = request::GET_ROUTEINFO_BY_TOPIC;
        let cmd = RemotingCommand::request(code)
            .with_ext("topic", topic)
            .with_ext("acceptStandardJsonOnly", true);
        let (addr, resp) = self.invoke(cmd).await?;
        let resp = expect_success(&addr, code, resp)?;
        TopicRouteData::decode(&resp.body).map_err(|e| MqError::bad(&addr, code, e.to_string()))
    }

    /// GET_BROKER_CLUSTER_INFO (106).
    pub async fn cluster_info(&self) -> Result<ClusterInfo, MqError> {
        let code = request::GET_BROKER_CLUSTER_INFO;
        let (addr, resp) = self.invoke(RemotingCommand::request(code)).await?;
        let resp = expect_success(&addr, code, resp)?;
        ClusterInfo::decode(&resp.body).map_err(|e| MqError::bad(&addr, code, e.to_string()))
    }

    /// GET_ALL_TOPIC_LIST_FROM_NAMESERVER (206).
    pub async fn all_topics(&self) -> Result<BTreeSet<String>, MqError> {
        let code = request::GET_ALL_TOPIC_LIST_FROM_NAMESERVER;
        let (addr, resp) = self.invoke(RemotingCommand::request(code)).await?;
        let resp = expect_success(&addr, code, resp)?;
        let list: TopicList = crate::protocol::fastjson::from_lenient_slice(&resp.body)
            .map_err(|e| MqError::bad(&addr, code, e.to_string()))?;
        Ok(list.topic_list)
    }
}

/// How long a cached route is used before [`RouteCache::get`] asks again (Java polls routes
/// every 30 s).
pub const ROUTE_MAX_AGE: Duration = Duration::from_secs(30);

type Entry = (Arc<TopicRouteData>, Instant);

/// Routes by topic, fetched on first use, re-fetched when older than the maximum age and
/// replaced by [`RouteCache::refresh`].
#[derive(Debug, Clone)]
pub struct RouteCache {
    ns: NameServerClient,
    routes: Arc<Mutex<HashMap<String, Entry>>>,
    max_age: Duration,
}

impl RouteCache {
    pub fn new(ns: NameServerClient) -> Self {
        RouteCache {
            ns,
            routes: Arc::default(),
            max_age: ROUTE_MAX_AGE,
        }
    }

    /// Changes how long routes are used before they are fetched again.
    pub fn with_max_age(mut self, max_age: Duration) -> Self {
        self.max_age = max_age;
        self
    }

    /// The name-server client behind the cache.
    pub fn name_server(&self) -> &NameServerClient {
        &self.ns
    }

    /// The cached route, fetching it when absent or stale. A stale route whose refresh fails
    /// is still returned: old brokers beat no brokers.
    pub async fn get(&self, topic: &str) -> Result<Arc<TopicRouteData>, MqError> {
        let entry = self.routes.lock().get(topic).cloned();
        match entry {
            Some((r, at)) if at.elapsed() < self.max_age => Ok(r),
            Some((r, _)) => Ok(self.refresh(topic).await.unwrap_or(r)),
            None => self.refresh(topic).await,
        }
    }

    /// Fetches the route now and caches it. A failed lookup leaves the old entry in place
    /// (a name-server hiccup must not make a working client forget its brokers).
    pub async fn refresh(&self, topic: &str) -> Result<Arc<TopicRouteData>, MqError> {
        let route = self.ns.topic_route(topic).await?;
        Ok(self.insert(topic, route))
    }

    /// Caches a route obtained some other way (e.g. the default-topic fallback).
    pub fn insert(&self, topic: &str, route: TopicRouteData) -> Arc<TopicRouteData> {
        let route = Arc::new(route);
        self.routes
            .lock()
            .insert(topic.to_owned(), (route.clone(), Instant::now()));
        route
    }

    /// The cached route without any lookup.
    pub fn cached(&self, topic: &str) -> Option<Arc<TopicRouteData>> {
        self.routes.lock().get(topic).map(|(r, _)| r.clone())
    }

    /// Drops a cached route.
    pub fn remove(&self, topic: &str) {
        self.routes.lock().remove(topic);
    }

    /// Topics with a cached route.
    pub fn topics(&self) -> Vec<String> {
        let mut v: Vec<String> = self.routes.lock().keys().cloned().collect();
        v.sort();
        v
    }

    /// The addresses (broker id → addr) of `broker_name`, from any cached route.
    pub fn broker_addrs(&self, broker_name: &str) -> Option<BTreeMap<i64, String>> {
        self.routes.lock().values().find_map(|(r, _)| {
            r.broker_datas
                .iter()
                .find(|b| b.broker_name == broker_name)
                .map(|b| b.broker_addrs.clone())
        })
    }

    /// The master address of `broker_name`, from any cached route.
    pub fn master_addr(&self, broker_name: &str) -> Option<String> {
        // Called for every send: look the address up in place instead of copying the map.
        let routes = self.routes.lock();
        routes
            .values()
            .find_map(|(r, _)| r.broker_datas.iter().find(|b| b.broker_name == broker_name))
            .and_then(|b| b.broker_addrs.get(&0).cloned())
    }

    /// Every broker address (masters and slaves) in the cached routes of `topics`.
    pub fn broker_addrs_of(&self, topics: &[String]) -> BTreeSet<String> {
        let routes = self.routes.lock();
        topics
            .iter()
            .filter_map(|t| routes.get(t))
            .flat_map(|(r, _)| r.broker_datas.iter())
            .flat_map(|b| b.broker_addrs.values().cloned())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn address_lists_parse() {
        assert_eq!(parse_addrs("a:1;b:2"), vec!["a:1", "b:2"]);
        assert_eq!(parse_addrs(" a:1 ; ;b:2,c:3 "), vec!["a:1", "b:2", "c:3"]);
        assert!(matches!(
            NameServerClient::new(" ; "),
            Err(MqError::NoNameServer)
        ));
    }
}
