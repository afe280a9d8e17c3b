package org.jvs.feedback;

import java.util.Locale;

/**
 * The six load figures of the thesis' aggregate load (4.2.3), in the order of its coefficient vector
 * {@code R = {R1..R6}}. Each is normalised so that 1 means "right load", above 1 overloaded.
 */
public enum Metric {
    /** New connections the director gave the server in the last interval, relative to the service mean. */
    INPUT,
    /** CPU load: the 1-minute load average per CPU. */
    LOAD,
    /** Fullest watched disk, percent used. */
    DISK,
    /** Real memory in use, percent. */
    MEMORY,
    /** Number of processes. */
    PROCESS,
    /** Time to answer the director's probe (TCP connect or HTTP GET). */
    RESPONSE;

    public static final int COUNT = values().length;

    /** The name used in YAML, JSON and the agent protocol. */
    public String key() {
        return name().toLowerCase(Locale.ROOT);
    }
}
