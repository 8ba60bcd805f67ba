package io.rocketactor.interop.mqadmin;

import static io.rocketactor.interop.mqadmin.MqAdminEnv.env;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.alibaba.fastjson.JSON;
import com.alibaba.fastjson.JSONArray;
import com.alibaba.fastjson.JSONObject;
import io.rocketactor.interop.Eventually;
import org.apache.rocketmq.client.exception.MQClientException;
import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.apache.rocketmq.common.TopicConfig;
import org.apache.rocketmq.common.admin.TopicStatsTable;
import org.apache.rocketmq.common.message.Message;
import org.apache.rocketmq.common.message.MessageQueue;
import org.apache.rocketmq.common.protocol.ResponseCode;
import org.apache.rocketmq.common.protocol.route.BrokerData;
import org.apache.rocketmq.common.protocol.route.QueueData;
import org.apache.rocketmq.common.protocol.route.TopicRouteData;
import org.apache.rocketmq.remoting.protocol.RemotingSerializable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * mqadmin's topic sub-commands (tools/command/topic and stats): updateTopic, deleteTopic,
 * updateTopicPerm, topicRoute, topicStatus, topicClusterList, topicList, updateOrderConf,
 * allocateMQ, statsAll. Each checks what the command printed against what the test did and
 * against the cluster's own view (DefaultMQAdminExt).
 */
@ExtendWith(MqAdminEnv.Extension.class)
class MqAdminTopicTest {

    private static QueueData queueData(TopicRouteData r, String brokerName) {
        return r.getQueueDatas().stream().filter(q -> q.getBrokerName().equals(brokerName)).findFirst()
            .orElseThrow(() -> new AssertionError("no queue data of " + brokerName + " in " + r));
    }

    @Test
    void updateTopic() throws Exception {
        MqAdminEnv e = env();
        String t = MqAdminEnv.unique("mq_update");
        MqAdmin.Result r = e.mq("updateTopic", "-c", e.clusterName, "-t", t, "-r", "3", "-w", "5", "-p", "6").ok();
        assertTrue(r.out.contains("create topic to " + e.masterA + " success."), r.toString());
        assertTrue(r.out.contains("create topic to " + e.masterB + " success."), r.toString());
        assertTrue(r.out.contains("TopicConfig [topicName=" + t + ", readQueueNums=3, writeQueueNums=5, perm=RW-"),
            r.toString());
        for (String addr : List.of(e.masterA, e.masterB)) {
            TopicConfig tc = e.admin.examineTopicConfig(addr, t);
            assertNotNull(tc, "topic config of " + t + " on " + addr);
            assertEquals(3, tc.getReadQueueNums());
            assertEquals(5, tc.getWriteQueueNums());
            assertEquals(6, tc.getPerm());
        }
        e.awaitRoute(t, 2);
        TopicRouteData route = e.admin.examineTopicRouteInfo(t);
        assertEquals(5, queueData(route, e.brokerA).getWriteQueueNums());
        assertEquals(3, queueData(route, e.brokerB).getReadQueueNums());

        // -b: one broker only, and -o true writes the order conf "brokerName:writeQueueNums" to the name server.
        String t2 = MqAdminEnv.unique("mq_update_b");
        MqAdmin.Result rb = e.mq("updateTopic", "-b", e.masterB, "-t", t2, "-r", "2", "-w", "2", "-o", "true").ok();
        assertTrue(rb.out.contains("set broker orderConf. isOrder=true, orderConf=[" + e.brokerB + ":2]"), rb.toString());
        assertTrue(rb.out.contains("create topic to " + e.masterB + " success."), rb.toString());
        assertNull(e.admin.examineTopicConfig(e.masterA, t2), "topic " + t2 + " must not exist on broker-a");
        assertEquals(2, e.admin.examineTopicConfig(e.masterB, t2).getWriteQueueNums());
        assertEquals(e.brokerB + ":2", e.admin.getKVConfig("ORDER_TOPIC_CONFIG", t2));
        e.awaitRoute(t2, 1);
        TopicRouteData r2 = e.admin.examineTopicRouteInfo(t2);
        assertEquals(Set.of(e.brokerB), brokerNames(r2));
        // Java's name server adds the order conf to a route only with orderMessageEnable=true (default
        // false; DefaultRequestProcessor.getRouteInfoByTopic), so a default route has none.
        assertNull(r2.getOrderTopicConf(), "orderTopicConf of a route with orderMessageEnable=false");
    }

    private static Set<String> brokerNames(TopicRouteData r) {
        Set<String> s = new TreeSet<>();
        r.getQueueDatas().forEach(q -> s.add(q.getBrokerName()));
        return s;
    }

    @Test
    void deleteTopic() throws Exception {
        MqAdminEnv e = env();
        String t = e.topic("mq_delete", 2);
        MqAdmin.Result r = e.mq("deleteTopic", "-c", e.clusterName, "-t", t).ok();
        assertEquals(List.of("delete topic [" + t + "] from cluster [" + e.clusterName + "] success.",
            "delete topic [" + t + "] from NameServer success."), r.lines());
        assertNull(e.admin.examineTopicConfig(e.masterA, t));
        assertNull(e.admin.examineTopicConfig(e.masterB, t));
        assertTrue(!e.admin.fetchAllTopicList().getTopicList().contains(t), "topic list still has " + t);
        try {
            e.admin.examineTopicRouteInfo(t);
            throw new AssertionError("route of deleted topic " + t + " still found");
        } catch (MQClientException ex) {
            assertEquals(ResponseCode.TOPIC_NOT_EXIST, ex.getResponseCode(), ex.toString());
        }
    }

    @Test
    void updateTopicPerm() throws Exception {
        MqAdminEnv e = env();
        String t = e.topic("mq_perm", 2);
        MqAdmin.Result r = e.mq("updateTopicPerm", "-c", e.clusterName, "-t", t, "-p", "4").ok();
        assertTrue(r.out.contains("update topic perm from 6 to 4 in " + e.masterA + " success."), r.toString());
        assertTrue(r.out.contains("update topic perm from 6 to 4 in " + e.masterB + " success."), r.toString());
        assertEquals(4, e.admin.examineTopicConfig(e.masterA, t).getPerm());
        Eventually.await(MqAdminEnv.WAIT, "route perm of " + t + " is 4 on both brokers", () -> {
            try {
                TopicRouteData rd = e.admin.examineTopicRouteInfo(t);
                return rd.getQueueDatas().size() == 2 && rd.getQueueDatas().stream().allMatch(q -> q.getPerm() == 4);
            } catch (Exception ex) {
                return false;
            }
        });
        // -b, one broker back to read-write
        MqAdmin.Result rb = e.mq("updateTopicPerm", "-b", e.masterB, "-t", t, "-p", "6").ok();
        assertTrue(rb.out.contains("update topic perm from 4 to 6 in " + e.masterB + " success."), rb.toString());
        assertEquals(6, e.admin.examineTopicConfig(e.masterB, t).getPerm());
        assertEquals(4, e.admin.examineTopicConfig(e.masterA, t).getPerm());
    }

    @Test
    void topicRoute() throws Exception {
        MqAdminEnv e = env();
        String t = e.topic("mq_route", 4);
        MqAdmin.Result r = e.mq("topicRoute", "-t", t).ok();
        TopicRouteData route = RemotingSerializable.fromJson(r.out, TopicRouteData.class);
        Map<String, BrokerData> byName = new HashMap<>();
        route.getBrokerDatas().forEach(b -> byName.put(b.getBrokerName(), b));
        assertEquals(Set.of(e.brokerA, e.brokerB), byName.keySet(), r.toString());
        assertEquals(Map.of(0L, e.masterA, 1L, e.slaveA), new HashMap<>(byName.get(e.brokerA).getBrokerAddrs()));
        assertEquals(Map.of(0L, e.masterB), new HashMap<>(byName.get(e.brokerB).getBrokerAddrs()));
        assertEquals(e.clusterName, byName.get(e.brokerA).getCluster());
        for (String b : List.of(e.brokerA, e.brokerB)) {
            QueueData q = queueData(route, b);
            assertEquals(4, q.getReadQueueNums());
            assertEquals(4, q.getWriteQueueNums());
            assertEquals(6, q.getPerm());
        }

        // -l: the table form
        MqAdmin.Result l = e.mq("topicRoute", "-t", t, "-l").ok();
        List<String> lines = l.lines();
        assertTrue(lines.get(0).startsWith("#ClusterName"), l.toString());
        String rowA = lines.stream().filter(s -> s.contains(" " + e.brokerA + " ")).findFirst().orElseThrow();
        assertTrue(rowA.startsWith(e.clusterName), rowA);
        assertTrue(rowA.contains("{0=" + e.masterA + ", 1=" + e.slaveA + "}"), rowA);
        assertTrue(rowA.matches(".*\\s4\\s+4\\s+6\\s*$"), rowA);
        String total = lines.get(lines.size() - 1);
        assertTrue(total.matches("Total:\\s+2\\s+8\\s+8\\s*"), total);
    }

    @Test
    void topicStatus() throws Exception {
        MqAdminEnv e = env();
        String t = e.topic("mq_status", 2);
        DefaultMQProducer p = e.producer(MqAdminEnv.unique("pg_status"));
        MessageQueue qa1 = new MessageQueue(t, e.brokerA, 1);
        MessageQueue qb0 = new MessageQueue(t, e.brokerB, 0);
        for (int i = 0; i < 3; i++) {
            p.send(new Message(t, "A", ("a" + i).getBytes()), qa1);
        }
        p.send(new Message(t, "B", "b".getBytes()), qb0);
        MqAdmin.Result r = e.mq("topicStatus", "-t", t).ok();
        Map<String, long[]> rows = new HashMap<>();
        Pattern row = Pattern.compile("^(\\S+)\\s+(\\d+)\\s+(\\d+)\\s+(\\d+)\\s*(.*)$");
        for (String line : r.lines()) {
            Matcher m = row.matcher(line);
            if (m.matches()) {
                rows.put(m.group(1) + "/" + m.group(2), new long[] {Long.parseLong(m.group(3)), Long.parseLong(m.group(4)),
                    m.group(5).isBlank() ? 0 : 1});
            }
        }
        assertEquals(Set.of("broker-a/0", "broker-a/1", "broker-b/0", "broker-b/1"), rows.keySet(), r.toString());
        assertEquals(3, rows.get("broker-a/1")[1], r.toString());
        assertEquals(1, rows.get("broker-b/0")[1], r.toString());
        assertEquals(0, rows.get("broker-a/0")[1], r.toString());
        assertEquals(1, rows.get("broker-a/1")[2], "last-updated column of a written queue: " + r);
        assertEquals(0, rows.get("broker-a/0")[2], "no last-updated time for an empty queue: " + r);
        rows.values().forEach(v -> assertEquals(0, v[0]));
        TopicStatsTable stats = e.admin.examineTopicStats(t);
        assertEquals(3, stats.getOffsetTable().get(qa1).getMaxOffset());
    }

    @Test
    void topicClusterList() throws Exception {
        MqAdminEnv e = env();
        String t = e.topic("mq_tcl", 1);
        MqAdmin.Result r = e.mq("topicClusterList", "-t", t).ok();
        assertEquals(List.of(e.clusterName), r.lines());
    }

    @Test
    void topicList() throws Exception {
        MqAdminEnv e = env();
        String t = e.topic("mq_list", 1);
        Set<String> before = new HashSet<>(e.admin.fetchAllTopicList().getTopicList());
        MqAdmin.Result r = e.mq("topicList").ok();
        Set<String> listed = new HashSet<>(r.lines());
        assertTrue(listed.contains(t), r.toString());
        // every topic the name server knew just before (clients of other tests may add retry topics)
        Set<String> missing = new HashSet<>(before);
        missing.removeAll(listed);
        assertTrue(missing.isEmpty(), "not listed: " + missing + " in " + r);
        assertTrue(listed.contains(e.brokerA) && listed.contains(e.brokerB) && listed.contains(e.clusterName),
            "the broker-name and cluster-name topics: " + r);

        // -c: cluster, topic and consumer groups of each topic
        String group = MqAdminEnv.unique("cg_list");
        e.consumer(group, t, MqAdminEnv.collector());
        Eventually.await(MqAdminEnv.WAIT, group + " consumes " + t, () -> {
            try {
                return e.admin.queryTopicConsumeByWho(t).getGroupList().contains(group);
            } catch (Exception ex) {
                return false;
            }
        });
        MqAdmin.Result c = e.mq("topicList", "-c").ok();
        assertTrue(c.lines().get(0).startsWith("#Cluster Name"), c.toString());
        String line = c.lines().stream().filter(s -> s.contains(" " + t + " ")).findFirst().orElseThrow(
            () -> new AssertionError("no row for " + t + " in " + c));
        assertTrue(line.matches(Pattern.quote(e.clusterName) + "\\s+" + Pattern.quote(t) + "\\s+" + Pattern.quote(group)
            + "\\s*"), line);
    }

    @Test
    void updateOrderConf() throws Exception {
        MqAdminEnv e = env();
        String t = e.topic("mq_order", 2);
        String conf = e.brokerA + ":2;" + e.brokerB + ":2";
        MqAdmin.Result put = e.mq("updateOrderConf", "-t", t, "-m", "put", "-v", conf).ok();
        assertEquals("update orderConf success. topic=[" + t + "], orderConf=[" + conf + "]", put.out.trim());
        MqAdmin.Result get = e.mq("updateOrderConf", "-t", t, "-m", "get").ok();
        assertEquals("get orderConf success. topic=[" + t + "], orderConf=[" + conf + "]", get.out.trim());
        assertEquals(conf, e.admin.getKVConfig("ORDER_TOPIC_CONFIG", t));
        MqAdmin.Result del = e.mq("updateOrderConf", "-t", t, "-m", "delete").ok();
        assertEquals("delete orderConf success. topic=[" + t + "]", del.out.trim());
        MqAdmin.Result gone = e.mq("updateOrderConf", "-t", t, "-m", "get");
        assertNotNull(gone.thrown, gone.toString());
        assertTrue(gone.failure().contains("CODE: 22"), gone.failure());
        assertTrue(gone.failure().contains("No config item, Namespace: ORDER_TOPIC_CONFIG Key: " + t), gone.failure());
    }

    @Test
    void allocateMQ() throws Exception {
        MqAdminEnv e = env();
        String t = e.topic("mq_alloc", 4);
        MqAdmin.Result r = e.mq("allocateMQ", "-t", t, "-i", "10.0.0.1,10.0.0.2").ok();
        JSONObject result = JSON.parseObject(r.out.trim()).getJSONObject("result");
        assertEquals(Set.of("10.0.0.1", "10.0.0.2"), result.keySet(), r.toString());
        Set<String> all = new HashSet<>();
        for (String ip : result.keySet()) {
            JSONArray qs = result.getJSONArray(ip);
            assertEquals(4, qs.size(), "an even share of 8 queues for " + ip + ": " + r);
            for (int i = 0; i < qs.size(); i++) {
                JSONObject q = qs.getJSONObject(i);
                assertEquals(t, q.getString("topic"));
                all.add(q.getString("brokerName") + "/" + q.getIntValue("queueId"));
            }
        }
        Set<String> expected = new HashSet<>();
        for (String b : List.of(e.brokerA, e.brokerB)) {
            for (int i = 0; i < 4; i++) {
                expected.add(b + "/" + i);
            }
        }
        assertEquals(expected, all);
    }
}
