package io.rocketactor.interop.mqadmin;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.reflect.Field;
import java.time.Duration;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.core.joran.spi.JoranException;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Options;
import org.apache.commons.cli.ParseException;
import org.apache.commons.cli.PosixParser;
import org.apache.rocketmq.common.MixAll;
import org.apache.rocketmq.common.MQVersion;
import org.apache.rocketmq.remoting.RPCHook;
import org.apache.rocketmq.remoting.protocol.RemotingCommand;
import org.apache.rocketmq.srvutil.ServerUtil;
import org.apache.rocketmq.tools.command.MQAdminStartup;
import org.apache.rocketmq.tools.command.SubCommand;
import org.slf4j.LoggerFactory;

/**
 * Runs mqadmin sub-commands in-process exactly as {@code MQAdminStartup.main0} does (4.9.7): the
 * sub-commands registered by {@code MQAdminStartup.initCommand()}, the command line parsed with
 * {@code ServerUtil.buildCommandlineOptions} + the command's own options and a {@code PosixParser},
 * {@code -n} copied to the {@code rocketmq.namesrv.addr} system property, then
 * {@code SubCommand.execute(commandLine, options, null)}. Unlike main0 it neither loads logback from
 * ROCKETMQ_HOME nor swallows the exception, and a parse error throws instead of System.exit.
 * System.out and System.err are captured per command.
 */
public final class MqAdmin {
    private static final Map<String, SubCommand> COMMANDS;

    static {
        quietLogback();
        COMMANDS = loadCommands();
    }

    private MqAdmin() {
    }

    /** What one command printed and threw. */
    public static final class Result {
        public final String command;
        public final String out;
        public final String err;
        public final Throwable thrown;

        Result(String command, String out, String err, Throwable thrown) {
            this.command = command;
            this.out = out;
            this.err = err;
            this.thrown = thrown;
        }

        /** The exception chain's messages, outermost first (for asserting on broker codes). */
        public String failure() {
            StringBuilder sb = new StringBuilder();
            for (Throwable t = thrown; t != null; t = t.getCause()) {
                sb.append(t.getClass().getSimpleName()).append(": ").append(t.getMessage()).append('\n');
            }
            return sb.toString();
        }

        /** The innermost exception's first message line (e.g. "CODE: 3  DESC:  request type 25 not supported"). */
        public String rootCause() {
            Throwable t = thrown;
            while (t != null && t.getCause() != null) {
                t = t.getCause();
            }
            String m = t == null || t.getMessage() == null ? String.valueOf(t) : t.getMessage();
            return m.lines().findFirst().orElse("").trim();
        }

        private String args0() {
            return command.split(" ", 2)[0];
        }

        /** Output lines that are not blank. */
        public List<String> lines() {
            List<String> l = new ArrayList<>();
            for (String s : out.split("\\R")) {
                if (!s.isBlank()) {
                    l.add(s);
                }
            }
            return l;
        }

        /** Throws an AssertionError with everything printed when the command threw. */
        public Result ok() {
            if (thrown != null) {
                AssertionError e = new AssertionError("mqadmin " + args0() + " failed: " + rootCause() + "\n" + failure()
                    + "--- stdout:\n" + out + "--- stderr:\n" + err, thrown);
                throw e;
            }
            return this;
        }

        @Override
        public String toString() {
            return "mqadmin " + command + "\n--- stdout:\n" + out + "--- stderr:\n" + err
                + (thrown == null ? "" : "--- thrown:\n" + failure());
        }
    }

    /** The sub-commands of MQAdminStartup.initCommand(), by name, in registration order. */
    public static Map<String, SubCommand> commands() {
        return COMMANDS;
    }

    /**
     * Like mqadmin's own conf/logback_tools.xml, the clients' slf4j logs (RocketmqRemoting...) go
     * to a file, not to the console: the console is what the commands print and the tests read.
     */
    private static void quietLogback() {
        String dir = System.getProperty("rocketmq.client.logRoot", "target/client-logs");
        String xml = "<configuration><appender name='F' class='ch.qos.logback.core.FileAppender'>"
            + "<file>" + dir + "/mqadmin-tools.log</file><encoder><pattern>%d %-5level %logger - %msg%n</pattern>"
            + "</encoder></appender><root level='INFO'><appender-ref ref='F'/></root></configuration>";
        LoggerContext lc = (LoggerContext) LoggerFactory.getILoggerFactory();
        JoranConfigurator configurator = new JoranConfigurator();
        configurator.setContext(lc);
        lc.reset();
        try {
            configurator.doConfigure(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)));
        } catch (JoranException e) {
            throw new IllegalStateException("cannot configure logback for mqadmin", e);
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, SubCommand> loadCommands() {
        try {
            Field f = MQAdminStartup.class.getDeclaredField("subCommandList");
            f.setAccessible(true);
            List<SubCommand> list = (List<SubCommand>) f.get(null);
            synchronized (list) {
                if (list.isEmpty()) {
                    MQAdminStartup.initCommand();
                }
                Map<String, SubCommand> byName = new LinkedHashMap<>();
                for (SubCommand c : list) {
                    byName.putIfAbsent(c.commandName(), c);
                }
                return byName;
            }
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot read MQAdminStartup.subCommandList", e);
        }
    }

    /**
     * Runs {@code mqadmin args...}; never throws for the command's own failure (see
     * {@link Result#thrown}).
     */
    public static synchronized Result run(String... args) {
        return exec(null, args, new ByteArrayOutputStream(), new ByteArrayOutputStream());
    }

    /** {@link #run} with the RPC hook mqadmin builds from conf/tools.yml (ACL credentials). */
    public static synchronized Result runWithHook(RPCHook hook, String... args) {
        return exec(hook, args, new ByteArrayOutputStream(), new ByteArrayOutputStream());
    }

    /**
     * Runs a command that never returns by itself (clusterRT loops until interrupted) in a worker
     * thread until what it printed satisfies {@code done} or {@code deadline} passed, then
     * interrupts it and waits for it to end.
     */
    public static synchronized Result runUntil(Predicate<String> done, Duration deadline, String... args)
        throws InterruptedException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        AtomicReference<Result> result = new AtomicReference<>();
        Thread worker = new Thread(() -> result.set(exec(null, args, out, err)), "mqadmin-" + args[0]);
        worker.setDaemon(true);
        worker.start();
        long end = System.nanoTime() + deadline.toNanos();
        while (worker.isAlive() && System.nanoTime() < end && !done.test(out.toString(StandardCharsets.UTF_8))) {
            Thread.sleep(100);
        }
        // The command may swallow one interrupt inside a send; interrupt until it ends (bounded).
        for (int i = 0; i < 100 && worker.isAlive(); i++) {
            worker.interrupt();
            worker.join(300);
        }
        if (worker.isAlive()) {
            throw new AssertionError("mqadmin " + String.join(" ", args) + " did not stop when interrupted");
        }
        return result.get();
    }

    private static Result exec(RPCHook hook, String[] args, ByteArrayOutputStream out, ByteArrayOutputStream err) {
        if (args.length == 0) {
            throw new IllegalArgumentException("no sub-command");
        }
        String line = String.join(" ", args);
        SubCommand registered = COMMANDS.get(args[0]);
        if (registered == null) {
            throw new IllegalArgumentException("mqadmin has no sub-command " + args[0]);
        }
        // mqadmin runs one command per JVM; some commands keep clients in fields
        // (ConsumeMessageCommand's pull consumer), so each run gets a fresh instance.
        SubCommand cmd;
        try {
            cmd = registered.getClass().getDeclaredConstructor().newInstance();
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot instantiate " + registered.getClass().getName(), e);
        }
        // main0 sets the remoting version before anything else.
        System.setProperty(RemotingCommand.REMOTING_VERSION_KEY, Integer.toString(MQVersion.CURRENT_VERSION));
        Options options = cmd.buildCommandlineOptions(ServerUtil.buildCommandlineOptions(new Options()));
        CommandLine commandLine;
        try {
            commandLine = new PosixParser().parse(options, Arrays.copyOfRange(args, 1, args.length));
        } catch (ParseException e) {
            throw new IllegalArgumentException("mqadmin " + line + ": " + e.getMessage(), e);
        }
        if (commandLine.hasOption('n')) {
            System.setProperty(MixAll.NAMESRV_ADDR_PROPERTY, commandLine.getOptionValue('n'));
        }
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        Throwable thrown = null;
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            cmd.execute(commandLine, options, hook);
        } catch (Throwable t) {
            thrown = t;
        } finally {
            System.out.flush();
            System.err.flush();
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
        Result r = new Result(line, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8), thrown);
        // Keep a trace of every command in the test's own output (surefire's -output.txt).
        oldOut.println(r);
        return r;
    }
}
