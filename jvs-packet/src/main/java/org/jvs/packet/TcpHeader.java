package org.jvs.packet;

import java.lang.foreign.MemorySegment;

/**
 * Flyweight over a TCP header (RFC 9293). Options are skipped through the data offset.
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |          Source Port          |       Destination Port        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                        Sequence Number                        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                    Acknowledgment Number                      |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |  Data |       |C|E|U|A|P|R|S|F|                               |
 * | Offset| Rsrvd |W|C|R|C|S|S|Y|I|            Window             |
 * |       |       |R|E|G|K|H|T|N|N|                               |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |           Checksum            |         Urgent Pointer        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 *
 * <p>The flag bits match {@code org.jvs.core.conn.TcpStateMachine}'s (FIN 0x01, SYN 0x02, RST 0x04, ACK 0x10), so
 * {@link #flags()} goes to the core as is. One instance per worker thread; {@link #valid(long)} never throws.
 */
public final class TcpHeader {
    public static final int SRC_PORT_OFFSET = 0;
    public static final int DST_PORT_OFFSET = 2;
    public static final int SEQ_OFFSET = 4;
    public static final int ACK_OFFSET = 8;
    public static final int DATA_OFFSET_OFFSET = 12;
    public static final int FLAGS_OFFSET = 13;
    public static final int WINDOW_OFFSET = 14;
    public static final int CHECKSUM_OFFSET = 16;
    public static final int URGENT_OFFSET = 18;
    public static final int MIN_LENGTH = 20;

    public static final int FIN = 0x01;
    public static final int SYN = 0x02;
    public static final int RST = 0x04;
    public static final int PSH = 0x08;
    public static final int ACK = 0x10;
    public static final int URG = 0x20;
    public static final int ECE = 0x40;
    public static final int CWR = 0x80;

    private MemorySegment seg;
    private long offset;

    public TcpHeader wrap(MemorySegment seg, long offset) {
        this.seg = seg;
        this.offset = offset;
        return this;
    }

    public long offset() {
        return offset;
    }

    /**
     * True when a segment of {@code length} bytes (the IP payload length) holds a whole TCP header: at least 20
     * bytes, data offset at least 5 and the header within the segment, and the segment within the memory.
     */
    public boolean valid(long length) {
        if (length < MIN_LENGTH || offset < 0 || offset + length > seg.byteSize()) {
            return false;
        }
        int hl = headerLength();
        return hl >= MIN_LENGTH && hl <= length;
    }

    public int sourcePort() {
        return Net.u16(seg, offset + SRC_PORT_OFFSET);
    }

    public TcpHeader sourcePort(int v) {
        Net.u16(seg, offset + SRC_PORT_OFFSET, v);
        return this;
    }

    public int destinationPort() {
        return Net.u16(seg, offset + DST_PORT_OFFSET);
    }

    public TcpHeader destinationPort(int v) {
        Net.u16(seg, offset + DST_PORT_OFFSET, v);
        return this;
    }

    /** Sequence number (read as a signed int; compare with {@link Integer#compareUnsigned} or serial arithmetic). */
    public int sequence() {
        return Net.i32(seg, offset + SEQ_OFFSET);
    }

    public TcpHeader sequence(int v) {
        Net.i32(seg, offset + SEQ_OFFSET, v);
        return this;
    }

    public int acknowledgment() {
        return Net.i32(seg, offset + ACK_OFFSET);
    }

    public TcpHeader acknowledgment(int v) {
        Net.i32(seg, offset + ACK_OFFSET, v);
        return this;
    }

    /** Data offset in 32-bit words. */
    public int dataOffset() {
        return Net.u8(seg, offset + DATA_OFFSET_OFFSET) >>> 4;
    }

    public TcpHeader dataOffset(int words) {
        int b = Net.u8(seg, offset + DATA_OFFSET_OFFSET);
        Net.u8(seg, offset + DATA_OFFSET_OFFSET, (b & 0x0F) | (words << 4));
        return this;
    }

    public int headerLength() {
        return dataOffset() * 4;
    }

    /** The eight flag bits (CWR ... FIN). */
    public int flags() {
        return Net.u8(seg, offset + FLAGS_OFFSET);
    }

    public TcpHeader flags(int v) {
        Net.u8(seg, offset + FLAGS_OFFSET, v);
        return this;
    }

    public boolean syn() {
        return (flags() & SYN) != 0;
    }

    public boolean ack() {
        return (flags() & ACK) != 0;
    }

    public boolean fin() {
        return (flags() & FIN) != 0;
    }

    public boolean rst() {
        return (flags() & RST) != 0;
    }

    public int window() {
        return Net.u16(seg, offset + WINDOW_OFFSET);
    }

    public TcpHeader window(int v) {
        Net.u16(seg, offset + WINDOW_OFFSET, v);
        return this;
    }

    public int checksum() {
        return Net.u16(seg, offset + CHECKSUM_OFFSET);
    }

    public TcpHeader checksum(int v) {
        Net.u16(seg, offset + CHECKSUM_OFFSET, v);
        return this;
    }

    public int urgentPointer() {
        return Net.u16(seg, offset + URGENT_OFFSET);
    }

    public TcpHeader urgentPointer(int v) {
        Net.u16(seg, offset + URGENT_OFFSET, v);
        return this;
    }

    /** Sets the source port and fixes the checksum. */
    public TcpHeader updateSourcePort(int v) {
        int old = sourcePort();
        sourcePort(v);
        return checksum(Checksum.update16(checksum(), old, v));
    }

    /** Sets the destination port and fixes the checksum. */
    public TcpHeader updateDestinationPort(int v) {
        int old = destinationPort();
        destinationPort(v);
        return checksum(Checksum.update16(checksum(), old, v));
    }

    /** Computes the checksum from scratch over {@code length} bytes with the given pseudo-header sum. */
    public TcpHeader computeChecksum(long pseudoHeaderSum, int length) {
        checksum(0);
        return checksum(Checksum.finish(Checksum.sum(seg, offset, length, pseudoHeaderSum)));
    }

    /** True when the checksum over {@code length} bytes with the given pseudo-header sum is correct. */
    public boolean checksumValid(long pseudoHeaderSum, int length) {
        return Checksum.fold(Checksum.sum(seg, offset, length, pseudoHeaderSum)) == 0xFFFF;
    }
}
