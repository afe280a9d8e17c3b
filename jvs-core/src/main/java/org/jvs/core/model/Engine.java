package org.jvs.core.model;

/** Which data plane carries a service's traffic. The core schedules and tracks alike for
 * socket and packet; an http service is scheduled per request by the http engine. */
public enum Engine {
    /** The socket engine: a user-space TCP/UDP relay (no root needed); the default. */
    SOCKET("socket"),
    /** The packet engine: per-packet forwarding (DR, NAT, TUN, FullNAT) on raw sockets. */
    PACKET("packet"),
    /**
     * The http engine: a layer-7 switch (KTCPVS) that parses every HTTP request and picks a real server for
     * each with its own layer-7 scheduler; the core keeps the service, its servers, weights and counters.
     */
    HTTP("http");

    private final String configName;

    Engine(String configName) {
        this.configName = configName;
    }

    public String configName() {
        return configName;
    }

    public static Engine byName(String name) {
        for (Engine e : values()) {
            if (e.configName.equalsIgnoreCase(name)) {
                return e;
            }
        }
        throw new ConfigException("unknown engine '" + name + "' (socket, packet, http)");
    }
}
