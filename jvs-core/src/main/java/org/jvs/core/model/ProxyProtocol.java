package org.jvs.core.model;

/**
 * Whether a relaying engine tells the real server who the client is, with HAProxy's PROXY protocol header
 * in front of the stream (S3, S12). Packet-level methods (DR, TUN, NAT) keep the client address in the
 * packet and ignore this.
 */
public enum ProxyProtocol {
    NONE("none"),
    /** Text header: {@code PROXY TCP4 cip vip cport vport\r\n}. */
    V1("v1"),
    /** Binary header with the 12-byte signature. */
    V2("v2");

    private final String configName;

    ProxyProtocol(String configName) {
        this.configName = configName;
    }

    public String configName() {
        return configName;
    }

    public static ProxyProtocol byName(String name) {
        for (ProxyProtocol p : values()) {
            if (p.configName.equalsIgnoreCase(name)) {
                return p;
            }
        }
        throw new ConfigException("unknown PROXY protocol version '" + name + "' (none, v1, v2)");
    }
}
