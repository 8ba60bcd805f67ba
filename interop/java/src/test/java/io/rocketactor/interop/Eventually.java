package io.rocketactor.interop;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/**
 * Waits on a condition: the one way the suite waits for anything (no fixed sleeps as assertions).
 * The deadline only bounds the wait so a broken cluster cannot hang the build; it is never the
 * thing a test asserts.
 */
public final class Eventually {
    private static final long POLL_MILLIS = 50;

    private Eventually() {
    }

    /**
     * Polls {@code condition} until it holds, or fails with an {@link AssertionError} naming
     * {@code description} when {@code timeout} has passed. Exceptions thrown by the condition
     * count as "not yet" (a client not ready, a broker still starting) and the last one is
     * attached to the failure.
     */
    public static void await(Duration timeout, String description, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        Throwable last = null;
        while (true) {
            try {
                if (condition.getAsBoolean()) {
                    return;
                }
            } catch (RuntimeException | AssertionError e) {
                last = e;
            }
            if (System.nanoTime() - deadline >= 0) {
                AssertionError err = new AssertionError(
                    "timed out after " + timeout.toMillis() + " ms waiting for: " + description);
                if (last != null) {
                    err.initCause(last);
                }
                throw err;
            }
            try {
                Thread.sleep(POLL_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while waiting for: " + description, e);
            }
        }
    }
}
