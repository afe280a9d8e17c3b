package org.jvs.realserver;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Arrays;
import org.jvs.core.model.TunnelType;
import org.jvs.packet.Checksum;
import org.jvs.packet.Encapsulation;
import org.jvs.packet.IpProtocol;
import org.jvs.packet.Ipv4Header;
import org.jvs.packet.Offload;

/**
 * Checks and strips one tunnel packet, as received: for IPIP and GRE the whole outer IPv4 packet (a raw socket
 * hands it over with its header), for GUE the UDP payload (the kernel has checked the UDP checksum when there was
 * one). What it accepts is what the director sends ({@link Encapsulation}) and what the kernel's own decapsulators
 * accept: GRE version 0 with the checksum verified when present and key and sequence fields skipped (RFC 2784,
 * RFC 2890), no routing; GUE version 0 data messages carrying IPv4 with their options skipped by {@code hlen} and
 * a remote checksum option honoured (the inner checksum finished here), and GUE version 1 (IPv4 directly in UDP).
 * The inner packet must be a sound IPv4 packet to one of the VIPs, and the outer source one of the directors when
 * they are given; anything else is refused with its {@link Outcome} counted. One instance per receiving thread;
 * nothing allocated.
 */
final class Decapsulator {
    enum Outcome {
        /** Stripped: the inner packet is at {@link #innerOffset()}, {@link #innerLength()} bytes. */
        DELIVER,
        MALFORMED,
        /** The inner packet is not to one of the VIPs: not ours to deliver. */
        NOT_VIP,
        /** The outer source is not one of the configured directors. */
        NOT_DIRECTOR,
        /** A GUE control message (the director sends none). */
        CONTROL,
        /** Well formed, but not IPv4 inside, or GRE routing. */
        UNSUPPORTED,
        /** GRE with a checksum that does not verify. */
        BAD_CHECKSUM
    }

    private static final ValueLayout.OfInt BE32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfShort BE16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    /** GRE flags: routing present (RFC 1701), key, sequence number; bits 4-12 besides K and S must be zero here. */
    private static final int GRE_ROUTING = 0x4000;
    private static final int GRE_KEY = 0x2000;
    private static final int GRE_SEQUENCE = 0x1000;
    private static final int GRE_STRICT_RECURSION = 0x0F00;

    private final TunnelType type;
    private final int[] vips;
    private final int[] directors;
    private final Ipv4Header outer = new Ipv4Header();
    private final Ipv4Header inner = new Ipv4Header();
    private final long[] counts = new long[Outcome.values().length];
    private int innerOffset;
    private int innerLength;
    private long remoteChecksums;

    /** {@code vips} and {@code directors}: IPv4 addresses as big-endian ints; no directors means any source. */
    Decapsulator(TunnelType type, int[] vips, int[] directors) {
        this.type = type;
        this.vips = vips.clone();
        this.directors = directors.clone();
        Arrays.sort(this.vips);
        Arrays.sort(this.directors);
    }

    /**
     * Decapsulates the {@code length} bytes at {@code seg[0]}; {@code outerSource} is the UDP sender for GUE (read from
     * the outer header otherwise). Counts and returns the outcome.
     */
    Outcome decapsulate(MemorySegment seg, int length, int outerSource) {
        Outcome o = strip(seg, length, outerSource);
        counts[o.ordinal()]++;
        return o;
    }

    private Outcome strip(MemorySegment seg, int length, int outerSource) {
        int at;
        int source = outerSource;
        if (type == TunnelType.GUE) {
            at = gue(seg, length);
        } else {
            outer.wrap(seg, 0, length);
            if (!outer.valid() || outer.isFragment()) {
                return Outcome.MALFORMED; // the kernel reassembles before a raw socket sees it
            }
            source = outer.source();
            int end = outer.totalLength();
            length = end;
            at = type == TunnelType.IPIP
                    ? (outer.protocol() == IpProtocol.IPIP ? outer.headerLength() : -1)
                    : gre(seg, outer.headerLength(), end);
        }
        if (at < 0) {
            return at == -2 ? Outcome.UNSUPPORTED : at == -3 ? Outcome.CONTROL : at == -4 ? Outcome.BAD_CHECKSUM : Outcome.MALFORMED;
        }
        if (directors.length > 0 && Arrays.binarySearch(directors, source) < 0) {
            return Outcome.NOT_DIRECTOR;
        }
        inner.wrap(seg, at, length - at);
        if (!inner.valid()) {
            return Outcome.MALFORMED;
        }
        if (Arrays.binarySearch(vips, inner.destination()) < 0) {
            return Outcome.NOT_VIP;
        }
        innerOffset = at;
        innerLength = inner.totalLength();
        if (remStart >= 0) {
            int field = remField;
            if (remStart >= innerLength || field < remStart || field + 2 > innerLength || !Offload.complete(seg, at,
                    innerLength, Offload.of(Offload.F_NEEDS_CSUM, Offload.GSO_NONE, 0, remStart, field - remStart))) {
                return Outcome.MALFORMED;
            }
            remoteChecksums++;
        }
        return Outcome.DELIVER;
    }

    /** The remote checksum option of the GUE packet being stripped, or -1. */
    private int remStart = -1;
    private int remField;

    /** Where the inner packet starts after the GUE header, or a negative reason. */
    private int gue(MemorySegment seg, int length) {
        remStart = -1;
        if (length < Encapsulation.GUE) {
            return -1;
        }
        int b0 = seg.get(ValueLayout.JAVA_BYTE, 0) & 0xFF;
        int version = b0 >>> 6;
        if (version == 1) {
            return (b0 >>> 4) == 4 ? 0 : -2; // GUE version 1: the IP header itself, IPv4 only here
        }
        if (version != 0) {
            return -1;
        }
        if ((b0 & 0x20) != 0) {
            return -3;
        }
        int hlen = (b0 & 0x1F) * 4;
        int end = Encapsulation.GUE + hlen;
        if (end > length) {
            return -1;
        }
        if ((seg.get(ValueLayout.JAVA_BYTE, 1) & 0xFF) != IpProtocol.IPIP) {
            return -2;
        }
        int flags = seg.get(BE16, 2) & 0xFFFF;
        if ((flags & Encapsulation.GUE_FLAG_PRIV) != 0) {
            if (hlen < 4) {
                return -1;
            }
            int priv = seg.get(BE32, 4);
            if ((priv & Encapsulation.GUE_PFLAG_REMCSUM) != 0) {
                if (hlen < Encapsulation.GUE_REMCSUM_OPTION) {
                    return -1;
                }
                remStart = seg.get(BE16, 8) & 0xFFFF;
                remField = seg.get(BE16, 10) & 0xFFFF;
            }
        }
        return end;
    }

    /** Where the inner packet starts after the GRE header at {@code at} (the outer packet ends at {@code end}). */
    private int gre(MemorySegment seg, int at, int end) {
        if (outer.protocol() != IpProtocol.GRE || end - at < Encapsulation.GRE) {
            return -1;
        }
        int flags = seg.get(BE16, at) & 0xFFFF;
        int protocol = seg.get(BE16, at + 2) & 0xFFFF;
        if ((flags & 0x7) != 0 || (flags & GRE_ROUTING) != 0 || (flags & GRE_STRICT_RECURSION) != 0) {
            return -2; // version 1 is PPTP's; routing and strict source routes are RFC 1701's, long deprecated
        }
        int header = Encapsulation.GRE;
        if ((flags & Encapsulation.GRE_FLAG_CSUM) != 0) {
            header += 4;
            if (end - at < header) {
                return -1;
            }
            if (Checksum.checksum(seg, at, end - at) != 0) {
                return -4;
            }
        }
        header += ((flags & GRE_KEY) != 0 ? 4 : 0) + ((flags & GRE_SEQUENCE) != 0 ? 4 : 0);
        if (end - at < header) {
            return -1;
        }
        return protocol == Encapsulation.GRE_PROTOCOL_IPV4 ? at + header : -2;
    }

    int innerOffset() {
        return innerOffset;
    }

    int innerLength() {
        return innerLength;
    }

    long count(Outcome o) {
        return counts[o.ordinal()];
    }

    /** Inner checksums finished here from a GUE remote checksum option. */
    long remoteChecksums() {
        return remoteChecksums;
    }
}
