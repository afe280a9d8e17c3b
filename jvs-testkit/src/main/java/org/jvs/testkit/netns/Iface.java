package org.jvs.testkit.netns;

/**
 * One interface of a lab host: its name inside the host's namespace and its IPv4 address and prefix length
 * (address null for an interface with none, such as a bridge port).
 */
public record Iface(String name, String address, int prefixLength) {
    /** {@code address/prefix}, as ip(8) writes it. */
    public String cidr() {
        return address + "/" + prefixLength;
    }
}
