package io.rocketactor.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
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
 * round-trips through it, and a broker can be stopped and started again on the same ports.
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
    void messageRoundTripsAndBrokerRestartsOnSamePorts() throws Exception {
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
            received.assertAtLeastOnce(sent);
        }
        int port = cluster.listenPort("broker-b");
        long pid = cluster.brokerPid("broker-b");
        cluster.stopBroker("broker-b");
        assertFalse(cluster.brokerAlive("broker-b"));
        cluster.startBroker("broker-b");
        assertTrue(cluster.brokerAlive("broker-b"));
        assertEquals(port, cluster.listenPort("broker-b"));
        assertNotEquals(pid, cluster.brokerPid("broker-b"));
    }
}
