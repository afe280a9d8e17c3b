package org.jvs.sync;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Absolute, byte-order-explicit access to a ByteBuffer: the codec must not depend on (or change) the order the
 * caller gave its buffer. View VarHandles allow unaligned plain access, which v1 options need.
 */
final class Wire {
    private static final VarHandle U16 = MethodHandles.byteBufferViewVarHandle(short[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle U32 = MethodHandles.byteBufferViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle U64 = MethodHandles.byteBufferViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle LE32 = MethodHandles.byteBufferViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);

    private Wire() {
    }

    static int u8(ByteBuffer b, int at) {
        return b.get(at) & 0xFF;
    }

    static int u16(ByteBuffer b, int at) {
        return (short) U16.get(b, at) & 0xFFFF;
    }

    static int i32(ByteBuffer b, int at) {
        return (int) U32.get(b, at);
    }

    static int le32(ByteBuffer b, int at) {
        return (int) LE32.get(b, at);
    }

    static long i64(ByteBuffer b, int at) {
        return (long) U64.get(b, at);
    }

    static void put8(ByteBuffer b, int at, int v) {
        b.put(at, (byte) v);
    }

    static void put16(ByteBuffer b, int at, int v) {
        U16.set(b, at, (short) v);
    }

    static void put32(ByteBuffer b, int at, int v) {
        U32.set(b, at, v);
    }

    static void putLe32(ByteBuffer b, int at, int v) {
        LE32.set(b, at, v);
    }

    static void put64(ByteBuffer b, int at, long v) {
        U64.set(b, at, v);
    }
}
