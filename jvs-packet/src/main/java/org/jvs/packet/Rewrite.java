package org.jvs.packet;

import java.lang.foreign.MemorySegment;

/**
 * In-place address and port rewrites for VS/NAT, each fixing every checksum it touches incrementally
 * (RFC 1624) in one pass: the IPv4 header checksum, and the TCP, UDP or ICMPv6 checksum whose pseudo-header
 * covers the address. Inbound packets get {@code dnat} (VIP:vport to RIP:rport); replies get {@code snat}
 * (RIP:rport back to VIP:vport).
 *
 * <p>The header must have been checked first ({@link Ipv4Header#valid()}, {@link Ipv6Header#parse()}). A method
 * returns false and changes nothing when the transport header it has to fix is not there: a protocol other
 * than TCP or UDP, a transport header shorter than its checksum field, or a non-first fragment (which carries
 * no ports; IPVS reassembles before NAT, and so must the engine). UDP keeps its rules: checksum 0 ("none",
 * IPv4 only) stays 0, a computed 0 is written as 0xFFFF.
 *
 * <p>A frame whose transport checksum is unfinished ({@link Offload#needsChecksum}: the field holds the
 * pseudo-header sum, uncomplemented, and whoever transmits last sums the rest) is rewritten with {@code partial}
 * true: only the address enters the field, with the opposite sense, and the port not at all (the final sum will
 * read the new port from the header), as the kernel's {@code inet_proto_csum_replace4} does.
 */
public final class Rewrite {
    private Rewrite() {
    }

    /** Destination address and port of an IPv4 TCP/UDP packet. */
    public static boolean dnatV4(Ipv4Header ip, int address, int port) {
        return natV4(ip, address, port, true, false);
    }

    /** Source address and port of an IPv4 TCP/UDP packet. */
    public static boolean snatV4(Ipv4Header ip, int address, int port) {
        return natV4(ip, address, port, false, false);
    }

    /** As {@link #dnatV4(Ipv4Header, int, int)}; {@code partial}: the transport checksum is unfinished. */
    public static boolean dnatV4(Ipv4Header ip, int address, int port, boolean partial) {
        return natV4(ip, address, port, true, partial);
    }

    /** As {@link #snatV4(Ipv4Header, int, int)}; {@code partial}: the transport checksum is unfinished. */
    public static boolean snatV4(Ipv4Header ip, int address, int port, boolean partial) {
        return natV4(ip, address, port, false, partial);
    }

    private static boolean natV4(Ipv4Header ip, int address, int port, boolean destination, boolean partial) {
        long l4 = ip.payloadOffset();
        int csumAt = transportChecksumOffset(ip.protocol(), ip.payloadLength(), ip.hasTransportHeader());
        if (csumAt < 0) {
            return false;
        }
        MemorySegment seg = ip.segment();
        long portAt = l4 + (destination ? 2 : 0);
        int oldAddr = destination ? ip.destination() : ip.source();
        int oldPort = Net.u16(seg, portAt);
        int csum = Net.u16(seg, l4 + csumAt);
        if (partial) {
            Net.u16(seg, l4 + csumAt, ~Checksum.update32(~csum & 0xFFFF, oldAddr, address) & 0xFFFF);
        } else {
            int updated = Checksum.update32And16(csum, oldAddr, address, oldPort, port);
            Net.u16(seg, l4 + csumAt, ip.protocol() == IpProtocol.UDP ? Checksum.udp(csum, updated) : updated);
        }
        Net.u16(seg, portAt, port);
        if (destination) {
            ip.updateDestination(address);
        } else {
            ip.updateSource(address);
        }
        return true;
    }

    /** Destination address and port of an IPv6 TCP/UDP packet (after a successful {@link Ipv6Header#parse()}). */
    public static boolean dnatV6(Ipv6Header ip, long hi, long lo, int port) {
        return natV6(ip, hi, lo, port, true);
    }

    /** Source address and port of an IPv6 TCP/UDP packet (after a successful {@link Ipv6Header#parse()}). */
    public static boolean snatV6(Ipv6Header ip, long hi, long lo, int port) {
        return natV6(ip, hi, lo, port, false);
    }

    private static boolean natV6(Ipv6Header ip, long hi, long lo, int port, boolean destination) {
        int proto = ip.upperProtocol();
        if (proto < 0) {
            return false;
        }
        int csumAt = transportChecksumOffset(proto, ip.upperLayerLength(), ip.hasTransportHeader());
        if (csumAt < 0) {
            return false;
        }
        MemorySegment seg = ip.segment();
        long l4 = ip.upperLayerOffset();
        long portAt = l4 + (destination ? 2 : 0);
        long oldHi = destination ? ip.destinationHi() : ip.sourceHi();
        long oldLo = destination ? ip.destinationLo() : ip.sourceLo();
        int oldPort = Net.u16(seg, portAt);
        int csum = Net.u16(seg, l4 + csumAt);
        int updated = Checksum.update128And16(csum, oldHi, oldLo, hi, lo, oldPort, port);
        // IPv6 UDP must carry a checksum; a zero one is left as the sender wrote it (the receiver drops it).
        Net.u16(seg, l4 + csumAt, proto == IpProtocol.UDP ? Checksum.udp(csum, updated) : updated);
        Net.u16(seg, portAt, port);
        if (destination) {
            ip.destination(hi, lo);
        } else {
            ip.source(hi, lo);
        }
        return true;
    }

    /**
     * Rewrites an IPv6 address alone and fixes the TCP, UDP or ICMPv6 checksum that covers it. Returns false and
     * changes nothing for any other upper layer or a non-first fragment.
     */
    public static boolean addressV6(Ipv6Header ip, long hi, long lo, boolean destination) {
        int proto = ip.upperProtocol();
        int csumAt = proto == IpProtocol.ICMPV6
                ? (ip.hasTransportHeader() && ip.upperLayerLength() >= Icmpv6Header.LENGTH ? Icmpv6Header.CHECKSUM_OFFSET : -1)
                : transportChecksumOffset(proto, proto < 0 ? 0 : ip.upperLayerLength(), ip.hasTransportHeader());
        if (csumAt < 0) {
            return false;
        }
        MemorySegment seg = ip.segment();
        long at = ip.upperLayerOffset() + csumAt;
        int csum = Net.u16(seg, at);
        int updated = destination
                ? Checksum.update128(csum, ip.destinationHi(), ip.destinationLo(), hi, lo)
                : Checksum.update128(csum, ip.sourceHi(), ip.sourceLo(), hi, lo);
        Net.u16(seg, at, proto == IpProtocol.UDP ? Checksum.udp(csum, updated) : updated);
        if (destination) {
            ip.destination(hi, lo);
        } else {
            ip.source(hi, lo);
        }
        return true;
    }

    /** Offset of the checksum inside a TCP or UDP header of {@code length} bytes, or -1. */
    private static int transportChecksumOffset(int protocol, int length, boolean present) {
        if (!present) {
            return -1;
        }
        if (protocol == IpProtocol.TCP) {
            return length >= TcpHeader.MIN_LENGTH ? TcpHeader.CHECKSUM_OFFSET : -1;
        }
        if (protocol == IpProtocol.UDP) {
            return length >= UdpHeader.LENGTH ? UdpHeader.CHECKSUM_OFFSET : -1;
        }
        return -1;
    }
}
