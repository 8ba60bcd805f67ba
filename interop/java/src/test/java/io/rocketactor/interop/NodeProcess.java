package io.rocketactor.interop;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * One rocketactor child process (a name server or a broker) with its log file. The log is
 * appended across restarts, so waits on a log line start from the file length at spawn time.
 * Only the {@link Process} handle we spawned is ever signalled (SIGTERM via destroy, SIGKILL via
 * destroyForcibly): nothing is stopped by name.
 */
final class NodeProcess {
    final String name;
    final Path log;
    private final List<String> command;
    private final java.util.Map<String, String> env;
    private Process process;
    private long logStart;

    NodeProcess(String name, Path log, List<String> command) {
        this(name, log, command, java.util.Map.of());
    }

    /** With extra environment variables for the child (e.g. ROCKETMQ_HOME for the ACL files). */
    NodeProcess(String name, Path log, List<String> command, java.util.Map<String, String> env) {
        this.name = name;
        this.log = log;
        this.command = List.copyOf(command);
        this.env = java.util.Map.copyOf(env);
    }

    /** Spawns the process; its stdout and stderr are appended to {@link #log}. */
    void spawn() throws IOException {
        if (alive()) {
            throw new IllegalStateException(name + " is already running (pid " + process.pid() + ")");
        }
        Files.createDirectories(log.getParent());
        if (!Files.exists(log)) {
            Files.createFile(log);
        }
        logStart = Files.size(log);
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().putAll(env);
        pb.redirectErrorStream(true);
        pb.redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        process = pb.start();
    }

    boolean alive() {
        return process != null && process.isAlive();
    }

    long pid() {
        return process == null ? -1 : process.pid();
    }

    /** Log bytes written since the last spawn. */
    String logSinceSpawn() {
        return logFrom(logStart);
    }

    long logLength() {
        try {
            return Files.size(log);
        } catch (IOException e) {
            return 0;
        }
    }

    String logFrom(long offset) {
        try (RandomAccessFile f = new RandomAccessFile(log.toFile(), "r")) {
            long len = f.length();
            if (len <= offset) {
                return "";
            }
            byte[] buf = new byte[(int) (len - offset)];
            f.seek(offset);
            f.readFully(buf);
            return new String(buf, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    /**
     * Waits for a log line (written after {@code offset}) matching {@code match}. Returns that
     * line, or null when the process exited first. Fails after {@code timeout}.
     */
    String awaitLogLine(long offset, Predicate<String> match, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            boolean wasAlive = alive();
            for (String line : logFrom(offset).split("\n")) {
                if (match.test(line)) {
                    return line;
                }
            }
            if (!wasAlive) {
                return null;
            }
            if (System.nanoTime() - deadline >= 0) {
                throw new AssertionError("timed out after " + timeout.toSeconds() + " s waiting for a log line of "
                    + name + " (" + log + ")");
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted", e);
            }
        }
    }

    long logStart() {
        return logStart;
    }

    /** SIGTERM and wait for the exit (SIGKILL if it does not exit within the grace time). */
    int stop(Duration grace) {
        if (process == null) {
            return -1;
        }
        process.destroy();
        return waitExit(grace);
    }

    /** SIGKILL (kill -9) of our child and wait for the exit. */
    int kill() {
        if (process == null) {
            return -1;
        }
        process.destroyForcibly();
        return waitExit(Duration.ofSeconds(30));
    }

    private int waitExit(Duration grace) {
        try {
            if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                process.waitFor(30, TimeUnit.SECONDS);
            }
            return process.isAlive() ? -1 : process.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
            return -1;
        }
    }

    Integer exitCode() {
        return process == null || process.isAlive() ? null : process.exitValue();
    }
}
