package io.rocketactor.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.rocketmq.client.consumer.DefaultMQPushConsumer;
import org.apache.rocketmq.client.consumer.listener.ConsumeConcurrentlyStatus;
import org.apache.rocketmq.client.consumer.listener.ConsumeOrderlyStatus;
import org.apache.rocketmq.client.consumer.listener.MessageListenerConcurrently;
import org.apache.rocketmq.client.consumer.listener.MessageListenerOrderly;
import org.apache.rocketmq.client.exception.MQBrokerException;
import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.apache.rocketmq.client.producer.SendCallback;
import org.apache.rocketmq.client.producer.SendResult;
import org.apache.rocketmq.client.producer.SendStatus;
import org.apache.rocketmq.common.message.Message;
import org.apache.rocketmq.common.message.MessageExt;
import org.apache.rocketmq.common.message.MessageQueue;
import org.apache.rocketmq.common.protocol.ResponseCode;
import org.apache.rocketmq.tools.admin.DefaultMQAdminExt;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** DefaultMQProducer 4.9.7 against rocketactor: every send mode, checked on the consumer side. */
class ProducerTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    /** Java's MessageStoreConfig.maxMessageSize default (4 MiB); the cluster keeps the default. */
    private static final int BROKER_MAX_MESSAGE_SIZE = 4 * 1024 * 1024;
    private static RocketactorCluster cluster;

    @BeforeAll
    static void up() {
        cluster = RocketactorCluster.startDefault("ProducerTest");
    }

    @AfterAll
    static void down() {
        if (cluster != null) {
            cluster.close();
        }
    }

    private static String topic(String prefix) {
        String t = Clients.unique(prefix);
        cluster.createTopic(t, 4);
        return t;
    }

    private static void assertOk(SendResult r) {
        assertNotNull(r, "send result");
        assertEquals(SendStatus.SEND_OK, r.getSendStatus(), "send status of " + r);
        assertNotNull(r.getMsgId(), "msgId");
        assertNotNull(r.getOffsetMsgId(), "offsetMsgId");
    }

    @Test
    void syncSendWithTagsKeysAndProperties() throws Exception {
        String topic = topic("p_sync");
        try (Clients clients = new Clients(cluster)) {
            DefaultMQProducer producer = clients.startedProducer("p_sync");
            List<Message> sent = TestMessages.batch(topic, "sync", "TagA", 16);
            for (Message m : sent) {
                SendResult r = producer.send(m);
                assertOk(r);
                assertEquals(topic, r.getMessageQueue().getTopic());
            }
            Received got = new Received();
            clients.collecting("c_sync", topic, "*", got);
            got.awaitAll(sent, WAIT);
            got.assertExactlyOnce(sent);
        }
    }

    @Test
    void sendToANewTopicAutoCreatesIt() throws Exception {
        String topic = Clients.unique("p_auto"); // not created: the producer falls back to TBW102's route
        try (Clients clients = new Clients(cluster)) {
            DefaultMQProducer producer = clients.startedProducer("p_auto");
            List<Message> sent = TestMessages.batch(topic, "auto", "TagA", 8);
            for (Message m : sent) {
                assertOk(producer.send(m));
            }
            DefaultMQAdminExt admin = clients.admin();
            Eventually.await(WAIT, "route of the auto-created " + topic, () -> {
                try {
                    return !admin.examineTopicRouteInfo(topic).getQueueDatas().isEmpty();
                } catch (Exception e) {
                    return false;
                }
            });
            Received got = new Received();
            clients.collecting("c_auto", topic, "*", got);
            got.awaitAll(sent, WAIT);
            got.assertExactlyOnce(sent);
        }
    }

    @Test
    void viewAndQueryMessagesThroughTheClientsAdminApi() throws Exception {
        String topic = topic("p_view");
        try (Clients clients = new Clients(cluster)) {
            DefaultMQProducer producer = clients.startedProducer("p_view");
            List<Message> sent = TestMessages.batch(topic, "view", "TagQ", 4);
            List<SendResult> results = new ArrayList<>();
            for (Message m : sent) {
                SendResult r = producer.send(m);
                assertOk(r);
                results.add(r);
            }
            for (int i = 0; i < sent.size(); i++) {
                Message m = sent.get(i);
                SendResult r = results.get(i);
                // VIEW_MESSAGE_BY_ID (33) by the offset msgId (store host + commit-log offset)
                MessageExt byOffsetId = producer.viewMessage(r.getOffsetMsgId());
                Received.assertMatches(m, byOffsetId);
                assertEquals(r.getQueueOffset(), byOffsetId.getQueueOffset(), "queue offset of " + r.getOffsetMsgId());
                // QUERY_MESSAGE (12) by the client's unique key, through the index
                Eventually.await(WAIT, "message " + r.getMsgId() + " found by its unique key", () -> {
                    try {
                        MessageExt byUniqKey = producer.viewMessage(topic, r.getMsgId());
                        Received.assertMatches(m, byUniqKey);
                        return true;
                    } catch (Exception e) {
                        return false;
                    }
                });
                // QUERY_MESSAGE (12) by the KEYS property
                Eventually.await(WAIT, "message found by key " + m.getKeys(), () -> {
                    try {
                        var qr = producer.queryMessage(topic, m.getKeys(), 32, 0, System.currentTimeMillis() + 60_000);
                        return qr.getMessageList().size() == 1
                            && TestMessages.id(m).equals(TestMessages.id(qr.getMessageList().get(0)));
                    } catch (Exception e) {
                        return false;
                    }
                });
            }
        }
    }

    @Test
    void unicodePropertiesAndSeveralKeysSurvive() throws Exception {
        String topic = topic("p_uni");
        try (Clients clients = new Clients(cluster)) {
            DefaultMQProducer producer = clients.startedProducer("p_uni");
            Map<String, String> props = new java.util.LinkedHashMap<>();
            props.put("city", "Zürich 東京 ☃");
            props.put("spaces", "a b  c");
            Message m = TestMessages.build(topic, "uni-1", "Tag中", "k-one k-two", props, 128);
            assertOk(producer.send(m));
            Received got = new Received();
            clients.collecting("c_uni", topic, "*", got);
            got.awaitAll(List.of(m), WAIT);
            got.assertExactlyOnce(List.of(m));
            for (String key : List.of("k-one", "k-two")) { // KEYS is space-separated: one index entry each
                Eventually.await(WAIT, "message found by key " + key, () -> {
                    try {
                        var qr = producer.queryMessage(topic, key, 32, 0, System.currentTimeMillis() + 60_000);
                        return qr.getMessageList().size() == 1 && "uni-1".equals(TestMessages.id(qr.getMessageList().get(0)));
                    } catch (Exception e) {
                        return false;
                    }
                });
            }
        }
    }

    @Test
    void batchOverBrokerMaxMessageSizeIsRefusedLikeJava() throws Exception {
        String topic = topic("p_hugebatch");
        try (Clients clients = new Clients(cluster)) {
            DefaultMQProducer producer = clients.producer("p_hugebatch");
            producer.setMaxMessageSize(8 * 1024 * 1024);
            producer.setRetryTimesWhenSendFailed(0);
            producer.start();
            List<Message> batch = new ArrayList<>();
            for (int i = 0; i < 5; i++) { // 5 x 1 MiB random: the encoded batch is over 4 MiB
                batch.add(TestMessages.build(topic, "hb-" + i, "TagH", null, null, 1024 * 1024));
            }
            MQBrokerException e = assertThrows(MQBrokerException.class, () -> producer.send(batch));
            // CommitLog.MessageExtEncoder.encode(batch): total length over maxMessageSize -> MESSAGE_ILLEGAL
            assertEquals(ResponseCode.MESSAGE_ILLEGAL, e.getResponseCode(), "code; remark: " + e.getErrorMessage());
            assertEquals(String.format("the message is illegal, maybe msg body or properties length not matched."
                + " msg body length limit %dB, msg properties length limit 32KB.", BROKER_MAX_MESSAGE_SIZE),
                e.getErrorMessage());
        }
    }

    @Test
    void asyncSend() throws Exception {
        String topic = topic("p_async");
        try (Clients clients = new Clients(cluster)) {
            DefaultMQProducer producer = clients.startedProducer("p_async");
            List<Message> sent = TestMessages.batch(topic, "async", "TagB", 16);
            List<SendResult> ok = new CopyOnWriteArrayList<>();
            List<Throwable> failed = new CopyOnWriteArrayList<>();
            for (Message m : sent) {
                producer.send(m, new SendCallback() {
                    @Override
                    public void onSuccess(SendResult r) {
                        ok.add(r);
                    }

                    @Override
                    public void onException(Throwable e) {
                        failed.add(e);
                    }
                });
            }
            Eventually.await(WAIT, "all async callbacks", () -> ok.size() + failed.size() == sent.size());
            assertTrue(failed.isEmpty(), "async failures: " + failed);
            ok.forEach(ProducerTest::assertOk);
            Received got = new Received();
            clients.collecting("c_async", topic, "*", got);
            got.awaitAll(sent, WAIT);
            got.assertExactlyOnce(sent);
        }
    }

    @Test
    void onewaySendArrives() throws Exception {
        String topic = topic("p_oneway");
        try (Clients clients = new Clients(cluster)) {
            DefaultMQProducer producer = clients.startedProducer("p_oneway");
            List<Message> sent = TestMessages.batch(topic, "oneway", "TagC", 8);
            for (Message m : sent) {
                producer.sendOneway(m);
            }
            Received got = new Received();
            clients.collecting("c_oneway", topic, "*", got);
            got.awaitAll(sent, WAIT);
            got.assertExactlyOnce(sent);
        }
    }

    @Test
    void batchSend() throws Exception {
        String topic = topic("p_batch");
        try (Clients clients = new Clients(cluster)) {
            DefaultMQProducer producer = clients.startedProducer("p_batch");
            List<Message> sent = new ArrayList<>();
            for (int round = 0; round < 3; round++) {
                List<Message> batch = TestMessages.batch(topic, "batch" + round, "TagD", 10);
                SendResult r = producer.send(batch);
                assertOk(r);
                // one msgId per message of the batch, comma-separated
                assertEquals(batch.size(), r.getMsgId().split(",").length, "msgIds of " + r);
                sent.addAll(batch);
            }
            Received got = new Received();
            clients.collecting("c_batch", topic, "*", got);
            got.awaitAll(sent, WAIT);
            got.assertExactlyOnce(sent);
        }
    }

    @Test
    void selectorKeepsPerKeyOrder() throws Exception {
        String topic = topic("p_order");
        int keys = 4;
        int perKey = 25;
        try (Clients clients = new Clients(cluster)) {
            DefaultMQProducer producer = clients.startedProducer("p_order");
            List<Message> sent = new ArrayList<>();
            for (int i = 0; i < perKey; i++) {
                for (int k = 0; k < keys; k++) {
                    Message m = TestMessages.simple(topic, "order-k" + k + "-" + i, "TagO");
                    m.putUserProperty("orderKey", "k" + k);
                    m.putUserProperty("orderSeq", Integer.toString(i));
                    SendResult r = producer.send(m, (mqs, msg, arg) -> mqs.get(((Integer) arg) % mqs.size()), k);
                    assertOk(r);
                    sent.add(m);
                }
            }
            Received got = new Received();
            Map<String, List<Integer>> seqByKey = new ConcurrentHashMap<>();
            Map<String, MessageQueue> queueByKey = new ConcurrentHashMap<>();
            DefaultMQPushConsumer consumer = clients.pushConsumer("c_order");
            consumer.subscribe(topic, "*");
            consumer.registerMessageListener((MessageListenerOrderly) (msgs, ctx) -> {
                for (MessageExt m : msgs) {
                    String key = m.getUserProperty("orderKey");
                    seqByKey.computeIfAbsent(key, x -> new CopyOnWriteArrayList<>())
                        .add(Integer.parseInt(m.getUserProperty("orderSeq")));
                    queueByKey.putIfAbsent(key, ctx.getMessageQueue());
                    got.add(m);
                }
                return ConsumeOrderlyStatus.SUCCESS;
            });
            consumer.start();
            got.awaitAll(sent, WAIT);
            got.assertExactlyOnce(sent);
            assertEquals(keys, seqByKey.size());
            for (Map.Entry<String, List<Integer>> e : seqByKey.entrySet()) {
                List<Integer> seq = e.getValue();
                for (int i = 0; i < seq.size(); i++) {
                    assertEquals(i, seq.get(i), "order of key " + e.getKey() + ": " + seq);
                }
            }
        }
    }

    @Test
    void delayLevelTwoIsNotConsumedBeforeFiveSeconds() throws Exception {
        String topic = topic("p_delay");
        try (Clients clients = new Clients(cluster)) {
            DefaultMQProducer producer = clients.startedProducer("p_delay");
            Map<String, Long> arrivedAt = new ConcurrentHashMap<>();
            Received got = new Received();
            DefaultMQPushConsumer consumer = clients.pushConsumer("c_delay");
            consumer.subscribe(topic, "*");
            consumer.registerMessageListener((MessageListenerConcurrently) (msgs, ctx) -> {
                long now = System.currentTimeMillis();
                msgs.forEach(m -> arrivedAt.putIfAbsent(TestMessages.id(m), now));
                got.addAll(msgs);
                return ConsumeConcurrentlyStatus.CONSUME_SUCCESS;
            });
            consumer.start();
            List<Message> sent = TestMessages.batch(topic, "delay", "TagL", 3);
            Map<String, Long> sentAt = new ConcurrentHashMap<>();
            for (Message m : sent) {
                m.setDelayTimeLevel(2);
                sentAt.put(TestMessages.id(m), System.currentTimeMillis());
                assertOk(producer.send(m));
            }
            got.awaitAll(sent, WAIT);
            got.assertExactlyOnce(sent);
            for (Message m : sent) {
                String id = TestMessages.id(m);
                long waited = arrivedAt.get(id) - sentAt.get(id);
                // level 2 = 5 s (messageDelayLevel "1s 5s 10s ..."); 100 ms slack for clock granularity
                assertTrue(waited >= 4900, "delayed message " + id + " consumed after only " + waited + " ms");
            }
        }
    }

    @Test
    void fourMiBCompressibleBodyArrivesIntact() throws Exception {
        String topic = topic("p_big");
        try (Clients clients = new Clients(cluster)) {
            DefaultMQProducer producer = clients.startedProducer("p_big");
            // 4 MiB in all (checksum head included): the client's own limit (Validators.checkMessage) is on the
            // uncompressed body, "> maxMessageSize" (4 MiB); it compresses the body before sending.
            Message m = TestMessages.compressible(topic, "big-1", "TagBig", 4 * 1024 * 1024 - 9);
            byte[] original = m.getBody().clone();
            assertOk(producer.send(m));
            Received got = new Received();
            clients.collecting("c_big", topic, "*", got);
            got.awaitAll(List.of(m), WAIT);
            got.assertExactlyOnce(List.of(m));
            assertEquals(original.length, got.get("big-1").get(0).getBody().length);
        }
    }

    @Test
    void bodyOverBrokerMaxMessageSizeIsRefusedLikeJava() throws Exception {
        String topic = topic("p_huge");
        try (Clients clients = new Clients(cluster)) {
            DefaultMQProducer producer = clients.producer("p_huge");
            producer.setMaxMessageSize(8 * 1024 * 1024); // the client lets it through; the broker decides
            producer.setRetryTimesWhenSendFailed(0);
            producer.start();
            // random bytes: compression cannot bring it under the broker's limit
            Message m = TestMessages.build(topic, "huge-1", "TagH", null, null, BROKER_MAX_MESSAGE_SIZE + 1024);
            MQBrokerException e = assertThrows(MQBrokerException.class, () -> producer.send(m));
            // SendMessageProcessor.handlePutMessageResult, PutMessageStatus.MESSAGE_ILLEGAL (4.9.7)
            assertEquals(ResponseCode.MESSAGE_ILLEGAL, e.getResponseCode(), "code; remark: " + e.getErrorMessage());
            assertEquals(String.format("the message is illegal, maybe msg body or properties length not matched."
                + " msg body length limit %dB, msg properties length limit 32KB.", BROKER_MAX_MESSAGE_SIZE),
                e.getErrorMessage());
        }
    }

    private void awaitNoFastChannelConnections() {
        for (String b : cluster.brokerNames()) {
            int fast = cluster.listenPort(b) - 2;
            Eventually.await(WAIT, "no connection left on the fast channel of " + b,
                () -> TcpTable.establishedOn(fast) == 0);
        }
    }

    @Test
    void vipChannelEnabledUsesListenPortMinusTwo() throws Exception {
        awaitNoFastChannelConnections();
        String topic = topic("p_vip");
        try (Clients clients = new Clients(cluster)) {
            DefaultMQProducer producer = clients.producer("p_vip");
            producer.setVipChannelEnabled(true);
            producer.start();
            List<Message> sent = TestMessages.batch(topic, "vip", "TagV", 8);
            List<String> usedBrokers = new ArrayList<>();
            for (Message m : sent) {
                SendResult r = producer.send(m);
                assertOk(r);
                usedBrokers.add(r.getMessageQueue().getBrokerName());
            }
            for (String b : usedBrokers.stream().distinct().toList()) {
                assertTrue(TcpTable.establishedOn(cluster.listenPort(b) - 2) >= 1,
                    "a connection on the fast channel of " + b);
            }
            Received got = new Received();
            clients.collecting("c_vip", topic, "*", got);
            got.awaitAll(sent, WAIT);
            got.assertExactlyOnce(sent);
        }
    }

    @Test
    void vipChannelOffByDefaultUsesListenPort() throws Exception {
        awaitNoFastChannelConnections();
        String topic = topic("p_novip");
        try (Clients clients = new Clients(cluster)) {
            DefaultMQProducer producer = clients.producer("p_novip");
            // 4.9.7 ClientConfig: com.rocketmq.sendMessageWithVIPChannel defaults to "false"
            assertFalse(producer.isVipChannelEnabled(), "4.9.7 default of vipChannelEnabled");
            producer.start();
            List<Message> sent = TestMessages.batch(topic, "novip", "TagN", 8);
            List<String> usedBrokers = new ArrayList<>();
            for (Message m : sent) {
                SendResult r = producer.send(m);
                assertOk(r);
                usedBrokers.add(r.getMessageQueue().getBrokerName());
            }
            for (String b : cluster.brokerNames()) {
                assertEquals(0, TcpTable.establishedOn(cluster.listenPort(b) - 2), "fast-channel connections of " + b);
            }
            for (String b : usedBrokers.stream().distinct().toList()) {
                assertTrue(TcpTable.establishedOn(cluster.listenPort(b)) >= 1, "a connection on listenPort of " + b);
            }
            Received got = new Received();
            clients.collecting("c_novip", topic, "*", got);
            got.awaitAll(sent, WAIT);
            got.assertExactlyOnce(sent);
        }
    }
}
