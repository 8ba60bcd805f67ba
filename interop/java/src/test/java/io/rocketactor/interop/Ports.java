package io.rocketactor.interop;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Picks broker base ports. A broker binds listenPort-2 (fast/VIP channel), listenPort and
 * listenPort+1 (HA), all on the wildcard address, so the whole triple must be free. The range
 * sits below Linux's ephemeral range (32768+) so client sockets and the OS-chosen name-server
 * ports cannot take a broker's port between a stop and a restart. A check can still race with
 * another process: {@link RocketactorCluster} retries with another base when the broker fails
 * to bind.
 */
final class Ports {
    private static final int LOW = 12000;
    private static final int HIGH = 32000;

    private Ports() {
    }

    /** A listenPort whose triple (p-2, p, p+1) could be bound just now. */
    static int freeBrokerBase() {
        for (int attempt = 0; attempt < 500; attempt++) {
            int p = ThreadLocalRandom.current().nextInt(LOW, HIGH);
            if (free(p - 2) && free(p) && free(p + 1)) {
                return p;
            }
        }
        throw new IllegalStateException("no free port triple found in [" + LOW + ", " + HIGH + ")");
    }

    /** Whether (p-2, p, p+1) can all be bound right now. */
    static boolean tripleFree(int p) {
        return free(p - 2) && free(p) && free(p + 1);
    }

    private static boolean free(int port) {
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(false);
            s.bind(new InetSocketAddress(port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
