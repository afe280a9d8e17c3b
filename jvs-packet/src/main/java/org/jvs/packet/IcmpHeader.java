package org.jvs.packet;

import java.lang.foreign.MemorySegment;

/**
 * Flyweight over an ICMP (IPv4) message header (RFC 792).
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |     Type      |     Code      |          Checksum             |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |  echo: Identifier             |  echo: Sequence Number        |
 * |  errors: unused / next-hop MTU (type 3 code 4)                |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |  errors: the offending IP header + at least 8 bytes of it ... |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 *
 * <p>For an error message ({@link #isError()}) {@link #embeddedOffset()} is where the IP header of the packet
 * that caused it starts: IPVS matches it against the connection table (with source and destination swapped)
 * and rewrites it. The ICMP checksum covers the whole message, no pseudo-header. One instance per worker
 * thread; {@link #valid(long)} never throws.
 */
public final class IcmpHeader {
    public static final int TYPE_OFFSET = 0;
    public static final int CODE_OFFSET = 1;
    public static final int CHECKSUM_OFFSET = 2;
    public static final int ID_OFFSET = 4;
    public static final int SEQ_OFFSET = 6;
    public static final int MTU_OFFSET = 6;
    public static final int LENGTH = 8;

    public static final int ECHO_REPLY = 0;
    public static final int DEST_UNREACHABLE = 3;
    public static final int SOURCE_QUENCH = 4;
    public static final int REDIRECT = 5;
    public static final int ECHO_REQUEST = 8;
    public static final int TIME_EXCEEDED = 11;
    public static final int PARAMETER_PROBLEM = 12;

    public static final int CODE_PORT_UNREACHABLE = 3;
    public static final int CODE_FRAGMENTATION_NEEDED = 4;

    private MemorySegment seg;
    private long offset;

    public IcmpHeader wrap(MemorySegment seg, long offset) {
        this.seg = seg;
        this.offset = offset;
        return this;
    }

    public long offset() {
        return offset;
    }

    /** True when {@code length} bytes (the IP payload length) hold the 8-byte header, within the memory. */
    public boolean valid(long length) {
        return length >= LENGTH && offset >= 0 && offset + length <= seg.byteSize();
    }

    public int type() {
        return Net.u8(seg, offset + TYPE_OFFSET);
    }

    public IcmpHeader type(int v) {
        Net.u8(seg, offset + TYPE_OFFSET, v);
        return this;
    }

    public int code() {
        return Net.u8(seg, offset + CODE_OFFSET);
    }

    public IcmpHeader code(int v) {
        Net.u8(seg, offset + CODE_OFFSET, v);
        return this;
    }

    public int checksum() {
        return Net.u16(seg, offset + CHECKSUM_OFFSET);
    }

    public IcmpHeader checksum(int v) {
        Net.u16(seg, offset + CHECKSUM_OFFSET, v);
        return this;
    }

    public int identifier() {
        return Net.u16(seg, offset + ID_OFFSET);
    }

    public IcmpHeader identifier(int v) {
        Net.u16(seg, offset + ID_OFFSET, v);
        return this;
    }

    public int sequence() {
        return Net.u16(seg, offset + SEQ_OFFSET);
    }

    public IcmpHeader sequence(int v) {
        Net.u16(seg, offset + SEQ_OFFSET, v);
        return this;
    }

    /** Next-hop MTU of a "fragmentation needed" message (RFC 1191). */
    public int nextHopMtu() {
        return Net.u16(seg, offset + MTU_OFFSET);
    }

    public IcmpHeader nextHopMtu(int v) {
        Net.u16(seg, offset + MTU_OFFSET, v);
        return this;
    }

    /** True for the messages that carry an offending packet: unreachable, source quench, redirect, time exceeded, parameter problem. */
    public boolean isError() {
        int t = type();
        return t == DEST_UNREACHABLE || t == SOURCE_QUENCH || t == REDIRECT || t == TIME_EXCEEDED
                || t == PARAMETER_PROBLEM;
    }

    /** Absolute offset of the embedded IP header of an error message. */
    public long embeddedOffset() {
        return offset + LENGTH;
    }

    /** Computes the checksum from scratch over a message of {@code length} bytes. */
    public IcmpHeader computeChecksum(int length) {
        checksum(0);
        return checksum(Checksum.checksum(seg, offset, length));
    }

    public boolean checksumValid(int length) {
        return Checksum.fold(Checksum.sum(seg, offset, length, 0)) == 0xFFFF;
    }
}
