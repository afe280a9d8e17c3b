package org.jvs.packet;

import java.lang.foreign.MemorySegment;

/**
 * Flyweight over an ICMPv6 message header (RFC 4443).
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |     Type      |     Code      |          Checksum             |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |  echo: Identifier / Sequence; Packet Too Big: MTU; errors: -  |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |  errors (type < 128): as much of the offending packet as fits |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 *
 * <p>Unlike ICMP, the checksum includes the IPv6 pseudo-header ({@link Ipv6Header#pseudoHeaderSum}), so an
 * address rewrite must fix it. One instance per worker thread; {@link #valid(long)} never throws.
 */
public final class Icmpv6Header {
    public static final int TYPE_OFFSET = 0;
    public static final int CODE_OFFSET = 1;
    public static final int CHECKSUM_OFFSET = 2;
    public static final int ID_OFFSET = 4;
    public static final int SEQ_OFFSET = 6;
    public static final int MTU_OFFSET = 4;
    public static final int LENGTH = 8;

    public static final int DEST_UNREACHABLE = 1;
    public static final int PACKET_TOO_BIG = 2;
    public static final int TIME_EXCEEDED = 3;
    public static final int PARAMETER_PROBLEM = 4;
    public static final int ECHO_REQUEST = 128;
    public static final int ECHO_REPLY = 129;
    public static final int NEIGHBOR_SOLICITATION = 135;
    public static final int NEIGHBOR_ADVERTISEMENT = 136;

    private MemorySegment seg;
    private long offset;

    public Icmpv6Header wrap(MemorySegment seg, long offset) {
        this.seg = seg;
        this.offset = offset;
        return this;
    }

    public long offset() {
        return offset;
    }

    public boolean valid(long length) {
        return length >= LENGTH && offset >= 0 && offset + length <= seg.byteSize();
    }

    public int type() {
        return Net.u8(seg, offset + TYPE_OFFSET);
    }

    public Icmpv6Header type(int v) {
        Net.u8(seg, offset + TYPE_OFFSET, v);
        return this;
    }

    public int code() {
        return Net.u8(seg, offset + CODE_OFFSET);
    }

    public Icmpv6Header code(int v) {
        Net.u8(seg, offset + CODE_OFFSET, v);
        return this;
    }

    public int checksum() {
        return Net.u16(seg, offset + CHECKSUM_OFFSET);
    }

    public Icmpv6Header checksum(int v) {
        Net.u16(seg, offset + CHECKSUM_OFFSET, v);
        return this;
    }

    public int identifier() {
        return Net.u16(seg, offset + ID_OFFSET);
    }

    public Icmpv6Header identifier(int v) {
        Net.u16(seg, offset + ID_OFFSET, v);
        return this;
    }

    public int sequence() {
        return Net.u16(seg, offset + SEQ_OFFSET);
    }

    public Icmpv6Header sequence(int v) {
        Net.u16(seg, offset + SEQ_OFFSET, v);
        return this;
    }

    /** MTU of a Packet Too Big message. */
    public int mtu() {
        return Net.i32(seg, offset + MTU_OFFSET);
    }

    public Icmpv6Header mtu(int v) {
        Net.i32(seg, offset + MTU_OFFSET, v);
        return this;
    }

    /** Error messages are types 0..127 (RFC 4443 2.1); they carry the offending packet. */
    public boolean isError() {
        return type() < 128;
    }

    /** Absolute offset of the embedded IPv6 header of an error message. */
    public long embeddedOffset() {
        return offset + LENGTH;
    }

    public Icmpv6Header computeChecksum(long pseudoHeaderSum, int length) {
        checksum(0);
        return checksum(Checksum.finish(Checksum.sum(seg, offset, length, pseudoHeaderSum)));
    }

    public boolean checksumValid(long pseudoHeaderSum, int length) {
        return Checksum.fold(Checksum.sum(seg, offset, length, pseudoHeaderSum)) == 0xFFFF;
    }
}
