package org.jvs.core.conn;

import java.util.Objects;

/**
 * The TCP states IPVS tracks per connection. The declaration order is the IPVS state number (0..10): the
 * connection table stores the ordinal as one byte and the sync protocol sends it on the wire, so the order
 * must never change.
 */
public enum TcpState {
    NONE,
    ESTABLISHED,
    SYN_SENT,
    SYN_RECV,
    FIN_WAIT,
    TIME_WAIT,
    CLOSE,
    CLOSE_WAIT,
    LAST_ACK,
    LISTEN,
    SYNACK;

    /** Number of states: the width of every transition and timeout table. */
    public static final int COUNT = 11;

    // values() clones its array on every call; the data plane turns bytes into states per packet.
    private static final TcpState[] BY_ORDINAL = values();

    /** The name {@code ipvsadm -L -c} prints in its state column (the IPVS names happen to be ours). */
    public String label() {
        return name();
    }

    /**
     * Whether the connection counts in ActiveConn (true) or InActConn (false) of its real server: IPVS counts
     * only ESTABLISHED as active, which is what lc/wlc balance on.
     */
    public boolean isActive() {
        return this == ESTABLISHED;
    }

    /** The state with IPVS number {@code ordinal}, without allocation. */
    public static TcpState of(int ordinal) {
        return BY_ORDINAL[Objects.checkIndex(ordinal, COUNT)];
    }
}
