package io.rocketactor.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.rocketmq.client.QueryResult;
import org.apache.rocketmq.client.consumer.DefaultMQPushConsumer;
import org.apache.rocketmq.client.consumer.listener.ConsumeConcurrentlyStatus;
import org.apache.rocketmq.client.consumer.listener.MessageListenerConcurrently;
import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.apache.rocketmq.client.producer.SendResult;
import org.apache.rocketmq.client.producer.SendStatus;
import org.apache.rocketmq.client.trace.TraceBean;
import org.apache.rocketmq.client.trace.TraceContext;
import org.apache.rocketmq.client.trace.TraceDataEncoder;
import org.apache.rocketmq.client.trace.TraceType;
import org.apache.rocketmq.common.message.Message;
import org.apache.rocketmq.common.message.MessageExt;
import org.apache.rocketmq.common.topic.TopicValidator;
import org.apache.rocketmq.tools.admin.DefaultMQAdminExt;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Message traces (enableMsgTrace=true on producer and consumer): the Pub, SubBefore and SubAfter
 * records of each message are found again the way mqadmin queryMsgTraceById does
 * (QueryMsgTraceByIdSubCommand: queryMessage on RMQ_SYS_TRACE_TOPIC by the msgId key, then
 * TraceDataEncoder.decoderFromTraceDataString).
 */
class TraceTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String TRACE_TOPIC = TopicValidator.RMQ_SYS_TRACE_TOPIC;
    private static RocketactorCluster cluster;

    @BeforeAll
    static void up() {
        // as a traced Java deployment runs: the brokers create RMQ_SYS_TRACE_TOPIC at start
        cluster = RocketactorCluster.builder("TraceTest").brokerProperty("traceTopicEnable", "true").start();
    }

    @AfterAll
    static void down() {
        if (cluster != null) {
            cluster.close();
        }
    }

    /** All trace contexts stored for {@code msgId}, as QueryMsgTraceByIdSubCommand reads them. */
    private static List<TraceContext> traces(DefaultMQAdminExt admin, String msgId) {
        List<TraceContext> out = new ArrayList<>();
        try {
            QueryResult qr = admin.queryMessage(TRACE_TOPIC, msgId, 64, 0, System.currentTimeMillis() + 60_000);
            for (MessageExt m : qr.getMessageList()) {
                for (TraceContext ctx : TraceDataEncoder.decoderFromTraceDataString(
                    new String(m.getBody(), StandardCharsets.UTF_8))) {
                    for (TraceBean b : ctx.getTraceBeans()) {
                        if (msgId.equals(b.getMsgId())) {
                            out.add(ctx);
                            break;
                        }
                    }
                }
            }
        } catch (Exception e) {
            return List.of();
        }
        return out;
    }

    @Test
    void pubAndSubTracesAreFoundByMsgId() throws Exception {
        String topic = Clients.unique("trace");
        cluster.createTopic(topic, 4);
        try (Clients clients = new Clients(cluster)) {
            DefaultMQProducer p = new DefaultMQProducer(Clients.unique("trace_p"), true);
            p.setNamesrvAddr(cluster.namesrvAddr());
            p.setInstanceName(Clients.unique("inst"));
            clients.onClose(p::shutdown);
            p.start();
            String group = Clients.unique("trace_c");
            DefaultMQPushConsumer c = new DefaultMQPushConsumer(group, true);
            c.setNamesrvAddr(cluster.namesrvAddr());
            c.setInstanceName(Clients.unique("inst"));
            clients.onClose(c::shutdown);
            Received got = new Received();
            c.subscribe(topic, "*");
            c.registerMessageListener((MessageListenerConcurrently) (msgs, ctx) -> {
                got.addAll(msgs);
                return ConsumeConcurrentlyStatus.CONSUME_SUCCESS;
            });
            c.start();

            List<Message> sent = TestMessages.batch(topic, "tr", "TagT", 3);
            Map<String, SendResult> results = new ConcurrentHashMap<>();
            for (Message m : sent) {
                SendResult r = p.send(m);
                assertEquals(SendStatus.SEND_OK, r.getSendStatus());
                results.put(r.getMsgId(), r);
            }
            got.awaitAll(sent, WAIT);
            got.assertExactlyOnce(sent);

            DefaultMQAdminExt admin = clients.admin();
            for (Map.Entry<String, SendResult> e : results.entrySet()) {
                String msgId = e.getKey();
                List<TraceContext> found = new ArrayList<>();
                Eventually.await(WAIT, "Pub, SubBefore and SubAfter traces of " + msgId, () -> {
                    found.clear();
                    found.addAll(traces(admin, msgId));
                    return found.stream().map(TraceContext::getTraceType).distinct().count() == 3;
                });
                TraceContext pub = found.stream().filter(t -> t.getTraceType() == TraceType.Pub).findFirst()
                    .orElseThrow();
                assertEquals(p.getProducerGroup(), pub.getGroupName(), "Pub group");
                assertTrue(pub.isSuccess(), "Pub success");
                TraceBean bean = pub.getTraceBeans().get(0);
                assertEquals(topic, bean.getTopic(), "Pub topic");
                assertEquals("TagT", bean.getTags(), "Pub tags");
                assertEquals(e.getValue().getOffsetMsgId(), bean.getOffsetMsgId(), "Pub offsetMsgId");
                TraceContext after = found.stream().filter(t -> t.getTraceType() == TraceType.SubAfter).findFirst()
                    .orElseThrow();
                assertEquals(group, after.getGroupName(), "SubAfter group");
                assertTrue(after.isSuccess(), "SubAfter success");
                TraceContext before = found.stream().filter(t -> t.getTraceType() == TraceType.SubBefore)
                    .findFirst().orElseThrow();
                assertEquals(group, before.getGroupName(), "SubBefore group");
            }
        }
    }
}
