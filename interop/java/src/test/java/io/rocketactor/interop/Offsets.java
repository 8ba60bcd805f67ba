package io.rocketactor.interop;

import java.util.Map;
import org.apache.rocketmq.client.consumer.DefaultMQPushConsumer;
import org.apache.rocketmq.common.admin.ConsumeStats;
import org.apache.rocketmq.common.admin.OffsetWrapper;
import org.apache.rocketmq.common.message.MessageQueue;
import org.apache.rocketmq.tools.admin.DefaultMQAdminExt;

/**
 * Consumer-side progress as the broker and the client see it: committed offsets (through the
 * admin GET_CONSUME_STATS view, as mqadmin consumerProgress reads them) and a push consumer's
 * rebalanced queues.
 */
public final class Offsets {
    private Offsets() {
    }

    /** Whether the broker's committed offset of {@code group} reached the max offset of every queue of {@code topic}. */
    public static boolean allCommitted(DefaultMQAdminExt admin, String group, String topic) {
        try {
            ConsumeStats stats = admin.examineConsumeStats(group, topic);
            long queues = 0;
            for (Map.Entry<MessageQueue, OffsetWrapper> e : stats.getOffsetTable().entrySet()) {
                if (!e.getKey().getTopic().equals(topic)) {
                    continue;
                }
                queues++;
                if (e.getValue().getConsumerOffset() < e.getValue().getBrokerOffset()) {
                    return false;
                }
            }
            return queues > 0;
        } catch (Exception e) {
            return false;
        }
    }

    /** Number of queues of {@code topic} this push consumer currently owns after rebalancing. */
    public static long ownedQueues(DefaultMQPushConsumer c, String topic) {
        return c.getDefaultMQPushConsumerImpl().getRebalanceImpl().getProcessQueueTable().keySet().stream()
            .filter(mq -> mq.getTopic().equals(topic)).count();
    }
}
