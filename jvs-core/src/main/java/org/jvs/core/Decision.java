package org.jvs.core;

/**
 * What the core decided for one packet: filled by {@link LoadBalancer#inbound} and
 * {@link LoadBalancer#outbound}. Mutable and reused by each data-plane thread, so deciding allocates
 * nothing; read it before the next call on the same thread.
 */
public final class Decision {
    /** Forward to {@link #dest}; {@link #conn} is the connection entry (-1 for one-packet scheduling). */
    public static final int ACCEPT = 0;
    /** No service matches: not ours, leave the packet to the host. */
    public static final int NOT_OURS = 1;
    /** A service matches but no real server is usable now. */
    public static final int NO_DEST = 2;
    /** Drop it: a DoS defense is in force, the table is full, or its server is gone. */
    public static final int DROP = 3;
    /** A TCP segment that does not open a connection and matches none: no scheduling without a SYN. */
    public static final int NO_CONN = 4;

    public int verdict;
    public int conn;
    public boolean v6;
    /** True when this packet created the connection. */
    public boolean created;
    public Dest dest;
    public Service service;

    void reset(boolean isV6) {
        verdict = NOT_OURS;
        conn = -1;
        v6 = isV6;
        created = false;
        dest = null;
        service = null;
    }

    public static String name(int verdict) {
        return switch (verdict) {
            case ACCEPT -> "accept";
            case NOT_OURS -> "not-ours";
            case NO_DEST -> "no-dest";
            case DROP -> "drop";
            case NO_CONN -> "no-conn";
            default -> "verdict-" + verdict;
        };
    }
}
