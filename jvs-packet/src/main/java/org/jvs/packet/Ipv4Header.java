package org.jvs.packet;

import java.lang.foreign.MemorySegment;

/**
 * Flyweight over an IPv4 header (RFC 791). Options are not interpreted; they are skipped through the IHL.
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |Version|  IHL  |      TOS      |         Total Length          |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |         Identification        |Flags|      Fragment Offset    |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |  Time to Live |    Protocol   |         Header Checksum       |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                       Source Address                          |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                    Destination Address                        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                    Options (IHL > 5)                          |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 *
 * <p>Addresses are the int the packet carries (big-endian), the form {@code org.jvs.core.sched.Flow#setV4}
 * takes. Plain setters write the field only; the {@code update...} methods also fix the header checksum
 * incrementally. One instance per worker thread; {@link #valid()} never throws.
 */
public final class Ipv4Header {
    public static final int VERSION_IHL_OFFSET = 0;
    public static final int TOS_OFFSET = 1;
    public static final int TOTAL_LENGTH_OFFSET = 2;
    public static final int ID_OFFSET = 4;
    public static final int FLAGS_FRAGMENT_OFFSET = 6;
    public static final int TTL_OFFSET = 8;
    public static final int PROTOCOL_OFFSET = 9;
    public static final int CHECKSUM_OFFSET = 10;
    public static final int SRC_OFFSET = 12;
    public static final int DST_OFFSET = 16;
    public static final int MIN_LENGTH = 20;

    public static final int FLAG_DF = 0x4000;
    public static final int FLAG_MF = 0x2000;
    public static final int FRAGMENT_MASK = 0x1FFF;

    private MemorySegment seg;
    private long offset;
    private long limit;

    public Ipv4Header wrap(MemorySegment seg, long offset) {
        return wrap(seg, offset, seg.byteSize() - offset);
    }

    /** Points at a header with {@code length} bytes of packet available from {@code offset}. */
    public Ipv4Header wrap(MemorySegment seg, long offset, long length) {
        this.seg = seg;
        this.offset = offset;
        this.limit = Math.min(offset + Math.max(length, 0), seg.byteSize());
        return this;
    }

    public MemorySegment segment() {
        return seg;
    }

    public long offset() {
        return offset;
    }

    /** Bytes available from the start of the header (the wire may carry Ethernet padding past total length). */
    public long available() {
        return limit - offset;
    }

    /**
     * True when the header can be trusted: 20 bytes present, version 4, IHL at least 5, the header within the
     * total length and the total length within the bytes available. Does not verify the checksum
     * ({@link #checksumValid()}).
     */
    public boolean valid() {
        long n = available();
        if (n < MIN_LENGTH) {
            return false;
        }
        int vi = Net.u8(seg, offset);
        if ((vi >>> 4) != 4) {
            return false;
        }
        int hl = (vi & 0x0F) * 4;
        int total = totalLength();
        return hl >= MIN_LENGTH && hl <= total && total <= n;
    }

    /**
     * True for the header of a packet quoted in an ICMP error (RFC 792: the header and at least 8 bytes of what
     * followed): version 4, IHL at least 5, the header and 8 bytes of payload available. Its total length is the
     * original packet's and is not checked against what is here.
     */
    public boolean validQuoted() {
        long n = available();
        if (n < MIN_LENGTH) {
            return false;
        }
        int vi = Net.u8(seg, offset);
        int hl = (vi & 0x0F) * 4;
        return (vi >>> 4) == 4 && hl >= MIN_LENGTH && hl + 8 <= n;
    }

    /** True when the header checksum is correct (header must be {@link #valid()}). */
    public boolean checksumValid() {
        return Checksum.fold(Checksum.sum(seg, offset, headerLength(), 0)) == 0xFFFF;
    }

    /** Recomputes the header checksum from scratch (for frames built by hand). */
    public Ipv4Header computeChecksum() {
        checksum(0);
        return checksum(Checksum.checksum(seg, offset, headerLength()));
    }

    public int version() {
        return Net.u8(seg, offset + VERSION_IHL_OFFSET) >>> 4;
    }

    /** The IHL field: header length in 32-bit words. */
    public int ihl() {
        return Net.u8(seg, offset + VERSION_IHL_OFFSET) & 0x0F;
    }

    public Ipv4Header versionIhl(int version, int ihl) {
        Net.u8(seg, offset + VERSION_IHL_OFFSET, (version << 4) | (ihl & 0x0F));
        return this;
    }

    /** Header length in bytes (IHL * 4). */
    public int headerLength() {
        return ihl() * 4;
    }

    public int tos() {
        return Net.u8(seg, offset + TOS_OFFSET);
    }

    public Ipv4Header tos(int v) {
        Net.u8(seg, offset + TOS_OFFSET, v);
        return this;
    }

    public int totalLength() {
        return Net.u16(seg, offset + TOTAL_LENGTH_OFFSET);
    }

    public Ipv4Header totalLength(int v) {
        Net.u16(seg, offset + TOTAL_LENGTH_OFFSET, v);
        return this;
    }

    public int id() {
        return Net.u16(seg, offset + ID_OFFSET);
    }

    public Ipv4Header id(int v) {
        Net.u16(seg, offset + ID_OFFSET, v);
        return this;
    }

    /** The 16-bit word holding the flags (DF 0x4000, MF 0x2000) and the fragment offset. */
    public int flagsFragment() {
        return Net.u16(seg, offset + FLAGS_FRAGMENT_OFFSET);
    }

    public Ipv4Header flagsFragment(int v) {
        Net.u16(seg, offset + FLAGS_FRAGMENT_OFFSET, v);
        return this;
    }

    public boolean dontFragment() {
        return (flagsFragment() & FLAG_DF) != 0;
    }

    public boolean moreFragments() {
        return (flagsFragment() & FLAG_MF) != 0;
    }

    /** Fragment offset in 8-byte units. */
    public int fragmentOffset() {
        return flagsFragment() & FRAGMENT_MASK;
    }

    /** True for any fragment: more fragments follow, or this one does not start at offset 0. */
    public boolean isFragment() {
        return (flagsFragment() & (FLAG_MF | FRAGMENT_MASK)) != 0;
    }

    /** True when the transport header is here: not a fragment, or the first one. */
    public boolean hasTransportHeader() {
        return fragmentOffset() == 0;
    }

    public int ttl() {
        return Net.u8(seg, offset + TTL_OFFSET);
    }

    public Ipv4Header ttl(int v) {
        Net.u8(seg, offset + TTL_OFFSET, v);
        return this;
    }

    /** Decrements the TTL and fixes the checksum; returns the new TTL (0: the packet must be dropped). */
    public int decrementTtl() {
        int word = Net.u16(seg, offset + TTL_OFFSET);
        if ((word >>> 8) == 0) {
            return 0;
        }
        int now = word - 0x0100;
        Net.u16(seg, offset + TTL_OFFSET, now);
        checksum(Checksum.update16(checksum(), word, now));
        return now >>> 8;
    }

    public int protocol() {
        return Net.u8(seg, offset + PROTOCOL_OFFSET);
    }

    public Ipv4Header protocol(int v) {
        Net.u8(seg, offset + PROTOCOL_OFFSET, v);
        return this;
    }

    public int checksum() {
        return Net.u16(seg, offset + CHECKSUM_OFFSET);
    }

    public Ipv4Header checksum(int v) {
        Net.u16(seg, offset + CHECKSUM_OFFSET, v);
        return this;
    }

    public int source() {
        return Net.i32(seg, offset + SRC_OFFSET);
    }

    public Ipv4Header source(int v) {
        Net.i32(seg, offset + SRC_OFFSET, v);
        return this;
    }

    public int destination() {
        return Net.i32(seg, offset + DST_OFFSET);
    }

    public Ipv4Header destination(int v) {
        Net.i32(seg, offset + DST_OFFSET, v);
        return this;
    }

    /** Sets the source address and fixes the header checksum (RFC 1624). Transport checksums are not touched. */
    public Ipv4Header updateSource(int v) {
        int old = source();
        source(v);
        return checksum(Checksum.update32(checksum(), old, v));
    }

    /** Sets the destination address and fixes the header checksum. Transport checksums are not touched. */
    public Ipv4Header updateDestination(int v) {
        int old = destination();
        destination(v);
        return checksum(Checksum.update32(checksum(), old, v));
    }

    /** Absolute offset of the payload (the transport header) in the segment. */
    public long payloadOffset() {
        return offset + headerLength();
    }

    /** Payload bytes according to the total length. */
    public int payloadLength() {
        return totalLength() - headerLength();
    }
}
