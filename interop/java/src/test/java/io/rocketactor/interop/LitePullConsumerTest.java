package io.rocketactor.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.apache.rocketmq.client.consumer.DefaultLitePullConsumer;
import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.apache.rocketmq.client.producer.SendResult;
import org.apache.rocketmq.client.producer.SendStatus;
import org.apache.rocketmq.common.message.Message;
import org.apache.rocketmq.common.message.MessageExt;
import org.apache.rocketmq.common.message.MessageQueue;
import org.apache.rocketmq.tools.admin.DefaultMQAdminExt;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** DefaultLitePullConsumer 4.9.7 against rocketactor: subscribe and assign modes, seek, commitSync. */
class LitePullConsumerTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static RocketactorCluster cluster;

    @BeforeAll
    static void up() {
        cluster = RocketactorCluster.startDefault("LitePullConsumerTest");
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

    /** Polls until every message of {@code sent} arrived (bounded by {@link #WAIT}). */
    private static void pollUntil(DefaultLitePullConsumer c, Received into, Collection<Message> sent) {
        Eventually.await(WAIT, "lite pull consumer got " + sent.size() + " messages", () -> {
            into.addAll(c.poll(200));
            return into.hasAll(sent);
        });
    }

    /** UPDATE_CONSUMER_OFFSET on the master of {@code mq}'s broker, as mqadmin's offset tools send it. */
    private static void commitOnMaster(DefaultMQAdminExt admin, String group, MessageQueue mq, long offset)
        throws Exception {
        // synchronous: a refusal of the broker throws MQBrokerException
        admin.updateConsumeOffset(cluster.masterAddr(mq.getBrokerName()), group, mq, offset);
    }

    @Test
    void subscribeModeCommitSyncAndResume() throws Exception {
        String topic = topic("lp_sub");
        try (Clients clients = new Clients(cluster)) {
            DefaultMQProducer p = clients.startedProducer("lp_sub_p");
            List<Message> first = TestMessages.batch(topic, "ls1", "TagA", 20);
            for (Message m : first) {
                assertEquals(SendStatus.SEND_OK, p.send(m).getSendStatus());
            }
            // Default CONSUME_FROM_LAST_OFFSET: a new group on young queues still starts at 0 (Java's
            // ConsumerManageProcessor.queryConsumerOffset answers 0 while offset 0 is not swapped out).
            DefaultLitePullConsumer c1 = clients.litePullConsumer("lp_sub_c");
            String group = c1.getConsumerGroup();
            c1.setAutoCommit(false);
            c1.subscribe(topic, "*");
            c1.start();
            Received run1 = new Received();
            pollUntil(c1, run1, first);
            c1.commitSync();
            // commitSync (4.9.7) commits to the client's offset store; it reaches the broker with the next
            // periodic persist (10 s after start, then every 5 s) or at shutdown
            for (MessageQueue mq : c1.assignment()) {
                long consumedTo = run1.all().stream().filter(m -> m.getQueueId() == mq.getQueueId()
                        && m.getBrokerName().equals(mq.getBrokerName()))
                    .mapToLong(m -> m.getQueueOffset() + 1).max().orElse(0);
                assertEquals(consumedTo, c1.committed(mq), "committed offset of " + mq);
            }
            c1.shutdown();
            DefaultMQAdminExt admin = clients.admin();
            Eventually.await(WAIT, "offsets of " + group + " committed on the brokers",
                () -> Offsets.allCommitted(admin, group, topic));
            run1.assertExactlyOnce(first);

            List<Message> second = TestMessages.batch(topic, "ls2", "TagA", 10);
            for (Message m : second) {
                assertEquals(SendStatus.SEND_OK, p.send(m).getSendStatus());
            }
            DefaultLitePullConsumer c2 = new DefaultLitePullConsumer(group);
            c2.setNamesrvAddr(cluster.namesrvAddr());
            c2.setInstanceName(Clients.unique("inst"));
            clients.onClose(c2::shutdown);
            c2.subscribe(topic, "*");
            c2.start();
            Received run2 = new Received();
            pollUntil(c2, run2, second);
            // every offset of the first run was committed: nothing of it may come again
            run2.assertExactlyOnce(second);
        }
    }

    @Test
    void assignModeSeekAndCommitted() throws Exception {
        String topic = topic("lp_assign");
        try (Clients clients = new Clients(cluster)) {
            DefaultMQProducer p = clients.startedProducer("lp_assign_p");
            List<Message> sent = TestMessages.batch(topic, "la", "TagA", 10);
            MessageQueue target = null;
            for (int i = 0; i < sent.size(); i++) {
                sent.get(i).putUserProperty("seq", Integer.toString(i));
                SendResult r = p.send(sent.get(i), (mqs, msg, arg) -> mqs.get(0), null);
                assertEquals(SendStatus.SEND_OK, r.getSendStatus());
                assertEquals(i, r.getQueueOffset(), "queue offset of message " + i);
                target = r.getMessageQueue();
            }
            DefaultLitePullConsumer c = clients.litePullConsumer("lp_assign_c");
            c.setAutoCommit(false);
            c.start();
            Collection<MessageQueue> all = c.fetchMessageQueues(topic);
            assertEquals(8, all.size(), "queues of " + topic + " over two masters: " + all);
            assertTrue(all.contains(target), target + " in " + all);
            // The Java client's first pull task starts at the group's offset the moment assign() runs;
            // for a never-committed queue whose messages are in memory the broker answers 0 (as
            // Java's ConsumerManageProcessor does), and a pull from 0 already in flight can still
            // hand its messages over after seek() (DefaultLitePullConsumerImpl checks the seek
            // offset without ordering against the new task). Committing the end offset first makes
            // that first pull a long poll at the end, so what follows seek() is what the test checks.
            commitOnMaster(clients.admin(), c.getConsumerGroup(), target, 10);
            c.assign(List.of(target));
            c.seek(target, 4);
            List<Message> expected = sent.subList(4, sent.size());
            Received got = new Received();
            pollUntil(c, got, expected);
            got.assertExactlyOnce(expected);
            List<Long> offsets = new ArrayList<>();
            for (MessageExt m : got.all()) {
                offsets.add(m.getQueueOffset());
                assertEquals(Long.toString(m.getQueueOffset()), m.getUserProperty("seq"), "offset vs seq");
            }
            assertEquals(List.of(4L, 5L, 6L, 7L, 8L, 9L), offsets);
            c.commitSync();
            assertEquals(10L, c.committed(target), "committed offset of " + target);

            // seekToBegin: everything again, from offset 0
            c.seekToBegin(target);
            Received again = new Received();
            pollUntil(c, again, sent);
            again.assertExactlyOnce(sent);
            // seekToEnd: only what is sent afterwards
            c.seekToEnd(target);
            Message later = TestMessages.simple(topic, "la-later", "TagA");
            SendResult lr = p.send(later, (mqs, msg, arg) -> mqs.get(0), null);
            assertEquals(target, lr.getMessageQueue());
            Received tail = new Received();
            pollUntil(c, tail, List.of(later));
            tail.assertExactlyOnce(List.of(later));
            assertEquals(10L, tail.all().get(0).getQueueOffset(), "offset of the message sent after seekToEnd");
        }
    }
}
