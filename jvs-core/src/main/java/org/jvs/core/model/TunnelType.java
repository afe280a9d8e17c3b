package org.jvs.core.model;

/** Encapsulations for VS/TUN, named as ipvsadm's {@code --tun-type}. */
public enum TunnelType {
    /** IP in IP (RFC 2003), the classic LVS tunnel. */
    IPIP("ipip"),
    /** Generic UDP Encapsulation: UDP to a configured port; survives networks that drop protocol 4. */
    GUE("gue"),
    /** Generic Routing Encapsulation (RFC 2784). */
    GRE("gre");

    private final String ipvsadmName;

    TunnelType(String ipvsadmName) {
        this.ipvsadmName = ipvsadmName;
    }

    public String ipvsadmName() {
        return ipvsadmName;
    }

    public static TunnelType byName(String name) {
        for (TunnelType t : values()) {
            if (t.ipvsadmName.equalsIgnoreCase(name)) {
                return t;
            }
        }
        throw new ConfigException("unknown tunnel type '" + name + "' (ipip, gue, gre)");
    }
}
