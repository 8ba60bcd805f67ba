package io.rocketactor.interop.mqadmin;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import io.rocketactor.interop.Eventually;
import io.rocketactor.interop.RocketactorCluster;
import org.apache.rocketmq.client.consumer.DefaultMQPushConsumer;
import org.apache.rocketmq.client.consumer.listener.ConsumeConcurrentlyStatus;
import org.apache.rocketmq.client.consumer.listener.MessageListenerConcurrently;
import org.apache.rocketmq.client.consumer.rebalance.AllocateMessageQueueAveragely;
import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.apache.rocketmq.client.producer.SendResult;
import org.apache.rocketmq.client.producer.SendStatus;
import org.apache.rocketmq.common.admin.ConsumeStats;
import org.apache.rocketmq.common.admin.OffsetWrapper;
import org.apache.rocketmq.common.consumer.ConsumeFromWhere;
import org.apache.rocketmq.common.message.Message;
import org.apache.rocketmq.common.message.MessageExt;
import org.apache.rocketmq.common.protocol.route.QueueData;
import org.apache.rocketmq.common.protocol.route.TopicRouteData;
import org.apache.rocketmq.tools.admin.DefaultMQAdminExt;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The one cluster every {@code MqAdmin*Test} class shares (the harness's default topology:
 * broker-a SYNC_MASTER + its slave broker-a-s, broker-b ASYNC_MASTER, two name servers), started
 * by the first class that needs it and closed once at the end of the run (a root-store
 * resource). Tests keep out of each other's way with unique topic and group names. Also the
 * helpers the tests share: running a sub-command with {@code -n}, producers and push consumers
 * with unique instance names, waiting for routes.
 */
public final class MqAdminEnv implements ExtensionContext.Store.CloseableResource {
    public static final Duration WAIT = Duration.ofSeconds(30);
    private static final String RUN = Long.toString(System.currentTimeMillis() % 100000);
    private static final AtomicLong SEQ = new AtomicLong();
    private static volatile MqAdminEnv current;
    /** plain_acl.yml of every broker: Java's default admin account. */
    static final String ACL_YML = "accounts:\n  - accessKey: rocketmq2\n    secretKey: 12345678\n    admin: true\n";

    public final RocketactorCluster cluster;
    public final String namesrv;
    public final String clusterName;
    /** Broker names and addresses of the cluster, from the harness. */
    public final String brokerA = "broker-a";
    public final String brokerB = "broker-b";
    public final String masterA;
    public final String slaveA;
    public final String masterB;
    /** An admin client of the test's own, to check what the commands did. */
    public final DefaultMQAdminExt admin;
    private final Deque<Runnable> shutdowns = new ArrayDeque<>();
    /** Push consumers by group, to flush their offsets (see {@link #awaitConsumed}). */
    private final Map<String, List<DefaultMQPushConsumer>> consumers = new ConcurrentHashMap<>();

    /** JUnit extension: makes sure the shared environment exists before a class's tests run. */
    public static final class Extension implements BeforeAllCallback {
        @Override
        public void beforeAll(ExtensionContext context) {
            current = context.getRoot().getStore(ExtensionContext.Namespace.GLOBAL)
                .getOrComputeIfAbsent(MqAdminEnv.class, k -> new MqAdminEnv(), MqAdminEnv.class);
        }
    }

    /** The shared environment (classes carry {@code @ExtendWith(MqAdminEnv.Extension.class)}). */
    public static MqAdminEnv env() {
        MqAdminEnv e = current;
        if (e == null) {
            throw new IllegalStateException("MqAdminEnv not started: add @ExtendWith(MqAdminEnv.Extension.class)");
        }
        return e;
    }

    private MqAdminEnv() {
        // ACL on (for MqAdminAclTest), with 127.0.0.1 globally white so the other classes' unsigned
        // clients and commands are let in as before; the admin account is the one conf/tools.yml names.
        cluster = RocketactorCluster.builder("MqAdmin").acl(ACL_YML, true, null).start();
        namesrv = cluster.namesrvAddr();
        clusterName = cluster.clusterName();
        masterA = cluster.brokerAddr("broker-a");
        slaveA = cluster.brokerAddr("broker-a-s");
        masterB = cluster.brokerAddr("broker-b");
        admin = new DefaultMQAdminExt(10000);
        admin.setNamesrvAddr(namesrv);
        admin.setInstanceName(unique("mqadmin_env"));
        admin.setVipChannelEnabled(false);
        try {
            admin.start();
        } catch (Exception e) {
            cluster.close();
            throw new IllegalStateException("cannot start the admin client", e);
        }
    }

    @Override
    public void close() {
        synchronized (shutdowns) {
            while (!shutdowns.isEmpty()) {
                quietly(shutdowns.pop());
            }
        }
        quietly(admin::shutdown);
        cluster.close();
    }

    private static void quietly(Runnable r) {
        try {
            r.run();
        } catch (RuntimeException ignored) {
            // teardown
        }
    }

    /** A name unique in this run: prefix_run_seq. */
    public static String unique(String prefix) {
        return prefix + "_" + RUN + "_" + SEQ.incrementAndGet();
    }

    /** {@code mqadmin <command> -n <namesrv> args...}. */
    public MqAdmin.Result mq(String command, String... args) {
        String[] all = new String[args.length + 3];
        all[0] = command;
        all[1] = "-n";
        all[2] = namesrv;
        System.arraycopy(args, 0, all, 3, args.length);
        return MqAdmin.run(all);
    }

    /** Creates a topic on both masters ({@code queues} read/write queues) and waits for its route. */
    public String topic(String prefix, int queues) {
        String t = unique(prefix);
        cluster.createTopic(t, queues);
        return t;
    }

    /** Waits until both masters are in the route of {@code topic} with write permission. */
    public void awaitRoute(String topic, int brokers) {
        Eventually.await(WAIT, "route of " + topic + " lists " + brokers + " writable brokers", () -> {
            try {
                TopicRouteData r = admin.examineTopicRouteInfo(topic);
                return r.getQueueDatas().stream().filter(q -> (q.getPerm() & 2) != 0).map(QueueData::getBrokerName)
                    .distinct().count() >= brokers;
            } catch (Exception e) {
                return false;
            }
        });
    }

    /** A started producer (unique instance, VIP channel off); shut down at the end of the run. */
    public DefaultMQProducer producer(String group) {
        DefaultMQProducer p = new DefaultMQProducer(group);
        p.setNamesrvAddr(namesrv);
        p.setInstanceName(unique("p"));
        p.setVipChannelEnabled(false);
        try {
            p.start();
        } catch (Exception e) {
            throw new IllegalStateException("cannot start producer " + group, e);
        }
        onClose(p::shutdown);
        return p;
    }

    /** Sends {@code n} messages with tag and keys {@code keyPrefix + i}; all must be SEND_OK. */
    public List<SendResult> send(DefaultMQProducer p, String topic, int n, String tag, String keyPrefix) {
        List<SendResult> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Message m = new Message(topic, tag, keyPrefix + i, ("body-" + keyPrefix + i).getBytes(StandardCharsets.UTF_8));
            try {
                SendResult r = p.send(m);
                if (r.getSendStatus() != SendStatus.SEND_OK) {
                    throw new AssertionError("send " + i + " to " + topic + ": " + r);
                }
                out.add(r);
            } catch (AssertionError e) {
                throw e;
            } catch (Exception e) {
                throw new AssertionError("send " + i + " to " + topic + " failed", e);
            }
        }
        return out;
    }

    /** A started clustering push consumer from the first offset; collects what it consumes. */
    public DefaultMQPushConsumer consumer(String group, String topic, Map<String, MessageExt> consumed) {
        return consumer(group, topic, (MessageListenerConcurrently) (msgs, ctx) -> {
            for (MessageExt m : msgs) {
                consumed.put(m.getMsgId(), m);
            }
            return ConsumeConcurrentlyStatus.CONSUME_SUCCESS;
        });
    }

    /** A started clustering push consumer from the first offset with its own listener. */
    public DefaultMQPushConsumer consumer(String group, String topic, MessageListenerConcurrently listener) {
        DefaultMQPushConsumer c = new DefaultMQPushConsumer(group);
        c.setNamesrvAddr(namesrv);
        c.setInstanceName(unique("c"));
        c.setVipChannelEnabled(false);
        c.setConsumeFromWhere(ConsumeFromWhere.CONSUME_FROM_FIRST_OFFSET);
        c.setAllocateMessageQueueStrategy(new AllocateMessageQueueAveragely());
        c.setPersistConsumerOffsetInterval(1000);
        try {
            c.subscribe(topic, "*");
            c.registerMessageListener(listener);
            c.start();
        } catch (Exception e) {
            throw new IllegalStateException("cannot start consumer " + group, e);
        }
        onClose(c::shutdown);
        consumers.computeIfAbsent(group, k -> new java.util.concurrent.CopyOnWriteArrayList<>()).add(c);
        return c;
    }

    /** Waits until the broker's consume stats of {@code group} on {@code topic} show no backlog. */
    public void awaitConsumed(String group, String topic, long messages) {
        Eventually.await(WAIT, group + " committed " + messages + " messages of " + topic, () -> {
            // The client commits on its next pull or every persistConsumerOffsetInterval after a
            // first 10 s; ask it to persist now (the client's own offset store call).
            for (DefaultMQPushConsumer c : consumers.getOrDefault(group, List.of())) {
                try {
                    c.getDefaultMQPushConsumerImpl().persistConsumerOffset();
                } catch (RuntimeException ignored) {
                    // shut down already
                }
            }
            try {
                ConsumeStats cs = admin.examineConsumeStats(group, topic);
                long committed = 0;
                for (OffsetWrapper w : cs.getOffsetTable().values()) {
                    if (w.getConsumerOffset() < w.getBrokerOffset()) {
                        return false;
                    }
                    committed += w.getConsumerOffset();
                }
                return committed >= messages;
            } catch (Exception e) {
                return false;
            }
        });
    }

    /** A concurrent map for {@link #consumer}. */
    public static Map<String, MessageExt> collector() {
        return new ConcurrentHashMap<>();
    }

    /** Registers a shutdown to run when the environment closes (clients that tests leave running). */
    public void onClose(Runnable r) {
        synchronized (shutdowns) {
            shutdowns.push(r);
        }
    }

    /** The message ids of send results. */
    public static Set<String> msgIds(List<SendResult> rs) {
        Set<String> s = new java.util.HashSet<>();
        rs.forEach(r -> s.add(r.getMsgId()));
        return s;
    }
}
