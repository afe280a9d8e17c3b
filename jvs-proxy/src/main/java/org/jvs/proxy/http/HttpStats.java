package org.jvs.proxy.http;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counters of one http service: requests, responses by status class (the servers' and the switch's own
 * errors), refusals, retries, server connections, the response time from a parsed head to the response's
 * end (queue and connect included), and each server's {@link ServerStats} by name.
 */
public final class HttpStats {
    public final LongAdder requests = new LongAdder();
    public final LongAdder refused = new LongAdder();
    public final LongAdder retries = new LongAdder();
    public final LongAdder connectionsOpened = new LongAdder();
    public final LongAdder connectionsReused = new LongAdder();
    /** Requests that became tunnels (websocket 101s, CONNECT 2xx). */
    public final LongAdder tunnels = new LongAdder();
    /** 1xx..5xx at index 1..5. */
    public final LongAdder[] statusClass = classes();
    public final LatencyHistogram responseTime = new LatencyHistogram();
    private final Map<String, ServerStats> servers = new ConcurrentHashMap<>();

    HttpStats() {
    }

    static LongAdder[] classes() {
        LongAdder[] c = new LongAdder[6];
        for (int i = 0; i < c.length; i++) {
            c[i] = new LongAdder();
        }
        return c;
    }

    void status(int status) {
        status(statusClass, status);
    }

    static void status(LongAdder[] classes, int status) {
        int c = status / 100;
        if (c >= 1 && c <= 5) {
            classes[c].increment();
        }
    }

    /** The counters of server {@code name}, made on first use; a roster calls it when it is built. */
    ServerStats server(String name) {
        return servers.computeIfAbsent(name, n -> new ServerStats());
    }

    /** Forgets servers the service no longer has (a roster change). */
    void retain(List<String> names) {
        servers.keySet().retainAll(names);
    }

    /** The counters of a server of the service, or null. */
    public ServerStats serverStats(String name) {
        return servers.get(name);
    }
}
