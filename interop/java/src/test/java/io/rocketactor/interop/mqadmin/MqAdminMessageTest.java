package io.rocketactor.interop.mqadmin;

import static io.rocketactor.interop.mqadmin.MqAdminEnv.env;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.rocketactor.interop.Eventually;
import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.apache.rocketmq.client.producer.SendResult;
import org.apache.rocketmq.common.message.Message;
import org.apache.rocketmq.common.message.MessageExt;
import org.apache.rocketmq.common.message.MessageQueue;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * mqadmin's message sub-commands (tools/command/message and queue): sendMessage, queryMsgById,
 * queryMsgByKey, queryMsgByUniqueKey, queryMsgByOffset, queryMsgTraceById, printMsg,
 * printMsgByQueue, consumeMessage, checkMsgSendRT, queryCq. One topic with known messages
 * (tags, keys, bodies, queues) is written once for the class; each command must find exactly
 * those.
 */
@ExtendWith(MqAdminEnv.Extension.class)
class MqAdminMessageTest {
    private static String topic;
    /** Sent to broker-a queue 0 (tags TagA, TagB, TagA) and broker-b queue 1 (TagB). */
    private static final List<SendResult> SENT = new ArrayList<>();
    private static final List<Message> MSGS = new ArrayList<>();

    @BeforeAll
    static void messages() throws Exception {
        MqAdminEnv e = env();
        topic = e.topic("msg", 2);
        DefaultMQProducer p = e.producer(MqAdminEnv.unique("pg_msg"));
        String[] tags = {"TagA", "TagB", "TagA", "TagB"};
        for (int i = 0; i < 4; i++) {
            Message m = new Message(topic, tags[i], "key-" + i + "-" + topic, ("body-" + i + "-" + topic).getBytes(StandardCharsets.UTF_8));
            MessageQueue mq = i < 3 ? new MessageQueue(topic, e.brokerA, 0) : new MessageQueue(topic, e.brokerB, 1);
            SendResult r = p.send(m, mq);
            SENT.add(r);
            MSGS.add(m);
        }
    }

    private static String body(int i) {
        return "body-" + i + "-" + topic;
    }

    private static String key(int i) {
        return "key-" + i + "-" + topic;
    }

    /** "Name: value" lines of queryMsgById / queryMsgByOffset / queryMsgByUniqueKey. */
    private static Map<String, String> fields(String out) {
        Map<String, String> m = new HashMap<>();
        for (String line : out.split("\\R")) {
            Matcher x = Pattern.compile("^([A-Za-z][A-Za-z ]+?):\\s+(.*)$").matcher(line);
            if (x.matches()) {
                m.putIfAbsent(x.group(1), x.group(2).trim());
            }
        }
        return m;
    }

    private static void assertDescribes(Map<String, String> f, int i, MqAdmin.Result r) {
        SendResult s = SENT.get(i);
        assertEquals(topic, f.get("Topic"), r.toString());
        assertEquals("[" + MSGS.get(i).getTags() + "]", f.get("Tags"), r.toString());
        assertEquals("[" + key(i) + "]", f.get("Keys"), r.toString());
        assertEquals(Integer.toString(s.getMessageQueue().getQueueId()), f.get("Queue ID"), r.toString());
        assertEquals(Long.toString(s.getQueueOffset()), f.get("Queue Offset"), r.toString());
        assertEquals(i < 3 ? env().masterA : env().masterB, f.get("Store Host"), r.toString());
        assertTrue(f.get("Properties").contains("UNIQ_KEY=" + s.getMsgId()), r.toString());
    }

    @Test
    void sendMessage() throws Exception {
        MqAdminEnv e = env();
        MqAdmin.Result r = e.mq("sendMessage", "-t", topic, "-p", "from-mqadmin", "-k", "mqadmin-key", "-c", "TagM",
            "-b", e.brokerB, "-i", "0").ok();
        List<String> lines = r.lines();
        assertTrue(lines.get(0).startsWith("#Broker Name"), r.toString());
        Matcher m = Pattern.compile("^(\\S+)\\s+(\\d+)\\s+(\\S+)\\s+(\\S+)$").matcher(lines.get(1));
        assertTrue(m.matches(), lines.get(1));
        assertEquals(e.brokerB, m.group(1));
        assertEquals("0", m.group(2));
        assertEquals("SEND_OK", m.group(3));
        MessageExt got = e.admin.viewMessage(topic, m.group(4));
        assertEquals("from-mqadmin", new String(got.getBody(), StandardCharsets.UTF_8));
        assertEquals("TagM", got.getTags());
        assertEquals("mqadmin-key", got.getKeys());
        assertEquals(0, got.getQueueId());
    }

    @Test
    void queryMsgById() throws Exception {
        MqAdminEnv e = env();
        // by the offset message id (store host + commit-log offset), two at once
        String ids = SENT.get(1).getOffsetMsgId() + "," + SENT.get(3).getOffsetMsgId();
        MqAdmin.Result r = e.mq("queryMsgById", "-i", ids).ok();
        // "WARN: No Consumer" ends without a line break, so the next block follows on its line
        String[] parts = r.out.split("(?=OffsetID:)");
        List<String> blocks = new ArrayList<>();
        for (String p : parts) {
            if (p.startsWith("OffsetID:")) {
                blocks.add(p);
            }
        }
        assertEquals(2, blocks.size(), r.toString());
        Map<String, String> f1 = fields(blocks.get(0));
        assertEquals(SENT.get(1).getOffsetMsgId(), f1.get("OffsetID"));
        assertDescribes(f1, 1, r);
        assertDescribes(fields(blocks.get(1)), 3, r);
        assertTrue(blocks.get(0).contains("WARN: No Consumer"), "no group consumes the topic yet: " + r);

        // the body is written to the "Message Body Path" file
        String path = f1.get("Message Body Path");
        assertEquals(body(1), java.nio.file.Files.readString(java.nio.file.Path.of(path)));

        // after a group consumed it: a CONSUMED message track
        String group = MqAdminEnv.unique("cg_track");
        Map<String, MessageExt> got = MqAdminEnv.collector();
        e.consumer(group, topic, got);
        Eventually.await(MqAdminEnv.WAIT, "4 messages consumed by " + group, () -> got.size() >= 4);
        Eventually.await(MqAdminEnv.WAIT, "queryMsgById reports CONSUMED for " + group, () -> {
            MqAdmin.Result t = e.mq("queryMsgById", "-i", SENT.get(0).getOffsetMsgId());
            return t.thrown == null && t.out.contains("MessageTrack [consumerGroup=" + group + ", trackType=CONSUMED");
        });

        // -s true: resend by id (a message of its own: the copy has the same keys and unique key)
        String resendTopic = e.topic("msg_resend", 1);
        SendResult orig = e.send(e.producer(MqAdminEnv.unique("pg_resend")), resendTopic, 1, "TagR", "resend").get(0);
        MqAdmin.Result s = e.mq("queryMsgById", "-i", orig.getOffsetMsgId(), "-s", "true").ok();
        Matcher m = Pattern.compile("sendStatus=SEND_OK, msgId=(\\w+), offsetMsgId=(\\w+)").matcher(s.out);
        assertTrue(s.out.startsWith("prepare resend msg. originalMsgId=" + orig.getOffsetMsgId()), s.toString());
        assertTrue(m.find(), s.toString());
        MessageExt again = e.admin.viewMessage(m.group(2));
        assertEquals("body-resend0", new String(again.getBody(), StandardCharsets.UTF_8));
        assertEquals(resendTopic, again.getTopic());
        assertEquals("resend0", again.getKeys());
    }

    @Test
    void queryMsgByIdConsumeDirectly() throws Exception {
        MqAdminEnv e = env();
        String t = e.topic("msg_direct", 1);
        SendResult s = e.send(e.producer(MqAdminEnv.unique("pg_direct")), t, 1, "TagD", "direct").get(0);
        String g = MqAdminEnv.unique("cg_direct");
        Map<String, MessageExt> got = MqAdminEnv.collector();
        var c = e.consumer(g, t, got);
        Eventually.await(MqAdminEnv.WAIT, "consumed", () -> got.size() >= 1);
        String clientId = c.getDefaultMQPushConsumerImpl().getmQClientFactory().getClientId();
        // -g -d: the broker hands the message to that consumer's listener
        MqAdmin.Result r = e.mq("queryMsgById", "-i", s.getOffsetMsgId(), "-g", g, "-d", clientId).ok();
        // QueryMsgByIdSubCommand.pushMsg prints a failure's stack trace instead of throwing
        assertEquals("", r.err, r.toString());
        assertTrue(r.out.contains("ConsumeMessageDirectlyResult [order=false, autoCommit=true, consumeResult=CR_SUCCESS"),
            r.toString());
    }

    @Test
    void queryMsgByKey() {
        MqAdminEnv e = env();
        MqAdmin.Result r = e.mq("queryMsgByKey", "-t", topic, "-k", key(2)).ok();
        List<String> lines = r.lines();
        assertTrue(lines.get(0).startsWith("#Message ID"), r.toString());
        assertEquals(2, lines.size(), "one message has key " + key(2) + ": " + r);
        Matcher m = Pattern.compile("^(\\S+)\\s+(\\d+)\\s+(\\d+)$").matcher(lines.get(1));
        assertTrue(m.matches(), lines.get(1));
        assertEquals(SENT.get(2).getMsgId(), m.group(1));
        assertEquals("0", m.group(2));
        assertEquals(Long.toString(SENT.get(2).getQueueOffset()), m.group(3));
    }

    @Test
    void queryMsgByUniqueKey() {
        MqAdminEnv e = env();
        MqAdmin.Result r = e.mq("queryMsgByUniqueKey", "-t", topic, "-i", SENT.get(3).getMsgId()).ok();
        assertDescribes(fields(r.out), 3, r);
    }

    @Test
    void queryMsgByOffset() {
        MqAdminEnv e = env();
        MqAdmin.Result r = e.mq("queryMsgByOffset", "-t", topic, "-b", e.brokerA, "-i", "0", "-o", "1").ok();
        Map<String, String> f = fields(r.out);
        assertEquals(SENT.get(1).getOffsetMsgId(), f.get("OffsetID"), r.toString());
        assertDescribes(f, 1, r);
    }

    @Test
    void queryMsgTraceById() throws Exception {
        MqAdminEnv e = env();
        String t = e.topic("msg_trace", 1);
        String group = MqAdminEnv.unique("pg_trace");
        DefaultMQProducer p = new DefaultMQProducer(group, true);
        p.setNamesrvAddr(e.namesrv);
        p.setInstanceName(MqAdminEnv.unique("trace"));
        p.setVipChannelEnabled(false);
        p.start();
        e.onClose(p::shutdown);
        SendResult s = p.send(new Message(t, "TagT", "trace-key", "traced".getBytes(StandardCharsets.UTF_8)));
        Eventually.await(MqAdminEnv.WAIT, "a Pub trace of " + s.getMsgId(), () -> {
            MqAdmin.Result r = e.mq("queryMsgTraceById", "-i", s.getMsgId());
            return r.thrown == null && r.out.contains("#ProducerGroup");
        });
        MqAdmin.Result r = e.mq("queryMsgTraceById", "-i", s.getMsgId()).ok();
        Matcher m = Pattern.compile("(?m)^Pub\\s+(\\S+)\\s+(\\S+)\\s+\\S+ \\S+\\s+(\\d+)ms\\s+(\\S+)\\s*$").matcher(r.out);
        assertTrue(m.find(), r.toString());
        assertEquals(group, m.group(1));
        assertEquals("success", m.group(4));
    }

    private static final Pattern MSG_LINE = Pattern.compile("^MSGID: (\\S+) MessageExt \\[brokerName=(\\S+), queueId=(\\d+),.*"
        + "queueOffset=(\\d+),.* BODY: (.*)$");

    /** msgId -> body of the MSGID lines printed. */
    private static Map<String, String> printed(MqAdmin.Result r) {
        Map<String, String> m = new HashMap<>();
        for (String line : r.lines()) {
            Matcher x = MSG_LINE.matcher(line);
            if (x.matches()) {
                m.put(x.group(1), x.group(5));
            }
        }
        return m;
    }

    @Test
    void printMsg() {
        MqAdminEnv e = env();
        MqAdmin.Result r = e.mq("printMsg", "-t", topic).ok();
        Map<String, String> got = printed(r);
        for (int i = 0; i < 4; i++) {
            assertEquals(body(i), got.get(SENT.get(i).getMsgId()), "message " + i + " in " + r);
        }
        assertTrue(r.out.contains("minOffset=0, maxOffset=3, MessageQueue [topic=" + topic + ", brokerName=" + e.brokerA
            + ", queueId=0]"), r.toString());
        // -s: a tag filter; -d false: no bodies
        MqAdmin.Result a = e.mq("printMsg", "-t", topic, "-s", "TagA", "-d", "false").ok();
        Map<String, String> onlyA = printed(a);
        assertEquals(java.util.Set.of(SENT.get(0).getMsgId(), SENT.get(2).getMsgId()), onlyA.keySet(), a.toString());
        onlyA.values().forEach(b -> assertEquals("NOT PRINT BODY", b));
    }

    @Test
    void printMsgByQueue() {
        MqAdminEnv e = env();
        MqAdmin.Result r = e.mq("printMsgByQueue", "-t", topic, "-a", e.brokerA, "-i", "0", "-p", "true", "-d", "true",
            "-f", "true").ok();
        Map<String, String> got = printed(r);
        assertEquals(3, got.size(), r.toString());
        for (int i = 0; i < 3; i++) {
            assertEquals(body(i), got.get(SENT.get(i).getMsgId()));
        }
        assertTrue(Pattern.compile("(?m)^Tag: TagA\\s+Count: 2$").matcher(r.out).find(), r.toString());
        assertTrue(Pattern.compile("(?m)^Tag: TagB\\s+Count: 1$").matcher(r.out).find(), r.toString());
    }

    @Test
    void consumeMessage() {
        MqAdminEnv e = env();
        MqAdmin.Result r = e.mq("consumeMessage", "-t", topic, "-b", e.brokerA, "-i", "0", "-o", "1", "-c", "1").ok();
        Map<String, String> got = printed(r);
        assertEquals(Map.of(SENT.get(1).getMsgId(), body(1)), got, r.toString());
        assertTrue(r.out.contains("Consume ok"), r.toString());
        // the whole topic, no queue given
        MqAdmin.Result all = e.mq("consumeMessage", "-t", topic, "-c", "10").ok();
        Map<String, String> every = printed(all);
        for (int i = 0; i < 4; i++) {
            assertEquals(body(i), every.get(SENT.get(i).getMsgId()), "message " + i + " in " + all);
        }
    }

    @Test
    void checkMsgSendRT() {
        MqAdminEnv e = env();
        String t = e.topic("msg_rt", 2);
        MqAdmin.Result r = e.mq("checkMsgSendRT", "-t", t, "-a", "6", "-s", "64").ok();
        List<String> lines = r.lines();
        assertTrue(lines.get(0).startsWith("#Broker Name"), r.toString());
        int rows = 0;
        for (String line : lines.subList(1, lines.size() - 1)) {
            Matcher m = Pattern.compile("^(\\S+)\\s+(\\d+)\\s+(\\S+)\\s+(\\d+)$").matcher(line);
            assertTrue(m.matches(), line);
            assertTrue(m.group(1).equals(e.brokerA) || m.group(1).equals(e.brokerB), line);
            assertEquals("true", m.group(3), "send succeeded: " + line);
            rows++;
        }
        assertEquals(6, rows, r.toString());
        assertTrue(lines.get(lines.size() - 1).startsWith("Avg RT: "), r.toString());
        long stored = 0;
        try {
            for (var o : e.admin.examineTopicStats(t).getOffsetTable().values()) {
                stored += o.getMaxOffset();
            }
        } catch (Exception ex) {
            throw new AssertionError(ex);
        }
        assertEquals(6, stored, "the 6 probes are stored in " + t);
    }

    @Test
    void queryCq() throws Exception {
        MqAdminEnv e = env();
        MqAdmin.Result r = e.mq("queryCq", "-t", topic, "-q", "0", "-i", "0", "-c", "3", "-b", e.masterA).ok();
        // QueryConsumeQueueCommand prints a failure's stack trace instead of throwing
        assertEquals("", r.err, r.toString());
        assertTrue(r.out.contains("Queue data: \nmax: 3, min: 0"), r.toString());
        for (int i = 0; i < 3; i++) {
            MessageExt m = e.admin.viewMessage(SENT.get(i).getOffsetMsgId());
            assertTrue(r.out.contains("idx: " + i + "\nConsumeQueueData{physicOffset=" + m.getCommitLogOffset()
                + ", physicSize=" + m.getStoreSize() + ","), "entry " + i + " in " + r);
        }
    }
}
