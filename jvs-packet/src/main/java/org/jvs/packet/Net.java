package org.jvs.packet;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Network-byte-order accessors shared by the flyweights. Every multi-byte field on the wire is big-endian and
 * may sit at any alignment (an Ethernet header is 14 bytes, so the IP header after it is only 2-aligned).
 */
final class Net {
    static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    private Net() {
    }

    static int u8(MemorySegment s, long at) {
        return s.get(ValueLayout.JAVA_BYTE, at) & 0xFF;
    }

    static void u8(MemorySegment s, long at, int v) {
        s.set(ValueLayout.JAVA_BYTE, at, (byte) v);
    }

    static int u16(MemorySegment s, long at) {
        return s.get(U16, at) & 0xFFFF;
    }

    static void u16(MemorySegment s, long at, int v) {
        s.set(U16, at, (short) v);
    }

    static int i32(MemorySegment s, long at) {
        return s.get(U32, at);
    }

    static void i32(MemorySegment s, long at, int v) {
        s.set(U32, at, v);
    }

    static long i64(MemorySegment s, long at) {
        return s.get(U64, at);
    }

    static void i64(MemorySegment s, long at, long v) {
        s.set(U64, at, v);
    }

    /** A 48-bit MAC address as the low 48 bits of a long (first byte on the wire most significant). */
    static long mac(MemorySegment s, long at) {
        return ((long) u16(s, at) << 32) | (i32(s, at + 2) & 0xFFFF_FFFFL);
    }

    static void mac(MemorySegment s, long at, long v) {
        u16(s, at, (int) (v >>> 32));
        i32(s, at + 2, (int) v);
    }
}
