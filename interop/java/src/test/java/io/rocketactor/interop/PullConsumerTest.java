package io.rocketactor.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.apache.rocketmq.client.consumer.DefaultMQPullConsumer;
import org.apache.rocketmq.client.consumer.PullResult;
import org.apache.rocketmq.client.consumer.PullStatus;
import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.apache.rocketmq.client.producer.SendStatus;
import org.apache.rocketmq.common.message.Message;
import org.apache.rocketmq.common.message.MessageQueue;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** DefaultMQPullConsumer 4.9.7 against rocketactor: pull, updateConsumeOffset, fetchConsumeOffset. */
@SuppressWarnings("deprecation")
class PullConsumerTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static RocketactorCluster cluster;

    @BeforeAll
    static void up() {
        cluster = RocketactorCluster.startDefault("PullConsumerTest");
    }

    @AfterAll
    static void down() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void pullEveryQueueThenStoreAndFetchTheOffsets() throws Exception {
        String topic = Clients.unique("pull");
        cluster.createTopic(topic, 4);
        try (Clients clients = new Clients(cluster)) {
            DefaultMQProducer p = clients.startedProducer("pull_p");
            List<Message> sent = TestMessages.batch(topic, "pl", "TagA", 24);
            for (Message m : sent) {
                assertEquals(SendStatus.SEND_OK, p.send(m).getSendStatus());
            }
            DefaultMQPullConsumer c = clients.pullConsumer("pull_c");
            c.start();
            Set<MessageQueue> queues = c.fetchSubscribeMessageQueues(topic);
            assertEquals(8, queues.size(), "queues: " + queues);
            Received got = new Received();
            for (MessageQueue mq : queues) {
                long offset = c.fetchConsumeOffset(mq, true);
                assertEquals(0, Math.max(offset, 0), "a new group starts at 0 on " + mq);
                long max = c.maxOffset(mq);
                assertEquals(0, c.minOffset(mq), "min offset of " + mq);
                long next = 0;
                for (int round = 0; round < 100 && next < max; round++) { // bounded
                    PullResult r = c.pull(mq, "*", next, 4);
                    assertEquals(PullStatus.FOUND, r.getPullStatus(), "pull at " + next + " of " + mq);
                    got.addAll(r.getMsgFoundList());
                    assertEquals(next + r.getMsgFoundList().size(), r.getNextBeginOffset(), "next offset");
                    assertEquals(max, r.getMaxOffset(), "max offset in the pull result");
                    next = r.getNextBeginOffset();
                }
                assertEquals(max, next, "pulled " + mq + " to its end");
                // at the end: nothing new, the offset stays
                PullResult end = c.pull(mq, "*", max, 4);
                assertEquals(PullStatus.NO_NEW_MSG, end.getPullStatus(), "pull at max of " + mq);
                assertEquals(max, end.getNextBeginOffset());
                // beyond the end: OFFSET_ILLEGAL (PULL_OFFSET_MOVED), corrected to the max offset on a master
                PullResult over = c.pull(mq, "*", max + 10, 4);
                assertEquals(PullStatus.OFFSET_ILLEGAL, over.getPullStatus(), "pull beyond max of " + mq);
                assertEquals(max, over.getNextBeginOffset(), "corrected offset after an overflow");
                c.updateConsumeOffset(mq, next);
                c.getOffsetStore().persist(mq);
            }
            got.assertExactlyOnce(sent);
            for (MessageQueue mq : queues) {
                long max = c.maxOffset(mq);
                Eventually.await(WAIT, "stored offset of " + mq + " reaches " + max, () -> {
                    try {
                        return c.fetchConsumeOffset(mq, true) == max;
                    } catch (Exception e) {
                        return false;
                    }
                });
            }
            // another client of the same group reads the stored offsets from the broker
            DefaultMQPullConsumer other = new DefaultMQPullConsumer(c.getConsumerGroup());
            other.setNamesrvAddr(cluster.namesrvAddr());
            other.setInstanceName(Clients.unique("inst"));
            clients.onClose(other::shutdown);
            other.start();
            for (MessageQueue mq : queues) {
                assertEquals(c.maxOffset(mq), other.fetchConsumeOffset(mq, true), "offset of " + mq + " seen by another client");
            }
        }
    }
}
