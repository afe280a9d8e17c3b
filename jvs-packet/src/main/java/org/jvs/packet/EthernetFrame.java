package org.jvs.packet;

import java.lang.foreign.MemorySegment;

/**
 * Flyweight over an Ethernet II frame, with at most one IEEE 802.1Q tag.
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                    destination MAC (48 bits)                  |
 * +                               +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                               |                               |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+                               +
 * |                      source MAC (48 bits)                     |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |   EtherType (or TPID 0x8100)  | PCP |D|   VLAN id (if tagged) |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |  EtherType (if tagged)        |  payload ...
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 *
 * <p>Not thread-safe: one instance per worker thread, re-pointed at each frame with {@link #wrap}. Getters read
 * the wire directly and do not check bounds against the frame: call {@link #valid()} first. {@link #valid()}
 * never throws, whatever the bytes.
 */
public final class EthernetFrame {
    public static final int DST_OFFSET = 0;
    public static final int SRC_OFFSET = 6;
    public static final int TYPE_OFFSET = 12;
    public static final int TCI_OFFSET = 14;
    public static final int INNER_TYPE_OFFSET = 16;
    public static final int HEADER_LENGTH = 14;
    public static final int TAGGED_HEADER_LENGTH = 18;

    public static final int TYPE_IPV4 = 0x0800;
    public static final int TYPE_ARP = 0x0806;
    public static final int TYPE_VLAN = 0x8100;
    public static final int TYPE_IPV6 = 0x86DD;

    public static final long BROADCAST = 0xFFFF_FFFF_FFFFL;

    private MemorySegment seg;
    private long offset;
    private long limit;

    /** Points at a frame that runs to the end of the segment. */
    public EthernetFrame wrap(MemorySegment seg, long offset) {
        return wrap(seg, offset, seg.byteSize() - offset);
    }

    /** Points at a frame of {@code length} bytes starting at {@code offset}. */
    public EthernetFrame wrap(MemorySegment seg, long offset, long length) {
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

    /** Bytes available from the start of the frame. */
    public long length() {
        return limit - offset;
    }

    /** True when the frame holds a whole header (with the tag, when tagged). */
    public boolean valid() {
        long n = length();
        if (n < HEADER_LENGTH) {
            return false;
        }
        return !tagged() || n >= TAGGED_HEADER_LENGTH;
    }

    public long destination() {
        return Net.mac(seg, offset + DST_OFFSET);
    }

    public EthernetFrame destination(long mac) {
        Net.mac(seg, offset + DST_OFFSET, mac);
        return this;
    }

    public long source() {
        return Net.mac(seg, offset + SRC_OFFSET);
    }

    public EthernetFrame source(long mac) {
        Net.mac(seg, offset + SRC_OFFSET, mac);
        return this;
    }

    /** The first EtherType field: the TPID 0x8100 when tagged. */
    public int outerType() {
        return Net.u16(seg, offset + TYPE_OFFSET);
    }

    public EthernetFrame outerType(int type) {
        Net.u16(seg, offset + TYPE_OFFSET, type);
        return this;
    }

    public boolean tagged() {
        return outerType() == TYPE_VLAN;
    }

    /** The EtherType of the payload, after the tag if there is one. */
    public int etherType() {
        return tagged() ? Net.u16(seg, offset + INNER_TYPE_OFFSET) : outerType();
    }

    /** Sets the payload's EtherType (after the tag if there is one). */
    public EthernetFrame etherType(int type) {
        Net.u16(seg, offset + (tagged() ? INNER_TYPE_OFFSET : TYPE_OFFSET), type);
        return this;
    }

    /** The whole tag control information (PCP, DEI, VLAN id); -1 when untagged. */
    public int tci() {
        return tagged() ? Net.u16(seg, offset + TCI_OFFSET) : -1;
    }

    /** The 12-bit VLAN id; -1 when untagged. */
    public int vlanId() {
        return tagged() ? Net.u16(seg, offset + TCI_OFFSET) & 0x0FFF : -1;
    }

    /** The 3-bit priority code point; -1 when untagged. */
    public int priority() {
        return tagged() ? Net.u16(seg, offset + TCI_OFFSET) >>> 13 : -1;
    }

    /** Sets the VLAN id of a tagged frame, keeping PCP and DEI. */
    public EthernetFrame vlanId(int vlan) {
        int tci = Net.u16(seg, offset + TCI_OFFSET);
        Net.u16(seg, offset + TCI_OFFSET, (tci & 0xF000) | (vlan & 0x0FFF));
        return this;
    }

    /** Header length: 14, or 18 with a tag. */
    public int headerLength() {
        return tagged() ? TAGGED_HEADER_LENGTH : HEADER_LENGTH;
    }

    /** Absolute offset of the payload in the segment. */
    public long payloadOffset() {
        return offset + headerLength();
    }

    /** Bytes from the payload to the end of the frame (may include Ethernet padding). */
    public long payloadLength() {
        return limit - payloadOffset();
    }
}
