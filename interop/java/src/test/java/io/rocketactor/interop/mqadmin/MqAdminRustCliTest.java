package io.rocketactor.interop.mqadmin;

import static io.rocketactor.interop.mqadmin.MqAdminEnv.env;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

import com.alibaba.fastjson.JSON;
import com.alibaba.fastjson.JSONArray;
import com.alibaba.fastjson.JSONObject;
import io.rocketactor.interop.Eventually;
import org.apache.rocketmq.client.consumer.DefaultMQPushConsumer;
import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.apache.rocketmq.client.producer.SendResult;
import org.apache.rocketmq.common.message.Message;
import org.apache.rocketmq.common.message.MessageExt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The same sub-commands run through Java's mqadmin (in-process, {@link MqAdmin}) and through
 * {@code rocketactor admin} (the binary under test) against the shared cluster: both must print
 * the same facts (broker rows, routes, offsets, message fields and body).
 */
@ExtendWith(MqAdminEnv.Extension.class)
class MqAdminRustCliTest {

    /** {@code rocketactor admin <command> -n <namesrv> args...}; must exit 0. */
    private static String rust(String command, String... args) throws IOException, InterruptedException {
        MqAdminEnv e = env();
        Path bin = Paths.get(System.getProperty("rocketactor.bin", "../../target/release/rocketactor"))
            .toAbsolutePath();
        List<String> cmd = new ArrayList<>(List.of(bin.toString(), "admin", command, "-n", e.namesrv));
        cmd.addAll(List.of(args));
        // consumerStatus writes files relative to the working directory, as Java's does.
        Process p = new ProcessBuilder(cmd).directory(workDir().toFile()).redirectErrorStream(false).start();
        byte[] out = p.getInputStream().readAllBytes();
        byte[] err = p.getErrorStream().readAllBytes();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "rocketactor admin " + command + " did not end");
        String text = new String(out, StandardCharsets.UTF_8);
        System.out.println("rocketactor admin " + String.join(" ", cmd.subList(2, cmd.size())) + "\n" + text);
        assertEquals(0, p.exitValue(), "rocketactor admin " + command + " failed:\n" + text
            + new String(err, StandardCharsets.UTF_8));
        return text;
    }

    private static Path work;

    private static synchronized Path workDir() throws IOException {
        if (work == null) {
            work = Files.createTempDirectory("rocketactor-admin-");
        }
        return work;
    }

    private static List<String[]> rows(String out, String firstPrefix) {
        List<String[]> l = new ArrayList<>();
        for (String line : out.split("\\R")) {
            String[] f = line.trim().split("\\s+");
            if (f.length > 0 && f[0].startsWith(firstPrefix)) {
                l.add(f);
            }
        }
        return l;
    }

    /** clusterList: the same (cluster, broker, id, address, version) rows. */
    @Test
    void clusterList() throws Exception {
        MqAdminEnv e = env();
        String java = e.mq("clusterList").ok().out;
        String ours = rust("clusterList");
        assertEquals(facts(java, e.clusterName), facts(ours, e.clusterName));
        assertEquals(3, facts(ours, e.clusterName).size(), ours);
    }

    private static TreeSet<String> facts(String out, String cluster) {
        TreeSet<String> s = new TreeSet<>();
        for (String[] f : rows(out, cluster)) {
            s.add(String.join(" ", f[0], f[1], f[2], f[3], f[4]));
        }
        return s;
    }

    /** topicRoute (JSON) and topicRoute -l: the same brokers, addresses and queue counts. */
    @Test
    void topicRoute() throws Exception {
        MqAdminEnv e = env();
        String t = e.topic("rs_route", 3);
        e.awaitRoute(t, 2);
        JSONObject java = JSON.parseObject(e.mq("topicRoute", "-t", t).ok().out);
        JSONObject ours = JSON.parseObject(rust("topicRoute", "-t", t));
        assertEquals(brokers(java), brokers(ours));
        assertEquals(queues(java), queues(ours));
        assertEquals(2, queues(ours).size());
        String javaList = e.mq("topicRoute", "-t", t, "-l").ok().out;
        String ourList = rust("topicRoute", "-t", t, "-l");
        assertEquals(String.join(" ", rows(javaList, "Total:").get(0)), String.join(" ", rows(ourList, "Total:").get(0)));
    }

    private static Map<String, String> brokers(JSONObject route) {
        Map<String, String> m = new TreeMap<>();
        JSONArray a = route.getJSONArray("brokerDatas");
        for (int i = 0; i < a.size(); i++) {
            JSONObject b = a.getJSONObject(i);
            m.put(b.getString("brokerName"), new TreeMap<>(b.getJSONObject("brokerAddrs").getInnerMap()).toString());
        }
        return m;
    }

    private static Map<String, String> queues(JSONObject route) {
        Map<String, String> m = new TreeMap<>();
        JSONArray a = route.getJSONArray("queueDatas");
        for (int i = 0; i < a.size(); i++) {
            JSONObject q = a.getJSONObject(i);
            m.put(q.getString("brokerName"), q.getIntValue("readQueueNums") + "/" + q.getIntValue("writeQueueNums")
                + "/" + q.getIntValue("perm"));
        }
        return m;
    }

    /** topicStatus: the same (broker, queue, min, max) rows. */
    @Test
    void topicStatus() throws Exception {
        MqAdminEnv e = env();
        String t = e.topic("rs_status", 2);
        e.awaitRoute(t, 2);
        e.send(e.producer(MqAdminEnv.unique("pg_rs_status")), t, 7, "S", "s");
        String java = e.mq("topicStatus", "-t", t).ok().out;
        String ours = rust("topicStatus", "-t", t);
        assertEquals(offsets(java), offsets(ours));
        assertEquals(4, offsets(ours).size(), ours);
    }

    private static TreeSet<String> offsets(String out) {
        TreeSet<String> s = new TreeSet<>();
        for (String[] f : rows(out, "broker-")) {
            s.add(String.join(" ", f[0], f[1], f[2], f[3]));
        }
        return s;
    }

    /** consumerProgress -g: the same (topic, broker, queue, broker offset, consumer offset) rows. */
    @Test
    void consumerProgress() throws Exception {
        MqAdminEnv e = env();
        String t = e.topic("rs_progress", 2);
        e.awaitRoute(t, 2);
        String g = MqAdminEnv.unique("cg_rs_progress");
        e.send(e.producer(MqAdminEnv.unique("pg_rs_progress")), t, 8, "P", "p");
        Map<String, MessageExt> got = MqAdminEnv.collector();
        e.consumer(g, t, got);
        Eventually.await(MqAdminEnv.WAIT, "8 consumed", () -> got.size() >= 8);
        e.awaitConsumed(g, t, 8);
        String java = e.mq("consumerProgress", "-g", g).ok().out;
        String ours = rust("consumerProgress", "-g", g);
        assertEquals(progress(java, t), progress(ours, t));
        assertEquals(4, progress(ours, t).size(), ours);
        assertTrue(ours.contains("Diff Total: 0"), ours);
    }

    private static TreeSet<String> progress(String out, String topic) {
        TreeSet<String> s = new TreeSet<>();
        for (String[] f : rows(out, topic)) {
            if (f[0].equals(topic)) {
                s.add(String.join(" ", f[0], f[1], f[2], f[3], f[4], f[5]));
            }
        }
        return s;
    }

    /** queryMsgById: the same message fields, and a body file with the same bytes. */
    @Test
    void queryMsgById() throws Exception {
        MqAdminEnv e = env();
        String t = e.topic("rs_byid", 1);
        e.awaitRoute(t, 2);
        List<SendResult> sent = e.send(e.producer(MqAdminEnv.unique("pg_rs_byid")), t, 1, "Q", "q");
        String id = sent.get(0).getOffsetMsgId();
        String java = e.mq("queryMsgById", "-i", id).ok().out;
        String ours = rust("queryMsgById", "-i", id);
        for (String label : List.of("OffsetID:", "Topic:", "Tags:", "Keys:", "Queue ID:", "Queue Offset:",
            "CommitLog Offset:", "Reconsume Times:", "Born Timestamp:", "Store Timestamp:", "Store Host:",
            "System Flag:")) {
            String j = field(java, label);
            assertNotNull(j, label + " in Java's output:\n" + java);
            assertEquals(j, field(ours, label), label);
        }
        byte[] body = Files.readAllBytes(Paths.get(field(ours, "Message Body Path:")));
        assertEquals("body-q0", new String(body, StandardCharsets.UTF_8));
        assertFalse(ours.contains("Exception"), ours);
    }

    /** topicClusterList: the same clusters. */
    @Test
    void topicClusterList() throws Exception {
        MqAdminEnv e = env();
        String t = e.topic("rs_tcl", 1);
        e.awaitRoute(t, 2);
        assertEquals(e.mq("topicClusterList", "-t", t).ok().out.trim(), rust("topicClusterList", "-t", t).trim());
    }

    /** queryMsgByKey: the same (message id, queue, offset) rows. */
    @Test
    void queryMsgByKey() throws Exception {
        MqAdminEnv e = env();
        String t = e.topic("rs_bykey", 2);
        e.awaitRoute(t, 2);
        String key = MqAdminEnv.unique("k");
        DefaultMQProducer p = e.producer(MqAdminEnv.unique("pg_rs_bykey"));
        for (int i = 0; i < 3; i++) {
            p.send(new Message(t, "K", key, ("v" + i).getBytes(StandardCharsets.UTF_8)));
        }
        Eventually.await(MqAdminEnv.WAIT, "3 indexed", () -> {
            try {
                return e.admin.queryMessage(t, key, 64, 0, Long.MAX_VALUE).getMessageList().size() >= 3;
            } catch (Exception ex) {
                return false;
            }
        });
        String java = e.mq("queryMsgByKey", "-t", t, "-k", key).ok().out;
        String ours = rust("queryMsgByKey", "-t", t, "-k", key);
        TreeSet<String> j = new TreeSet<>(java.lines().skip(1).map(String::trim).filter(l -> !l.isEmpty())
            .map(l -> String.join(" ", l.split("\\s+"))).toList());
        TreeSet<String> o = new TreeSet<>(ours.lines().skip(1).map(String::trim).filter(l -> !l.isEmpty())
            .map(l -> String.join(" ", l.split("\\s+"))).toList());
        assertEquals(j, o);
        assertEquals(3, o.size(), ours);
    }

    /** consumerConnection: the same clients, subscriptions and consume settings. */
    @Test
    void consumerConnection() throws Exception {
        MqAdminEnv e = env();
        String t = e.topic("rs_conn", 1);
        e.awaitRoute(t, 2);
        String g = MqAdminEnv.unique("cg_rs_conn");
        e.consumer(g, t, MqAdminEnv.collector());
        Eventually.await(MqAdminEnv.WAIT, g + " online", () -> {
            try {
                return !e.admin.examineConsumerConnectionInfo(g).getConnectionSet().isEmpty();
            } catch (Exception ex) {
                return false;
            }
        });
        String java = e.mq("consumerConnection", "-g", g).ok().out;
        String ours = rust("consumerConnection", "-g", g);
        // The client address is the consumer's connection to whichever master answered: its
        // port differs between the two tools, the rest must not.
        assertEquals(connectionFacts(java), connectionFacts(ours));
        assertTrue(ours.contains("ConsumeType: CONSUME_PASSIVELY"), ours);
    }

    /** consumerStatus: the broker relays 307 to a Java consumer; its running info is saved. */
    @Test
    void consumerStatus() throws Exception {
        MqAdminEnv e = env();
        String t = e.topic("rs_status_c", 1);
        e.awaitRoute(t, 2);
        String g = MqAdminEnv.unique("cg_rs_status");
        DefaultMQPushConsumer c = e.consumer(g, t, MqAdminEnv.collector());
        String clientId = c.getDefaultMQPushConsumerImpl().getmQClientFactory().getClientId();
        Eventually.await(MqAdminEnv.WAIT, g + " online", () -> {
            try {
                return !e.admin.examineConsumerConnectionInfo(g).getConnectionSet().isEmpty();
            } catch (Exception ex) {
                return false;
            }
        });
        String ours = rust("consumerStatus", "-g", g);
        String[] row = rows(ours, "1").get(0);
        assertEquals(clientId, row[1], ours);
        assertEquals("V4_9_7", row[2], ours);
        String info = Files.readString(workDir().resolve(row[3]));
        assertTrue(info.contains(t), info);
        String one = rust("consumerStatus", "-g", g, "-i", clientId);
        assertTrue(one.contains("subscriptionSet") && one.contains(t), one);
    }

    /** queryMsgById -g -d: the broker hands the message to the Java consumer (309). */
    @Test
    void queryMsgByIdConsumeDirectly() throws Exception {
        MqAdminEnv e = env();
        String t = e.topic("rs_direct", 1);
        e.awaitRoute(t, 2);
        SendResult s = e.send(e.producer(MqAdminEnv.unique("pg_rs_direct")), t, 1, "D", "d").get(0);
        String g = MqAdminEnv.unique("cg_rs_direct");
        Map<String, MessageExt> got = MqAdminEnv.collector();
        DefaultMQPushConsumer c = e.consumer(g, t, got);
        Eventually.await(MqAdminEnv.WAIT, "consumed", () -> got.size() >= 1);
        String clientId = c.getDefaultMQPushConsumerImpl().getmQClientFactory().getClientId();
        String ours = rust("queryMsgById", "-i", s.getOffsetMsgId(), "-g", g, "-d", clientId);
        assertTrue(ours.startsWith("ConsumeMessageDirectlyResult [order=false, autoCommit=true, consumeResult=CR_SUCCESS"),
            ours);
    }

    private static TreeSet<String> connectionFacts(String out) {
        return new TreeSet<>(out.lines().map(String::trim).map(l -> String.join(" ", l.split("\\s+")))
            .map(l -> l.replaceAll("(\\d+\\.\\d+\\.\\d+\\.\\d+):\\d+ ", "$1 ")).toList());
    }

    private static String field(String out, String label) {
        for (String line : out.split("\\R")) {
            if (line.startsWith(label)) {
                return line.substring(label.length()).trim();
            }
        }
        return null;
    }
}
