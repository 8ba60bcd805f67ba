package io.rocketactor.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.apache.rocketmq.client.consumer.DefaultMQPullConsumer;
import org.apache.rocketmq.client.consumer.PullResult;
import org.apache.rocketmq.client.consumer.PullStatus;
import org.apache.rocketmq.client.exception.MQClientException;
import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.apache.rocketmq.client.producer.SendStatus;
import org.apache.rocketmq.common.message.Message;
import org.apache.rocketmq.common.message.MessageQueue;
import org.apache.rocketmq.remoting.exception.RemotingException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * TLS enforcing on every port (docs/tls.md): the Java 4.9.7 client with {@code setUseTLS(true)}
 * and its default {@code tls.test.mode.enable=true} (trusts the nodes' self-signed
 * certificates, as against a Java broker) sends and consumes; a plaintext Java client is
 * refused (the name server closes its connection, so it never gets a route).
 */
@SuppressWarnings("deprecation")
class TlsTest {
    private static final String NODE = "broker-tls";
    private static final String TOPIC = "tlsTopic";
    private static RocketactorCluster cluster;

    @BeforeAll
    static void up() {
        cluster = RocketactorCluster.builder("TlsTest").broker(BrokerSpec.asyncMaster(NODE)).tls("enforcing")
            .start();
        cluster.createTopic(TOPIC, 2);
    }

    @AfterAll
    static void down() {
        if (cluster != null) {
            cluster.close();
        }
    }

    private static DefaultMQProducer producer(Clients clients, boolean tls) throws MQClientException {
        DefaultMQProducer p = new DefaultMQProducer(Clients.unique("tls_p"));
        p.setNamesrvAddr(cluster.namesrvAddr());
        p.setInstanceName(Clients.unique("inst"));
        p.setUseTLS(tls);
        p.setRetryTimesWhenSendFailed(0);
        p.setSendMsgTimeout(3000);
        clients.onClose(p::shutdown);
        p.start();
        return p;
    }

    @Test
    void tlsClientSendsAndConsumes() throws Exception {
        try (Clients clients = new Clients(cluster)) {
            DefaultMQProducer p = producer(clients, true);
            for (int i = 0; i < 10; i++) {
                assertEquals(SendStatus.SEND_OK,
                    p.send(new Message(TOPIC, "TagA", ("tls-" + i).getBytes())).getSendStatus());
            }
            DefaultMQPullConsumer c = new DefaultMQPullConsumer(Clients.unique("tls_c"));
            c.setNamesrvAddr(cluster.namesrvAddr());
            c.setInstanceName(Clients.unique("inst"));
            c.setUseTLS(true);
            clients.onClose(c::shutdown);
            c.start();
            int found = 0;
            for (MessageQueue mq : c.fetchSubscribeMessageQueues(TOPIC)) {
                PullResult r = c.pull(mq, "*", 0, 32);
                if (r.getPullStatus() == PullStatus.FOUND) {
                    found += r.getMsgFoundList().size();
                }
            }
            assertEquals(10, found, "every message pulled back over TLS");
        }
    }

    @Test
    void plaintextClientIsRefused() throws Exception {
        try (Clients clients = new Clients(cluster)) {
            DefaultMQProducer p = producer(clients, false);
            // As against a Java broker: the name server closes the plaintext connection, the
            // route lookup fails with a remoting exception (wrapped as the 4.9.7 client does).
            Exception e = assertThrows(Exception.class,
                () -> p.send(new Message(TOPIC, "TagA", "plain".getBytes())));
            boolean remoting = false;
            for (Throwable t = e; t != null; t = t.getCause()) {
                remoting |= t instanceof RemotingException || t instanceof MQClientException;
            }
            assertTrue(remoting, "refused at the remoting level: " + e);
        }
    }
}
