package org.jvs.core.model;

/**
 * The checksum a VS/TUN encapsulation carries, as ipvsadm's {@code --tun-nocsum}, {@code --tun-csum} and
 * {@code --tun-remcsum} choose it: none (a GUE UDP checksum of 0, a GRE header without its checksum), a checksum
 * over the encapsulation (GUE's UDP checksum, GRE's checksum field), or GUE remote checksum offload (the real
 * server finishes the inner packet's unfinished checksum from the offsets the GUE option carries).
 */
public enum TunnelChecksum {
    NOCSUM("nocsum", "-c"),
    CSUM("csum", "+c"),
    REMCSUM("remcsum", "+r");

    private final String option;
    private final String listing;

    TunnelChecksum(String option, String listing) {
        this.option = option;
        this.listing = listing;
    }

    /** The name in {@code --tun-OPTION} and in the YAML {@code checksum:} key. */
    public String option() {
        return option;
    }

    /** The flag in {@code --tun-info}'s column. */
    public String listing() {
        return listing;
    }

    /** Whether {@code type} can carry it: IPIP none, GRE none or a checksum, GUE any. */
    public boolean allowedWith(TunnelType type) {
        return switch (type) {
            case IPIP -> this == NOCSUM;
            case GRE -> this != REMCSUM;
            case GUE -> true;
        };
    }

    public static TunnelChecksum byName(String name) {
        for (TunnelChecksum c : values()) {
            if (c.option.equalsIgnoreCase(name)) {
                return c;
            }
        }
        throw new ConfigException("unknown tunnel checksum '" + name + "' (nocsum, csum, remcsum)");
    }
}
