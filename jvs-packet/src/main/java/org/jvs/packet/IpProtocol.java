package org.jvs.packet;

/** IP protocol numbers (IPv4 protocol field, IPv6 next header) the packet layer knows. */
public final class IpProtocol {
    public static final int ICMP = 1;
    public static final int IPIP = 4;
    public static final int TCP = 6;
    public static final int UDP = 17;
    public static final int IPV6 = 41;
    public static final int GRE = 47;
    public static final int ICMPV6 = 58;
    public static final int SCTP = 132;

    private IpProtocol() {
    }
}
