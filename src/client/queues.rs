//! Pure route arithmetic: which queues a producer may write and a consumer may read, which
//! broker address serves a queue, and the producer's round-robin queue choice. Kept free of I/O
//! so every rule is unit-tested.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use parking_lot::Mutex;

use crate::protocol::message_queue::MessageQueue;
use crate::protocol::route::{BrokerData, TopicRouteData};
use crate::protocol::topic::perm;

/// Broker id of a master.
pub const MASTER_ID: i64 = 0;

/// Writable queues of `topic`: for each writable QueueData whose broker has a master address,
/// queue ids `0..writeQueueNums` (Java `topicRouteData2TopicPublishInfo`), ordered by broker
/// name then queue id.
pub fn publish_queues(topic: &str, route: &TopicRouteData) -> Vec<MessageQueue> {
    let mut qds: Vec<_> = route.queue_datas.iter().collect();
    qds.sort_by(|a, b| a.broker_name.cmp(&b.broker_name));
    let mut out = Vec::new();
    for qd in qds {
        if !perm::is_writeable(qd.perm) {
            continue;
        }
        let has_master = find_broker(route, &qd.broker_name)
            .and_then(BrokerData::master_addr)
            .is_some();
        if !has_master {
            continue;
        }
        out.extend((0..qd.write_queue_nums).map(|q| MessageQueue::new(topic, &qd.broker_name, q)));
    }
    out
}

/// Readable queues of `topic` whose broker has at least one address (master or slave),
/// ordered by broker name then queue id.
pub fn subscribe_queues(topic: &str, route: &TopicRouteData) -> Vec<MessageQueue> {
    let mut out: Vec<MessageQueue> = route
        .queue_datas
        .iter()
        .filter(|qd| perm::is_readable(qd.perm))
        .filter(|qd| {
            find_broker(route, &qd.broker_name).is_some_and(|b| !b.broker_addrs.is_empty())
        })
        .flat_map(|qd| {
            (0..qd.read_queue_nums).map(|q| MessageQueue::new(topic, &qd.broker_name, q))
        })
        .collect();
    out.sort();
    out
}

/// The BrokerData of `broker_name` in `route`.
pub fn find_broker<'a>(route: &'a TopicRouteData, broker_name: &str) -> Option<&'a BrokerData> {
    route
        .broker_datas
        .iter()
        .find(|b| b.broker_name == broker_name)
}

/// The address to read from: `preferred` (a pull's suggestWhichBrokerId) when registered, else
/// the master, else the slave with the lowest id.
pub fn pick_read_addr(broker: &BrokerData, preferred: i64) -> Option<(i64, &str)> {
    broker
        .broker_addrs
        .get_key_value(&preferred)
        .or_else(|| broker.broker_addrs.get_key_value(&MASTER_ID))
        .or_else(|| broker.broker_addrs.iter().next())
        .map(|(id, a)| (*id, a.as_str()))
}

/// A route for `topic` made from the default topic's (TBW102) route, as the Java producer
/// does for a topic the name server does not know: same brokers, at most `queue_nums` queues
/// each, so the first send makes the broker auto-create the topic.
pub fn route_from_default(default_route: &TopicRouteData, queue_nums: i32) -> TopicRouteData {
    let mut route = default_route.clone();
    for qd in &mut route.queue_datas {
        qd.read_queue_nums = qd.read_queue_nums.min(queue_nums);
        qd.write_queue_nums = qd.write_queue_nums.min(queue_nums);
    }
    route
}

/// A route and the writable queues computed from it.
type PublishList = (Arc<TopicRouteData>, Arc<[MessageQueue]>);

/// The writable queues of each topic, recomputed only when the topic's cached route changes
/// (the producer asks for them on every send).
#[derive(Debug, Default)]
pub struct PublishQueueCache {
    lists: Mutex<HashMap<String, PublishList>>,
}

impl PublishQueueCache {
    /// [`publish_queues`] of `route`, shared while `route` is the same route object.
    pub fn get(&self, topic: &str, route: &Arc<TopicRouteData>) -> Arc<[MessageQueue]> {
        let mut lists = self.lists.lock();
        if let Some((r, q)) = lists.get(topic) {
            if Arc::ptr_eq(r, route) {
                return q.clone();
            }
        }
        let q: Arc<[MessageQueue]> = publish_queues(topic, route).into();
        lists.insert(topic.to_owned(), (route.clone(), q.clone()));
        q
    }
}

/// Round-robin queue choice that steps away from a broker that just failed (Java
/// `TopicPublishInfo.selectOneMessageQueue(lastBrokerName)` without latency fault tolerance).
#[derive(Debug, Default)]
pub struct QueueSelector {
    next: AtomicUsize,
}

impl QueueSelector {
    /// A selector starting at `start` (Java starts at a random index).
    pub fn starting_at(start: usize) -> Self {
        QueueSelector {
            next: AtomicUsize::new(start),
        }
    }

    /// The next queue, preferring one not on `avoid_broker`; `None` only for an empty list.
    pub fn select<'a>(
        &self,
        queues: &'a [MessageQueue],
        avoid_broker: Option<&str>,
    ) -> Option<&'a MessageQueue> {
        if queues.is_empty() {
            return None;
        }
        if let Some(avoid) = avoid_broker {
            for _ in 0..queues.len() {
                let i = self.next.fetch_add(1, Ordering::Relaxed) % queues.len();
                if queues[i].broker_name != avoid {
                    return Some(&queues[i]);
                }
            }
        }
        let i = self.next.fetch_add(1, Ordering::Relaxed) % queues.len();
        Some(&queues[i])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::route::QueueData;

    fn qd(name: &str, perm: i32, r: i32, w: i32) -> QueueData {
        QueueData {
            broker_name: name.into(),
            perm,
            read_queue_nums: r,
            topic_sys_flag: 0,
            write_queue_nums: w,
        }
    }

    fn bd(name: &str, addrs: &[(i64, &str)]) -> BrokerData {
        let mut b = BrokerData::new("C", name);
        for (id, a) in addrs {
            b.broker_addrs.insert(*id, a.to_string());
        }
        b
    }

    /// broker-b (master+slave, rw 2/3), broker-a (master, rw 2), broker-c (slave only, r 2),
    /// broker-d (read-only perm).
    fn route() -> TopicRouteData {
        TopicRouteData {
            broker_datas: vec![
                bd("broker-b", &[(0, "b0:1"), (1, "b1:1")]),
                bd("broker-a", &[(0, "a0:1")]),
                bd("broker-c", &[(2, "c2:1"), (1, "c1:1")]),
                bd("broker-d", &[(0, "d0:1")]),
            ],
            queue_datas: vec![
                qd("broker-b", 6, 3, 2),
                qd("broker-a", 6, 2, 2),
                qd("broker-c", 6, 2, 2),
                qd("broker-d", perm::READ, 1, 1),
            ],
            ..Default::default()
        }
    }

    #[test]
    fn publish_takes_writable_queues_with_a_master() {
        let q = publish_queues("T", &route());
        let names: Vec<_> = q
            .iter()
            .map(|m| (m.broker_name.as_str(), m.queue_id))
            .collect();
        assert_eq!(
            names,
            vec![
                ("broker-a", 0),
                ("broker-a", 1),
                ("broker-b", 0),
                ("broker-b", 1)
            ]
        );
        assert!(q.iter().all(|m| m.topic == "T"));
    }

    #[test]
    fn subscribe_takes_readable_queues_with_any_address() {
        let q = subscribe_queues("T", &route());
        assert_eq!(q.len(), 2 + 3 + 2 + 1);
        assert!(q.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn read_address_prefers_suggestion_then_master_then_lowest_slave() {
        let r = route();
        let b = find_broker(&r, "broker-b").unwrap();
        assert_eq!(pick_read_addr(b, 0), Some((0, "b0:1")));
        assert_eq!(pick_read_addr(b, 1), Some((1, "b1:1")));
        assert_eq!(pick_read_addr(b, 5), Some((0, "b0:1")));
        let c = find_broker(&r, "broker-c").unwrap();
        assert_eq!(pick_read_addr(c, 0), Some((1, "c1:1")));
        assert_eq!(pick_read_addr(&bd("x", &[]), 0), None);
    }

    #[test]
    fn selector_round_robins_and_avoids_failed_broker() {
        let q = publish_queues("T", &route());
        let s = QueueSelector::default();
        let picks: Vec<_> = (0..5)
            .map(|_| s.select(&q, None).unwrap().clone())
            .collect();
        assert_eq!(picks[0], q[0]);
        assert_eq!(picks[3], q[3]);
        assert_eq!(picks[4], q[0]);
        for _ in 0..10 {
            assert_eq!(
                s.select(&q, Some("broker-a")).unwrap().broker_name,
                "broker-b"
            );
        }
        // Only the failed broker left: use it anyway.
        let only_a: Vec<_> = q
            .iter()
            .filter(|m| m.broker_name == "broker-a")
            .cloned()
            .collect();
        assert_eq!(
            s.select(&only_a, Some("broker-a")).unwrap().broker_name,
            "broker-a"
        );
        assert!(s.select(&[], None).is_none());
    }

    #[test]
    fn default_topic_route_is_capped() {
        let r = route_from_default(&route(), 2);
        assert!(r
            .queue_datas
            .iter()
            .all(|q| q.write_queue_nums <= 2 && q.read_queue_nums <= 2));
        assert_eq!(publish_queues("New", &r).len(), 4);
    }
}
