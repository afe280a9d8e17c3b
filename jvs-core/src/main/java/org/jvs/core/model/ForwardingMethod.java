package org.jvs.core.model;

/**
 * How packets of a connection reach its real server (thesis ch. 3). Bound to a connection once, when it is
 * created, so each packet makes one dispatch.
 */
public sealed interface ForwardingMethod {

    /** The word ipvsadm prints in the Forward column. */
    String ipvsadmName();

    /** Whether the real server's port must equal the service port (it sees the packet's own port). */
    default boolean keepsServicePort() {
        return false;
    }

    /** The value stored in a connection entry; stable, for the connection table and sync. */
    int code();

    /** VS/NAT: rewrite destination on the way in, source on the way back ({@code -m}). */
    record Nat() implements ForwardingMethod {
        @Override
        public String ipvsadmName() {
            return "Masq";
        }

        @Override
        public int code() {
            return 0;
        }
    }

    /** VS/DR: rewrite the destination MAC only; the real server answers the client directly ({@code -g}). */
    record DirectRoute() implements ForwardingMethod {
        @Override
        public String ipvsadmName() {
            return "Route";
        }

        @Override
        public boolean keepsServicePort() {
            return true;
        }

        @Override
        public int code() {
            return 3;
        }
    }

    /**
     * VS/TUN: encapsulate to the real server ({@code -i}); {@code port} is the GUE destination port, {@code checksum}
     * what the encapsulation carries ({@link TunnelChecksum}).
     */
    record Tunnel(TunnelType type, int port, TunnelChecksum checksum) implements ForwardingMethod {
        public Tunnel {
            if (type == null || checksum == null) {
                throw new ConfigException("tunnel type or checksum missing");
            }
            if (!checksum.allowedWith(type)) {
                throw new ConfigException("--tun-" + checksum.option() + " does not apply to " + type.ipvsadmName() + " tunnels");
            }
            if (type == TunnelType.GUE && (port < 1 || port > 65535)) {
                throw new ConfigException("a GUE tunnel needs --tun-port 1..65535, got " + port);
            }
            if (type != TunnelType.GUE && port != 0) {
                throw new ConfigException("--tun-port applies to gue tunnels only, not " + type.ipvsadmName());
            }
        }

        /** Without a checksum, as {@code --tun-nocsum}. */
        public Tunnel(TunnelType type, int port) {
            this(type, port, TunnelChecksum.NOCSUM);
        }

        @Override
        public String ipvsadmName() {
            return "Tunnel";
        }

        @Override
        public boolean keepsServicePort() {
            return true;
        }

        @Override
        public int code() {
            return 2;
        }
    }

    /** FullNAT: rewrite source to a director address and destination to the real server. */
    record FullNat() implements ForwardingMethod {
        @Override
        public String ipvsadmName() {
            return "FullNat";
        }

        @Override
        public int code() {
            return 5;
        }
    }

    /** The director serves the connection itself (thesis 5.2.7). */
    record Local() implements ForwardingMethod {
        @Override
        public String ipvsadmName() {
            return "Local";
        }

        @Override
        public int code() {
            return 1;
        }
    }

    ForwardingMethod NAT = new Nat();
    ForwardingMethod DIRECT_ROUTE = new DirectRoute();
    ForwardingMethod FULL_NAT = new FullNat();
    ForwardingMethod LOCAL = new Local();
    ForwardingMethod IPIP = new Tunnel(TunnelType.IPIP, 0);
}
