package io.rocketactor.interop.mqadmin;

import static io.rocketactor.interop.mqadmin.MqAdminEnv.env;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.apache.rocketmq.client.exception.MQClientException;
import org.apache.rocketmq.common.protocol.route.QueueData;
import org.apache.rocketmq.tools.admin.DefaultMQAdminExt;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * mqadmin's name-server sub-commands (tools/command/namesrv): updateKvConfig, deleteKvConfig,
 * wipeWritePerm, addWritePerm, getNamesrvConfig, updateNamesrvConfig. Each name server is
 * checked on its own (one admin client per name server), since the commands write to all.
 */
@ExtendWith(MqAdminEnv.Extension.class)
class MqAdminNamesrvTest {
    private static final List<DefaultMQAdminExt> PER_NAMESRV = new ArrayList<>();

    @BeforeAll
    static void perNamesrvAdmins() throws MQClientException {
        for (String ns : env().cluster.namesrvAddrs()) {
            DefaultMQAdminExt a = new DefaultMQAdminExt(10000);
            a.setNamesrvAddr(ns);
            a.setInstanceName(MqAdminEnv.unique("ns_admin"));
            a.start();
            PER_NAMESRV.add(a);
        }
    }

    @AfterAll
    static void shutdown() {
        PER_NAMESRV.forEach(DefaultMQAdminExt::shutdown);
        PER_NAMESRV.clear();
    }

    private static String kvOn(DefaultMQAdminExt a, String ns, String key) {
        try {
            return a.getKVConfig(ns, key);
        } catch (Exception e) {
            return "ERROR " + e.getMessage();
        }
    }

    @Test
    void updateKvConfig() {
        MqAdminEnv e = env();
        String ns = MqAdminEnv.unique("kv_ns");
        MqAdmin.Result r = e.mq("updateKvConfig", "-s", ns, "-k", "key1", "-v", "value-1").ok();
        assertEquals("create or update kv config to namespace success.", r.out.trim());
        for (DefaultMQAdminExt a : PER_NAMESRV) {
            assertEquals("value-1", kvOn(a, ns, "key1"), "on " + a.getNamesrvAddr());
        }
        e.mq("updateKvConfig", "-s", ns, "-k", "key1", "-v", "value-2").ok();
        for (DefaultMQAdminExt a : PER_NAMESRV) {
            assertEquals("value-2", kvOn(a, ns, "key1"), "updated on " + a.getNamesrvAddr());
        }
    }

    @Test
    void deleteKvConfig() throws Exception {
        MqAdminEnv e = env();
        String ns = MqAdminEnv.unique("kv_del");
        e.mq("updateKvConfig", "-s", ns, "-k", "gone", "-v", "x").ok();
        e.mq("updateKvConfig", "-s", ns, "-k", "kept", "-v", "y").ok();
        MqAdmin.Result r = e.mq("deleteKvConfig", "-s", ns, "-k", "gone").ok();
        assertEquals("delete kv config from namespace success.", r.out.trim());
        for (DefaultMQAdminExt a : PER_NAMESRV) {
            String v = kvOn(a, ns, "gone");
            assertTrue(v.startsWith("ERROR CODE: 22") && v.contains("No config item, Namespace: " + ns + " Key: gone"), v);
            assertEquals("y", kvOn(a, ns, "kept"));
            assertEquals(Map.of("kept", "y"), a.getKVListByNamespace(ns).getTable());
        }
    }

    private static final Pattern PERM_LINE =
        Pattern.compile("(wipe|add) write perm of broker\\[(\\S+)\\] in name server\\[(\\S+)\\] OK, (\\d+)");

    /** name server address -> topic count, from the command's lines; fails on a "Failed" line. */
    private static Map<String, Integer> permCounts(MqAdmin.Result r, String verb, String broker) {
        Map<String, Integer> counts = new java.util.TreeMap<>();
        for (String line : r.lines()) {
            Matcher m = PERM_LINE.matcher(line);
            if (!m.matches() || !m.group(1).equals(verb) || !m.group(2).equals(broker)) {
                fail("unexpected line of " + r.command + ": " + line + "\n" + r);
            }
            counts.put(m.group(3), Integer.parseInt(m.group(4)));
        }
        return counts;
    }

    private static int routePerm(DefaultMQAdminExt a, String topic, String broker) throws Exception {
        return a.examineTopicRouteInfo(topic).getQueueDatas().stream().filter(q -> q.getBrokerName().equals(broker))
            .mapToInt(QueueData::getPerm).findFirst().orElseThrow();
    }

    @Test
    void wipeWritePerm() throws Exception {
        MqAdminEnv e = env();
        String t = e.topic("ns_wipe", 2);
        try {
            MqAdmin.Result r = e.mq("wipeWritePerm", "-b", e.brokerB).ok();
            Map<String, Integer> counts = permCounts(r, "wipe", e.brokerB);
            assertEquals(new java.util.TreeSet<>(e.cluster.namesrvAddrs()), counts.keySet(), r.toString());
            counts.values().forEach(n -> assertTrue(n >= 1, "topics wiped: " + r));
            for (DefaultMQAdminExt a : PER_NAMESRV) {
                assertEquals(4, routePerm(a, t, e.brokerB), "broker-b perm of " + t + " on " + a.getNamesrvAddr());
                assertEquals(6, routePerm(a, t, e.brokerA), "broker-a untouched on " + a.getNamesrvAddr());
            }
        } finally {
            e.mq("addWritePerm", "-b", e.brokerB).ok();
        }
    }

    @Test
    void addWritePerm() throws Exception {
        MqAdminEnv e = env();
        String t = e.topic("ns_add", 2);
        MqAdmin.Result w = e.mq("wipeWritePerm", "-b", e.brokerA).ok();
        Map<String, Integer> wiped = permCounts(w, "wipe", e.brokerA);
        MqAdmin.Result r = e.mq("addWritePerm", "-b", e.brokerA).ok();
        Map<String, Integer> added = permCounts(r, "add", e.brokerA);
        assertEquals(wiped, added, "the same topics get write permission back: " + w + r);
        for (DefaultMQAdminExt a : PER_NAMESRV) {
            assertEquals(6, routePerm(a, t, e.brokerA), "broker-a perm of " + t + " on " + a.getNamesrvAddr());
        }
    }

    @Test
    void getNamesrvConfig() throws Exception {
        MqAdminEnv e = env();
        MqAdmin.Result r = e.mq("getNamesrvConfig").ok();
        // one section per name server, each with its own bound port
        String[] sections = r.out.split("(?m)^(?=============)");
        Map<String, String> portOf = new java.util.HashMap<>();
        for (String sec : sections) {
            Matcher h = Pattern.compile("^============(\\S+)============").matcher(sec);
            Matcher p = Pattern.compile("(?m)^listenPort\\s+=  (\\d+)$").matcher(sec);
            if (h.find()) {
                assertTrue(p.find(), sec);
                portOf.put(h.group(1), p.group(1));
                assertTrue(Pattern.compile("(?m)^orderMessageEnable\\s+=  false$").matcher(sec).find(), sec);
                assertTrue(Pattern.compile("(?m)^scanNotActiveBrokerInterval\\s+=  \\d+$").matcher(sec).find(), sec);
            }
        }
        Map<String, String> expected = new java.util.HashMap<>();
        for (String ns : e.cluster.namesrvAddrs()) {
            expected.put(ns, ns.split(":")[1]);
        }
        assertEquals(expected, portOf, r.toString());
        // the same through DefaultMQAdminExt
        Map<String, Properties> cfg = e.admin.getNameServerConfig(e.cluster.namesrvAddrs());
        cfg.forEach((ns, p) -> assertEquals(ns.split(":")[1], p.getProperty("listenPort"), ns));
    }

    @Test
    void updateNamesrvConfig() throws Exception {
        MqAdminEnv e = env();
        MqAdmin.Result r = e.mq("updateNamesrvConfig", "-k", "scanNotActiveBrokerInterval", "-v", "9000").ok();
        assertTrue(r.out.startsWith("update name server config success!"), r.toString());
        assertTrue(r.out.contains("scanNotActiveBrokerInterval : 9000"), r.toString());
        Map<String, Properties> cfg = e.admin.getNameServerConfig(e.cluster.namesrvAddrs());
        assertEquals(2, cfg.size());
        cfg.forEach((ns, p) -> assertEquals("9000", p.getProperty("scanNotActiveBrokerInterval"), ns));
    }
}
