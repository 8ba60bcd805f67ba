//! Failed HA socket reads and writes (feature `failpoints`, `HA_READ` / `HA_WRITE` scoped to one
//! node's store root), on the master's side and on the slave's: while the fault lasts, SYNC_MASTER
//! sends answer FLUSH_SLAVE_TIMEOUT or SLAVE_NOT_AVAILABLE, never SEND_OK; once it clears, the
//! slave reconnects, catches up byte for byte, and sends answer SEND_OK again.

use std::path::Path;

use crate::support::ha::assert_same_commit_logs;
use crate::support::{attached_slaves, eventually, Cluster};
use rocketactor::client::message::{Message, SendStatus};
use rocketactor::client::producer::Producer;
use rocketactor::failpoint::{self, names, Action};

const TOPIC: &str = "HA_FAULT_TOPIC";

#[derive(Clone, Copy)]
enum Side {
    Master,
    Slave,
}

async fn run_case(name: &str, side: Side, point: &'static str) {
    let (mdir, sdir) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let c = Cluster::start().await;
    let mut mcfg = c.ha_master_config(name, mdir.path());
    // Short: a send that waits for a cut-off slave answers within a second.
    mcfg.slave_timeout = 1_000;
    let master = c.broker(mcfg).await;
    let slave = c.broker(c.ha_slave_config(name, sdir.path())).await;
    eventually("slave attached", || async { attached_slaves(&master) == 1 }).await;
    let p = Producer::new(&c.namesrv_addr(), &format!("pg-{name}")).unwrap();
    p.start().unwrap();
    eventually("TBW102 routable", || async {
        p.publish_queues("TBW102").await.is_ok()
    })
    .await;
    let warm = p.send(TOPIC, Message::new("warm")).await.expect("send");
    assert_eq!(warm.status, SendStatus::SendOk);
    let mq = warm.queue.clone();

    let scope: &Path = match side {
        Side::Master => mdir.path(),
        Side::Slave => sdir.path(),
    };
    let fp = failpoint::arm(point, scope, Action::Fail(u64::MAX));
    for i in 0..3 {
        let r = p
            .send_to_queue(&mq, Message::new(format!("during-{i}")))
            .await
            .expect("stored on the master: a replication status, not an error");
        assert!(
            matches!(
                r.status,
                SendStatus::FlushSlaveTimeout | SendStatus::SlaveNotAvailable
            ),
            "send {i} during the fault answered {:?}",
            r.status
        );
    }
    assert!(fp.hits() >= 1, "the failpoint was hit");
    fp.disarm();

    // The slave reconnects and catches up with what the master stored during the fault.
    let master_max = master.broker.store.reader().max_phys_offset();
    eventually("slave caught up", || async {
        slave.broker.store.reader().max_phys_offset() >= master_max && attached_slaves(&master) == 1
    })
    .await;
    let after = p
        .send_to_queue(&mq, Message::new("after"))
        .await
        .expect("send after the fault");
    assert_eq!(after.status, SendStatus::SendOk);
    let end = master.broker.store.reader().max_phys_offset();
    eventually("slave has the last send", || async {
        slave.broker.store.reader().max_phys_offset() >= end
    })
    .await;
    assert_eq!(
        slave
            .broker
            .store
            .reader()
            .max_offset_in_queue(TOPIC, mq.queue_id),
        master
            .broker
            .store
            .reader()
            .max_offset_in_queue(TOPIC, mq.queue_id),
        "the slave dispatched every replicated record"
    );
    slave.stop().await;
    master.stop().await;
    assert_same_commit_logs(mdir.path(), sdir.path());
}

#[actix_rt::test]
async fn failed_master_write_cuts_the_slave_off_until_it_clears() {
    run_case("broker-hmw", Side::Master, names::HA_WRITE).await;
}

#[actix_rt::test]
async fn failed_master_read_cuts_the_slave_off_until_it_clears() {
    run_case("broker-hmr", Side::Master, names::HA_READ).await;
}

#[actix_rt::test]
async fn failed_slave_write_cuts_the_slave_off_until_it_clears() {
    run_case("broker-hsw", Side::Slave, names::HA_WRITE).await;
}

#[actix_rt::test]
async fn failed_slave_read_cuts_the_slave_off_until_it_clears() {
    run_case("broker-hsr", Side::Slave, names::HA_READ).await;
}
