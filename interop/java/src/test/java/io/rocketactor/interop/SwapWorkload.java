package io.rocketactor.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.rocketmq.client.QueryResult;
import org.apache.rocketmq.client.consumer.DefaultMQPushConsumer;
import org.apache.rocketmq.client.consumer.listener.ConsumeConcurrentlyStatus;
import org.apache.rocketmq.client.consumer.listener.MessageListenerConcurrently;
import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.apache.rocketmq.client.producer.SendResult;
import org.apache.rocketmq.client.producer.SendStatus;
import org.apache.rocketmq.common.TopicConfig;
import org.apache.rocketmq.common.admin.ConsumeStats;
import org.apache.rocketmq.common.admin.OffsetWrapper;
import org.apache.rocketmq.common.consumer.ConsumeFromWhere;
import org.apache.rocketmq.common.message.Message;
import org.apache.rocketmq.common.message.MessageExt;
import org.apache.rocketmq.common.message.MessageQueue;
import org.apache.rocketmq.common.protocol.route.TopicRouteData;

/**
 * What a store-swap scenario writes on one broker and checks on the other, all through the Java
 * client 4.9.7: topic {@code t1} (4 queues, ~4 KiB bodies, tags a/b/c: the 1 MiB commit-log files
 * fill up) in a part A that group {@code resume} consumes and commits on the writer and a part B
 * it does not; topic {@code t2} (2 queues, two keys per message) with single sends and one batch
 * of 32; topic {@code t3} with delay-level messages (1 s and 10 s, sent last, so the 10 s ones are
 * usually still in SCHEDULE_TOPIC_XXXX when the writer stops). The reader must deliver every
 * message to a fresh group, find samples by key, by offset message id and by unique key, show
 * the offsets committed on the writer, and resume {@code resume} from them.
 */
final class SwapWorkload {
    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final int PART_A = 300;
    private static final int PART_B = 200;
    private static final int T2_SINGLE = 150;
    private static final int BATCH = 32;
    private static final int DELAY_1S = 10;
    private static final int DELAY_10S = 20;
    private static final int PART_C = 30;

    final String t1 = Clients.unique("swap_t1");
    final String t2 = Clients.unique("swap_t2");
    final String t3 = Clients.unique("swap_t3");
    final String resumeGroup = Clients.unique("swap_resume");
    private final List<Message> partA = new ArrayList<>();
    private final List<Message> partB = new ArrayList<>();
    private final List<Message> others = new ArrayList<>();
    private final List<Message> delayed = new ArrayList<>();
    /** itest_id -> the SendResult's offset message id and unique message id. */
    private final Map<String, String> offsetIds = new HashMap<>();
    private final Map<String, String> uniqIds = new HashMap<>();
    private final Map<MessageQueue, Long> committed = new TreeMap<>();
    private long writeStart;

    /** On the writer: topics, part A consumed and committed by {@code resume}, then the rest. */
    void write(SwapNodes nodes) throws Exception {
        writeStart = System.currentTimeMillis();
        createTopic(nodes, t1, 4);
        createTopic(nodes, t2, 2);
        createTopic(nodes, t3, 2);
        DefaultMQProducer producer = producer(nodes);
        try {
            for (int i = 0; i < PART_A; i++) {
                partA.add(send(producer, TestMessages.build(t1, "A-" + i, "abc".substring(i % 3, i % 3 + 1),
                    "key-A-" + i, Map.of("part", "A"), 4000)));
            }
            Received got = new Received();
            DefaultMQPushConsumer c = pushConsumer(nodes, resumeGroup, t1, got);
            try {
                got.awaitAll(partA, WAIT);
                // The consumer commits every 5 s while it runs: wait for the broker to hold all of part A.
                Eventually.await(WAIT, "offsets of " + resumeGroup + " committed up to " + PART_A,
                    () -> committedTotal(nodes, resumeGroup, t1) == PART_A);
            } finally {
                c.shutdown();
            }
            got.assertExactlyOnce(partA);
            committed.putAll(consumerOffsets(nodes, resumeGroup, t1));
            for (int i = 0; i < PART_B; i++) {
                partB.add(send(producer, TestMessages.build(t1, "B-" + i, "abc".substring(i % 3, i % 3 + 1),
                    "key-B-" + i, Map.of("part", "B"), 4000)));
            }
            for (int i = 0; i < T2_SINGLE; i++) {
                others.add(send(producer, TestMessages.build(t2, "S-" + i, "x", "key-S-" + i + " grp-S-" + i,
                    null, 200)));
            }
            List<Message> batch = new ArrayList<>();
            for (int i = 0; i < BATCH; i++) {
                batch.add(TestMessages.build(t2, "K-" + i, "y", "key-K-" + i, Map.of("batch", "1"), 300));
            }
            sendBatch(producer, batch);
            others.addAll(batch);
            for (int i = 0; i < DELAY_1S + DELAY_10S; i++) {
                Message m = TestMessages.build(t3, "D-" + i, "d", "key-D-" + i, null, 100);
                m.setDelayTimeLevel(i < DELAY_1S ? 1 : 3);
                delayed.add(send(producer, m));
            }
        } finally {
            producer.shutdown();
        }
    }

    /**
     * On the reader. {@code afterKill}: the writer was killed, so the consumer offsets and the
     * delay offsets it had not persisted yet may be older (at-least-once there, as Java promises);
     * every stored message must still come back exactly once.
     */
    void verify(SwapNodes nodes, boolean afterKill) throws Exception {
        assertEquals(4, writeQueues(nodes, t1), "write queues of " + t1 + " (topics.json)");
        assertEquals(2, writeQueues(nodes, t2), "write queues of " + t2 + " (topics.json)");
        Map<MessageQueue, Long> offsets = consumerOffsets(nodes, resumeGroup, t1);
        if (!afterKill) {
            assertEquals(committed, offsets, "offsets of " + resumeGroup + " (consumerOffset.json)");
        }
        // Every message exactly once to a group that never consumed on the writer.
        List<Message> stored = new ArrayList<>(partA);
        stored.addAll(partB);
        stored.addAll(others);
        Received fresh = new Received();
        DefaultMQPushConsumer all = pushConsumer(nodes, Clients.unique("swap_fresh"), null, fresh);
        try {
            List<Message> everything = new ArrayList<>(stored);
            everything.addAll(delayed);
            fresh.awaitAll(everything, WAIT);
        } finally {
            all.shutdown();
        }
        Received nonDelayed = new Received();
        Received delays = new Received();
        for (MessageExt m : fresh.all()) {
            (t3.equals(m.getTopic()) ? delays : nonDelayed).add(m);
        }
        nonDelayed.assertExactlyOnce(stored);
        if (afterKill) {
            delays.assertAtLeastOnce(delayed);
        } else {
            delays.assertExactlyOnce(delayed);
        }
        for (MessageExt m : delays.all()) {
            assertTrue(m.getBornTimestamp() <= m.getStoreTimestamp(), "stored after born: " + m);
        }
        // Lookups: by key (two keys on t2), by offset message id, by unique key.
        for (Message m : sample(stored, 7)) {
            String id = TestMessages.id(m);
            for (String key : m.getKeys().split(" ")) {
                QueryResult r = nodes.admin().queryMessage(m.getTopic(), key, 32, 0, Long.MAX_VALUE);
                assertTrue(r.getMessageList().stream().anyMatch(x -> id.equals(TestMessages.id(x))),
                    "queryMessage " + m.getTopic() + " key " + key + " finds " + id + " (got "
                        + r.getMessageList().size() + ")");
            }
            MessageExt byOffset = nodes.admin().viewMessage(m.getTopic(), offsetIds.get(id));
            Received.assertMatches(m, byOffset);
            QueryResult byUniq = nodes.admin().queryMessageByUniqKey(m.getTopic(), uniqIds.get(id), 32, 0,
                Long.MAX_VALUE);
            assertTrue(byUniq.getMessageList().stream().anyMatch(x -> id.equals(TestMessages.id(x))),
                "queryMessageByUniqKey " + uniqIds.get(id) + " finds " + id);
        }
        // The index's time range (its header's begin/end timestamps and each slot's time delta).
        for (Message m : sample(stored, 41)) {
            QueryResult r = nodes.admin().queryMessage(m.getTopic(), m.getKeys().split(" ")[0], 32,
                writeStart - 60_000, System.currentTimeMillis() + 60_000);
            assertTrue(r.getMessageList().stream().anyMatch(x -> TestMessages.id(m).equals(TestMessages.id(x))),
                "queryMessage " + m.getKeys() + " within the write's time range");
        }
        for (Message m : sample(delayed, 3)) {
            QueryResult r = nodes.admin().queryMessage(t3, m.getKeys(), 32, 0, Long.MAX_VALUE);
            assertTrue(r.getMessageList().stream().anyMatch(x -> TestMessages.id(m).equals(TestMessages.id(x))),
                "queryMessage " + t3 + " key " + m.getKeys() + " after its delay");
        }
        // Server-side tag filtering reads the consume queue's tags hash code.
        List<Message> tagged = new ArrayList<>(partA);
        tagged.addAll(partB);
        tagged.removeIf(m -> "b".equals(m.getTags()));
        Received filtered = new Received();
        DefaultMQPushConsumer byTag = pushConsumer(nodes, Clients.unique("swap_tags"), t1, "a || c", filtered);
        try {
            filtered.awaitAll(tagged, WAIT);
        } finally {
            byTag.shutdown();
        }
        filtered.assertExactlyOnce(tagged);
        // The resume group goes on from its committed offsets: part B, then part C sent to the reader.
        Received resumed = new Received();
        DefaultMQPushConsumer c = pushConsumer(nodes, resumeGroup, t1, resumed);
        List<Message> expected = new ArrayList<>(partB);
        DefaultMQProducer producer = producer(nodes);
        try {
            for (int i = 0; i < PART_C; i++) {
                expected.add(send(producer, TestMessages.build(t1, "C-" + i, "c", "key-C-" + i, Map.of("part", "C"),
                    1000)));
            }
            resumed.awaitAll(expected, WAIT);
        } finally {
            c.shutdown();
            producer.shutdown();
        }
        if (afterKill) {
            assertResumedAtLeastOnce(resumed, expected);
        } else {
            resumed.assertExactlyOnce(expected);
        }
    }

    /** Every expected message at least once and intact; anything else must be a part-A redelivery. */
    private void assertResumedAtLeastOnce(Received resumed, List<Message> expected) {
        for (Message m : expected) {
            List<MessageExt> got = resumed.get(TestMessages.id(m));
            assertTrue(!got.isEmpty(), "resumed " + TestMessages.id(m));
            got.forEach(x -> Received.assertMatches(m, x));
        }
        for (MessageExt x : resumed.all()) {
            String id = TestMessages.id(x);
            if (expected.stream().noneMatch(m -> TestMessages.id(m).equals(id))) {
                Message a = partA.stream().filter(m -> TestMessages.id(m).equals(id)).findFirst()
                    .orElseThrow(() -> new AssertionError("resume group got a message never sent to it: " + id));
                Received.assertMatches(a, x);
            }
        }
    }

    private static List<Message> sample(List<Message> from, int every) {
        List<Message> out = new ArrayList<>();
        for (int i = 0; i < from.size(); i += every) {
            out.add(from.get(i));
        }
        out.add(from.get(from.size() - 1));
        return out;
    }

    private Message send(DefaultMQProducer p, Message m) throws Exception {
        SendResult r = p.send(m);
        assertEquals(SendStatus.SEND_OK, r.getSendStatus(), "send " + TestMessages.id(m));
        offsetIds.put(TestMessages.id(m), r.getOffsetMsgId());
        uniqIds.put(TestMessages.id(m), r.getMsgId());
        return m;
    }

    private void sendBatch(DefaultMQProducer p, List<Message> batch) throws Exception {
        SendResult r = p.send(batch);
        assertEquals(SendStatus.SEND_OK, r.getSendStatus(), "batch send");
        String[] offsets = r.getOffsetMsgId().split(",");
        String[] uniq = r.getMsgId().split(",");
        assertEquals(batch.size(), offsets.length, "offset ids of the batch: " + r.getOffsetMsgId());
        assertEquals(batch.size(), uniq.length, "message ids of the batch: " + r.getMsgId());
        for (int i = 0; i < batch.size(); i++) {
            offsetIds.put(TestMessages.id(batch.get(i)), offsets[i]);
            uniqIds.put(TestMessages.id(batch.get(i)), uniq[i]);
        }
    }

    private static DefaultMQProducer producer(SwapNodes nodes) throws Exception {
        DefaultMQProducer p = new DefaultMQProducer(Clients.unique("swap_producer"));
        p.setNamesrvAddr(nodes.namesrvAddr());
        p.setInstanceName(Clients.unique("inst"));
        p.setVipChannelEnabled(false);
        p.setRetryTimesWhenSendFailed(0);
        p.setSendMsgTimeout(10_000);
        p.start();
        return p;
    }

    /** A started push consumer of {@code group} on {@code topic} (null: t1, t2 and t3), from the first offset. */
    private DefaultMQPushConsumer pushConsumer(SwapNodes nodes, String group, String topic, Received into)
        throws Exception {
        return pushConsumer(nodes, group, topic, "*", into);
    }

    private DefaultMQPushConsumer pushConsumer(SwapNodes nodes, String group, String topic, String tags,
                                               Received into) throws Exception {
        DefaultMQPushConsumer c = new DefaultMQPushConsumer(group);
        c.setNamesrvAddr(nodes.namesrvAddr());
        c.setInstanceName(Clients.unique("inst"));
        c.setVipChannelEnabled(false);
        c.setConsumeFromWhere(ConsumeFromWhere.CONSUME_FROM_FIRST_OFFSET);
        for (String t : topic == null ? List.of(t1, t2, t3) : List.of(topic)) {
            c.subscribe(t, tags);
        }
        c.registerMessageListener((MessageListenerConcurrently) (msgs, ctx) -> {
            into.addAll(msgs);
            return ConsumeConcurrentlyStatus.CONSUME_SUCCESS;
        });
        c.start();
        return c;
    }

    private static void createTopic(SwapNodes nodes, String topic, int queues) throws Exception {
        nodes.admin().createAndUpdateTopicConfig(nodes.brokerAddr(), new TopicConfig(topic, queues, queues, 6));
        Eventually.await(WAIT, "route of " + topic, () -> writeQueues(nodes, topic) == queues);
    }

    private static int writeQueues(SwapNodes nodes, String topic) {
        try {
            TopicRouteData r = nodes.admin().examineTopicRouteInfo(topic);
            return r.getQueueDatas().stream().mapToInt(q -> q.getWriteQueueNums()).sum();
        } catch (Exception e) {
            return -1;
        }
    }

    private static Map<MessageQueue, Long> consumerOffsets(SwapNodes nodes, String group, String topic) {
        try {
            ConsumeStats s = nodes.admin().examineConsumeStats(group, topic);
            Map<MessageQueue, Long> out = new TreeMap<>();
            for (Map.Entry<MessageQueue, OffsetWrapper> e : s.getOffsetTable().entrySet()) {
                out.put(e.getKey(), e.getValue().getConsumerOffset());
            }
            return out;
        } catch (Exception e) {
            throw new IllegalStateException("examineConsumeStats " + group + " " + topic, e);
        }
    }

    private static long committedTotal(SwapNodes nodes, String group, String topic) {
        return consumerOffsets(nodes, group, topic).values().stream().mapToLong(Long::longValue).sum();
    }

    /** The message counts written, for failure messages. */
    String describe() {
        Map<String, Integer> n = new LinkedHashMap<>();
        n.put("t1 A", partA.size());
        n.put("t1 B", partB.size());
        n.put("t2", others.size());
        n.put("t3 delayed", delayed.size());
        return n.toString();
    }
}
