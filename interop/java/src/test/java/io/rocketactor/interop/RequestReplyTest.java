package io.rocketactor.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.nio.charset.StandardCharsets;
import org.apache.rocketmq.client.consumer.DefaultMQPushConsumer;
import org.apache.rocketmq.client.consumer.listener.ConsumeConcurrentlyStatus;
import org.apache.rocketmq.client.consumer.listener.MessageListenerConcurrently;
import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.apache.rocketmq.client.utils.MessageUtil;
import org.apache.rocketmq.common.message.Message;
import org.apache.rocketmq.common.message.MessageConst;
import org.apache.rocketmq.common.message.MessageExt;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** DefaultMQProducer.request 4.9.7 answered by a consumer with MessageUtil.createReplyMessage. */
class RequestReplyTest {
    private static RocketactorCluster cluster;

    @BeforeAll
    static void up() {
        cluster = RocketactorCluster.startDefault("RequestReplyTest");
    }

    @AfterAll
    static void down() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void requestIsAnsweredByTheConsumersReply() throws Exception {
        String topic = Clients.unique("rr");
        cluster.createTopic(topic, 4);
        try (Clients clients = new Clients(cluster)) {
            DefaultMQProducer replier = clients.startedProducer("rr_replier");
            DefaultMQPushConsumer c = clients.pushConsumer("rr_c");
            c.subscribe(topic, "*");
            c.registerMessageListener((MessageListenerConcurrently) (msgs, ctx) -> {
                for (MessageExt m : msgs) {
                    try {
                        byte[] answer = ("reply to " + TestMessages.id(m)).getBytes(StandardCharsets.UTF_8);
                        Message reply = MessageUtil.createReplyMessage(m, answer);
                        replier.send(reply, 5000);
                    } catch (Exception e) {
                        return ConsumeConcurrentlyStatus.RECONSUME_LATER;
                    }
                }
                return ConsumeConcurrentlyStatus.CONSUME_SUCCESS;
            });
            c.start();
            DefaultMQProducer requester = clients.startedProducer("rr_requester");
            for (int i = 0; i < 3; i++) {
                Message req = TestMessages.simple(topic, "req-" + i, "TagR");
                Message reply = requester.request(req, 10_000);
                assertNotNull(reply, "reply to req-" + i);
                assertEquals("reply to req-" + i, new String(reply.getBody(), StandardCharsets.UTF_8));
                assertEquals(req.getProperty(MessageConst.PROPERTY_CORRELATION_ID),
                    reply.getProperty(MessageConst.PROPERTY_CORRELATION_ID), "correlation id");
            }
        }
    }
}
