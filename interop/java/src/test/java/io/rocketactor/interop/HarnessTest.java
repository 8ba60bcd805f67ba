package io.rocketactor.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import org.apache.rocketmq.client.consumer.listener.ConsumeConcurrentlyStatus;
import org.apache.rocketmq.client.consumer.listener.MessageListenerConcurrently;
import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.apache.rocketmq.client.producer.SendResult;
import org.apache.rocketmq.client.producer.SendStatus;
import org.apache.rocketmq.client.consumer.DefaultMQPushConsumer;
import org.apache.rocketmq.common.message.Message;
import org.apache.rocketmq.common.protocol.body.ClusterInfo;
import org.apache.rocketmq.common.protocol.route.BrokerData;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The harness itself: the default topology comes up registered in both name servers, a message
 * round-trips through it, a broker can be stopped (SIGTERM) or killed (SIGKILL) and started again
 * on the same ports and store, and a missing binary is reported clearly.
 */
class HarnessTest {
    private static RocketactorCluster cluster;

    @BeforeAll
    static void up() {
        cluster = RocketactorCluster.startDefault("HarnessTest");
    }

    @AfterAll
    static void down() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void defaultTopologyIsRegisteredInBothNameServers() throws Exception {
        List<String> ns = cluster.namesrvAddrs();
        assertEquals(2, ns.size());
        assertNotEquals(ns.get(0), ns.get(1));
        assertEquals(ns.get(0) + ";" + ns.get(1), cluster.namesrvAddr());
        for (String one : ns) {
            var admin = Clients.newAdmin(one);
            try {
                ClusterInfo info = admin.examineBrokerClusterInfo();
                assertEquals(java.util.Set.of("broker-a", "broker-b"),
                    info.getClusterAddrTable().get(RocketactorCluster.CLUSTER_NAME));
                BrokerData a = info.getBrokerAddrTable().get("broker-a");
                assertEquals(cluster.brokerAddr("broker-a"), a.getBrokerAddrs().get(0L));
                assertEquals(cluster.brokerAddr("broker-a-s"), a.getBrokerAddrs().get(1L));
                assertEquals(cluster.brokerAddr("broker-b"),
                    info.getBrokerAddrTable().get("broker-b").getBrokerAddrs().get(0L));
            } finally {
                admin.shutdown();
            }
        }
    }

    @Test
    void messageRoundTrips() throws Exception {
        String topic = Clients.unique("harness");
        cluster.createTopic(topic, 2);
        try (Clients clients = new Clients(cluster)) {
            DefaultMQProducer producer = clients.startedProducer("harness_p");
            List<Message> sent = TestMessages.batch(topic, "h", "TagA", 6);
            for (Message m : sent) {
                SendResult r = producer.send(m);
                assertEquals(SendStatus.SEND_OK, r.getSendStatus());
            }
            Received received = new Received();
            DefaultMQPushConsumer consumer = clients.pushConsumer("harness_c");
            consumer.subscribe(topic, "*");
            consumer.registerMessageListener((MessageListenerConcurrently) (msgs, ctx) -> {
                received.addAll(msgs);
                return ConsumeConcurrentlyStatus.CONSUME_SUCCESS;
            });
            consumer.start();
            received.awaitAll(sent, Duration.ofSeconds(60));
            received.assertExactlyOnce(sent);
        }
    }

    @Test
    void stoppedAndKilledBrokersRestartOnTheirPortsWithTheirMessages() throws Exception {
        try (RocketactorCluster own = RocketactorCluster.startDefault("HarnessTest-restart");
             Clients clients = new Clients(own)) {
            String topic = Clients.unique("harness_restart");
            own.createTopic(topic, 2);
            DefaultMQProducer producer = clients.startedProducer("harness_rp");
            List<Message> sent = TestMessages.batch(topic, "hr", "TagA", 6);
            for (Message m : sent) {
                // all on broker-b (ASYNC_MASTER + ASYNC_FLUSH)
                SendResult r = producer.send(m, (mqs, msg, arg) -> mqs.stream()
                    .filter(q -> q.getBrokerName().equals("broker-b")).findFirst().orElseThrow(), null);
                assertEquals(SendStatus.SEND_OK, r.getSendStatus());
            }
            int port = own.listenPort("broker-b");
            long pid = own.brokerPid("broker-b");
            assertEquals(0, own.stopBroker("broker-b"), "exit code after SIGTERM");
            assertFalse(own.brokerAlive("broker-b"));
            own.startBroker("broker-b");
            assertTrue(own.brokerAlive("broker-b"));
            assertEquals(port, own.listenPort("broker-b"));
            long pid2 = own.brokerPid("broker-b");
            assertNotEquals(pid, pid2);
            own.killBroker("broker-b"); // kill -9: the page cache keeps what was written
            assertFalse(own.brokerAlive("broker-b"));
            own.startBroker("broker-b");
            assertNotEquals(pid2, own.brokerPid("broker-b"));
            // the SYNC_MASTER comes back and its slave attaches again: sends to broker-a succeed
            own.stopBroker("broker-a");
            own.startBroker("broker-a");
            Message onA = TestMessages.simple(topic, "hr-a", "TagA");
            // startBroker returned once the slave attached: no SLAVE_NOT_AVAILABLE
            SendResult ra = producer.send(onA, (mqs, msg, arg) -> mqs.stream()
                .filter(q -> q.getBrokerName().equals("broker-a")).findFirst().orElseThrow(), null);
            assertEquals(SendStatus.SEND_OK, ra.getSendStatus(), "send to the restarted broker-a: " + ra);
            sent = new java.util.ArrayList<>(sent);
            sent.add(onA);
            Received received = new Received();
            clients.collecting("harness_rc", topic, "*", received);
            received.awaitAll(sent, Duration.ofSeconds(60));
            received.assertExactlyOnce(sent);
        }
    }

    @Test
    void aMissingBinaryFailsWithAClearMessage() {
        String before = System.getProperty("rocketactor.bin");
        System.setProperty("rocketactor.bin", "/nonexistent/rocketactor");
        try {
            IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> RocketactorCluster.startDefault("HarnessTest-missing"));
            assertTrue(e.getMessage().startsWith("rocketactor binary not found or not executable: /nonexistent/rocketactor"),
                e.getMessage());
        } finally {
            if (before == null) {
                System.clearProperty("rocketactor.bin");
            } else {
                System.setProperty("rocketactor.bin", before);
            }
        }
    }
}
