package org.jvs.packet;

import java.lang.foreign.MemorySegment;

/**
 * Flyweight over an ARP packet for Ethernet and IPv4 (RFC 826), the only kind a director answers.
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |     hardware type (1)         |     protocol type (0x0800)    |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * | hw len (6)    | proto len (4) |  operation (1 req, 2 reply)   |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |              sender hardware address (48 bits)                |
 * +                               +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                               |  sender protocol address      |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |  (spa cont.)                  |  target hardware address      |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+                               +
 * |                     (48 bits)                                 |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                  target protocol address                      |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 *
 * <p>One instance per worker thread; {@link #valid()} never throws.
 */
public final class ArpPacket {
    public static final int HTYPE_OFFSET = 0;
    public static final int PTYPE_OFFSET = 2;
    public static final int HLEN_OFFSET = 4;
    public static final int PLEN_OFFSET = 5;
    public static final int OP_OFFSET = 6;
    public static final int SHA_OFFSET = 8;
    public static final int SPA_OFFSET = 14;
    public static final int THA_OFFSET = 18;
    public static final int TPA_OFFSET = 24;
    public static final int LENGTH = 28;

    public static final int HTYPE_ETHERNET = 1;
    public static final int OP_REQUEST = 1;
    public static final int OP_REPLY = 2;

    private MemorySegment seg;
    private long offset;
    private long limit;

    public ArpPacket wrap(MemorySegment seg, long offset) {
        return wrap(seg, offset, seg.byteSize() - offset);
    }

    public ArpPacket wrap(MemorySegment seg, long offset, long length) {
        this.seg = seg;
        this.offset = offset;
        this.limit = Math.min(offset + Math.max(length, 0), seg.byteSize());
        return this;
    }

    public long offset() {
        return offset;
    }

    /** True for a whole Ethernet/IPv4 ARP packet (hardware type 1, protocol 0x0800, lengths 6 and 4). */
    public boolean valid() {
        return limit - offset >= LENGTH
                && hardwareType() == HTYPE_ETHERNET && protocolType() == EthernetFrame.TYPE_IPV4
                && hardwareLength() == 6 && protocolLength() == 4;
    }

    public int hardwareType() {
        return Net.u16(seg, offset + HTYPE_OFFSET);
    }

    public ArpPacket hardwareType(int v) {
        Net.u16(seg, offset + HTYPE_OFFSET, v);
        return this;
    }

    public int protocolType() {
        return Net.u16(seg, offset + PTYPE_OFFSET);
    }

    public ArpPacket protocolType(int v) {
        Net.u16(seg, offset + PTYPE_OFFSET, v);
        return this;
    }

    public int hardwareLength() {
        return Net.u8(seg, offset + HLEN_OFFSET);
    }

    public ArpPacket hardwareLength(int v) {
        Net.u8(seg, offset + HLEN_OFFSET, v);
        return this;
    }

    public int protocolLength() {
        return Net.u8(seg, offset + PLEN_OFFSET);
    }

    public ArpPacket protocolLength(int v) {
        Net.u8(seg, offset + PLEN_OFFSET, v);
        return this;
    }

    public int operation() {
        return Net.u16(seg, offset + OP_OFFSET);
    }

    public ArpPacket operation(int v) {
        Net.u16(seg, offset + OP_OFFSET, v);
        return this;
    }

    public long senderHardware() {
        return Net.mac(seg, offset + SHA_OFFSET);
    }

    public ArpPacket senderHardware(long mac) {
        Net.mac(seg, offset + SHA_OFFSET, mac);
        return this;
    }

    public int senderProtocol() {
        return Net.i32(seg, offset + SPA_OFFSET);
    }

    public ArpPacket senderProtocol(int ip) {
        Net.i32(seg, offset + SPA_OFFSET, ip);
        return this;
    }

    public long targetHardware() {
        return Net.mac(seg, offset + THA_OFFSET);
    }

    public ArpPacket targetHardware(long mac) {
        Net.mac(seg, offset + THA_OFFSET, mac);
        return this;
    }

    public int targetProtocol() {
        return Net.i32(seg, offset + TPA_OFFSET);
    }

    public ArpPacket targetProtocol(int ip) {
        Net.i32(seg, offset + TPA_OFFSET, ip);
        return this;
    }
}
