package io.rocketactor.interop;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Reads Linux's /proc/net/tcp{,6} to count ESTABLISHED connections accepted on a local port:
 * how the suite sees which of a broker's ports (listenPort or the fast channel listenPort-2) a
 * Java client really talks to. Read-only; no traffic.
 */
public final class TcpTable {
    private static final String ESTABLISHED = "01";

    private TcpTable() {
    }

    /** Established connections whose local (server) side is {@code port}. */
    public static int establishedOn(int port) {
        return count(Path.of("/proc/net/tcp"), port) + count(Path.of("/proc/net/tcp6"), port);
    }

    private static int count(Path table, int port) {
        List<String> lines;
        try {
            lines = Files.readAllLines(table);
        } catch (IOException e) {
            return 0;
        }
        int n = 0;
        for (String line : lines.subList(Math.min(1, lines.size()), lines.size())) {
            String[] f = line.trim().split("\\s+");
            if (f.length < 4) {
                continue;
            }
            String local = f[1];
            int colon = local.lastIndexOf(':');
            if (colon < 0) {
                continue;
            }
            int localPort = Integer.parseInt(local.substring(colon + 1), 16);
            if (localPort == port && ESTABLISHED.equals(f[3])) {
                n++;
            }
        }
        return n;
    }
}
