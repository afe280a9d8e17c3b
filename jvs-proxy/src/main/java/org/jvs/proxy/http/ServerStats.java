package org.jvs.proxy.http;

import java.util.concurrent.atomic.LongAdder;

/**
 * Counters of one real server of an http service, kept by its name across roster changes: requests sent
 * to it, the status classes of the responses it gave, its response time (request sent to response done),
 * and its connections, open and idle in the pools.
 */
public final class ServerStats {
    public final LongAdder requests = new LongAdder();
    /** Responses the server gave, 1xx..5xx at index 1..5 (the switch's own errors are the service's). */
    public final LongAdder[] statusClass = HttpStats.classes();
    public final LatencyHistogram responseTime = new LatencyHistogram();
    /** Connections to it open now (connecting, busy or pooled), over all event loops. */
    public final LongAdder open = new LongAdder();
    /** Of those, idle in a keep-alive pool. */
    public final LongAdder pooled = new LongAdder();
    public final LongAdder connectionsOpened = new LongAdder();
    public final LongAdder connectionsReused = new LongAdder();
}
