package org.jvs.director.console;

/** What the console shows live, as the director provides it (the console itself knows no director). */
public interface LiveState {
    /** The whole view as one JSON object: services, servers, weights, health, feedback, VRRP, sync. */
    String json();

    /** Moves whenever the configuration changes, so the page hears of a change at once, not at the next tick. */
    long generation();

    /** Totals since start for the charts: connections, bytes in, bytes out, and active connections now. */
    Totals totals();

    record Totals(long conns, long inBytes, long outBytes, long active) {
    }
}
