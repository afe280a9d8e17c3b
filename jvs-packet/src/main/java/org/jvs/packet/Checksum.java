package org.jvs.packet;

import java.lang.foreign.MemorySegment;

/**
 * The Internet checksum: full computation over a range (RFC 1071), the IPv4 and IPv6 pseudo-header sums that
 * TCP, UDP and ICMPv6 include, and incremental updates (RFC 1624, equation 3: {@code HC' = ~(~HC + ~m + m')}).
 *
 * <p>Two kinds of value appear here. A <em>sum</em> is a one's-complement accumulator kept in a {@code long}
 * (carries are folded at the end, so billions of 16-bit words fit); a <em>checksum</em> is the 16-bit value a
 * header carries, {@code ~fold(sum)}. Compute a field's checksum by summing with the field set to zero,
 * verify by summing with the field in place and checking {@link #finish} gives 0.
 *
 * <p>Incremental updates are exact: for any packet whose stored checksum was correct, the updated value is
 * bit for bit what a full recomputation gives (the property tests check this). Stored checksums are treated as
 * residues modulo 0xFFFF, so a UDP checksum transmitted as 0xFFFF (a computed 0) updates correctly too; what
 * UDP's "0 means none" rule needs on top is in {@link #udpUpdate16} and friends.
 */
public final class Checksum {
    private Checksum() {
    }

    /** Adds the bytes {@code [offset, offset + length)} as big-endian 16-bit words; an odd last byte is padded with zero. */
    public static long sum(MemorySegment seg, long offset, long length, long initial) {
        long s = initial;
        long at = offset;
        long end = offset + length;
        while (end - at >= 8) {
            long w = Net.i64(seg, at);
            s += (w >>> 48) + ((w >>> 32) & 0xFFFF) + ((w >>> 16) & 0xFFFF) + (w & 0xFFFF);
            at += 8;
        }
        while (end - at >= 2) {
            s += Net.u16(seg, at);
            at += 2;
        }
        if (at < end) {
            s += Net.u8(seg, at) << 8;
        }
        return s;
    }

    /** Folds a sum to 16 bits with end-around carry. */
    public static int fold(long sum) {
        long s = sum;
        while ((s >>> 16) != 0) {
            s = (s & 0xFFFF) + (s >>> 16);
        }
        return (int) s;
    }

    /** The checksum of a sum: the one's complement of its fold. */
    public static int finish(long sum) {
        return ~fold(sum) & 0xFFFF;
    }

    /** The RFC 1071 checksum of a byte range. */
    public static int checksum(MemorySegment seg, long offset, long length) {
        return finish(sum(seg, offset, length, 0));
    }

    /** The IPv4 pseudo-header sum for TCP/UDP: source, destination, protocol and upper-layer length. */
    public static long pseudoV4(int src, int dst, int protocol, int length) {
        return (src >>> 16) + (src & 0xFFFF) + (dst >>> 16) + (dst & 0xFFFF) + protocol + (length & 0xFFFF);
    }

    /** The IPv6 pseudo-header sum (RFC 8200 8.1): addresses, 32-bit upper-layer length, next header. */
    public static long pseudoV6(long srcHi, long srcLo, long dstHi, long dstLo, int protocol, int length) {
        return words(srcHi) + words(srcLo) + words(dstHi) + words(dstLo)
                + (length >>> 16) + (length & 0xFFFF) + protocol;
    }

    private static long words(long v) {
        return (v >>> 48) + ((v >>> 32) & 0xFFFF) + ((v >>> 16) & 0xFFFF) + (v & 0xFFFF);
    }

    private static long complementWords(long v) {
        return words(~v);
    }

    private static int finishUpdate(long sum) {
        // fold() of a non-zero sum is in 1..0xFFFF; keep 0xFFFF (not 0) for a zero residue, as a full
        // computation over real headers does, so the result is unique.
        int f = fold(sum);
        if (f == 0) {
            f = 0xFFFF;
        }
        return ~f & 0xFFFF;
    }

    /** RFC 1624 eq. 3 for one 16-bit word changing from {@code old} to {@code now}. */
    public static int update16(int checksum, int old, int now) {
        return finishUpdate((~checksum & 0xFFFF) + (~old & 0xFFFF) + (now & 0xFFFF));
    }

    /** RFC 1624 eq. 3 for a 32-bit field (an IPv4 address, a sequence number). */
    public static int update32(int checksum, int old, int now) {
        return finishUpdate((~checksum & 0xFFFF)
                + (~old >>> 16) + (~old & 0xFFFF) + (now >>> 16) + (now & 0xFFFF));
    }

    /** RFC 1624 eq. 3 for a 128-bit field (an IPv6 address as two longs). */
    public static int update128(int checksum, long oldHi, long oldLo, long nowHi, long nowLo) {
        return finishUpdate((~checksum & 0xFFFF)
                + complementWords(oldHi) + complementWords(oldLo) + words(nowHi) + words(nowLo));
    }

    /** An address and a port change at once (NAT): one fold instead of two. */
    public static int update32And16(int checksum, int oldAddr, int nowAddr, int oldPort, int nowPort) {
        return finishUpdate((~checksum & 0xFFFF)
                + (~oldAddr >>> 16) + (~oldAddr & 0xFFFF) + (nowAddr >>> 16) + (nowAddr & 0xFFFF)
                + (~oldPort & 0xFFFF) + (nowPort & 0xFFFF));
    }

    /** An IPv6 address and a port change at once. */
    public static int update128And16(int checksum, long oldHi, long oldLo, long nowHi, long nowLo, int oldPort,
                                     int nowPort) {
        return finishUpdate((~checksum & 0xFFFF)
                + complementWords(oldHi) + complementWords(oldLo) + words(nowHi) + words(nowLo)
                + (~oldPort & 0xFFFF) + (nowPort & 0xFFFF));
    }

    /**
     * UDP's rules on top of an update: a checksum of 0 means "none" and stays 0; a computed 0 is sent as
     * 0xFFFF (RFC 768). {@code updated} is the result of one of the update methods applied to {@code checksum}.
     */
    public static int udp(int checksum, int updated) {
        if (checksum == 0) {
            return 0;
        }
        return updated == 0 ? 0xFFFF : updated;
    }

    /** {@link #update16} with UDP's rules. */
    public static int udpUpdate16(int checksum, int old, int now) {
        return udp(checksum, update16(checksum, old, now));
    }

    /** {@link #update32} with UDP's rules. */
    public static int udpUpdate32(int checksum, int old, int now) {
        return udp(checksum, update32(checksum, old, now));
    }

    /** {@link #update128} with UDP's rules. */
    public static int udpUpdate128(int checksum, long oldHi, long oldLo, long nowHi, long nowLo) {
        return udp(checksum, update128(checksum, oldHi, oldLo, nowHi, nowLo));
    }
}
