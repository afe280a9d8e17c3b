package org.jvs.core.model;

/**
 * What identifies a virtual service: a protocol, address and port, or a firewall mark (which groups any
 * traffic the packet filter marks, e.g. HTTP and HTTPS together for one persistence domain).
 */
public sealed interface ServiceKey permits ServiceKey.Virtual, ServiceKey.Fwmark {

    boolean v6();

    /** As ipvsadm prints it in listings: {@code TCP  10.0.0.1:80} or {@code FWM  1}. */
    String label();

    record Virtual(Protocol protocol, IpAddr address, int port) implements ServiceKey {
        public Virtual {
            if (protocol == null || address == null) {
                throw new ConfigException("a service needs a protocol and an address");
            }
            if (port < 0 || port > 65535) {
                throw new ConfigException("service port " + port + " out of range 0..65535");
            }
        }

        @Override
        public boolean v6() {
            return address.v6();
        }

        @Override
        public String label() {
            return protocol.label() + "  " + address.withPort(port);
        }

        @Override
        public String toString() {
            return protocol.label().toLowerCase(java.util.Locale.ROOT) + " " + address.withPort(port);
        }
    }

    record Fwmark(int mark, boolean v6) implements ServiceKey {
        public Fwmark {
            if (mark <= 0) {
                throw new ConfigException("firewall mark must be a positive integer, got " + Integer.toUnsignedString(mark));
            }
        }

        @Override
        public String label() {
            return "FWM  " + Integer.toUnsignedString(mark) + (v6 ? " IPv6" : "");
        }

        @Override
        public String toString() {
            return "fwmark " + Integer.toUnsignedString(mark) + (v6 ? " (IPv6)" : "");
        }
    }
}
