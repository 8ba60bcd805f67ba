package io.rocketactor.interop;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.rocketmq.common.protocol.body.ClusterInfo;
import org.apache.rocketmq.common.protocol.route.BrokerData;
import org.apache.rocketmq.tools.admin.DefaultMQAdminExt;

/**
 * The nodes of one store-swap scenario: one rocketactor name server, and one broker identity
 * (brokerName, listenPort, store directory) that either rocketactor or the Java broker 4.9.7
 * runs, one after the other, on the same store. The Java broker is started, stopped and killed
 * through scripts/java-reference.sh (the released jars, its JVM flags, its pid file); our broker
 * and name server are children of this JVM ({@link NodeProcess}). Only what this object started
 * is ever signalled: our children by their Process handle, the Java broker by the script's pid file.
 */
final class SwapNodes implements AutoCloseable {
    /** Which implementation runs the broker. */
    enum Impl { OURS, JAVA }

    static final String BROKER_NAME = "swap-broker";
    /** The Java broker's name for java-reference.sh (its pid file, logs and home under JREF_RUN). */
    private static final String JAVA_NAME = "java-broker";
    private static final Pattern LISTEN = Pattern.compile("\"listen\":\"([0-9.]+:[0-9]+)\"");
    private static final Duration START = Duration.ofSeconds(90);

    private final String name;
    private final Path bin;
    private final Path script;
    private final Path work;
    private final Path store;
    private final Path jrefRun;
    private final Path logDir;
    private final int listenPort;
    private final NodeProcess namesrv;
    private final String namesrvAddr;
    private final DefaultMQAdminExt admin;
    private NodeProcess ours;
    private boolean javaRunning;
    private final Thread reaper;

    SwapNodes(String name) {
        this.name = name;
        this.bin = Paths.get(System.getProperty("rocketactor.bin", "../../target/release/rocketactor"))
            .toAbsolutePath().normalize();
        this.script = Paths.get(System.getProperty("rocketactor.javaRef", "../../scripts/java-reference.sh"))
            .toAbsolutePath().normalize();
        if (!Files.isExecutable(bin)) {
            throw new IllegalStateException("rocketactor binary not found: " + bin + " (-Drocketactor.bin=...)");
        }
        if (!Files.isExecutable(script)) {
            throw new IllegalStateException("java-reference.sh not found: " + script + " (-Drocketactor.javaRef=...)");
        }
        this.logDir = Paths.get(System.getProperty("rocketactor.logDir", "target/cluster-logs"))
            .resolve("StoreSwapTest").resolve(name).toAbsolutePath();
        try {
            Files.createDirectories(logDir);
            this.work = Files.createTempDirectory("rocketactor-swap-" + name + "-");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the work directory of " + name, e);
        }
        this.store = work.resolve("store");
        this.jrefRun = logDir.resolve("java");
        this.listenPort = Ports.freeBrokerBase();
        script("install");
        this.reaper = new Thread(this::killAll, "swap-reaper-" + name);
        Runtime.getRuntime().addShutdownHook(reaper);
        this.namesrv = new NodeProcess("namesrv", logDir.resolve("namesrv.log"),
            List.of(bin.toString(), "namesrv", "--listen", RocketactorCluster.HOST + ":0", "--log-format", "json"));
        spawn(namesrv);
        String line = namesrv.awaitLogLine(namesrv.logStart(), l -> l.contains("\"name server started\""), START);
        Matcher m = LISTEN.matcher(line == null ? "" : line);
        if (!m.find()) {
            throw new IllegalStateException("name server did not start; log " + namesrv.log + ":\n"
                + namesrv.logSinceSpawn());
        }
        this.namesrvAddr = m.group(1);
        this.admin = Clients.newAdmin(namesrvAddr);
    }

    String namesrvAddr() {
        return namesrvAddr;
    }

    /** "127.0.0.1:listenPort": the same for both implementations, so message ids stay valid. */
    String brokerAddr() {
        return RocketactorCluster.HOST + ":" + listenPort;
    }

    DefaultMQAdminExt admin() {
        return admin;
    }

    Path store() {
        return store;
    }

    /** The broker.properties keys both implementations get. */
    Map<String, String> properties() {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("brokerClusterName", "swap-cluster");
        p.put("brokerName", BROKER_NAME);
        p.put("brokerId", "0");
        p.put("namesrvAddr", namesrvAddr);
        p.put("brokerIP1", RocketactorCluster.HOST);
        p.put("brokerIP2", RocketactorCluster.HOST);
        p.put("listenPort", Integer.toString(listenPort));
        p.put("brokerRole", "ASYNC_MASTER");
        p.put("flushDiskType", "ASYNC_FLUSH");
        p.put("autoCreateTopicEnable", "true");
        p.put("autoCreateSubscriptionGroup", "true");
        // 1 MiB commit-log files and 50-entry consume-queue files: the store spans several of each.
        p.put("mappedFileSizeCommitLog", Integer.toString(1024 * 1024));
        p.put("mappedFileSizeConsumeQueue", Integer.toString(50 * 20));
        // ours refuses a commit-log file smaller than maxMessageSize + 64 KiB (Java does not check).
        p.put("maxMessageSize", Integer.toString(256 * 1024));
        p.put("storePathRootDir", store.toString());
        p.put("storePathCommitLog", store.resolve("commitlog").toString());
        return p;
    }

    /** Starts the broker with {@code impl} on the store and waits until the name server routes to it. */
    void start(Impl impl) {
        // Nothing listens on listenPort-2, listenPort, listenPort+1 any more (both brokers bind with
        // SO_REUSEADDR, so connections of the previous one in TIME_WAIT do not matter).
        Eventually.await(Duration.ofSeconds(60), "no listener left on the ports around " + listenPort,
            () -> !listening(listenPort - 2) && !listening(listenPort) && !listening(listenPort + 1));
        if (impl == Impl.OURS) {
            Path props = work.resolve("ours.properties");
            String text = properties().entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
                .collect(Collectors.joining("\n", "", "\n"));
            try {
                Files.writeString(props, text, StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write " + props, e);
            }
            ours = new NodeProcess("ours", logDir.resolve("ours.log"),
                List.of(bin.toString(), "-c", props.toString(), "--log-format", "json"));
            spawn(ours);
            if (ours.awaitLogLine(ours.logStart(), l -> l.contains("\"broker started\""), START) == null) {
                throw new IllegalStateException("our broker exited (" + ours.exitCode() + "); log " + ours.log
                    + ":\n" + ours.logSinceSpawn());
            }
        } else {
            List<String> args = new ArrayList<>(List.of("start-broker", JAVA_NAME));
            properties().forEach((k, v) -> args.add(k + "=" + v));
            script(args.toArray(String[]::new));
            javaRunning = true;
        }
        Eventually.await(START, impl + " broker " + brokerAddr() + " registered in " + namesrvAddr,
            () -> brokerAddr().equals(registeredAddr()));
    }

    /** Clean stop (SIGTERM, wait for the exit). */
    void stop(Impl impl) {
        if (impl == Impl.OURS) {
            int code = ours.stop(Duration.ofSeconds(60));
            if (code != 0) {
                throw new IllegalStateException("our broker exited with " + code + " on SIGTERM; log " + ours.log);
            }
        } else {
            script("stop", JAVA_NAME);
            javaRunning = false;
        }
        awaitUnregistered();
    }

    /** kill -9. */
    void kill(Impl impl) {
        if (impl == Impl.OURS) {
            ours.kill();
        } else {
            script("kill", JAVA_NAME);
            javaRunning = false;
        }
        awaitUnregistered();
    }

    /**
     * With -Dswap.keepStores=DIR, copies the store to DIR/&lt;scenario&gt;-&lt;stage&gt; (to compare the
     * two implementations' layouts byte by byte; see scripts/java-reference.md).
     */
    void keepStore(String stage) {
        String dir = System.getProperty("swap.keepStores", "");
        if (dir.isEmpty()) {
            return;
        }
        Path to = Paths.get(dir).toAbsolutePath().resolve(name + "-" + stage);
        deleteTree(to);
        try (var walk = Files.walk(store)) {
            for (Path p : (Iterable<Path>) walk::iterator) {
                Path t = to.resolve(store.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(t);
                } else {
                    Files.copy(p, t);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot copy " + store + " to " + to, e);
        }
    }

    /** The log files of a run, for failure messages. */
    String logs() {
        return "our logs: " + logDir + ", Java broker: " + jrefRun.resolve(JAVA_NAME) + ", store: " + store;
    }

    private void awaitUnregistered() {
        // The name server drops a broker when its connection closes; a new start must not race it.
        Eventually.await(START, "broker " + brokerAddr() + " gone from " + namesrvAddr,
            () -> registeredAddr() == null);
    }

    private String registeredAddr() {
        try {
            ClusterInfo info = admin.examineBrokerClusterInfo();
            BrokerData bd = info.getBrokerAddrTable().get(BROKER_NAME);
            return bd == null ? null : bd.getBrokerAddrs().get(0L);
        } catch (Exception e) {
            return null;
        }
    }

    private static boolean listening(int port) {
        try (java.net.Socket s = new java.net.Socket()) {
            s.connect(new java.net.InetSocketAddress(RocketactorCluster.HOST, port), 1000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static void spawn(NodeProcess p) {
        try {
            p.spawn();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot spawn " + p.name, e);
        }
    }

    /** Runs java-reference.sh with JREF_RUN in this scenario's log dir; fails on a non-zero exit. */
    private void script(String... args) {
        int code = scriptExit(args);
        if (code != 0) {
            throw new IllegalStateException("java-reference.sh " + args[0] + " " + args[1] + " failed (" + code
                + "); see " + logDir.resolve("java-reference.out"));
        }
    }

    /** Runs java-reference.sh with JREF_RUN in this scenario's log dir; returns its exit code. */
    private int scriptExit(String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(script.toString());
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("JREF_RUN", jrefRun.toString());
        Path out = logDir.resolve("java-reference.out");
        pb.redirectOutput(ProcessBuilder.Redirect.appendTo(out.toFile()));
        try {
            Process p = pb.start();
            if (!p.waitFor(10, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new IllegalStateException("java-reference.sh " + args[0] + " hung");
            }
            return p.exitValue();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + script, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted running java-reference.sh", e);
        }
    }

    /**
     * While the broker runs, starts a second broker of {@code impl} on the same store with other
     * ports, which must refuse (the store's lock file). Returns its output after it exited; fails
     * (after stopping it) if it kept running.
     */
    String startSecondOnSameStore(Impl impl) throws IOException {
        Map<String, String> p = properties();
        p.put("listenPort", Integer.toString(Ports.freeBrokerBase()));
        p.put("brokerName", BROKER_NAME + "-second");
        if (impl == Impl.OURS) {
            Path props = work.resolve("second.properties");
            Files.writeString(props, p.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
                .collect(Collectors.joining("\n", "", "\n")));
            NodeProcess second = new NodeProcess("ours-second", logDir.resolve("ours-second.log"),
                List.of(bin.toString(), "-c", props.toString(), "--log-format", "json"));
            spawn(second);
            long deadline = System.nanoTime() + START.toNanos();
            while (second.alive() && System.nanoTime() < deadline) {
                sleepQuietly();
            }
            if (second.alive()) {
                second.kill();
                throw new AssertionError("a second rocketactor broker kept running on a store the Java broker holds; log "
                    + second.log);
            }
            return second.logSinceSpawn();
        }
        List<String> args = new ArrayList<>(List.of("start-broker", JAVA_NAME + "-second"));
        p.forEach((k, v) -> args.add(k + "=" + v));
        int code = scriptExit(args.toArray(String[]::new));
        Path out = jrefRun.resolve(JAVA_NAME + "-second").resolve("stdout.log");
        if (code == 0) {
            script("stop", JAVA_NAME + "-second");
            throw new AssertionError("a second (Java) broker started on a store rocketactor holds; log " + out);
        }
        return Files.readString(out);
    }

    private static void sleepQuietly() {
        try {
            Thread.sleep(100);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    private void killAll() {
        if (ours != null && ours.alive()) {
            ours.kill();
        }
        if (javaRunning) {
            Clients.quietly(() -> script("kill", JAVA_NAME));
            javaRunning = false;
        }
        if (namesrv != null && namesrv.alive()) {
            namesrv.kill();
        }
    }

    @Override
    public void close() {
        Clients.quietly(admin::shutdown);
        if (ours != null && ours.alive()) {
            ours.stop(Duration.ofSeconds(30));
        }
        if (javaRunning) {
            Clients.quietly(() -> script("stop", JAVA_NAME));
            javaRunning = false;
        }
        namesrv.stop(Duration.ofSeconds(20));
        Clients.quietly(() -> Runtime.getRuntime().removeShutdownHook(reaper));
        deleteTree(work);
    }

    private static void deleteTree(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (var walk = Files.walk(root)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // best effort: a temp dir
        }
    }

    String name() {
        return name;
    }
}
