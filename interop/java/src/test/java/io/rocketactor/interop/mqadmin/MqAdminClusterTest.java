package io.rocketactor.interop.mqadmin;

import static io.rocketactor.interop.mqadmin.MqAdminEnv.env;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.alibaba.fastjson.JSON;
import com.alibaba.fastjson.JSONObject;
import io.rocketactor.interop.Eventually;
import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.apache.rocketmq.common.message.MessageExt;
import org.apache.rocketmq.common.message.MessageQueue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * mqadmin's cluster-wide sub-commands (tools/command/cluster, export, stats): clusterList,
 * clusterRT, exportMetadata, exportConfigs, exportMetrics, statsAll.
 */
@ExtendWith(MqAdminEnv.Extension.class)
class MqAdminClusterTest {

    @Test
    void clusterList() throws Exception {
        MqAdminEnv e = env();
        MqAdmin.Result r = e.mq("clusterList").ok();
        assertTrue(r.lines().get(0).startsWith("#Cluster Name"), r.toString());
        Pattern row = Pattern.compile("^(\\S+)\\s+(\\S+)\\s+(\\d+)\\s+(\\S+)\\s+(\\S+)\\s+(\\S+)\\s+(\\S+)\\s+(\\d+)\\s+(\\S+)\\s+(\\S+)$");
        Map<String, String[]> rows = new HashMap<>();
        for (String line : r.lines().subList(1, r.lines().size())) {
            Matcher m = row.matcher(line);
            assertTrue(m.matches(), line);
            rows.put(m.group(2) + "/" + m.group(3), new String[] {m.group(1), m.group(4), m.group(5), m.group(10)});
        }
        assertEquals(Map.of("broker-a/0", e.masterA, "broker-a/1", e.slaveA, "broker-b/0", e.masterB),
            Map.of("broker-a/0", rows.get("broker-a/0")[1], "broker-a/1", rows.get("broker-a/1")[1],
                "broker-b/0", rows.get("broker-b/0")[1]), r.toString());
        assertEquals(3, rows.size(), r.toString());
        for (String[] v : rows.values()) {
            assertEquals(e.clusterName, v[0]);
            assertEquals("V4_9_7", v[2]);
            double space = Double.parseDouble(v[3]);
            assertTrue(space > 0 && space <= 1, "#SPACE is the store disk's used ratio: " + r);
        }

        // -m: message counts per broker (today = since the morning, this cluster is younger)
        String t = e.topic("cl_list", 1);
        DefaultMQProducer p = e.producer(MqAdminEnv.unique("pg_cl"));
        for (int i = 0; i < 3; i++) {
            p.send(new org.apache.rocketmq.common.message.Message(t, ("m" + i).getBytes()), new MessageQueue(t, e.brokerB, 0));
        }
        MqAdmin.Result m = e.mq("clusterList", "-m").ok();
        Matcher b = Pattern.compile("(?m)^" + Pattern.quote(e.clusterName) + "\\s+" + e.brokerB
            + "\\s+(\\d+)\\s+(\\d+)\\s+(\\d+)\\s+(\\d+)$").matcher(m.out);
        assertTrue(b.find(), m.toString());
        long inToday = Long.parseLong(b.group(3));
        long expected = Long.parseLong(e.admin.fetchBrokerRuntimeStats(e.masterB).getTable().get("msgPutTotalTodayNow"));
        assertTrue(inToday >= 3 && inToday <= expected, "InTotalToday of broker-b " + inToday + ": " + m);
    }

    @Test
    void clusterRT() throws Exception {
        MqAdminEnv e = env();
        // clusterRT sends to the topic named after each broker, every -i seconds, until stopped
        Pattern row = Pattern.compile("(?m)^" + Pattern.quote(e.clusterName) + "\\s+(\\S+)\\s+([0-9.]+)\\s+(\\d+)\\s+(\\d+)\\s*$");
        MqAdmin.Result r = MqAdmin.runUntil(out -> {
            Matcher m = row.matcher(out);
            int n = 0;
            while (m.find()) {
                n++;
            }
            return n >= 2;
        }, Duration.ofSeconds(60), "clusterRT", "-n", e.namesrv, "-a", "4", "-s", "64", "-i", "1", "-c", e.clusterName);
        assertTrue(r.lines().get(0).startsWith("#Cluster Name"), r.toString());
        Matcher m = row.matcher(r.out);
        Map<String, String> ok = new HashMap<>();
        while (m.find()) {
            ok.put(m.group(1), m.group(3) + "/" + m.group(4));
        }
        assertEquals("4/0", ok.get(e.brokerA), "4 sent, none failed, to broker-a: " + r);
        assertEquals("4/0", ok.get(e.brokerB), "4 sent, none failed, to broker-b: " + r);
    }

    @Test
    void exportMetadata(@TempDir Path dir) throws Exception {
        MqAdminEnv e = env();
        String t = e.topic("cl_meta", 3);
        String g = MqAdminEnv.unique("sg_meta");
        e.mq("updateSubGroup", "-c", e.clusterName, "-g", g, "-r", "4").ok();
        MqAdmin.Result r = e.mq("exportMetadata", "-c", e.clusterName, "-f", dir.toString()).ok();
        Path file = dir.resolve("metadata.json");
        assertEquals("export " + file + " success", r.out.trim());
        JSONObject meta = JSON.parseObject(Files.readString(file));
        JSONObject tc = meta.getJSONObject("topicConfigTable").getJSONObject(t);
        assertNotNull(tc, "topic " + t + " in " + meta);
        assertEquals(6, tc.getIntValue("readQueueNums"), "queues summed over both masters");
        assertEquals(6, tc.getIntValue("writeQueueNums"));
        JSONObject sg = meta.getJSONObject("subscriptionGroupTable").getJSONObject(g);
        assertNotNull(sg, "group " + g + " in " + meta);
        assertEquals(4, sg.getIntValue("retryMaxTimes"));
        assertTrue(meta.getLongValue("exportTime") > 0);

        // -b -t / -b -g: one broker's topics or groups
        Path one = dir.resolve("one");
        MqAdmin.Result rt = e.mq("exportMetadata", "-b", e.masterA, "-t", "-f", one.toString()).ok();
        assertEquals("export " + one.resolve("topic.json") + " success", rt.out.trim());
        JSONObject topics = JSON.parseObject(Files.readString(one.resolve("topic.json")));
        assertEquals(3, topics.getJSONObject("topicConfigTable").getJSONObject(t).getIntValue("readQueueNums"));
        e.mq("exportMetadata", "-b", e.masterA, "-g", "-f", one.toString()).ok();
        JSONObject groups = JSON.parseObject(Files.readString(one.resolve("subscriptionGroup.json")));
        assertNotNull(groups.getJSONObject("subscriptionGroupTable").getJSONObject(g), groups.toString());
    }

    @Test
    void exportConfigs(@TempDir Path dir) throws Exception {
        MqAdminEnv e = env();
        MqAdmin.Result r = e.mq("exportConfigs", "-c", e.clusterName, "-f", dir.toString()).ok();
        Path file = dir.resolve("configs.json");
        assertEquals("export " + file + " success", r.out.trim());
        JSONObject cfg = JSON.parseObject(Files.readString(file));
        JSONObject scale = cfg.getJSONObject("clusterScale");
        assertEquals(2, scale.getIntValue("namesrvSize"));
        assertEquals(2, scale.getIntValue("masterBrokerSize"));
        assertEquals(1, scale.getIntValue("slaveBrokerSize"));
        JSONObject a = cfg.getJSONObject("brokerConfigs").getJSONObject(e.brokerA);
        assertEquals("SYNC_MASTER", a.getString("brokerRole"));
        assertEquals("SYNC_FLUSH", a.getString("flushDiskType"));
        assertEquals(e.clusterName, a.getString("brokerClusterName"));
        assertEquals("0", a.getString("brokerId"));
        JSONObject b = cfg.getJSONObject("brokerConfigs").getJSONObject(e.brokerB);
        assertEquals("ASYNC_MASTER", b.getString("brokerRole"));
        assertEquals(e.admin.getBrokerConfig(e.masterB).getProperty("maxMessageSize"), b.getString("maxMessageSize"));
        assertEquals("false", b.getString("useTLS"));
    }

    @Test
    void exportMetrics(@TempDir Path dir) throws Exception {
        MqAdminEnv e = env();
        MqAdmin.Result r = e.mq("exportMetrics", "-c", e.clusterName, "-f", dir.toString()).ok();
        Path file = dir.resolve("metrics.json");
        assertEquals("export " + file + " success", r.out.trim());
        JSONObject metrics = JSON.parseObject(Files.readString(file));
        JSONObject report = metrics.getJSONObject("evaluateReport");
        assertEquals(java.util.Set.of(e.brokerA, e.brokerB), report.keySet(), metrics.toString());
        for (String b : List.of(e.brokerA, e.brokerB)) {
            JSONObject br = report.getJSONObject(b);
            assertEquals("V4_9_7", br.getJSONObject("runtimeVersion").getString("rocketmqVersion"));
            JSONObject quota = br.getJSONObject("runtimeQuota");
            String addr = b.equals(e.brokerA) ? e.masterA : e.masterB;
            assertEquals(e.admin.getUserTopicConfig(addr, false, 10000).getTopicConfigTable().size(),
                quota.getIntValue("topicSize"), b);
            double ratio = quota.getJSONObject("diskRatio").getDoubleValue("commitLogDiskRatio");
            assertTrue(ratio > 0 && ratio <= 1, "commitLogDiskRatio of " + b + ": " + br);
            assertTrue(br.getJSONObject("runtimeEnv").getIntValue("cpuNum") >= 1, "cpuNum of " + b + ": " + br);
        }
        assertNotNull(metrics.getJSONObject("totalData").getJSONObject("totalTps"));
    }

    /** The statsAll row of {@code topic}: [group, accumulation, inTPS, outTPS, inMsg24h, outMsg24h]. */
    private static String[] statsRow(MqAdmin.Result r, String topic) {
        Pattern row = Pattern.compile("^" + Pattern.quote(topic) + "\\s+(\\S+)\\s+(\\d+)\\s+([0-9.]+)\\s+([0-9.]+)\\s+(\\d+)\\s+(\\d+)$");
        for (String line : r.lines()) {
            Matcher m = row.matcher(line);
            if (m.matches()) {
                return new String[] {m.group(1), m.group(2), m.group(3), m.group(4), m.group(5), m.group(6)};
            }
        }
        throw new AssertionError("no statsAll row for " + topic + " in " + r);
    }

    private static String consumedTopic(String prefix, int n, String group) {
        MqAdminEnv e = env();
        String t = e.topic(prefix, 1);
        e.send(e.producer(MqAdminEnv.unique("pg_stats")), t, n, "S", "s");
        Map<String, MessageExt> got = MqAdminEnv.collector();
        e.consumer(group, t, got);
        Eventually.await(MqAdminEnv.WAIT, n + " consumed", () -> got.size() >= n);
        e.awaitConsumed(group, t, n);
        return t;
    }

    @Test
    void statsAll() throws Exception {
        MqAdminEnv e = env();
        String g = MqAdminEnv.unique("cg_stats");
        String t = consumedTopic("cl_stats", 5, g);
        MqAdmin.Result r = e.mq("statsAll", "-t", t).ok();
        assertTrue(r.lines().get(0).startsWith("#Topic"), r.toString());
        String[] row = statsRow(r, t);
        assertEquals(g, row[0], r.toString());
        assertEquals("0", row[1], "no accumulation once consumed: " + r);
        // all topics: the topic is there too
        MqAdmin.Result all = e.mq("statsAll").ok();
        assertEquals(g, statsRow(all, t)[0], all.toString());
    }

    @Test
    void statsAllMessageCounts() throws Exception {
        MqAdminEnv e = env();
        String g = MqAdminEnv.unique("cg_stats_n");
        String t = consumedTopic("cl_stats_n", 5, g);
        // The minute window is sampled every 10 s (Java StatsItem): wait for the sample, bounded.
        String[][] row = new String[1][];
        Eventually.await(MqAdminEnv.WAIT, "statsAll counts 5 in and 5 out for " + t, () -> {
            row[0] = statsRow(e.mq("statsAll", "-t", t).ok(), t);
            return "5".equals(row[0][4]) && "5".equals(row[0][5]);
        });
        assertEquals("5", row[0][4], "#InMsg24Hour");
        assertEquals("5", row[0][5], "#OutMsg24Hour");
        assertTrue(Double.parseDouble(row[0][2]) > 0, "#InTPS after a load: " + String.join(" ", row[0]));
        assertTrue(Double.parseDouble(row[0][3]) > 0, "#OutTPS after a load: " + String.join(" ", row[0]));
    }
}
