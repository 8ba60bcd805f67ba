package io.rocketactor.interop.mqadmin;

import static io.rocketactor.interop.mqadmin.MqAdminEnv.env;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.rocketactor.interop.Eventually;
import org.apache.rocketmq.client.exception.MQBrokerException;
import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.apache.rocketmq.client.producer.SendResult;
import org.apache.rocketmq.client.producer.SendStatus;
import org.apache.rocketmq.common.MQVersion;
import org.apache.rocketmq.common.message.Message;
import org.apache.rocketmq.common.message.MessageExt;
import org.apache.rocketmq.common.message.MessageQueue;
import org.apache.rocketmq.common.protocol.ResponseCode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * mqadmin's broker sub-commands (tools/command/broker): brokerStatus, getBrokerConfig,
 * updateBrokerConfig, brokerConsumeStats, sendMsgStatus, cleanExpiredCQ, deleteExpiredCommitLog,
 * cleanUnusedTopic.
 */
@ExtendWith(MqAdminEnv.Extension.class)
class MqAdminBrokerTest {

    /** "key : value" lines of brokerStatus -b. */
    private static Map<String, String> kv(MqAdmin.Result r) {
        Map<String, String> m = new HashMap<>();
        for (String line : r.lines()) {
            int i = line.indexOf(": ");
            if (i > 0) {
                m.put(line.substring(0, i).trim(), line.substring(i + 2).trim());
            }
        }
        return m;
    }

    /** The first ("last 10 s") figure of a runtime-info TPS string, NaN while not sampled yet. */
    private static double firstTps(Map<String, String> status) {
        String v = status.get("putTps");
        if (v == null || v.isEmpty()) {
            return Double.NaN;
        }
        try {
            return Double.parseDouble(v.split(" ")[0]);
        } catch (NumberFormatException ex) {
            return Double.NaN;
        }
    }

    @Test
    void brokerStatusPutTpsFollowsALoad() throws Exception {
        MqAdminEnv e = env();
        String t = e.topic("br_tps", 1);
        DefaultMQProducer p = e.producer(MqAdminEnv.unique("pg_tps"));
        MessageQueue mq = new MessageQueue(t, e.brokerA, 0);
        // A bounded load: sends until brokerStatus shows a non-zero putTps, at most 60 s.
        long deadline = System.nanoTime() + java.time.Duration.ofSeconds(60).toNanos();
        double during = 0;
        int sent = 0;
        while (System.nanoTime() < deadline) {
            for (int i = 0; i < 20; i++) {
                p.send(new org.apache.rocketmq.common.message.Message(t, ("tps" + sent).getBytes()), mq);
                sent++;
            }
            during = firstTps(kv(e.mq("brokerStatus", "-b", e.masterA).ok()));
            if (during > 0) {
                break;
            }
        }
        assertTrue(during > 0, "putTps stayed 0 during a load of " + sent + " messages");
        // Idle: the 10 s figure falls back to 0 (bounded wait on the condition).
        Eventually.await(java.time.Duration.ofSeconds(45), "putTps back to 0 after the load",
            () -> firstTps(kv(e.mq("brokerStatus", "-b", e.masterA).ok())) == 0.0);
    }

    @Test
    void brokerStatus() throws Exception {
        MqAdminEnv e = env();
        Map<String, String> before = kv(e.mq("brokerStatus", "-b", e.masterA).ok());
        String t = e.topic("br_status", 1);
        DefaultMQProducer p = e.producer(MqAdminEnv.unique("pg_br"));
        List<SendResult> sent = new java.util.ArrayList<>();
        for (int i = 0; i < 5; i++) {
            sent.add(p.send(new org.apache.rocketmq.common.message.Message(t, ("m" + i).getBytes()),
                new MessageQueue(t, e.brokerA, 0)));
        }
        MqAdmin.Result r = e.mq("brokerStatus", "-b", e.masterA).ok();
        Map<String, String> after = kv(r);
        assertEquals("V4_9_7", after.get("brokerVersionDesc"), r.toString());
        assertEquals(Integer.toString(MQVersion.Version.V4_9_7.ordinal()), after.get("brokerVersion"), r.toString());
        long put = Long.parseLong(after.get("msgPutTotalTodayNow")) - Long.parseLong(before.get("msgPutTotalTodayNow"));
        assertTrue(put >= 5, "msgPutTotalTodayNow grew by " + put + " after 5 sends: " + r);
        MessageExt last = e.admin.viewMessage(sent.get(4).getOffsetMsgId());
        long maxOffset = Long.parseLong(after.get("commitLogMaxOffset"));
        assertTrue(maxOffset >= last.getCommitLogOffset() + last.getStoreSize(), "commitLogMaxOffset " + maxOffset);
        assertTrue(Long.parseLong(after.get("bootTimestamp")) <= System.currentTimeMillis());
        assertTrue(Long.parseLong(after.get("earliestMessageTimeStamp")) > 0, r.toString());
        // StoreStatsService.getFormatRuntime
        assertTrue(after.get("runtime").matches("\\[ \\d+ days, \\d+ hours, \\d+ minutes, \\d+ seconds \\]"),
            r.toString());
        double ratio = Double.parseDouble(after.get("commitLogDiskRatio"));
        assertTrue(ratio > 0 && ratio < 1, "commitLogDiskRatio (used fraction of the store's disk): " + r);
        double cqRatio = Double.parseDouble(after.get("consumeQueueDiskRatio"));
        assertTrue(cqRatio > 0 && cqRatio < 1, "consumeQueueDiskRatio: " + r);

        // -c: every broker of the cluster, each line prefixed by its address
        MqAdmin.Result c = e.mq("brokerStatus", "-c", e.clusterName).ok();
        for (String addr : List.of(e.masterA, e.slaveA, e.masterB)) {
            assertTrue(Pattern.compile("(?m)^" + Pattern.quote(addr) + "\\s+brokerVersionDesc\\s+: V4_9_7$")
                .matcher(c.out).find(), addr + " in " + c);
        }
    }

    /** "key = value" lines of one broker section of getBrokerConfig. */
    private static Map<String, Map<String, String>> sections(MqAdmin.Result r) {
        Map<String, Map<String, String>> out = new HashMap<>();
        Map<String, String> cur = null;
        Pattern header = Pattern.compile("^=+(?:Master: |My Master: \\S+=====Slave: )?([0-9.]+:\\d+)=+$");
        for (String line : r.lines()) {
            Matcher m = header.matcher(line);
            if (m.matches()) {
                cur = new HashMap<>();
                out.put(m.group(1), cur);
            } else if (cur != null && line.contains("=  ")) {
                int i = line.indexOf("=  ");
                cur.put(line.substring(0, i).trim(), line.substring(i + 3).trim());
            }
        }
        return out;
    }

    @Test
    void getBrokerConfig() {
        MqAdminEnv e = env();
        MqAdmin.Result r = e.mq("getBrokerConfig", "-b", e.masterA).ok();
        Map<String, String> a = sections(r).get(e.masterA);
        assertNotNull(a, r.toString());
        assertEquals(e.brokerA, a.get("brokerName"));
        assertEquals("0", a.get("brokerId"));
        assertEquals("SYNC_MASTER", a.get("brokerRole"));
        assertEquals("SYNC_FLUSH", a.get("flushDiskType"));
        assertEquals(e.clusterName, a.get("brokerClusterName"));
        assertEquals(e.masterA.split(":")[1], a.get("listenPort"));
        assertEquals(e.namesrv, a.get("namesrvAddr"));

        MqAdmin.Result c = e.mq("getBrokerConfig", "-c", e.clusterName).ok();
        assertTrue(c.out.contains("============Master: " + e.masterA + "============"), c.toString());
        assertTrue(c.out.contains("============My Master: " + e.masterA + "=====Slave: " + e.slaveA + "============"),
            c.toString());
        assertTrue(c.out.contains("============Master: " + e.masterB + "============"), c.toString());
        Map<String, Map<String, String>> all = sections(c);
        assertEquals("SLAVE", all.get(e.slaveA).get("brokerRole"));
        assertEquals("1", all.get(e.slaveA).get("brokerId"));
        assertEquals(e.brokerA, all.get(e.slaveA).get("brokerName"));
        assertEquals("ASYNC_MASTER", all.get(e.masterB).get("brokerRole"));
        assertEquals("ASYNC_FLUSH", all.get(e.masterB).get("flushDiskType"));
    }

    @Test
    void updateBrokerConfig() throws Exception {
        MqAdminEnv e = env();
        MqAdmin.Result r = e.mq("updateBrokerConfig", "-b", e.masterB, "-k", "flushIntervalCommitLog", "-v", "700").ok();
        assertEquals("update broker config success, " + e.masterB, r.out.trim());
        assertEquals("700", e.admin.getBrokerConfig(e.masterB).getProperty("flushIntervalCommitLog"));
    }

    /** The perm of {@code broker}'s queue data in {@code topic}'s route (-1 when absent). */
    private static int routePerm(MqAdminEnv e, String topic, String broker) {
        try {
            return e.admin.examineTopicRouteInfo(topic).getQueueDatas().stream()
                .filter(q -> q.getBrokerName().equals(broker)).mapToInt(q -> q.getPerm()).findFirst().orElse(-1);
        } catch (Exception ex) {
            return -1;
        }
    }

    /**
     * DefaultMQAdminExt.updateBrokerConfig of brokerPermission is applied live (issue #13): the
     * route shows perm 4 at once, a send to the broker is refused with NO_PERMISSION and Java's
     * remark, and setting 6 again makes it writable; the config DataVersion moves.
     */
    @Test
    void updateBrokerConfigBrokerPermissionIsLive() throws Exception {
        MqAdminEnv e = env();
        String t = e.topic("br_perm", 2);
        e.awaitRoute(t, 2);
        DefaultMQProducer p = e.producer(MqAdminEnv.unique("pg_br_perm"));
        MessageQueue mq = new MessageQueue(t, e.brokerB, 0);
        assertEquals(SendStatus.SEND_OK, p.send(new Message(t, "before".getBytes()), mq).getSendStatus());
        Properties perm = new Properties();
        perm.setProperty("brokerPermission", "4");
        try {
            e.admin.updateBrokerConfig(e.masterB, perm);
            Eventually.await(MqAdminEnv.WAIT, "route shows perm 4", () -> routePerm(e, t, e.brokerB) == 4);
            assertEquals("4", e.admin.getBrokerConfig(e.masterB).getProperty("brokerPermission"));
            MQBrokerException refused = assertThrows(MQBrokerException.class,
                () -> p.send(new Message(t, "refused".getBytes()), mq));
            assertEquals(ResponseCode.NO_PERMISSION, refused.getResponseCode());
            assertTrue(refused.getErrorMessage().startsWith("the broker[")
                && refused.getErrorMessage().endsWith("] sending message is forbidden"), refused.getErrorMessage());
        } finally {
            perm.setProperty("brokerPermission", "6");
            e.admin.updateBrokerConfig(e.masterB, perm);
        }
        Eventually.await(MqAdminEnv.WAIT, "route shows perm 6", () -> routePerm(e, t, e.brokerB) == 6);
        assertEquals(SendStatus.SEND_OK, p.send(new Message(t, "after".getBytes()), mq).getSendStatus());
    }

    @Test
    void brokerConsumeStats() throws Exception {
        MqAdminEnv e = env();
        String t = e.topic("br_cstats", 1);
        String group = MqAdminEnv.unique("cg_br_cstats");
        DefaultMQProducer p = e.producer(MqAdminEnv.unique("pg_br_cstats"));
        e.send(p, t, 4, "T", "k");
        Map<String, MessageExt> got = MqAdminEnv.collector();
        e.consumer(group, t, got);
        Eventually.await(MqAdminEnv.WAIT, "4 messages consumed", () -> got.size() >= 4);
        // the push consumer commits its offsets every persistConsumerOffsetInterval (5 s): the
        // broker lists a group on a topic only once it has an offset there
        Eventually.await(MqAdminEnv.WAIT, "the group's offsets committed", () -> {
            try {
                return e.admin.examineConsumeStats(group).getOffsetTable().values().stream()
                    .mapToLong(o -> o.getConsumerOffset()).sum() >= 4;
            } catch (Exception ex) {
                return false;
            }
        });
        MqAdmin.Result r = e.mq("brokerConsumeStats", "-b", e.masterA).ok();
        assertTrue(r.lines().get(0).startsWith("#Topic"), r.toString());
        assertTrue(r.lines().stream().anyMatch(l -> l.startsWith(t + " ") && l.contains(" " + group + " ")
            && l.contains(" " + e.brokerA + " ")), r.toString());
        assertTrue(r.out.contains("Diff Total: "), r.toString());
    }

    private static final Pattern SEND_STATUS = Pattern.compile(
        "^rt=\\d+ms, SendResult=SendResult \\[sendStatus=(\\w+), msgId=(\\w+), offsetMsgId=(\\w+), "
            + "messageQueue=MessageQueue \\[topic=(\\S+), brokerName=(\\S+), queueId=(\\d+)\\], queueOffset=(\\d+)\\]$");

    @Test
    void sendMsgStatus() throws Exception {
        MqAdminEnv e = env();
        MqAdmin.Result r = e.mq("sendMsgStatus", "-b", e.brokerA, "-s", "128", "-c", "3").ok();
        assertEquals(3, r.lines().size(), r.toString());
        for (String line : r.lines()) {
            Matcher m = SEND_STATUS.matcher(line);
            assertTrue(m.matches(), line);
            assertEquals("SEND_OK", m.group(1));
            assertEquals(e.brokerA, m.group(4), "sent to the topic named after the broker");
            assertEquals(e.brokerA, m.group(5));
            MessageExt msg = e.admin.viewMessage(m.group(3));
            // SendMsgStatusCommand.buildMessage: "hello jodie" repeated until >= the size
            assertEquals("hello jodie".repeat(12), new String(msg.getBody(), java.nio.charset.StandardCharsets.UTF_8));
            assertEquals(e.brokerA, msg.getTopic());
            assertEquals(Long.parseLong(m.group(7)), msg.getQueueOffset());
        }
    }

    @Test
    void cleanExpiredCQ() {
        MqAdminEnv e = env();
        assertEquals("success", e.mq("cleanExpiredCQ", "-c", e.clusterName).ok().out.trim());
        assertEquals("success", e.mq("cleanExpiredCQ", "-b", e.masterB).ok().out.trim());
    }

    @Test
    void deleteExpiredCommitLog() {
        MqAdminEnv e = env();
        assertEquals("success", e.mq("deleteExpiredCommitLog", "-c", e.clusterName).ok().out.trim());
        assertEquals("success", e.mq("deleteExpiredCommitLog", "-b", e.masterB).ok().out.trim());
    }

    @Test
    void cleanUnusedTopic() throws Exception {
        MqAdminEnv e = env();
        String t = e.topic("br_unused", 1);
        SendResult s = e.send(e.producer(MqAdminEnv.unique("pg_unused")), t, 1, "T", "k").get(0);
        assertEquals("success", e.mq("cleanUnusedTopic", "-c", e.clusterName).ok().out.trim());
        // a topic in use keeps its queue and message
        assertEquals(t, e.admin.viewMessage(s.getOffsetMsgId()).getTopic());
        assertEquals(1, e.admin.examineTopicStats(t).getOffsetTable().get(s.getMessageQueue()).getMaxOffset());
    }
}
