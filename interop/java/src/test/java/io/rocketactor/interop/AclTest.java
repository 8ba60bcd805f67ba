package io.rocketactor.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import org.apache.rocketmq.acl.common.AclClientRPCHook;
import org.apache.rocketmq.acl.common.SessionCredentials;
import org.apache.rocketmq.client.consumer.DefaultMQPullConsumer;
import org.apache.rocketmq.client.consumer.PullResult;
import org.apache.rocketmq.client.consumer.PullStatus;
import org.apache.rocketmq.client.exception.MQBrokerException;
import org.apache.rocketmq.client.exception.MQClientException;
import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.apache.rocketmq.client.producer.SendStatus;
import org.apache.rocketmq.common.TopicConfig;
import org.apache.rocketmq.common.message.Message;
import org.apache.rocketmq.common.message.MessageQueue;
import org.apache.rocketmq.remoting.RPCHook;
import org.apache.rocketmq.tools.admin.DefaultMQAdminExt;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * ACL 1.0 with the Java 4.9.7 client and {@link AclClientRPCHook} against one
 * {@code aclEnable=true} broker (docs/acl.md): a valid account sends and consumes; a wrong secret,
 * an unknown account, a topic without PUB, a group without SUB and an admin-only code from a
 * non-admin account are each refused with SYSTEM_ERROR (1) and the AclException text Java's
 * broker answers with; an edit of plain_acl.yml takes effect without a restart.
 */
@SuppressWarnings("deprecation")
class AclTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String YML = String.join("\n",
        "globalWhiteRemoteAddresses:",
        "  - 10.10.*.*",
        "accounts:",
        "  - accessKey: rocketmq2",
        "    secretKey: 12345678",
        "    admin: true",
        "  - accessKey: RocketMQ",
        "    secretKey: 12345678",
        "    defaultTopicPerm: DENY",
        "    defaultGroupPerm: SUB",
        "    topicPerms:",
        "      - aclTopic=PUB|SUB",
        "      - aclSubOnly=SUB",
        "    groupPerms:",
        "      - aclDenied=DENY",
        "");
    private static final RPCHook ADMIN = hook("rocketmq2", "12345678");
    private static final RPCHook USER = hook("RocketMQ", "12345678");
    private static final String NODE = "broker-acl";
    private static RocketactorCluster cluster;

    private static RPCHook hook(String ak, String sk) {
        return new AclClientRPCHook(new SessionCredentials(ak, sk));
    }

    @BeforeAll
    static void up() {
        cluster = RocketactorCluster.builder("AclTest").broker(BrokerSpec.asyncMaster(NODE)).acl(YML, false, ADMIN)
            .start();
        cluster.createTopic("aclTopic", 2);
        cluster.createTopic("aclSubOnly", 2);
    }

    @AfterAll
    static void down() {
        if (cluster != null) {
            cluster.close();
        }
    }

    private static DefaultMQProducer producer(Clients clients, RPCHook hook) throws MQClientException {
        DefaultMQProducer p = new DefaultMQProducer(Clients.unique("acl_p"), hook);
        p.setNamesrvAddr(cluster.namesrvAddr());
        p.setInstanceName(Clients.unique("inst"));
        p.setRetryTimesWhenSendFailed(0);
        clients.onClose(p::shutdown);
        p.start();
        return p;
    }

    private static DefaultMQPullConsumer consumer(Clients clients, String group, RPCHook hook)
        throws MQClientException {
        DefaultMQPullConsumer c = new DefaultMQPullConsumer(group, hook);
        c.setNamesrvAddr(cluster.namesrvAddr());
        c.setInstanceName(Clients.unique("inst"));
        clients.onClose(c::shutdown);
        c.start();
        return c;
    }

    /**
     * The broker's refusal in the cause chain of what the client threw: the MQBrokerException a
     * send or pull wraps, else the coded MQClientException of an admin call.
     */
    private static void assertRefused(Throwable t, String message) {
        Integer code = null;
        String remark = null;
        for (Throwable c = t; c != null && code == null; c = c.getCause()) {
            if (c instanceof MQBrokerException) {
                code = ((MQBrokerException) c).getResponseCode();
                remark = ((MQBrokerException) c).getErrorMessage();
            }
        }
        if (code == null && t instanceof MQClientException && ((MQClientException) t).getResponseCode() > 0) {
            code = ((MQClientException) t).getResponseCode();
            remark = ((MQClientException) t).getErrorMessage();
        }
        if (code == null) {
            throw new AssertionError("no broker refusal in " + t, t);
        }
        assertEquals(1, code, "SYSTEM_ERROR expected: " + remark);
        assertTrue(remark.startsWith("org.apache.rocketmq.acl.common.AclException: " + message + ", "
            + "org.apache.rocketmq.acl.plain."), remark);
    }

    @Test
    void validAccountSendsAndConsumes() throws Exception {
        try (Clients clients = new Clients(cluster)) {
            DefaultMQProducer p = producer(clients, USER);
            assertEquals(SendStatus.SEND_OK, p.send(new Message("aclTopic", "TagA", "hello".getBytes())).getSendStatus());
            DefaultMQPullConsumer c = consumer(clients, Clients.unique("aclGroup"), USER);
            int found = 0;
            for (MessageQueue mq : c.fetchSubscribeMessageQueues("aclTopic")) {
                PullResult r = c.pull(mq, "*", 0, 32);
                if (r.getPullStatus() == PullStatus.FOUND) {
                    found += r.getMsgFoundList().size();
                }
            }
            assertTrue(found >= 1, "the message sent is consumed");
        }
    }

    @Test
    void refusalsCarryJavaCodeAndRemark() throws Exception {
        try (Clients clients = new Clients(cluster)) {
            DefaultMQProducer wrong = producer(clients, hook("RocketMQ", "not-the-secret"));
            assertRefused(assertThrows(Exception.class, () -> wrong.send(new Message("aclTopic", "x".getBytes()))),
                "Check signature failed for accessKey=RocketMQ");

            DefaultMQProducer unknown = producer(clients, hook("nobody12", "12345678"));
            assertRefused(assertThrows(Exception.class, () -> unknown.send(new Message("aclTopic", "x".getBytes()))),
                "No acl config for nobody12");

            DefaultMQProducer user = producer(clients, USER);
            assertRefused(assertThrows(Exception.class, () -> user.send(new Message("aclSubOnly", "x".getBytes()))),
                "No default permission for topic:aclSubOnly");

            DefaultMQPullConsumer denied = consumer(clients, "aclDenied", USER);
            Set<MessageQueue> queues = denied.fetchSubscribeMessageQueues("aclTopic");
            MessageQueue mq = queues.iterator().next();
            assertRefused(assertThrows(Exception.class, () -> denied.pull(mq, "*", 0, 32)),
                "No default permission for group:aclDenied");

            DefaultMQAdminExt asUser = Clients.newAdmin(cluster.namesrvAddr(), USER);
            clients.onClose(asUser::shutdown);
            TopicConfig tc = new TopicConfig(Clients.unique("aclNew"), 1, 1, 6);
            assertRefused(
                assertThrows(Exception.class, () -> asUser.createAndUpdateTopicConfig(cluster.brokerAddr(NODE), tc)),
                "Need admin permission for request code=17, but accessKey=RocketMQ is not");
        }
    }

    @Test
    void anEditOfPlainAclTakesEffectWithoutRestart() throws Exception {
        Path file = cluster.aclFile(NODE);
        try (Clients clients = new Clients(cluster)) {
            DefaultMQProducer user = producer(clients, USER);
            Files.writeString(file, YML.replace("aclSubOnly=SUB", "aclSubOnly=PUB"));
            Eventually.await(WAIT, "PUB on aclSubOnly granted by the edited file", () -> sends(user));
            // Back to the original file: the refusal returns (other tests rely on it).
            Files.writeString(file, YML);
            Eventually.await(WAIT, "PUB on aclSubOnly withdrawn again", () -> !sends(user));
        }
    }

    private static boolean sends(DefaultMQProducer p) {
        try {
            return p.send(new Message("aclSubOnly", "x".getBytes())).getSendStatus() == SendStatus.SEND_OK;
        } catch (Exception e) {
            return false;
        }
    }
}
