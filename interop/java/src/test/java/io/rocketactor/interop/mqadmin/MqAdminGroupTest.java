package io.rocketactor.interop.mqadmin;

import static io.rocketactor.interop.mqadmin.MqAdminEnv.env;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.rocketactor.interop.Eventually;
import org.apache.rocketmq.client.consumer.DefaultMQPushConsumer;
import org.apache.rocketmq.client.exception.MQClientException;
import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.apache.rocketmq.common.MixAll;
import org.apache.rocketmq.common.admin.ConsumeStats;
import org.apache.rocketmq.common.message.MessageExt;
import org.apache.rocketmq.common.protocol.body.ConsumerConnection;
import org.apache.rocketmq.common.protocol.body.ConsumerRunningInfo;
import org.apache.rocketmq.common.protocol.ResponseCode;
import org.apache.rocketmq.common.subscription.SubscriptionGroupConfig;
import org.apache.rocketmq.tools.monitor.DeleteMsgsEvent;
import org.apache.rocketmq.tools.monitor.FailedMsgs;
import org.apache.rocketmq.tools.monitor.MonitorConfig;
import org.apache.rocketmq.tools.monitor.MonitorListener;
import org.apache.rocketmq.tools.monitor.MonitorService;
import org.apache.rocketmq.tools.monitor.UndoneMsgs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * mqadmin's consumer-group and connection sub-commands (tools/command/consumer, connection,
 * producer): updateSubGroup, deleteSubGroup, getConsumerConfig, consumerConnection,
 * consumerProgress, consumerStatus, producerConnection, producer, startMonitoring. Live producers
 * and push consumers of the test are what the connection commands must report.
 */
@ExtendWith(MqAdminEnv.Extension.class)
class MqAdminGroupTest {

    @Test
    void updateSubGroup() throws Exception {
        MqAdminEnv e = env();
        String g = MqAdminEnv.unique("sg_update");
        MqAdmin.Result r = e.mq("updateSubGroup", "-c", e.clusterName, "-g", g, "-r", "5", "-q", "2", "-m", "true",
            "-d", "true", "-s", "false", "-i", "1", "-w", "1", "-a", "false").ok();
        assertTrue(r.out.contains("create subscription group to " + e.masterA + " success."), r.toString());
        assertTrue(r.out.contains("create subscription group to " + e.masterB + " success."), r.toString());
        assertTrue(r.out.contains("SubscriptionGroupConfig [groupName=" + g + ", consumeEnable=false, "
            + "consumeFromMinEnable=true, consumeBroadcastEnable=true, retryQueueNums=2, retryMaxTimes=5, brokerId=1, "
            + "whichBrokerWhenConsumeSlowly=1, notifyConsumerIdsChangedEnable=false]"), r.toString());
        for (String addr : List.of(e.masterA, e.masterB)) {
            SubscriptionGroupConfig c = e.admin.examineSubscriptionGroupConfig(addr, g);
            assertNotNull(c, g + " on " + addr);
            assertFalse(c.isConsumeEnable());
            assertTrue(c.isConsumeFromMinEnable());
            assertTrue(c.isConsumeBroadcastEnable());
            assertEquals(2, c.getRetryQueueNums());
            assertEquals(5, c.getRetryMaxTimes());
            assertEquals(1, c.getBrokerId());
            assertFalse(c.isNotifyConsumerIdsChangedEnable());
        }
        // -b: one broker only
        String g2 = MqAdminEnv.unique("sg_update_b");
        MqAdmin.Result rb = e.mq("updateSubGroup", "-b", e.masterB, "-g", g2).ok();
        assertTrue(rb.out.contains("create subscription group to " + e.masterB + " success."), rb.toString());
        assertNotNull(e.admin.examineSubscriptionGroupConfig(e.masterB, g2));
        assertNull(e.admin.examineSubscriptionGroupConfig(e.masterA, g2));
    }

    @Test
    void deleteSubGroup() throws Exception {
        MqAdminEnv e = env();
        String g = MqAdminEnv.unique("sg_delete");
        e.mq("updateSubGroup", "-c", e.clusterName, "-g", g).ok();
        // a retry topic of the group, as a consumer's send-back would create
        e.cluster.createTopic(MixAll.getRetryTopic(g), 1);
        MqAdmin.Result r = e.mq("deleteSubGroup", "-c", e.clusterName, "-g", g, "-r", "true").ok();
        for (String addr : List.of(e.masterA, e.masterB)) {
            assertTrue(r.out.contains("delete subscription group [" + g + "] from broker [" + addr + "] in cluster ["
                + e.clusterName + "] success."), r.toString());
            assertNull(e.admin.examineSubscriptionGroupConfig(addr, g), g + " still on " + addr);
            assertNull(e.admin.examineTopicConfig(addr, MixAll.getRetryTopic(g)), "retry topic still on " + addr);
        }
        assertTrue(r.out.contains("delete topic [" + MixAll.getRetryTopic(g) + "] from NameServer success."), r.toString());
        assertTrue(r.out.contains("delete topic [" + MixAll.getDLQTopic(g) + "] from cluster [" + e.clusterName
            + "] success."), r.toString());
        try {
            e.admin.examineTopicRouteInfo(MixAll.getRetryTopic(g));
            throw new AssertionError("route of the deleted retry topic still found");
        } catch (MQClientException ex) {
            assertEquals(ResponseCode.TOPIC_NOT_EXIST, ex.getResponseCode());
        }
    }

    @Test
    void getConsumerConfig() throws Exception {
        MqAdminEnv e = env();
        String g = MqAdminEnv.unique("sg_config");
        e.mq("updateSubGroup", "-c", e.clusterName, "-g", g, "-r", "7", "-q", "3").ok();
        MqAdmin.Result r = e.mq("getConsumerConfig", "-g", g).ok();
        Map<String, Map<String, String>> sections = new TreeMap<>();
        Map<String, String> cur = null;
        for (String line : r.lines()) {
            Matcher h = Pattern.compile("^=+(\\S+):(\\S+?)=+$").matcher(line);
            if (h.matches()) {
                assertEquals(e.clusterName, h.group(1), line);
                cur = new HashMap<>();
                sections.put(h.group(2), cur);
            } else if (cur != null) {
                int i = line.indexOf("=  ");
                cur.put(line.substring(0, i).trim(), line.substring(i + 3).trim());
            }
        }
        assertEquals(List.of(e.brokerA, e.brokerB), new ArrayList<>(sections.keySet()), r.toString());
        for (Map<String, String> s : sections.values()) {
            assertEquals(g, s.get("groupName"));
            assertEquals("7", s.get("retryMaxTimes"));
            assertEquals("3", s.get("retryQueueNums"));
            assertEquals("true", s.get("consumeEnable"));
        }
    }

    @Test
    void consumerConnection() throws Exception {
        MqAdminEnv e = env();
        String t = e.topic("grp_conn", 2);
        String g = MqAdminEnv.unique("cg_conn");
        DefaultMQPushConsumer c = e.consumer(g, t, MqAdminEnv.collector());
        String clientId = c.getDefaultMQPushConsumerImpl().getmQClientFactory().getClientId();
        Eventually.await(MqAdminEnv.WAIT, g + " online", () -> {
            try {
                return !e.admin.examineConsumerConnectionInfo(g).getConnectionSet().isEmpty();
            } catch (Exception ex) {
                return false;
            }
        });
        MqAdmin.Result r = e.mq("consumerConnection", "-g", g).ok();
        Matcher m = Pattern.compile("(?m)^(\\S+)\\s+(\\S+)\\s+JAVA\\s+V4_9_7$").matcher(r.out);
        assertTrue(m.find(), r.toString());
        assertEquals(clientId, m.group(1), r.toString());
        assertTrue(m.group(2).startsWith("127.0.0.1:"), r.toString());
        assertTrue(Pattern.compile("(?m)^" + Pattern.quote(t) + "\\s+\\*$").matcher(r.out).find(), r.toString());
        assertTrue(Pattern.compile("(?m)^" + Pattern.quote(MixAll.getRetryTopic(g)) + "\\s+\\*$").matcher(r.out).find(),
            r.toString());
        assertTrue(r.out.contains("ConsumeType: CONSUME_PASSIVELY"), r.toString());
        assertTrue(r.out.contains("MessageModel: CLUSTERING"), r.toString());
        assertTrue(r.out.contains("ConsumeFromWhere: CONSUME_FROM_FIRST_OFFSET"), r.toString());
        // -b: the same from one broker
        MqAdmin.Result rb = e.mq("consumerConnection", "-g", g, "-b", e.masterB).ok();
        assertTrue(rb.out.contains(clientId), rb.toString());
    }

    @Test
    void consumerProgress() throws Exception {
        MqAdminEnv e = env();
        String t = e.topic("grp_progress", 2);
        String g = MqAdminEnv.unique("cg_progress");
        e.send(e.producer(MqAdminEnv.unique("pg_progress")), t, 10, "P", "p");
        Map<String, MessageExt> got = MqAdminEnv.collector();
        e.consumer(g, t, got);
        Eventually.await(MqAdminEnv.WAIT, "10 consumed", () -> got.size() >= 10);
        e.awaitConsumed(g, t, 10);
        ConsumeStats stats = e.admin.examineConsumeStats(g, t);
        MqAdmin.Result r = e.mq("consumerProgress", "-g", g).ok();
        Pattern row = Pattern.compile("^(\\S+)\\s+(\\S+)\\s+(\\d+)\\s+(\\d+)\\s+(\\d+)\\s+(-?\\d+)\\s+(.*)$");
        long brokerTotal = 0;
        int rows = 0;
        for (String line : r.lines()) {
            Matcher m = row.matcher(line);
            if (m.matches() && m.group(1).equals(t)) {
                rows++;
                long brokerOffset = Long.parseLong(m.group(4));
                assertEquals(brokerOffset, Long.parseLong(m.group(5)), "consumer caught up: " + line);
                assertEquals("0", m.group(6), line);
                brokerTotal += brokerOffset;
                var mq = new org.apache.rocketmq.common.message.MessageQueue(t, m.group(2), Integer.parseInt(m.group(3)));
                assertEquals(stats.getOffsetTable().get(mq).getBrokerOffset(), brokerOffset, line);
            }
        }
        assertEquals(4, rows, "2 queues on each of 2 brokers: " + r);
        assertEquals(10, brokerTotal, r.toString());
        assertTrue(r.out.contains("Diff Total: 0"), r.toString());

        // no -g: one line per group with a retry topic
        MqAdmin.Result all = e.mq("consumerProgress").ok();
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(g) + "\\s+(\\d+)\\s+(\\S+)\\s+(\\S+)\\s+(\\S+)\\s+(\\d+)\\s+(\\d+)$")
            .matcher(all.out);
        assertTrue(m.find(), all.toString());
        assertEquals("1", m.group(1), "one consumer online");
        assertEquals("V4_9_7", m.group(2));
        assertEquals("PUSH", m.group(3));
        assertEquals("CLUSTERING", m.group(4));
        assertEquals("0", m.group(6), "no backlog");
    }

    @Test
    void consumerStatus() throws Exception {
        MqAdminEnv e = env();
        String t = e.topic("grp_status", 1);
        String g = MqAdminEnv.unique("cg_status");
        DefaultMQPushConsumer c = e.consumer(g, t, MqAdminEnv.collector());
        String clientId = c.getDefaultMQPushConsumerImpl().getmQClientFactory().getClientId();
        Eventually.await(MqAdminEnv.WAIT, g + " online", () -> {
            try {
                return !e.admin.examineConsumerConnectionInfo(g).getConnectionSet().isEmpty();
            } catch (Exception ex) {
                return false;
            }
        });
        MqAdmin.Result r = e.mq("consumerStatus", "-g", g, "-i", clientId).ok();
        assertTrue(r.out.contains("#Consumer Properties#"), r.toString());
        assertTrue(r.out.contains(t), r.toString());
        ConsumerRunningInfo info = e.admin.getConsumerRunningInfo(g, clientId, false);
        assertTrue(info.getSubscriptionSet().stream().anyMatch(s -> s.getTopic().equals(t)));
    }

    @Test
    void producerConnection() throws Exception {
        MqAdminEnv e = env();
        String t = e.topic("grp_pconn", 1);
        String pg = MqAdminEnv.unique("pg_conn");
        DefaultMQProducer p = e.producer(pg);
        e.send(p, t, 1, "X", "x");
        String clientId = p.getDefaultMQProducerImpl().getmQClientFactory().getClientId();
        Eventually.await(MqAdminEnv.WAIT, pg + " known to the broker", () -> {
            try {
                return !e.admin.examineProducerConnectionInfo(pg, t).getConnectionSet().isEmpty();
            } catch (Exception ex) {
                return false;
            }
        });
        MqAdmin.Result r = e.mq("producerConnection", "-g", pg, "-t", t).ok();
        Matcher m = Pattern.compile("^0001\\s+(\\S+)\\s+(\\S+)\\s+JAVA\\s+V4_9_7$").matcher(r.lines().get(0));
        assertTrue(m.matches(), r.toString());
        assertEquals(clientId, m.group(1));
        assertTrue(m.group(2).startsWith("127.0.0.1:"), r.toString());
        assertEquals(1, r.lines().size(), r.toString());
    }

    @Test
    void producer() throws Exception {
        MqAdminEnv e = env();
        String t = e.topic("grp_producer", 1);
        String pg = MqAdminEnv.unique("pg_all");
        DefaultMQProducer p = e.producer(pg);
        e.send(p, t, 1, "X", "x");
        // the send taught the producer the route; its heartbeat registers it with masterA now
        p.getDefaultMQProducerImpl().getmQClientFactory().sendHeartbeatToAllBrokerWithLock();
        MqAdmin.Result r = e.mq("producer", "-b", e.masterA).ok();
        // ProducerSubCommand: "producer group (%s) instance : %s" per online producer
        assertTrue(r.out.contains("producer group (" + pg + ") instance : clientId="), r.toString());
        assertTrue(r.out.contains(p.getDefaultMQProducerImpl().getmQClientFactory().getClientId()), r.toString());
    }

    /** Records what MonitorService reports. */
    private static final class Recorder implements MonitorListener {
        final List<UndoneMsgs> undone = new java.util.concurrent.CopyOnWriteArrayList<>();
        volatile int rounds;

        @Override
        public void beginRound() {
        }

        @Override
        public void reportUndoneMsgs(UndoneMsgs u) {
            undone.add(u);
        }

        @Override
        public void reportFailedMsgs(FailedMsgs f) {
        }

        @Override
        public void reportDeleteMsgsEvent(DeleteMsgsEvent d) {
        }

        @Override
        public void reportConsumerRunningInfo(java.util.TreeMap<String, ConsumerRunningInfo> t) {
        }

        @Override
        public void endRound() {
            rounds++;
        }
    }

    @Test
    void startMonitoring() throws Exception {
        MqAdminEnv e = env();
        // The command starts a MonitorService (its consumers on OFFSET_MOVED_EVENT) and returns;
        // it has no stop, so its clients live until the JVM ends, as mqadmin's do until exit.
        MqAdmin.Result r = e.mq("startMonitoring").ok();
        assertEquals("", r.out.trim(), r.toString());
        Eventually.await(MqAdminEnv.WAIT, "the monitor's consumer group online", () -> {
            try {
                ConsumerConnection cc = e.admin.examineConsumerConnectionInfo(MixAll.MONITOR_CONSUMER_GROUP);
                return !cc.getConnectionSet().isEmpty()
                    && cc.getSubscriptionTable().containsKey("OFFSET_MOVED_EVENT");
            } catch (Exception ex) {
                return false;
            }
        });

        // One monitoring round of the same service, with a listener that records: a group with a
        // backlog is reported with its undone messages. The group commits one message, then its
        // listener holds the next three (consumer online, committed offset stays at 1).
        String t = e.topic("grp_monitor", 1);
        String g = MqAdminEnv.unique("cg_monitor");
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        DefaultMQProducer p = e.producer(MqAdminEnv.unique("pg_monitor"));
        e.send(p, t, 1, "M", "first");
        e.consumer(g, t, (org.apache.rocketmq.client.consumer.listener.MessageListenerConcurrently) (msgs, ctx) -> {
            for (MessageExt m : msgs) {
                if (m.getKeys().startsWith("hold")) {
                    try {
                        release.await(60, java.util.concurrent.TimeUnit.SECONDS);
                    } catch (InterruptedException ie) {
                        Thread.currentThread().interrupt();
                    }
                }
            }
            return org.apache.rocketmq.client.consumer.listener.ConsumeConcurrentlyStatus.CONSUME_SUCCESS;
        });
        e.awaitConsumed(g, t, 1);
        e.send(p, t, 3, "M", "hold");
        MonitorConfig cfg = new MonitorConfig();
        cfg.setNamesrvAddr(e.namesrv);
        Recorder rec = new Recorder();
        MonitorService ms = new MonitorService(cfg, rec, null);
        ms.start();
        try {
            Eventually.await(MqAdminEnv.WAIT, "undone messages of " + g + " reported", () -> {
                try {
                    ms.doMonitorWork();
                } catch (Exception ex) {
                    return false;
                }
                return rec.undone.stream().anyMatch(u -> u.getConsumerGroup().equals(g) && u.getUndoneMsgsTotal() == 3);
            });
        } finally {
            release.countDown();
            ms.shutdown();
        }
        assertTrue(rec.rounds >= 1);
    }
}
