package io.rocketactor.interop.mqadmin;

import static io.rocketactor.interop.mqadmin.MqAdminEnv.env;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.rocketactor.interop.Eventually;
import org.apache.rocketmq.client.consumer.DefaultMQPullConsumer;
import org.apache.rocketmq.client.consumer.DefaultMQPushConsumer;
import org.apache.rocketmq.client.consumer.listener.ConsumeConcurrentlyStatus;
import org.apache.rocketmq.client.consumer.listener.MessageListenerConcurrently;
import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.apache.rocketmq.common.admin.ConsumeStats;
import org.apache.rocketmq.common.admin.OffsetWrapper;
import org.apache.rocketmq.common.message.MessageExt;
import org.apache.rocketmq.common.message.MessageQueue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * mqadmin's offset sub-commands (tools/command/offset): cloneGroupOffset, resetOffsetByTime,
 * skipAccumulatedMessage. Offsets are those a real push consumer committed; each command's effect
 * is read back from the broker's consume stats (and, for a reset, from what is delivered again).
 */
@ExtendWith(MqAdminEnv.Extension.class)
class MqAdminOffsetTest {

    /** Consumer offsets of {@code group} on {@code topic}'s queues. */
    private static Map<MessageQueue, Long> consumerOffsets(String group, String topic) throws Exception {
        ConsumeStats cs = env().admin.examineConsumeStats(group, topic);
        Map<MessageQueue, Long> m = new HashMap<>();
        for (Map.Entry<MessageQueue, OffsetWrapper> en : cs.getOffsetTable().entrySet()) {
            m.put(en.getKey(), en.getValue().getConsumerOffset());
        }
        return m;
    }

    private static Map<MessageQueue, Long> brokerOffsets(String topic) throws Exception {
        Map<MessageQueue, Long> m = new HashMap<>();
        env().admin.examineTopicStats(topic).getOffsetTable().forEach((mq, o) -> m.put(mq, o.getMaxOffset()));
        return m;
    }

    /** A topic with {@code n} messages, consumed and committed by a new group; returns the group. */
    private static String consumedGroup(String topic, int n, AtomicInteger deliveries) {
        MqAdminEnv e = env();
        String g = MqAdminEnv.unique("cg_off");
        e.consumer(g, topic, (MessageListenerConcurrently) (msgs, ctx) -> {
            deliveries.addAndGet(msgs.size());
            return ConsumeConcurrentlyStatus.CONSUME_SUCCESS;
        });
        e.awaitConsumed(g, topic, n);
        return g;
    }

    @Test
    void cloneGroupOffset() throws Exception {
        MqAdminEnv e = env();
        String t = e.topic("off_clone", 2);
        e.send(e.producer(MqAdminEnv.unique("pg_clone")), t, 7, "C", "c");
        String src = consumedGroup(t, 7, new AtomicInteger());
        String dst = MqAdminEnv.unique("cg_clone_dst");
        MqAdmin.Result r = e.mq("cloneGroupOffset", "-s", src, "-d", dst, "-t", t).ok();
        assertEquals("clone group offset success. srcGroup[" + src + "], destGroup=[" + dst + "], topic[" + t + "]",
            r.out.trim());
        Map<MessageQueue, Long> expected = new HashMap<>();
        consumerOffsets(src, t).forEach((mq, o) -> {
            if (mq.getTopic().equals(t)) {
                expected.put(mq, o);
            }
        });
        assertEquals(4, expected.size());
        // dst never had a consumer (no %RETRY% route for examineConsumeStats): read its committed
        // offsets as a pull consumer of the group does (QUERY_CONSUMER_OFFSET)
        DefaultMQPullConsumer pc = new DefaultMQPullConsumer(dst);
        pc.setNamesrvAddr(e.namesrv);
        pc.setInstanceName(MqAdminEnv.unique("pull"));
        pc.start();
        try {
            Map<MessageQueue, Long> cloned = new HashMap<>();
            for (MessageQueue mq : expected.keySet()) {
                cloned.put(mq, pc.fetchConsumeOffset(mq, true));
            }
            assertEquals(expected, cloned, "the destination group has the source's offsets");
            assertEquals(brokerOffsets(t), cloned);
        } finally {
            pc.shutdown();
        }
    }

    /**
     * The admin API's getConsumeStatus (GetConsumerStatusCommand, not registered as an mqadmin
     * sub-command in 4.9.7): the broker asks the online consumer for its offsets
     * (INVOKE_BROKER_TO_GET_CONSUMER_STATUS 223 relayed as GET_CONSUMER_STATUS_FROM_CLIENT 221);
     * the answer is that client's queues of the topic with the offsets it consumed to.
     */
    @Test
    void getConsumeStatusFromTheClient() throws Exception {
        MqAdminEnv e = env();
        String t = e.topic("off_status", 2);
        e.send(e.producer(MqAdminEnv.unique("pg_status")), t, 6, "S", "s");
        String g = consumedGroup(t, 6, new AtomicInteger());
        Map<String, Map<MessageQueue, Long>> status = e.admin.getConsumeStatus(t, g, "");
        assertEquals(1, status.size(), "one online client: " + status);
        Map<MessageQueue, Long> queues = status.values().iterator().next();
        assertTrue(!queues.isEmpty(), "the client's queues: " + status);
        long sum = 0;
        for (Map.Entry<MessageQueue, Long> en : queues.entrySet()) {
            assertEquals(t, en.getKey().getTopic());
            sum += en.getValue();
        }
        assertTrue(sum > 0 && sum <= 6, "offsets consumed to: " + status);
    }

    private static final Pattern RESET_ROW = Pattern.compile("^(\\S+)\\s+(\\d+)\\s+(-?\\d+)\\s*$");

    @Test
    void resetOffsetByTime() throws Exception {
        MqAdminEnv e = env();
        String t = e.topic("off_reset", 2);
        long before = System.currentTimeMillis() - 1000;
        e.send(e.producer(MqAdminEnv.unique("pg_reset")), t, 6, "R", "r");
        AtomicInteger deliveries = new AtomicInteger();
        String g = consumedGroup(t, 6, deliveries);
        // the consumer is online: the broker resets and tells the client to re-pull
        MqAdmin.Result r = e.mq("resetOffsetByTime", "-g", g, "-t", t, "-s", Long.toString(before)).ok();
        assertTrue(r.out.startsWith("rollback consumer offset by specified group[" + g + "], topic[" + t
            + "], force[true], timestamp(string)[" + before + "], timestamp(long)[" + before + "]"), r.toString());
        int rows = 0;
        for (String line : r.lines()) {
            Matcher m = RESET_ROW.matcher(line);
            if (m.matches()) {
                assertEquals("0", m.group(3), "reset to the first message: " + line);
                rows++;
            }
        }
        assertEquals(4, rows, r.toString());
        Eventually.await(MqAdminEnv.WAIT, "the 6 messages delivered again", () -> deliveries.get() >= 12);
    }

    @Test
    void resetOffsetByTimeOffline() throws Exception {
        MqAdminEnv e = env();
        String t = e.topic("off_reset_off", 2);
        long before = System.currentTimeMillis() - 1000;
        e.send(e.producer(MqAdminEnv.unique("pg_reset_off")), t, 6, "R", "r");
        String g = MqAdminEnv.unique("cg_reset_off");
        DefaultMQPushConsumer c = e.consumer(g, t, MqAdminEnv.collector());
        e.awaitConsumed(g, t, 6);
        c.shutdown();
        Eventually.await(MqAdminEnv.WAIT, g + " offline", () -> {
            try {
                return e.admin.examineConsumerConnectionInfo(g).getConnectionSet().isEmpty();
            } catch (Exception ex) {
                return true;
            }
        });
        MqAdmin.Result r = e.mq("resetOffsetByTime", "-g", g, "-t", t, "-s", Long.toString(before)).ok();
        assertTrue(r.out.contains("#rollbackOffset"), r.toString());
        consumerOffsets(g, t).values().forEach(o -> assertEquals(0L, o));
    }

    @Test
    void skipAccumulatedMessage() throws Exception {
        MqAdminEnv e = env();
        String t = e.topic("off_skip", 2);
        DefaultMQProducer p = e.producer(MqAdminEnv.unique("pg_skip"));
        e.send(p, t, 2, "S", "first");
        String g = MqAdminEnv.unique("cg_skip");
        CountDownLatch release = new CountDownLatch(1);
        // the group commits the first two, then its listener holds the backlog
        e.consumer(g, t, (MessageListenerConcurrently) (msgs, ctx) -> {
            for (MessageExt m : msgs) {
                if (m.getKeys().startsWith("hold")) {
                    try {
                        release.await(60, TimeUnit.SECONDS);
                    } catch (InterruptedException ie) {
                        Thread.currentThread().interrupt();
                    }
                }
            }
            return ConsumeConcurrentlyStatus.CONSUME_SUCCESS;
        });
        try {
            e.awaitConsumed(g, t, 2);
            e.send(p, t, 5, "S", "hold");
            MqAdmin.Result r = e.mq("skipAccumulatedMessage", "-g", g, "-t", t).ok();
            assertTrue(r.lines().get(0).startsWith("#brokerName"), r.toString());
            Map<MessageQueue, Long> end = brokerOffsets(t);
            int rows = 0;
            for (String line : r.lines().subList(1, r.lines().size())) {
                Matcher m = RESET_ROW.matcher(line);
                assertTrue(m.matches(), line);
                MessageQueue mq = new MessageQueue(t, m.group(1), Integer.parseInt(m.group(2)));
                assertEquals(end.get(mq), Long.valueOf(m.group(3)), "skipped to the end: " + line);
                rows++;
            }
            assertEquals(4, rows, r.toString());
            Eventually.await(MqAdminEnv.WAIT, "consumer offsets at the end of every queue", () -> {
                try {
                    return consumerOffsets(g, t).equals(end);
                } catch (Exception ex) {
                    return false;
                }
            });
        } finally {
            release.countDown();
        }
    }
}
