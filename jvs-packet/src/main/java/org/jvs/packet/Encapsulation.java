package org.jvs.packet;

import java.lang.foreign.MemorySegment;
import org.jvs.core.model.TunnelChecksum;
import org.jvs.core.model.TunnelType;

/**
 * The outer headers of VS/TUN, written in front of an IPv4 packet already in place: an IPv4 header (RFC 2003,
 * IP in IP), optionally followed by UDP and a GUE header (draft-ietf-intarea-gue, version 0, as the kernel's
 * {@code fou} speaks it) or by a GRE header (RFC 2784, protocol 0x0800). What goes in them follows IPVS'
 * {@code ip_vs_tunnel_xmit}: the outer DF, TTL and DSCP are the inner packet's, the ECN field is encapsulated as
 * RFC 6040 says (CE becomes ECT(0) outside), a GUE packet's UDP source port is a hash of the inner flow (so ECMP
 * and RSS on the way spread the flows) and its checksum is 0 unless {@link TunnelChecksum#CSUM} or
 * {@link TunnelChecksum#REMCSUM} ask for one, and GRE carries a checksum only with {@code CSUM}.
 *
 * <p>Remote checksum offload (GUE with {@code REMCSUM}, for an inner packet whose checksum is unfinished): a
 * private-flags word with the REMCSUM bit and an option holding where the checksum starts and where its field is,
 * both counted from the first byte of the inner packet; the real server finishes it ({@code bin/jvs realserver},
 * or the kernel's {@code fou} with {@code remcsum}). Static methods over a segment; nothing allocated.
 */
public final class Encapsulation {
    public static final int IPV4 = Ipv4Header.MIN_LENGTH;
    public static final int UDP = UdpHeader.LENGTH;
    public static final int GUE = 4;
    /** GUE private flags word and the remote checksum option after it. */
    public static final int GUE_REMCSUM_OPTION = 8;
    public static final int GRE = 4;
    public static final int GRE_CHECKSUM = 4;
    /** GUE header flags: a private-flags word follows. */
    public static final int GUE_FLAG_PRIV = 0x0001;
    /** GUE private flags: the remote checksum option is present. */
    public static final int GUE_PFLAG_REMCSUM = 0x8000_0000;
    /** GRE flags and version: the checksum is present. */
    public static final int GRE_FLAG_CSUM = 0x8000;
    public static final int GRE_PROTOCOL_IPV4 = 0x0800;
    /** Where a GUE source port is drawn from: the kernel's default ephemeral range, as {@code udp_flow_src_port}. */
    public static final int SOURCE_PORT_MIN = 32768;
    public static final int SOURCE_PORT_MAX = 60999;

    private Encapsulation() {
    }

    /** The bytes a tunnel puts in front of the inner packet ({@code remcsum}: the GUE option is carried). */
    public static int overhead(TunnelType type, TunnelChecksum checksum, boolean remcsum) {
        return switch (type) {
            case IPIP -> IPV4;
            case GUE -> IPV4 + UDP + GUE + (remcsum ? GUE_REMCSUM_OPTION : 0);
            case GRE -> IPV4 + GRE + (checksum == TunnelChecksum.CSUM ? GRE_CHECKSUM : 0);
        };
    }

    /** RFC 6040's normal mode: DSCP copied, ECN copied except CE, which is sent as ECT(0). */
    public static int outerTos(int innerTos) {
        return (innerTos & 3) == 3 ? (innerTos & ~3) | 2 : innerTos;
    }

    /** A GUE source port for the inner flow, in {@link #SOURCE_PORT_MIN}..{@link #SOURCE_PORT_MAX}. */
    public static int sourcePort(int src, int dst, int ports) {
        int h = src * 0x9E3779B1 ^ Integer.rotateLeft(dst * 0x85EBCA77, 13) ^ ports * 0xC2B2AE3D;
        h ^= h >>> 16;
        h *= 0x7FEB352D;
        h ^= h >>> 15;
        long span = SOURCE_PORT_MAX - SOURCE_PORT_MIN + 1;
        return SOURCE_PORT_MIN + (int) (((h & 0xFFFF_FFFFL) * span) >>> 32);
    }

    /**
     * Writes the outer headers at {@code seg[at]}, {@code overhead} bytes (as {@link #overhead} gave), for the IPv4
     * packet of {@code innerLength} bytes at {@code seg[at + overhead]}, which must be final (its checksums too,
     * except the one a REMCSUM option describes: {@code remStart} and {@code remField} from the inner packet's first
     * byte, used when {@code overhead} includes the option). {@code id} is the outer IP identification.
     */
    public static void write(MemorySegment seg, long at, int overhead, TunnelType type, TunnelChecksum checksum,
                             int src, int dst, int tos, int ttl, boolean df, int id, int srcPort, int dstPort,
                             int remStart, int remField, int innerLength) {
        int total = overhead + innerLength;
        Net.u8(seg, at, 0x45);
        Net.u8(seg, at + Ipv4Header.TOS_OFFSET, outerTos(tos));
        Net.u16(seg, at + Ipv4Header.TOTAL_LENGTH_OFFSET, total);
        Net.u16(seg, at + Ipv4Header.ID_OFFSET, id);
        Net.u16(seg, at + Ipv4Header.FLAGS_FRAGMENT_OFFSET, df ? Ipv4Header.FLAG_DF : 0);
        Net.u8(seg, at + Ipv4Header.TTL_OFFSET, ttl);
        Net.u8(seg, at + Ipv4Header.PROTOCOL_OFFSET, switch (type) {
            case IPIP -> IpProtocol.IPIP;
            case GUE -> IpProtocol.UDP;
            case GRE -> IpProtocol.GRE;
        });
        Net.u16(seg, at + Ipv4Header.CHECKSUM_OFFSET, 0);
        Net.i32(seg, at + Ipv4Header.SRC_OFFSET, src);
        Net.i32(seg, at + Ipv4Header.DST_OFFSET, dst);
        Net.u16(seg, at + Ipv4Header.CHECKSUM_OFFSET, Checksum.checksum(seg, at, IPV4));
        long l4 = at + IPV4;
        switch (type) {
            case IPIP -> { }
            case GUE -> {
                int udpLength = total - IPV4;
                boolean remcsum = overhead == IPV4 + UDP + GUE + GUE_REMCSUM_OPTION;
                Net.u16(seg, l4, srcPort);
                Net.u16(seg, l4 + 2, dstPort);
                Net.u16(seg, l4 + 4, udpLength);
                Net.u16(seg, l4 + 6, 0);
                long gue = l4 + UDP;
                // version 0, control 0, hlen in 32-bit words of what follows the 4-byte header
                Net.u8(seg, gue, remcsum ? GUE_REMCSUM_OPTION / 4 : 0);
                Net.u8(seg, gue + 1, IpProtocol.IPIP);
                Net.u16(seg, gue + 2, remcsum ? GUE_FLAG_PRIV : 0);
                if (remcsum) {
                    Net.i32(seg, gue + 4, GUE_PFLAG_REMCSUM);
                    Net.u16(seg, gue + 8, remStart);
                    Net.u16(seg, gue + 10, remField);
                }
                if (checksum != TunnelChecksum.NOCSUM) {
                    long sum = Checksum.sum(seg, l4, udpLength, Checksum.pseudoV4(src, dst, IpProtocol.UDP, udpLength));
                    int c = Checksum.finish(sum);
                    Net.u16(seg, l4 + 6, c == 0 ? 0xFFFF : c);
                }
            }
            case GRE -> {
                boolean csum = checksum == TunnelChecksum.CSUM;
                Net.u16(seg, l4, csum ? GRE_FLAG_CSUM : 0);
                Net.u16(seg, l4 + 2, GRE_PROTOCOL_IPV4);
                if (csum) {
                    Net.i32(seg, l4 + 4, 0);
                    int greLength = total - IPV4;
                    Net.u16(seg, l4 + 4, Checksum.checksum(seg, l4, greLength));
                }
            }
        }
    }
}
