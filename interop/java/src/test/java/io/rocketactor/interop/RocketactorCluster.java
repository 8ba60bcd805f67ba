package io.rocketactor.interop;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.rocketmq.common.TopicConfig;
import org.apache.rocketmq.common.protocol.body.ClusterInfo;
import org.apache.rocketmq.common.protocol.route.BrokerData;
import org.apache.rocketmq.common.protocol.route.QueueData;
import org.apache.rocketmq.common.protocol.route.TopicRouteData;
import org.apache.rocketmq.tools.admin.DefaultMQAdminExt;

/**
 * A cluster of real rocketactor processes for one test class: two name servers (OS-chosen
 * ports read back from their "name server started" log line) and brokers started from
 * broker.properties files written into a temp dir. Default topology: broker-a SYNC_MASTER +
 * SYNC_FLUSH with its slave broker-a-s, and broker-b ASYNC_MASTER + ASYNC_FLUSH. Child output
 * goes to target/cluster-logs/&lt;test&gt;/&lt;node&gt;.log. {@link #close()} stops only the children
 * this object started (by their Process handle).
 */
public final class RocketactorCluster implements AutoCloseable {
    public static final String CLUSTER_NAME = "rocketactor-it";
    public static final String HOST = "127.0.0.1";
    static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    private static final Pattern LISTEN = Pattern.compile("\"listen\":\"([0-9.]+:[0-9]+)\"");
    private static final Set<RocketactorCluster> LIVE = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> LIVE.forEach(RocketactorCluster::killAll),
            "rocketactor-cluster-reaper"));
    }

    private final String testName;
    private final Path bin;
    private final Path logDir;
    private final Path storeRoot;
    private final List<NodeProcess> namesrvs = new ArrayList<>();
    private final List<String> namesrvAddrs = new ArrayList<>();
    private final Map<String, Broker> brokers = new LinkedHashMap<>();
    /** One admin client per name server, to check each one's view separately. */
    private final List<DefaultMQAdminExt> perNamesrvAdmin = new ArrayList<>();
    private DefaultMQAdminExt admin;

    /** A broker node: its spec, its ports, its properties file and its process. */
    private static final class Broker {
        final BrokerSpec spec;
        int listenPort;
        Path props;
        NodeProcess proc;
        /** Master's log length when this slave was last spawned ("slave attached" comes after). */
        long masterLogMark;

        Broker(BrokerSpec spec) {
            this.spec = spec;
        }
    }

    /** Builds a cluster; with no {@link #broker} call the default topology is used. */
    public static final class Builder {
        private final String testName;
        private final List<BrokerSpec> specs = new ArrayList<>();
        private final Map<String, String> allExtra = new LinkedHashMap<>();
        private AclSetup acl;
        private String tlsMode;

        private Builder(String testName) {
            this.testName = testName;
        }

        /** Adds a broker (replaces the default topology). */
        public Builder broker(BrokerSpec spec) {
            specs.add(spec);
            return this;
        }

        /** A broker.properties key for every broker (e.g. enablePropertyFilter=true). */
        public Builder brokerProperty(String key, String value) {
            allExtra.put(key, value);
            return this;
        }

        /**
         * ACL on every broker (docs/acl.md): {@code aclEnable=true} and ROCKETMQ_HOME set to a
         * per-broker home whose conf/plain_acl.yml is {@code plainAclYml}. With
         * {@code loopbackWhite}, conf/acl/loopback.yml also puts 127.0.0.1 in the global white
         * list (unsigned clients of other tests keep working). The harness's own admin clients
         * sign with {@code adminHook} (null: unsigned).
         */
        public Builder acl(String plainAclYml, boolean loopbackWhite, org.apache.rocketmq.remoting.RPCHook adminHook) {
            acl = new AclSetup(plainAclYml, loopbackWhite, adminHook);
            allExtra.put("aclEnable", "true");
            return this;
        }

        /**
         * TLS on every port of every node (docs/tls.md): {@code tls.server.mode=mode} in the
         * name servers' and brokers' properties files, Java's test mode (self-signed
         * certificate). Enforcing also makes the brokers' own links TLS; the harness's admin
         * clients use TLS for any mode but disabled.
         */
        public Builder tls(String mode) {
            tlsMode = mode;
            allExtra.put("tls.server.mode", mode);
            return this;
        }

        public RocketactorCluster start() {
            List<BrokerSpec> topo = specs.isEmpty() ? defaultTopology() : specs;
            for (BrokerSpec s : topo) {
                allExtra.forEach((k, v) -> s.extra.putIfAbsent(k, v));
            }
            RocketactorCluster c = new RocketactorCluster(testName, topo, acl);
            c.tlsMode = tlsMode;
            try {
                c.startAll();
            } catch (RuntimeException | Error e) {
                c.close();
                throw e;
            }
            return c;
        }
    }

    public static Builder builder(String testName) {
        return new Builder(testName);
    }

    /** The default topology, started. */
    public static RocketactorCluster startDefault(String testName) {
        return builder(testName).start();
    }

    static List<BrokerSpec> defaultTopology() {
        return List.of(BrokerSpec.syncMaster("broker-a"), BrokerSpec.slaveOf("broker-a"),
            BrokerSpec.asyncMaster("broker-b"));
    }

    /** The ACL option of a cluster (see {@link Builder#acl}). */
    private static final class AclSetup {
        final String yml;
        final boolean loopbackWhite;
        final org.apache.rocketmq.remoting.RPCHook adminHook;

        AclSetup(String yml, boolean loopbackWhite, org.apache.rocketmq.remoting.RPCHook adminHook) {
            this.yml = yml;
            this.loopbackWhite = loopbackWhite;
            this.adminHook = adminHook;
        }
    }

    private final AclSetup acl;
    /** {@code tls.server.mode} of every node, or null (see {@link Builder#tls}). */
    private String tlsMode;

    /** Whether the harness's own clients must speak TLS. */
    public boolean useTls() {
        return tlsMode != null && !"disabled".equals(tlsMode);
    }

    private RocketactorCluster(String testName, List<BrokerSpec> specs, AclSetup acl) {
        this.acl = acl;
        this.testName = testName;
        this.bin = Paths.get(System.getProperty("rocketactor.bin", "../../target/release/rocketactor"))
            .toAbsolutePath().normalize();
        if (!Files.isExecutable(bin)) {
            throw new IllegalStateException("rocketactor binary not found or not executable: " + bin
                + " (build it with `cargo build --release --bin rocketactor` and/or pass -Drocketactor.bin=/abs/path)");
        }
        this.logDir = Paths.get(System.getProperty("rocketactor.logDir", "target/cluster-logs"))
            .resolve(testName).toAbsolutePath();
        try {
            Files.createDirectories(logDir);
            this.storeRoot = Files.createTempDirectory("rocketactor-it-" + testName + "-");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the log or store directory for " + testName, e);
        }
        for (BrokerSpec s : specs) {
            if (brokers.put(s.node, new Broker(s)) != null) {
                throw new IllegalArgumentException("duplicate broker node " + s.node);
            }
        }
        LIVE.add(this);
    }

    private void startAll() {
        for (int i = 1; i <= 2; i++) {
            startNamesrv("namesrv-" + i);
        }
        for (String addr : namesrvAddrs) {
            DefaultMQAdminExt a = Clients.newAdmin(addr, acl == null ? null : acl.adminHook, useTls());
            perNamesrvAdmin.add(a);
        }
        admin = Clients.newAdmin(namesrvAddr(), acl == null ? null : acl.adminHook, useTls());
        // Masters first, so a slave finds its master's HA address in its registration result.
        brokers.values().stream().filter(b -> !b.spec.isSlave()).forEach(b -> spawnBroker(b, true));
        brokers.values().stream().filter(b -> b.spec.isSlave()).forEach(b -> spawnBroker(b, true));
        for (Broker b : brokers.values()) {
            awaitReady(b);
        }
    }

    private void startNamesrv(String name) {
        List<String> cmd = new ArrayList<>(List.of(bin.toString(), "namesrv", "--listen", HOST + ":0",
            "--log-format", "json"));
        if (tlsMode != null) {
            Path file = storeRoot.resolve(name + ".properties");
            try {
                Files.writeString(file, "tls.server.mode=" + tlsMode + "\n");
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write " + file, e);
            }
            cmd.addAll(List.of("-c", file.toString()));
        }
        NodeProcess p = new NodeProcess(name, logDir.resolve(name + ".log"), cmd);
        try {
            p.spawn();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot spawn " + name + " from " + bin, e);
        }
        namesrvs.add(p);
        String line = p.awaitLogLine(p.logStart(), l -> l.contains("\"name server started\""), START_TIMEOUT);
        if (line == null) {
            throw new IllegalStateException(name + " exited (" + p.exitCode() + ") before it started; log "
                + p.log + ":\n" + tail(p.logSinceSpawn()));
        }
        Matcher m = LISTEN.matcher(line);
        if (!m.find()) {
            throw new IllegalStateException(name + ": no listen address in its start line: " + line);
        }
        namesrvAddrs.add(m.group(1));
    }

    /** Spawns a broker and waits for "broker started"; a bind failure on a fresh start retries another base. */
    private void spawnBroker(Broker b, boolean fresh) {
        for (int attempt = 1; ; attempt++) {
            if (fresh) {
                b.listenPort = Ports.freeBrokerBase();
                b.props = writeProperties(b);
            }
            if (b.proc == null) {
                Map<String, String> env = acl == null ? Map.of() : Map.of("ROCKETMQ_HOME", aclHome(b.spec.node).toString());
                b.proc = new NodeProcess(b.spec.node, logDir.resolve(b.spec.node + ".log"),
                    List.of(bin.toString(), "-c", b.props.toString(), "--log-format", "json"), env);
            }
            if (b.spec.isSlave()) {
                Broker m = master(b.spec.brokerName);
                b.masterLogMark = m == null || m.proc == null ? 0 : m.proc.logLength();
            }
            try {
                b.proc.spawn();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot spawn " + b.spec.node + " from " + bin, e);
            }
            String line = b.proc.awaitLogLine(b.proc.logStart(), l -> l.contains("\"broker started\""),
                START_TIMEOUT);
            if (line != null) {
                return;
            }
            String out = b.proc.logSinceSpawn();
            boolean bindError = out.contains("Address already in use") || out.contains("cannot listen");
            if (bindError && attempt < 8) {
                if (!fresh) {
                    // Same ports on a restart: the old socket may linger a moment; wait for them.
                    int port = b.listenPort;
                    Eventually.await(Duration.ofSeconds(30), "ports of " + b.spec.node + " free again",
                        () -> Ports.tripleFree(port));
                }
                continue;
            }
            throw new IllegalStateException(b.spec.node + " exited (" + b.proc.exitCode()
                + ") before it started; log " + b.proc.log + ":\n" + tail(out));
        }
    }

    private Path writeProperties(Broker b) {
        Path store = storeRoot.resolve(b.spec.node);
        Map<String, String> p = new LinkedHashMap<>();
        p.put("brokerClusterName", CLUSTER_NAME);
        p.put("brokerName", b.spec.brokerName);
        p.put("brokerId", Integer.toString(b.spec.brokerId));
        p.put("namesrvAddr", namesrvAddr());
        p.put("brokerIP1", HOST);
        p.put("brokerIP2", HOST);
        p.put("listenPort", Integer.toString(b.listenPort));
        p.put("defaultTopicQueueNums", "4");
        p.put("autoCreateTopicEnable", "true");
        p.put("autoCreateSubscriptionGroup", "true");
        p.put("mappedFileSizeCommitLog", Integer.toString(64 * 1024 * 1024));
        p.put("mappedFileSizeConsumeQueue", "300000");
        p.put("storePathRootDir", store.toString());
        p.put("storePathCommitLog", store.resolve("commitlog").toString());
        p.put("storePathConsumeQueue", store.resolve("consumequeue").toString());
        p.put("storePathIndex", store.resolve("index").toString());
        p.put("storeCheckpoint", store.resolve("checkpoint").toString());
        p.put("abortFile", store.resolve("abort").toString());
        p.put("brokerRole", b.spec.role);
        p.put("flushDiskType", b.spec.flush);
        p.putAll(b.spec.extra);
        String text = p.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
            .collect(Collectors.joining("\n", "# written by RocketactorCluster for " + testName + "\n", "\n"));
        Path file = storeRoot.resolve(b.spec.node + ".properties");
        try {
            Files.createDirectories(store);
            if (acl != null) {
                writeAclFiles(b.spec.node);
            }
            Files.writeString(file, text);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
        return file;
    }

    /** The ROCKETMQ_HOME of a broker of an ACL cluster. */
    private Path aclHome(String node) {
        return storeRoot.resolve(node).resolve("home");
    }

    /** The broker's plain_acl.yml (written once: a restart keeps what the ACL commands changed). */
    private void writeAclFiles(String node) throws IOException {
        Path conf = aclHome(node).resolve("conf");
        Files.createDirectories(conf.resolve("acl"));
        Path plain = conf.resolve("plain_acl.yml");
        if (!Files.exists(plain)) {
            Files.writeString(plain, acl.yml);
        }
        if (acl.loopbackWhite) {
            Files.writeString(conf.resolve("acl").resolve("loopback.yml"),
                "# written by RocketactorCluster: loopback clients need no signature\n"
                    + "globalWhiteRemoteAddresses:\n  - 127.0.0.1\n");
        }
    }

    /** Registered in both name servers and, for a slave (or a master with a running slave), HA attached. */
    private void awaitReady(Broker b) {
        String addr = brokerAddr(b.spec.node);
        for (int i = 0; i < perNamesrvAdmin.size(); i++) {
            DefaultMQAdminExt a = perNamesrvAdmin.get(i);
            String ns = namesrvAddrs.get(i);
            Eventually.await(START_TIMEOUT, b.spec.node + " (" + addr + ") registered in name server " + ns,
                () -> addr.equals(registeredAddr(a, b.spec.brokerName, b.spec.brokerId)));
        }
        Broker slave = b.spec.isSlave() ? b : slaveOf(b.spec.brokerName);
        Broker master = master(b.spec.brokerName);
        if (slave != null && master != null && slave.proc != null && slave.proc.alive()
            && master.proc != null && master.proc.alive()) {
            long from = Math.max(master.proc.logStart(), slave.masterLogMark);
            Eventually.await(START_TIMEOUT, slave.spec.node + " attached to " + master.spec.node + " over HA",
                () -> master.proc.logFrom(from).contains("\"slave attached\""));
        }
    }

    private static String registeredAddr(DefaultMQAdminExt a, String brokerName, int brokerId) {
        try {
            ClusterInfo info = a.examineBrokerClusterInfo();
            BrokerData bd = info.getBrokerAddrTable().get(brokerName);
            return bd == null ? null : bd.getBrokerAddrs().get((long) brokerId);
        } catch (Exception e) {
            return null;
        }
    }

    private Broker master(String brokerName) {
        return brokers.values().stream().filter(x -> x.spec.brokerName.equals(brokerName) && !x.spec.isSlave())
            .findFirst().orElse(null);
    }

    private Broker slaveOf(String brokerName) {
        return brokers.values().stream().filter(x -> x.spec.brokerName.equals(brokerName) && x.spec.isSlave())
            .findFirst().orElse(null);
    }

    private Broker broker(String node) {
        Broker b = brokers.get(node);
        if (b == null) {
            throw new IllegalArgumentException("no broker node " + node + " (have " + brokers.keySet() + ")");
        }
        return b;
    }

    // ---- public API ------------------------------------------------------------------------

    /** Both name servers, "a;b", as clients take them. */
    public String namesrvAddr() {
        return String.join(";", namesrvAddrs);
    }

    public List<String> namesrvAddrs() {
        return List.copyOf(namesrvAddrs);
    }

    /** Node names of the brokers ("broker-a", "broker-a-s", "broker-b" by default). */
    public List<String> brokerNodes() {
        return List.copyOf(brokers.keySet());
    }

    /** The brokerName of every master (one per broker set). */
    public List<String> brokerNames() {
        return brokers.values().stream().filter(b -> !b.spec.isSlave()).map(b -> b.spec.brokerName).toList();
    }

    /** "127.0.0.1:listenPort" of a broker node. */
    public String brokerAddr(String node) {
        return HOST + ":" + broker(node).listenPort;
    }

    /** "127.0.0.1:listenPort" of the master of {@code brokerName}. */
    public String masterAddr(String brokerName) {
        Broker m = master(brokerName);
        if (m == null) {
            throw new IllegalArgumentException("no master of " + brokerName + " (have " + brokers.keySet() + ")");
        }
        return HOST + ":" + m.listenPort;
    }

    /** "127.0.0.1:listenPort-2", the fast (VIP) channel. */
    public String fastAddr(String node) {
        return HOST + ":" + (broker(node).listenPort - 2);
    }

    public int listenPort(String node) {
        return broker(node).listenPort;
    }

    public Path brokerLog(String node) {
        return broker(node).proc.log;
    }

    public Path brokerProperties(String node) {
        return broker(node).props;
    }

    public long brokerPid(String node) {
        return broker(node).proc.pid();
    }

    public boolean brokerAlive(String node) {
        NodeProcess p = broker(node).proc;
        return p != null && p.alive();
    }

    public String clusterName() {
        return CLUSTER_NAME;
    }

    /** The default ACL file (ROCKETMQ_HOME/conf/plain_acl.yml) of a broker of an ACL cluster. */
    public Path aclFile(String node) {
        if (acl == null) {
            throw new IllegalStateException("this cluster has no ACL");
        }
        return aclHome(node).resolve("conf").resolve("plain_acl.yml");
    }

    /** An admin client on both name servers, owned (and shut down) by the cluster. */
    public DefaultMQAdminExt admin() {
        return admin;
    }

    /** SIGTERM the broker and wait for it to exit; returns its exit code. */
    public int stopBroker(String node) {
        return broker(node).proc.stop(Duration.ofSeconds(30));
    }

    /** kill -9 of our child process; returns its exit code. */
    public int killBroker(String node) {
        return broker(node).proc.kill();
    }

    /** Starts a stopped broker again with the same properties, store and ports, and waits until it is ready. */
    public void startBroker(String node) {
        Broker b = broker(node);
        spawnBroker(b, false);
        awaitReady(b); // a restarted master also waits for its running slave to attach again
    }

    /**
     * Creates (or updates) a topic with {@code queues} read and write queues on every running
     * master, and waits until both name servers route it to all of them.
     */
    public void createTopic(String topic, int queues) {
        List<Broker> masters = brokers.values().stream().filter(b -> !b.spec.isSlave() && b.proc.alive()).toList();
        for (Broker m : masters) {
            TopicConfig tc = new TopicConfig(topic, queues, queues, 6);
            try {
                admin.createAndUpdateTopicConfig(brokerAddr(m.spec.node), tc);
            } catch (Exception e) {
                throw new IllegalStateException("createTopic " + topic + " on " + m.spec.node + " failed", e);
            }
        }
        for (int i = 0; i < perNamesrvAdmin.size(); i++) {
            DefaultMQAdminExt a = perNamesrvAdmin.get(i);
            Eventually.await(START_TIMEOUT, "route of " + topic + " on " + namesrvAddrs.get(i) + " lists "
                + masters.size() + " brokers", () -> routedBrokers(a, topic) >= masters.size());
        }
    }

    private static int routedBrokers(DefaultMQAdminExt a, String topic) {
        try {
            TopicRouteData r = a.examineTopicRouteInfo(topic);
            return (int) r.getQueueDatas().stream().filter(q -> q.getWriteQueueNums() > 0)
                .map(QueueData::getBrokerName).distinct().count();
        } catch (Exception e) {
            return 0;
        }
    }

    @Override
    public void close() {
        for (DefaultMQAdminExt a : perNamesrvAdmin) {
            Clients.quietly(a::shutdown);
        }
        if (admin != null) {
            Clients.quietly(admin::shutdown);
        }
        List<Broker> order = new ArrayList<>(brokers.values());
        order.sort(Comparator.comparing(b -> !b.spec.isSlave())); // slaves first
        for (Broker b : order) {
            if (b.proc != null && b.proc.alive()) {
                b.proc.stop(Duration.ofSeconds(20));
            }
        }
        for (NodeProcess p : namesrvs) {
            if (p.alive()) {
                p.stop(Duration.ofSeconds(20));
            }
        }
        LIVE.remove(this);
        deleteTree(storeRoot);
    }

    private void killAll() {
        brokers.values().forEach(b -> {
            if (b.proc != null && b.proc.alive()) {
                b.proc.kill();
            }
        });
        namesrvs.forEach(p -> {
            if (p.alive()) {
                p.kill();
            }
        });
    }

    private static void deleteTree(Path root) {
        if (root == null || !Files.exists(root)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(root)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException ignored) {
                    // best effort: a temp dir
                }
            });
        } catch (IOException ignored) {
            // best effort: a temp dir
        }
    }

    private static String tail(String s) {
        List<String> lines = s.lines().toList();
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
    }
}
