package io.rocketactor.interop;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rocketactor.interop.SwapNodes.Impl;
import org.junit.jupiter.api.Test;

/**
 * Issue #12 "Store swap": one broker writes a store (several topics, tags, keys, a batch, delay
 * levels, a commit log over several 1 MiB files, committed consumer offsets) and stops, cleanly
 * or by kill -9; the other implementation (rocketactor or the Java broker 4.9.7 from
 * scripts/java-reference.sh) starts on the same store directory, brokerName and ports, and the
 * Java client 4.9.7 must find every message exactly once, by key and by id, and resume the
 * committed offsets (see {@link SwapWorkload}). Java's layout is the reference.
 */
class StoreSwapTest {

    @Test
    void oursCleanStopThenJava() throws Exception {
        swap("ours-to-java", Impl.OURS, Impl.JAVA, false);
    }

    @Test
    void javaCleanStopThenOurs() throws Exception {
        swap("java-to-ours", Impl.JAVA, Impl.OURS, false);
    }

    @Test
    void oursKilledThenJava() throws Exception {
        swap("ours-killed-to-java", Impl.OURS, Impl.JAVA, true);
    }

    @Test
    void javaKilledThenOurs() throws Exception {
        swap("java-killed-to-ours", Impl.JAVA, Impl.OURS, true);
    }

    /**
     * The store's lock file: a second broker of the other implementation on a store in use
     * refuses to start, both ways (Java: DefaultMessageStore.start, "Lock failed,MQ already
     * started"; ours: src/store/lock_file.rs). Java checks the lock only after loading (and, as
     * an abnormal start, recovering) the store, so this runs on a throw-away store.
     */
    @Test
    void lockFileExcludesTheOtherImplementation() throws Exception {
        try (SwapNodes nodes = new SwapNodes("lock")) {
            nodes.start(Impl.OURS);
            String java = nodes.startSecondOnSameStore(Impl.JAVA);
            assertTrue(java.contains("Lock failed"), "the Java broker says why it refused:\n" + java);
            nodes.stop(Impl.OURS);
            nodes.start(Impl.JAVA);
            String ours = nodes.startSecondOnSameStore(Impl.OURS);
            assertTrue(ours.contains("Lock failed"), "our broker says why it refused:\n" + ours);
            nodes.stop(Impl.JAVA);
        }
    }

    private static void swap(String name, Impl writer, Impl reader, boolean kill) throws Exception {
        try (SwapNodes nodes = new SwapNodes(name)) {
            SwapWorkload w = new SwapWorkload();
            try {
                nodes.start(writer);
                w.write(nodes);
                if (kill) {
                    nodes.kill(writer);
                } else {
                    nodes.stop(writer);
                }
                nodes.keepStore("written");
                nodes.start(reader);
                w.verify(nodes, kill);
                nodes.stop(reader);
                nodes.keepStore("after");
            } catch (Exception | AssertionError e) {
                throw new AssertionError(name + " (" + w.describe() + "): " + e.getMessage() + "; " + nodes.logs(), e);
            }
        }
    }
}
