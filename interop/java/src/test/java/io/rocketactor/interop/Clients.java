package io.rocketactor.interop;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.rocketmq.client.consumer.DefaultLitePullConsumer;
import org.apache.rocketmq.client.consumer.DefaultMQPullConsumer;
import org.apache.rocketmq.client.consumer.DefaultMQPushConsumer;
import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.apache.rocketmq.client.producer.TransactionMQProducer;
import org.apache.rocketmq.tools.admin.DefaultMQAdminExt;

/**
 * Java client objects for the tests. Every object gets a unique instance name (the Java client
 * shares one MQClientInstance per ip@instanceName in a JVM) and, through {@link #unique}, a
 * unique group name. A {@code Clients} scope shuts down everything it created, in reverse order:
 * {@code try (Clients c = new Clients(cluster)) { ... }}.
 */
public final class Clients implements AutoCloseable {
    private static final AtomicLong SEQ = new AtomicLong();
    private static final String RUN = Long.toString(ProcessHandle.current().pid(), 36)
        + Long.toString(System.currentTimeMillis() % 1_000_000, 36);

    private final RocketactorCluster cluster;
    private final Deque<Runnable> shutdowns = new ArrayDeque<>();

    public Clients(RocketactorCluster cluster) {
        this.cluster = cluster;
    }

    /** A name unique in this JVM run and across runs: prefix_run_seq (topic/group-safe characters). */
    public static String unique(String prefix) {
        return prefix + "_" + RUN + "_" + SEQ.incrementAndGet();
    }

    /** A started admin client on {@code namesrvAddr}, VIP channel off. The caller shuts it down. */
    public static DefaultMQAdminExt newAdmin(String namesrvAddr) {
        return newAdmin(namesrvAddr, null);
    }

    /** The same, signing every request with {@code hook} when not null (ACL). */
    public static DefaultMQAdminExt newAdmin(String namesrvAddr, org.apache.rocketmq.remoting.RPCHook hook) {
        return newAdmin(namesrvAddr, hook, false);
    }

    /** The same, over TLS when {@code useTls} (a cluster in TLS enforcing mode, docs/tls.md). */
    public static DefaultMQAdminExt newAdmin(String namesrvAddr, org.apache.rocketmq.remoting.RPCHook hook,
        boolean useTls) {
        DefaultMQAdminExt a = hook == null ? new DefaultMQAdminExt(5000) : new DefaultMQAdminExt(hook, 5000);
        a.setUseTLS(useTls);
        a.setNamesrvAddr(namesrvAddr);
        a.setInstanceName(unique("admin"));
        a.setAdminExtGroup(unique("admin_group"));
        a.setVipChannelEnabled(false);
        try {
            a.start();
        } catch (Exception e) {
            throw new IllegalStateException("cannot start an admin client on " + namesrvAddr, e);
        }
        return a;
    }

    /** Runs a shutdown, ignoring what it throws (used at teardown only). */
    public static void quietly(Runnable r) {
        try {
            r.run();
        } catch (RuntimeException ignored) {
            // teardown: nothing useful to do
        }
    }

    /** A producer (not started) with a unique group; shut down when this scope closes. */
    public DefaultMQProducer producer(String prefix) {
        DefaultMQProducer p = new DefaultMQProducer(unique(prefix));
        p.setNamesrvAddr(cluster.namesrvAddr());
        p.setInstanceName(unique("inst"));
        shutdowns.push(p::shutdown);
        return p;
    }

    /** A producer started right away. */
    public DefaultMQProducer startedProducer(String prefix) {
        DefaultMQProducer p = producer(prefix);
        start(p::start, "producer " + p.getProducerGroup());
        return p;
    }

    public TransactionMQProducer transactionProducer(String prefix) {
        TransactionMQProducer p = new TransactionMQProducer(unique(prefix));
        p.setNamesrvAddr(cluster.namesrvAddr());
        p.setInstanceName(unique("inst"));
        shutdowns.push(p::shutdown);
        return p;
    }

    /** A push consumer (not started) with a unique group, consuming from the first offset. */
    public DefaultMQPushConsumer pushConsumer(String prefix) {
        return pushConsumer(unique(prefix), true);
    }

    /** A push consumer of a given group (e.g. to restart "the same" consumer); registers its shutdown. */
    public DefaultMQPushConsumer pushConsumer(String group, boolean fromFirst) {
        DefaultMQPushConsumer c = new DefaultMQPushConsumer(group);
        c.setNamesrvAddr(cluster.namesrvAddr());
        c.setInstanceName(unique("inst"));
        // commit offsets every second instead of 5 s (the client's first periodic commit still comes 10 s
        // after its start; shutdown() commits at once)
        c.setPersistConsumerOffsetInterval(1000);
        if (fromFirst) {
            c.setConsumeFromWhere(org.apache.rocketmq.common.consumer.ConsumeFromWhere.CONSUME_FROM_FIRST_OFFSET);
        }
        shutdowns.push(c::shutdown);
        return c;
    }

    /**
     * A started concurrent push consumer (unique group, from the first offset) of
     * {@code topic}/{@code subExpression} that adds every message to {@code into}.
     */
    public DefaultMQPushConsumer collecting(String prefix, String topic, String subExpression, Received into) {
        DefaultMQPushConsumer c = pushConsumer(prefix);
        start(() -> {
            c.subscribe(topic, subExpression);
            c.registerMessageListener((org.apache.rocketmq.client.consumer.listener.MessageListenerConcurrently)
                (msgs, ctx) -> {
                    into.addAll(msgs);
                    return org.apache.rocketmq.client.consumer.listener.ConsumeConcurrentlyStatus.CONSUME_SUCCESS;
                });
            c.start();
        }, "push consumer " + c.getConsumerGroup());
        return c;
    }

    public DefaultLitePullConsumer litePullConsumer(String prefix) {
        DefaultLitePullConsumer c = new DefaultLitePullConsumer(unique(prefix));
        c.setNamesrvAddr(cluster.namesrvAddr());
        c.setInstanceName(unique("inst"));
        shutdowns.push(c::shutdown);
        return c;
    }

    @SuppressWarnings("deprecation")
    public DefaultMQPullConsumer pullConsumer(String prefix) {
        DefaultMQPullConsumer c = new DefaultMQPullConsumer(unique(prefix));
        c.setNamesrvAddr(cluster.namesrvAddr());
        c.setInstanceName(unique("inst"));
        shutdowns.push(c::shutdown);
        return c;
    }

    /** A started admin client on both name servers; shut down when this scope closes. */
    public DefaultMQAdminExt admin() {
        DefaultMQAdminExt a = newAdmin(cluster.namesrvAddr());
        shutdowns.push(a::shutdown);
        return a;
    }

    /** Registers any other teardown step. */
    public void onClose(Runnable r) {
        shutdowns.push(r);
    }

    /** Starts a client, turning its checked exception into an unchecked one naming it. */
    public static void start(ThrowingRunnable r, String what) {
        try {
            r.run();
        } catch (Exception e) {
            throw new IllegalStateException("cannot start " + what, e);
        }
    }

    /** A Runnable that may throw (client start methods throw MQClientException). */
    @FunctionalInterface
    public interface ThrowingRunnable {
        void run() throws Exception;
    }

    @Override
    public void close() {
        while (!shutdowns.isEmpty()) {
            quietly(shutdowns.pop());
        }
    }
}
