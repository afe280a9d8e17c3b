package org.jvs.packet.engine;

import java.lang.foreign.MemorySegment;
import org.jvs.packet.EthernetFrame;
import org.jvs.packet.IcmpHeader;
import org.jvs.packet.IpProtocol;
import org.jvs.packet.Ipv4Header;
import org.jvs.packet.PacketBatch;

/**
 * The ICMP errors the engine sends itself: "fragmentation needed" (RFC 792, with RFC 1191's next-hop MTU) when a
 * packet with DF set is larger than the link it must leave by, as IPVS answers from its transmit path, and "time
 * exceeded in transit" for a VS/NAT reply that arrives with TTL 1, as the kernel's forwarding path answers. Written
 * straight into an output batch slot; nothing allocated. The quote is the offending packet's IP header and as much
 * of its payload as keeps the error within 576 bytes (RFC 1812 4.3.2.3).
 *
 * <p>Rate: "time exceeded" at most {@link #PER_SECOND} a second with bursts of {@link #BURST}, the kernel's own
 * defaults ({@code icmp_msgs_per_sec}, {@code icmp_msgs_burst}); "fragmentation needed" is not limited, as the kernel
 * exempts it ({@code icmpv4_mask_allow}: path MTU discovery must not be starved), and is never larger than the
 * packet it answers. A frame that came tagged is answered on its VLAN (the same 802.1Q tag).
 */
final class IcmpFrames {
    static final int PER_SECOND = 1000;
    static final int BURST = 50;
    private static final int MAX_ERROR = 576;
    /** Network order, made once: {@code withOrder} makes a new layout each call. */
    private static final java.lang.foreign.ValueLayout.OfShort BE16 =
            java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(java.nio.ByteOrder.BIG_ENDIAN);
    private static final int HEADERS = Ipv4Header.MIN_LENGTH + IcmpHeader.LENGTH;

    private final EthernetFrame eth = new EthernetFrame();
    private final Ipv4Header ip = new Ipv4Header();
    private final IcmpHeader icmp = new IcmpHeader();
    private long tokens = BURST;
    private long refilledAt = Long.MIN_VALUE;

    /** Whether the rate allows one more error at {@code nowMillis}; takes a token if so. */
    boolean allow(long nowMillis) {
        if (refilledAt == Long.MIN_VALUE) {
            refilledAt = nowMillis;
        }
        long elapsed = nowMillis - refilledAt;
        if (elapsed > 0) {
            tokens = Math.min(BURST, tokens + elapsed * PER_SECOND / 1000);
            refilledAt = nowMillis;
        }
        if (tokens == 0) {
            return false;
        }
        tokens--;
        return true;
    }

    /**
     * Appends a "fragmentation needed" from {@code src} to {@code dst} for the packet whose IPv4 header is at
     * {@code quoted} in {@code seg} ({@code quotedLength} bytes of it there), with next-hop MTU {@code mtu}.
     * False when the batch is full or its slots are too small.
     */
    boolean fragmentationNeeded(PacketBatch out, long dstMac, long srcMac, int tci, int src, int dst, int mtu,
                                MemorySegment seg, long quoted, int quotedLength) {
        return error(out, IcmpHeader.DEST_UNREACHABLE, IcmpHeader.CODE_FRAGMENTATION_NEEDED, mtu, dstMac, srcMac,
                tci, src, dst, seg, quoted, quotedLength);
    }

    /** As {@link #fragmentationNeeded}, "time exceeded in transit" (type 11, code 0); rate-limited ({@link #allow}). */
    boolean timeExceeded(PacketBatch out, long dstMac, long srcMac, int tci, int src, int dst,
                         MemorySegment seg, long quoted, int quotedLength) {
        return error(out, IcmpHeader.TIME_EXCEEDED, 0, 0, dstMac, srcMac, tci, src, dst, seg, quoted, quotedLength);
    }

    /** {@code tci}: the 802.1Q tag's TCI to send with, or -1 for an untagged frame. */
    private boolean error(PacketBatch out, int type, int code, int mtu, long dstMac, long srcMac, int tci, int src,
                          int dst, MemorySegment seg, long quoted, int quotedLength) {
        int n = out.count();
        int quote = Math.min(quotedLength, MAX_ERROR - Ipv4Header.MIN_LENGTH - IcmpHeader.LENGTH);
        int l2 = tci < 0 ? EthernetFrame.HEADER_LENGTH : EthernetFrame.TAGGED_HEADER_LENGTH;
        int length = l2 + HEADERS + quote;
        if (n == out.capacity() || out.frameSize() < length) {
            return false;
        }
        MemorySegment s = out.segment();
        long at = out.offset(n);
        eth.wrap(s, at, length).destination(dstMac).source(srcMac);
        if (tci < 0) {
            eth.outerType(EthernetFrame.TYPE_IPV4);
        } else {
            eth.outerType(EthernetFrame.TYPE_VLAN).etherType(EthernetFrame.TYPE_IPV4);
            s.set(BE16, at + EthernetFrame.TCI_OFFSET, (short) tci);
        }
        long l3 = at + l2;
        ip.wrap(s, l3, length - l2).versionIhl(4, 5).tos(0)
                .totalLength(Ipv4Header.MIN_LENGTH + IcmpHeader.LENGTH + quote).id(0).flagsFragment(0).ttl(64)
                .protocol(IpProtocol.ICMP).source(src).destination(dst).computeChecksum();
        long l4 = l3 + Ipv4Header.MIN_LENGTH;
        MemorySegment.copy(seg, quoted, s, l4 + IcmpHeader.LENGTH, quote);
        icmp.wrap(s, l4).type(type).code(code).identifier(0).nextHopMtu(mtu).computeChecksum(IcmpHeader.LENGTH + quote);
        out.length(n, length).count(n + 1);
        return true;
    }
}
