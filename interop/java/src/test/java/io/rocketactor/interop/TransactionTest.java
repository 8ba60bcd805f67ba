package io.rocketactor.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.rocketmq.client.producer.LocalTransactionState;
import org.apache.rocketmq.client.producer.SendStatus;
import org.apache.rocketmq.client.producer.TransactionListener;
import org.apache.rocketmq.client.producer.TransactionMQProducer;
import org.apache.rocketmq.client.producer.TransactionSendResult;
import org.apache.rocketmq.common.message.Message;
import org.apache.rocketmq.common.message.MessageExt;
import org.apache.rocketmq.tools.admin.DefaultMQAdminExt;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * TransactionMQProducer 4.9.7 against rocketactor: commit, rollback, and unknown resolved by the
 * broker's check-back; consumers see the committed messages only, exactly once.
 */
class TransactionTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static RocketactorCluster cluster;

    @BeforeAll
    static void up() {
        // check-back soon (Java defaults: first check after 6 s, then every 60 s)
        cluster = RocketactorCluster.builder("TransactionTest")
            .brokerProperty("transactionTimeOut", "1000")
            .brokerProperty("transactionCheckInterval", "1000")
            .start();
    }

    @AfterAll
    static void down() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    @ExpectedFailure("END_TRANSACTION (37) and CHECK_TRANSACTION_STATE (39) are not implemented (half messages)")
    void commitRollbackAndCheckBack() throws Exception {
        String topic = Clients.unique("tx");
        cluster.createTopic(topic, 4);
        try (Clients clients = new Clients(cluster)) {
            Map<String, AtomicInteger> checks = new ConcurrentHashMap<>();
            TransactionMQProducer p = clients.transactionProducer("tx_p");
            p.setTransactionListener(new TransactionListener() {
                @Override
                public LocalTransactionState executeLocalTransaction(Message msg, Object arg) {
                    String id = TestMessages.id(msg);
                    if (id.startsWith("commit")) {
                        return LocalTransactionState.COMMIT_MESSAGE;
                    }
                    if (id.startsWith("rollback")) {
                        return LocalTransactionState.ROLLBACK_MESSAGE;
                    }
                    return LocalTransactionState.UNKNOW;
                }

                @Override
                public LocalTransactionState checkLocalTransaction(MessageExt msg) {
                    String id = TestMessages.id(msg);
                    checks.computeIfAbsent(id, k -> new AtomicInteger()).incrementAndGet();
                    return id.startsWith("unknown") ? LocalTransactionState.COMMIT_MESSAGE
                        : LocalTransactionState.ROLLBACK_MESSAGE;
                }
            });
            p.start();
            List<Message> committed = new ArrayList<>();
            for (String kind : List.of("commit", "rollback", "unknown")) {
                for (int i = 0; i < 4; i++) {
                    Message m = TestMessages.simple(topic, kind + "-" + i, "TagT");
                    TransactionSendResult r = p.sendMessageInTransaction(m, null);
                    assertEquals(SendStatus.SEND_OK, r.getSendStatus(), "half message " + kind + "-" + i);
                    assertEquals(kind.equals("commit") ? LocalTransactionState.COMMIT_MESSAGE
                            : kind.equals("rollback") ? LocalTransactionState.ROLLBACK_MESSAGE
                            : LocalTransactionState.UNKNOW, r.getLocalTransactionState());
                    if (!kind.equals("rollback")) {
                        committed.add(m);
                    }
                }
            }
            Received got = new Received();
            var consumer = clients.collecting("tx_c", topic, "*", got);
            got.awaitAll(committed, WAIT);
            consumer.shutdown(); // commits its offsets
            DefaultMQAdminExt admin = clients.admin();
            Eventually.await(WAIT, "offsets committed to the end", () ->
                Offsets.allCommitted(admin, consumer.getConsumerGroup(), topic));
            got.assertExactlyOnce(committed);
            for (int i = 0; i < 4; i++) {
                assertTrue(checks.getOrDefault("unknown-" + i, new AtomicInteger()).get() >= 1,
                    "the broker checked back unknown-" + i + ": " + checks);
            }
        }
    }
}
