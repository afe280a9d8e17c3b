package org.jvs.packet;

import java.lang.foreign.MemorySegment;

/**
 * Flyweight over an IPv6 header (RFC 8200) and its extension-header chain.
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |Version| Traffic Class |           Flow Label                  |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |         Payload Length        |  Next Header  |   Hop Limit   |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                                                               |
 * +                  Source Address (srcHi, srcLo)                +
 * |                                                               |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                                                               |
 * +               Destination Address (dstHi, dstLo)              +
 * |                                                               |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 *
 * <p>Addresses are two longs each, the encoding of {@code org.jvs.core.model.IpAddr}. {@link #parse()} checks
 * the fixed header and walks the extension headers (hop-by-hop 0, routing 43, fragment 44, destination options
 * 60, authentication 51) to the upper-layer protocol, at most {@link #MAX_EXTENSIONS} of them and never past
 * the payload, so a hostile chain costs a bounded walk and is reported as malformed. There is no IPv6 header
 * checksum; the pseudo-header of TCP/UDP/ICMPv6 covers the addresses. One instance per worker thread.
 */
public final class Ipv6Header {
    public static final int VERSION_CLASS_FLOW_OFFSET = 0;
    public static final int PAYLOAD_LENGTH_OFFSET = 4;
    public static final int NEXT_HEADER_OFFSET = 6;
    public static final int HOP_LIMIT_OFFSET = 7;
    public static final int SRC_OFFSET = 8;
    public static final int DST_OFFSET = 24;
    public static final int HEADER_LENGTH = 40;

    public static final int EXT_HOP_BY_HOP = 0;
    public static final int EXT_ROUTING = 43;
    public static final int EXT_FRAGMENT = 44;
    public static final int EXT_AUTH = 51;
    public static final int EXT_DEST_OPTIONS = 60;
    public static final int NO_NEXT_HEADER = 59;

    /** The longest extension chain {@link #parse()} walks; longer chains are malformed. */
    public static final int MAX_EXTENSIONS = 8;

    /** {@link #parse()} result for a packet that must be dropped. */
    public static final int MALFORMED = -1;

    private MemorySegment seg;
    private long offset;
    private long limit;
    private int upperProtocol = MALFORMED;
    private long upperOffset = -1;
    private boolean fragment;
    private int fragmentOffset;

    public Ipv6Header wrap(MemorySegment seg, long offset) {
        return wrap(seg, offset, seg.byteSize() - offset);
    }

    public Ipv6Header wrap(MemorySegment seg, long offset, long length) {
        this.seg = seg;
        this.offset = offset;
        this.limit = Math.min(offset + Math.max(length, 0), seg.byteSize());
        this.upperProtocol = MALFORMED;
        this.upperOffset = -1;
        this.fragment = false;
        this.fragmentOffset = 0;
        return this;
    }

    public MemorySegment segment() {
        return seg;
    }

    public long offset() {
        return offset;
    }

    public long available() {
        return limit - offset;
    }

    /** True when the fixed header is whole, the version is 6 and the payload length fits the bytes available. */
    public boolean valid() {
        long n = available();
        return n >= HEADER_LENGTH && version() == 6 && HEADER_LENGTH + (long) payloadLength() <= n;
    }

    /**
     * Validates and walks the extension headers. Returns the upper-layer protocol (6, 17, 58, 59 ...) and sets
     * {@link #upperLayerOffset()}, or {@link #MALFORMED}. A non-first fragment returns the protocol of the
     * fragment header's next header but has no upper-layer header: see {@link #hasTransportHeader()}.
     * Jumbograms (payload length 0 with a hop-by-hop header) are not supported and are malformed.
     */
    public int parse() {
        upperProtocol = MALFORMED;
        upperOffset = -1;
        fragment = false;
        fragmentOffset = 0;
        if (!valid()) {
            return MALFORMED;
        }
        long end = offset + HEADER_LENGTH + payloadLength();
        int next = nextHeader();
        long at = offset + HEADER_LENGTH;
        for (int i = 0; ; i++) {
            if (!isExtension(next)) {
                upperProtocol = next;
                upperOffset = at;
                return next;
            }
            if (i == MAX_EXTENSIONS || end - at < 8) {
                return MALFORMED;
            }
            if (next == EXT_HOP_BY_HOP && i != 0) {
                return MALFORMED; // RFC 8200 4.1: hop-by-hop only right after the fixed header
            }
            long len;
            if (next == EXT_FRAGMENT) {
                len = 8;
                int word = Net.u16(seg, at + 2);
                fragment = true;
                fragmentOffset = word >>> 3;
            } else if (next == EXT_AUTH) {
                len = (Net.u8(seg, at + 1) + 2L) * 4;
            } else {
                len = (Net.u8(seg, at + 1) + 1L) * 8;
            }
            if (len > end - at) {
                return MALFORMED;
            }
            next = Net.u8(seg, at);
            at += len;
        }
    }

    private static boolean isExtension(int nh) {
        return nh == EXT_HOP_BY_HOP || nh == EXT_ROUTING || nh == EXT_FRAGMENT || nh == EXT_DEST_OPTIONS
                || nh == EXT_AUTH;
    }

    /** The upper-layer protocol found by the last {@link #parse()}, or {@link #MALFORMED}. */
    public int upperProtocol() {
        return upperProtocol;
    }

    /** Absolute offset of the upper-layer header found by the last {@link #parse()}, or -1. */
    public long upperLayerOffset() {
        return upperOffset;
    }

    /** Upper-layer bytes (payload length minus extension headers), after a successful {@link #parse()}. */
    public int upperLayerLength() {
        return (int) (offset + HEADER_LENGTH + payloadLength() - upperOffset);
    }

    /** True when the last {@link #parse()} met a fragment header. */
    public boolean isFragment() {
        return fragment;
    }

    /** True when the upper-layer header is present: not a fragment, or the first one. */
    public boolean hasTransportHeader() {
        return upperOffset >= 0 && fragmentOffset == 0;
    }

    public int version() {
        return Net.u8(seg, offset) >>> 4;
    }

    public int trafficClass() {
        return (Net.i32(seg, offset) >>> 20) & 0xFF;
    }

    public Ipv6Header trafficClass(int v) {
        int w = Net.i32(seg, offset);
        Net.i32(seg, offset, (w & 0xF00F_FFFF) | ((v & 0xFF) << 20));
        return this;
    }

    public int flowLabel() {
        return Net.i32(seg, offset) & 0x000F_FFFF;
    }

    public Ipv6Header flowLabel(int v) {
        int w = Net.i32(seg, offset);
        Net.i32(seg, offset, (w & 0xFFF0_0000) | (v & 0x000F_FFFF));
        return this;
    }

    /** Writes version 6 with the given traffic class and flow label. */
    public Ipv6Header versionClassFlow(int trafficClass, int flowLabel) {
        Net.i32(seg, offset, (6 << 28) | ((trafficClass & 0xFF) << 20) | (flowLabel & 0x000F_FFFF));
        return this;
    }

    public int payloadLength() {
        return Net.u16(seg, offset + PAYLOAD_LENGTH_OFFSET);
    }

    public Ipv6Header payloadLength(int v) {
        Net.u16(seg, offset + PAYLOAD_LENGTH_OFFSET, v);
        return this;
    }

    public int nextHeader() {
        return Net.u8(seg, offset + NEXT_HEADER_OFFSET);
    }

    public Ipv6Header nextHeader(int v) {
        Net.u8(seg, offset + NEXT_HEADER_OFFSET, v);
        return this;
    }

    public int hopLimit() {
        return Net.u8(seg, offset + HOP_LIMIT_OFFSET);
    }

    public Ipv6Header hopLimit(int v) {
        Net.u8(seg, offset + HOP_LIMIT_OFFSET, v);
        return this;
    }

    public long sourceHi() {
        return Net.i64(seg, offset + SRC_OFFSET);
    }

    public long sourceLo() {
        return Net.i64(seg, offset + SRC_OFFSET + 8);
    }

    public Ipv6Header source(long hi, long lo) {
        Net.i64(seg, offset + SRC_OFFSET, hi);
        Net.i64(seg, offset + SRC_OFFSET + 8, lo);
        return this;
    }

    public long destinationHi() {
        return Net.i64(seg, offset + DST_OFFSET);
    }

    public long destinationLo() {
        return Net.i64(seg, offset + DST_OFFSET + 8);
    }

    public Ipv6Header destination(long hi, long lo) {
        Net.i64(seg, offset + DST_OFFSET, hi);
        Net.i64(seg, offset + DST_OFFSET + 8, lo);
        return this;
    }

    /** The pseudo-header sum for an upper-layer protocol of {@code length} bytes (RFC 8200 8.1). */
    public long pseudoHeaderSum(int protocol, int length) {
        return Checksum.pseudoV6(sourceHi(), sourceLo(), destinationHi(), destinationLo(), protocol, length);
    }
}
