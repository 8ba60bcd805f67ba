package io.rocketactor.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.rocketmq.client.consumer.DefaultMQPullConsumer;
import org.apache.rocketmq.client.consumer.DefaultMQPushConsumer;
import org.apache.rocketmq.client.consumer.MessageSelector;
import org.apache.rocketmq.client.consumer.PullResult;
import org.apache.rocketmq.client.consumer.PullStatus;
import org.apache.rocketmq.client.consumer.listener.ConsumeConcurrentlyStatus;
import org.apache.rocketmq.client.consumer.listener.ConsumeOrderlyStatus;
import org.apache.rocketmq.client.consumer.listener.MessageListenerConcurrently;
import org.apache.rocketmq.client.consumer.listener.MessageListenerOrderly;
import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.apache.rocketmq.client.producer.SendResult;
import org.apache.rocketmq.client.producer.SendStatus;
import org.apache.rocketmq.common.MixAll;
import org.apache.rocketmq.common.message.Message;
import org.apache.rocketmq.common.message.MessageConst;
import org.apache.rocketmq.common.message.MessageExt;
import org.apache.rocketmq.common.message.MessageQueue;
import org.apache.rocketmq.common.protocol.heartbeat.MessageModel;
import org.apache.rocketmq.tools.admin.DefaultMQAdminExt;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** DefaultMQPushConsumer 4.9.7 against rocketactor: listeners, models, filters, retries and failover. */
class PushConsumerTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final int QUEUES = 4;
    private static RocketactorCluster cluster;

    @BeforeAll
    static void up() {
        cluster = RocketactorCluster.builder("PushConsumerTest").brokerProperty("enablePropertyFilter", "true").start();
    }

    @AfterAll
    static void down() {
        if (cluster != null) {
            cluster.close();
        }
    }

    private static String topic(RocketactorCluster c, String prefix) {
        String t = Clients.unique(prefix);
        c.createTopic(t, QUEUES);
        return t;
    }

    private static void sendAll(DefaultMQProducer p, List<Message> ms) throws Exception {
        for (Message m : ms) {
            SendResult r = p.send(m);
            assertEquals(SendStatus.SEND_OK, r.getSendStatus(), "send of " + TestMessages.id(m));
        }
    }

    /**
     * Sends one message matching the subscription to the tail of every queue of the topic. Once a
     * consumer's committed offsets reach the end, everything before each marker was processed (a
     * push consumer commits an offset only when every earlier message of the queue is done), so
     * a filtered-out message that had been delivered would be in the collector already. Without
     * them the offsets would reach the end only after a 15 s long poll on an empty tail (Java
     * commits past filtered tail messages only on the next NO_NEW_MSG).
     */
    private static List<Message> sendTailMarkers(DefaultMQProducer p, String topic, String tags,
                                                 java.util.function.Consumer<Message> decorate) throws Exception {
        List<Message> markers = new ArrayList<>();
        int total = QUEUES * cluster.brokerNames().size();
        for (int i = 0; i < total; i++) {
            Message m = TestMessages.simple(topic, "marker-" + i, tags);
            decorate.accept(m);
            SendResult r = p.send(m, (mqs, msg, arg) -> mqs.get((Integer) arg % mqs.size()), i);
            assertEquals(SendStatus.SEND_OK, r.getSendStatus(), "marker " + i);
            markers.add(m);
        }
        return markers;
    }

    /** Waits until the consumers together own every queue of the topic (clustering) once. */
    private static void awaitRebalanced(String topic, int totalQueues, DefaultMQPushConsumer... cs) {
        Eventually.await(WAIT, "consumers own the " + totalQueues + " queues of " + topic, () -> {
            long sum = 0;
            for (DefaultMQPushConsumer c : cs) {
                sum += Offsets.ownedQueues(c, topic);
            }
            return sum == totalQueues;
        });
    }

    private static DefaultMQPushConsumer concurrent(Clients clients, String group, String topic, Received into)
        throws Exception {
        DefaultMQPushConsumer c = clients.pushConsumer(group, true);
        c.subscribe(topic, "*");
        c.registerMessageListener((MessageListenerConcurrently) (msgs, ctx) -> {
            into.addAll(msgs);
            return ConsumeConcurrentlyStatus.CONSUME_SUCCESS;
        });
        c.start();
        return c;
    }

    @Test
    void clusteringSplitsTheQueuesAndConsumesEachMessageOnce() throws Exception {
        String topic = topic(cluster, "pc_cluster");
        int total = QUEUES * cluster.brokerNames().size();
        try (Clients clients = new Clients(cluster)) {
            String group = Clients.unique("pc_cluster_g");
            Received r1 = new Received();
            Received r2 = new Received();
            DefaultMQPushConsumer c1 = concurrent(clients, group, topic, r1);
            DefaultMQPushConsumer c2 = concurrent(clients, group, topic, r2);
            // c1 may own all queues for a moment before c2's heartbeat reaches the brokers: wait for
            // the converged split (every queue owned, each consumer some), not just the sum
            Eventually.await(WAIT, "c1 and c2 split the " + total + " queues of " + topic, () -> {
                long q1 = Offsets.ownedQueues(c1, topic);
                long q2 = Offsets.ownedQueues(c2, topic);
                return q1 > 0 && q2 > 0 && q1 + q2 == total;
            });
            List<Message> sent = TestMessages.batch(topic, "cl", "TagA", 40);
            sendAll(clients.startedProducer("pc_cluster_p"), sent);
            Received all = new Received();
            Eventually.await(WAIT, "all consumed by the group", () -> {
                Received u = new Received();
                r1.all().forEach(u::add);
                r2.all().forEach(u::add);
                return u.hasAll(sent);
            });
            r1.all().forEach(all::add);
            r2.all().forEach(all::add);
            all.assertExactlyOnce(sent);
            assertTrue(r1.size() > 0 && r2.size() > 0, "both consumers got messages: " + r1.size() + "/" + r2.size());
        }
    }

    @Test
    void broadcastingDeliversEveryMessageToEveryConsumer() throws Exception {
        String topic = topic(cluster, "pc_bcast");
        int total = QUEUES * cluster.brokerNames().size();
        try (Clients clients = new Clients(cluster)) {
            String group = Clients.unique("pc_bcast_g");
            List<Received> rs = List.of(new Received(), new Received());
            List<DefaultMQPushConsumer> cs = new ArrayList<>();
            for (Received r : rs) {
                DefaultMQPushConsumer c = clients.pushConsumer(group, true);
                c.setMessageModel(MessageModel.BROADCASTING);
                c.subscribe(topic, "*");
                c.registerMessageListener((MessageListenerConcurrently) (msgs, ctx) -> {
                    r.addAll(msgs);
                    return ConsumeConcurrentlyStatus.CONSUME_SUCCESS;
                });
                c.start();
                cs.add(c);
            }
            for (DefaultMQPushConsumer c : cs) {
                awaitRebalanced(topic, total, c);
            }
            List<Message> sent = TestMessages.batch(topic, "bc", "TagA", 20);
            sendAll(clients.startedProducer("pc_bcast_p"), sent);
            for (Received r : rs) {
                r.awaitAll(sent, WAIT);
                r.assertExactlyOnce(sent);
            }
        }
    }

    @Test
    void orderlyListenerSeesOneQueueInSendOrder() throws Exception {
        String topic = topic(cluster, "pc_orderly");
        try (Clients clients = new Clients(cluster)) {
            DefaultMQProducer p = clients.startedProducer("pc_orderly_p");
            List<Message> sent = TestMessages.batch(topic, "ord", "TagA", 30);
            for (int i = 0; i < sent.size(); i++) {
                sent.get(i).putUserProperty("orderSeq", Integer.toString(i));
                SendResult r = p.send(sent.get(i), (mqs, msg, arg) -> mqs.get(0), null);
                assertEquals(SendStatus.SEND_OK, r.getSendStatus());
            }
            Received got = new Received();
            List<Integer> seq = new CopyOnWriteArrayList<>();
            List<MessageQueue> queues = new CopyOnWriteArrayList<>();
            DefaultMQPushConsumer c = clients.pushConsumer("pc_orderly_c");
            c.subscribe(topic, "*");
            c.registerMessageListener((MessageListenerOrderly) (msgs, ctx) -> {
                for (MessageExt m : msgs) {
                    seq.add(Integer.parseInt(m.getUserProperty("orderSeq")));
                    got.add(m);
                }
                queues.add(ctx.getMessageQueue());
                return ConsumeOrderlyStatus.SUCCESS;
            });
            c.start();
            got.awaitAll(sent, WAIT);
            got.assertExactlyOnce(sent);
            for (int i = 0; i < seq.size(); i++) {
                assertEquals(i, seq.get(i), "consumption order " + seq);
            }
            assertEquals(1, queues.stream().distinct().count(), "one queue: " + queues);
        }
    }

    @Test
    void tagExpressionAOrBFiltersOutC() throws Exception {
        String topic = topic(cluster, "pc_tags");
        try (Clients clients = new Clients(cluster)) {
            List<Message> wanted = new ArrayList<>();
            List<Message> all = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                Message a = TestMessages.simple(topic, "tA-" + i, "A");
                Message b = TestMessages.simple(topic, "tB-" + i, "B");
                Message c = TestMessages.simple(topic, "tC-" + i, "C");
                wanted.add(a);
                wanted.add(b);
                all.add(a);
                all.add(b);
                all.add(c);
            }
            DefaultMQProducer p = clients.startedProducer("pc_tags_p");
            sendAll(p, all);
            wanted.addAll(sendTailMarkers(p, topic, "A", m -> { }));
            Received got = new Received();
            DefaultMQPushConsumer c = clients.collecting("pc_tags_c", topic, "A || B", got);
            got.awaitAll(wanted, WAIT);
            // The C messages were passed over, not pending: the group's committed offsets reach the end.
            // (shutdown persists the offsets now; the client's periodic persist starts 10 s after start)
            c.shutdown();
            DefaultMQAdminExt admin = clients.admin();
            Eventually.await(WAIT, "offsets of " + c.getConsumerGroup() + " committed to the end",
                () -> Offsets.allCommitted(admin, c.getConsumerGroup(), topic));
            got.assertExactlyOnce(wanted);
        }
    }

    @Test
    void sql92SelectorWithPropertyFilter() throws Exception {
        String topic = topic(cluster, "pc_sql");
        try (Clients clients = new Clients(cluster)) {
            Received got = new Received();
            DefaultMQPushConsumer c = clients.pushConsumer("pc_sql_c");
            c.subscribe(topic, MessageSelector.bySql("a BETWEEN 0 AND 3 AND color = 'blue'"));
            c.registerMessageListener((MessageListenerConcurrently) (msgs, ctx) -> {
                got.addAll(msgs);
                return ConsumeConcurrentlyStatus.CONSUME_SUCCESS;
            });
            c.start();
            List<Message> wanted = new ArrayList<>();
            List<Message> all = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                Message m = TestMessages.simple(topic, "sql-" + i, "TagS");
                m.putUserProperty("a", Integer.toString(i));
                all.add(m);
                if (i <= 3) {
                    wanted.add(m);
                }
            }
            DefaultMQProducer p = clients.startedProducer("pc_sql_p");
            sendAll(p, all);
            wanted.addAll(sendTailMarkers(p, topic, "TagS", m -> m.putUserProperty("a", "0")));
            got.awaitAll(wanted, WAIT);
            c.shutdown(); // persists the offsets
            DefaultMQAdminExt admin = clients.admin();
            Eventually.await(WAIT, "offsets committed to the end",
                () -> Offsets.allCommitted(admin, c.getConsumerGroup(), topic));
            got.assertExactlyOnce(wanted);
        }
    }

    @Test
    void reconsumeLaterGoesThroughRetryTopicToDlq() throws Exception {
        String topic = topic(cluster, "pc_dlq");
        try (Clients clients = new Clients(cluster)) {
            String group = Clients.unique("pc_dlq_g");
            Map<String, List<Integer>> attempts = new ConcurrentHashMap<>();
            Map<String, List<String>> topics = new ConcurrentHashMap<>();
            DefaultMQPushConsumer c = clients.pushConsumer(group, true);
            c.setMaxReconsumeTimes(2);
            // The broker creates %RETRY%group at the group's first heartbeat, after the client fetched its
            // routes: the client would own its queue only after the next route poll (30 s) and rebalance
            // (20 s). Created beforehand (as a running Java deployment has it), it is owned from the start.
            cluster.createTopic(MixAll.getRetryTopic(group), 1);
            c.subscribe(topic, "*");
            c.registerMessageListener((MessageListenerConcurrently) (msgs, ctx) -> {
                for (MessageExt m : msgs) {
                    attempts.computeIfAbsent(TestMessages.id(m), k -> new CopyOnWriteArrayList<>())
                        .add(m.getReconsumeTimes());
                    topics.computeIfAbsent(TestMessages.id(m), k -> new CopyOnWriteArrayList<>())
                        .add(m.getProperty(MessageConst.PROPERTY_RETRY_TOPIC) == null ? m.getTopic()
                            : m.getProperty(MessageConst.PROPERTY_RETRY_TOPIC));
                }
                // level 1 (1 s) instead of the broker's 3 + reconsumeTimes (10 s, 30 s, ...): Java lets the
                // client choose the retry delay level (ConsumeConcurrentlyContext.delayLevelWhenNextConsume)
                ctx.setDelayLevelWhenNextConsume(1);
                return ConsumeConcurrentlyStatus.RECONSUME_LATER;
            });
            c.start();
            Message m = TestMessages.simple(topic, "dlq-1", "TagR");
            sendAll(clients.startedProducer("pc_dlq_p"), List.of(m));

            // 1 delivery + maxReconsumeTimes (2) retries, then %DLQ%group
            Eventually.await(WAIT, "three deliveries of dlq-1", () -> attempts.getOrDefault("dlq-1", List.of()).size() >= 3);
            String dlq = MixAll.getDLQTopic(group);
            DefaultMQPullConsumer puller = clients.pullConsumer("pc_dlq_reader");
            puller.start();
            List<MessageExt> inDlq = new CopyOnWriteArrayList<>();
            Eventually.await(WAIT, "dlq-1 in " + dlq, () -> {
                inDlq.clear();
                try {
                    for (MessageQueue mq : puller.fetchSubscribeMessageQueues(dlq)) {
                        PullResult pr = puller.pull(mq, "*", 0, 32);
                        if (pr.getPullStatus() == PullStatus.FOUND) {
                            inDlq.addAll(pr.getMsgFoundList());
                        }
                    }
                } catch (Exception e) {
                    return false;
                }
                return !inDlq.isEmpty();
            });
            assertEquals(1, inDlq.size(), "one message in " + dlq);
            Received.assertMatches(withTopic(m, dlq), inDlq.get(0));
            assertEquals(List.of(0, 1, 2), attempts.get("dlq-1"), "reconsumeTimes of the deliveries");
            assertEquals(List.of(topic, topic, topic), topics.get("dlq-1"), "original topic seen by the listener");
        }
    }

    /** Messages of the single queue of {@code %DLQ%group}, read from offset 0 (empty until it exists). */
    private static List<MessageExt> readDlq(DefaultMQPullConsumer puller, String dlq) {
        List<MessageExt> out = new ArrayList<>();
        try {
            for (MessageQueue mq : puller.fetchSubscribeMessageQueues(dlq)) {
                PullResult pr = puller.pull(mq, "*", 0, 32);
                if (pr.getPullStatus() == PullStatus.FOUND) {
                    out.addAll(pr.getMsgFoundList());
                }
            }
        } catch (Exception e) {
            return List.of();
        }
        return out;
    }

    @Test
    void orderlySuspendBeyondMaxReconsumeTimesIsSentToTheDlq() throws Exception {
        String topic = topic(cluster, "pc_odlq");
        try (Clients clients = new Clients(cluster)) {
            String group = Clients.unique("pc_odlq_g");
            List<Integer> attempts = new CopyOnWriteArrayList<>();
            DefaultMQPushConsumer c = clients.pushConsumer(group, true);
            c.setMaxReconsumeTimes(1);
            c.subscribe(topic, "*");
            c.registerMessageListener((MessageListenerOrderly) (msgs, ctx) -> {
                msgs.forEach(m -> attempts.add(m.getReconsumeTimes()));
                ctx.setSuspendCurrentQueueTimeMillis(100);
                return ConsumeOrderlyStatus.SUSPEND_CURRENT_QUEUE_A_MOMENT;
            });
            c.start();
            Message m = TestMessages.simple(topic, "odlq-1", "TagR");
            sendAll(clients.startedProducer("pc_odlq_p"), List.of(m));
            // orderly: redelivered in place; once reconsumeTimes reaches maxReconsumeTimes the client sends it
            // (a plain SEND to %RETRY%group carrying reconsumeTimes/maxReconsumeTimes) and the broker moves it
            // to %DLQ%group (SendMessageProcessor.handleRetryAndDLQ)
            String dlq = MixAll.getDLQTopic(group);
            DefaultMQPullConsumer puller = clients.pullConsumer("pc_odlq_reader");
            puller.start();
            List<MessageExt> inDlq = new CopyOnWriteArrayList<>();
            Eventually.await(WAIT, "odlq-1 in " + dlq, () -> {
                inDlq.clear();
                inDlq.addAll(readDlq(puller, dlq));
                return !inDlq.isEmpty();
            });
            assertEquals(1, inDlq.size(), "one message in " + dlq);
            Received.assertMatches(withTopic(m, dlq), inDlq.get(0));
            assertEquals(List.of(0, 1), attempts, "reconsumeTimes of the local deliveries");
        }
    }

    /** A copy of {@code m} as it looks in another topic (DLQ): same body, tags, keys, properties. */
    private static Message withTopic(Message m, String topic) {
        Message copy = new Message(topic, m.getTags(), m.getKeys(), m.getBody());
        m.getProperties().forEach((k, v) -> {
            if (!MessageConst.STRING_HASH_SET.contains(k)) {
                copy.putUserProperty(k, v);
            }
        });
        return copy;
    }

    @Test
    void consumerResumesFromCommittedOffsetsAfterRestart() throws Exception {
        String topic = topic(cluster, "pc_resume");
        try (Clients clients = new Clients(cluster)) {
            DefaultMQProducer p = clients.startedProducer("pc_resume_p");
            DefaultMQAdminExt admin = clients.admin();
            String group = Clients.unique("pc_resume_g");
            List<Message> first = TestMessages.batch(topic, "r1", "TagA", 20);
            sendAll(p, first);
            Received run1 = new Received();
            DefaultMQPushConsumer c1 = concurrent(clients, group, topic, run1);
            run1.awaitAll(first, WAIT);
            c1.shutdown(); // persists the consumed offsets to the broker
            Eventually.await(WAIT, "offsets of " + group + " committed after the first run",
                () -> Offsets.allCommitted(admin, group, topic));
            run1.assertExactlyOnce(first);

            List<Message> second = TestMessages.batch(topic, "r2", "TagA", 20);
            sendAll(p, second);
            Received run2 = new Received();
            DefaultMQPushConsumer c2 = concurrent(clients, group, topic, run2);
            run2.awaitAll(second, WAIT);
            c2.shutdown();
            Eventually.await(WAIT, "offsets of " + group + " committed after the second run",
                () -> Offsets.allCommitted(admin, group, topic));
            // Java's at-least-once allows a redelivery only of messages whose offset was not committed;
            // every offset of the first run was committed (checked above), so none may come again.
            run2.assertExactlyOnce(second);
        }
    }

    @Test
    void consumesFromTheSlaveAfterTheMasterStops() throws Exception {
        try (RocketactorCluster own = RocketactorCluster.startDefault("PushConsumerTest-slave");
             Clients clients = new Clients(own)) {
            String topic = topic(own, "pc_slave");
            DefaultMQProducer p = clients.startedProducer("pc_slave_p");
            List<Message> onA = new ArrayList<>();
            AtomicInteger n = new AtomicInteger();
            // SYNC_MASTER: SEND_OK means the slave has the message too
            for (int i = 0; i < 12; i++) {
                Message m = TestMessages.simple(topic, "sl-" + n.getAndIncrement(), "TagA");
                SendResult r = p.send(m, (mqs, msg, arg) -> mqs.stream()
                    .filter(q -> q.getBrokerName().equals("broker-a")).toList().get((Integer) arg % QUEUES), i);
                assertEquals(SendStatus.SEND_OK, r.getSendStatus());
                assertEquals("broker-a", r.getMessageQueue().getBrokerName());
                onA.add(m);
            }
            own.stopBroker("broker-a");
            String slaveAddr = own.brokerAddr("broker-a-s");
            DefaultMQAdminExt admin = clients.admin();
            // the route now names broker-a's slave only: whatever broker-a had comes from the slave
            Eventually.await(WAIT, "route of " + topic + " lists broker-a by its slave only", () -> {
                try {
                    return admin.examineTopicRouteInfo(topic).getBrokerDatas().stream()
                        .filter(bd -> bd.getBrokerName().equals("broker-a"))
                        .anyMatch(bd -> bd.getBrokerAddrs().equals(Map.of(1L, slaveAddr)));
                } catch (Exception e) {
                    return false;
                }
            });
            Received got = new Received();
            clients.collecting("pc_slave_c", topic, "*", got);
            got.awaitAll(onA, WAIT);
            got.assertAtLeastOnce(onA);
        }
    }
}
