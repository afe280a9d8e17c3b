package org.jvs.core.model;

/** Scheduler flags ({@code -b}); ipvsadm also accepts flag-1..flag-3 for the first three bits. */
public enum SchedFlag {
    /** sh: when the hashed server is unavailable, try the next buckets instead of failing. */
    SH_FALLBACK("sh-fallback", 0),
    /** sh: hash the source port as well as the source address. */
    SH_PORT("sh-port", 1),
    /** mh: when the hashed server is unavailable, walk on to the next usable one. */
    MH_FALLBACK("mh-fallback", 0),
    /** mh: hash the source port as well as the source address. */
    MH_PORT("mh-port", 1);

    private final String ipvsadmName;
    private final int bit;

    SchedFlag(String ipvsadmName, int bit) {
        this.ipvsadmName = ipvsadmName;
        this.bit = bit;
    }

    public String ipvsadmName() {
        return ipvsadmName;
    }

    /** The IP_VS_SVC_F_SCHED bit this flag shares with its sibling of the other scheduler. */
    public int bit() {
        return bit;
    }

    public static SchedFlag byName(String name) {
        for (SchedFlag f : values()) {
            if (f.ipvsadmName.equalsIgnoreCase(name)) {
                return f;
            }
        }
        throw new ConfigException("unknown scheduler flag '" + name + "' (sh-fallback, sh-port, mh-fallback, mh-port)");
    }
}
