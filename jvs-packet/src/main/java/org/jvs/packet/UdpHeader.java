package org.jvs.packet;

import java.lang.foreign.MemorySegment;

/**
 * Flyweight over a UDP header (RFC 768).
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |          Source Port          |       Destination Port        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |            Length             |           Checksum            |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 *
 * <p>Checksum 0 means "no checksum" (IPv4 only; IPv6 requires one); a computed 0 is sent as 0xFFFF. The
 * {@code update...} methods keep both rules. One instance per worker thread; {@link #valid(long)} never throws.
 */
public final class UdpHeader {
    public static final int SRC_PORT_OFFSET = 0;
    public static final int DST_PORT_OFFSET = 2;
    public static final int LENGTH_OFFSET = 4;
    public static final int CHECKSUM_OFFSET = 6;
    public static final int LENGTH = 8;

    private MemorySegment seg;
    private long offset;

    public UdpHeader wrap(MemorySegment seg, long offset) {
        this.seg = seg;
        this.offset = offset;
        return this;
    }

    public long offset() {
        return offset;
    }

    /**
     * True when {@code available} bytes (the IP payload length) hold a whole header and the UDP length field is
     * between 8 and {@code available}.
     */
    public boolean valid(long available) {
        if (available < LENGTH || offset < 0 || offset + available > seg.byteSize()) {
            return false;
        }
        int len = length();
        return len >= LENGTH && len <= available;
    }

    public int sourcePort() {
        return Net.u16(seg, offset + SRC_PORT_OFFSET);
    }

    public UdpHeader sourcePort(int v) {
        Net.u16(seg, offset + SRC_PORT_OFFSET, v);
        return this;
    }

    public int destinationPort() {
        return Net.u16(seg, offset + DST_PORT_OFFSET);
    }

    public UdpHeader destinationPort(int v) {
        Net.u16(seg, offset + DST_PORT_OFFSET, v);
        return this;
    }

    /** Header plus data, in bytes. */
    public int length() {
        return Net.u16(seg, offset + LENGTH_OFFSET);
    }

    public UdpHeader length(int v) {
        Net.u16(seg, offset + LENGTH_OFFSET, v);
        return this;
    }

    public int checksum() {
        return Net.u16(seg, offset + CHECKSUM_OFFSET);
    }

    public UdpHeader checksum(int v) {
        Net.u16(seg, offset + CHECKSUM_OFFSET, v);
        return this;
    }

    public UdpHeader updateSourcePort(int v) {
        int old = sourcePort();
        sourcePort(v);
        return checksum(Checksum.udpUpdate16(checksum(), old, v));
    }

    public UdpHeader updateDestinationPort(int v) {
        int old = destinationPort();
        destinationPort(v);
        return checksum(Checksum.udpUpdate16(checksum(), old, v));
    }

    /** Computes the checksum from scratch over {@link #length()} bytes; a computed 0 becomes 0xFFFF. */
    public UdpHeader computeChecksum(long pseudoHeaderSum) {
        checksum(0);
        int c = Checksum.finish(Checksum.sum(seg, offset, length(), pseudoHeaderSum));
        return checksum(c == 0 ? 0xFFFF : c);
    }

    /** True when the checksum is absent (0) or correct. */
    public boolean checksumValid(long pseudoHeaderSum) {
        return checksum() == 0 || Checksum.fold(Checksum.sum(seg, offset, length(), pseudoHeaderSum)) == 0xFFFF;
    }
}
