package org.jvs.sync;

import java.nio.ByteBuffer;

/**
 * Builds one sync message at a time in a caller-supplied buffer, byte for byte as the kernel's master does:
 * {@link #begin}, any number of {@link #add}, {@link #finish}. One encoder serves one thread; it allocates
 * nothing after construction.
 *
 * <p>{@link #add} returns false and writes nothing when the record does not go into this message, and
 * {@link #lastRejection()} says why: {@link Rejection#NO_ROOM} and {@link Rejection#FULL} mean "finish this
 * message and add the record to the next one"; the {@code V0_*} rejections mean version 0 cannot carry the
 * record at all (the kernel's v0 master silently skips IPv6 connections the same way). Records that break the
 * protocol's own rules (sequence flags without sequence data, PE data without a PE name, an IPv4 record with
 * an address beyond 32 bits) are programming errors and throw {@link IllegalArgumentException}.
 *
 * <p>What the encoder does the kernel's way: it clears {@link ConnFlags#HASHED}; v0 sends the low 16 flag bits
 * and no fwmark or timeout (the format has no room; a kernel backup then uses its protocol timeouts) and its
 * sequence data in little-endian order (the kernel copies its host-order struct, and IPVS masters are
 * little-endian x86/arm64); v1 starts every entry on a 4-byte boundary with zero padding before it, counted in
 * the message size but not in the entry's size. Unlike the kernel it also stops at 255 records, because
 * nr_conns is a byte (the kernel would wrap it with a {@code sync_maxlen} over about 6 KB).
 */
public final class SyncEncoder {

    /** Why the last {@link #add} returned false. */
    public enum Rejection {
        /** The last add succeeded. */
        NONE,
        /** The record would take the message past {@code maxLen}. */
        NO_ROOM,
        /** The message already has 255 records. */
        FULL,
        /** Version 0 has no IPv6 entries. */
        V0_IPV6,
        /** Version 0 cannot carry PE data or name, nor sequence data without the sequence flags. */
        V0_UNREPRESENTABLE
    }

    private ByteBuffer buf;
    private int start;
    private int used;
    private int maxLen;
    private int count;
    private int syncId;
    private SyncVersion version;
    private boolean open;
    private Rejection lastRejection = Rejection.NONE;

    /**
     * Starts a message at {@code buf.position()}. {@code maxLen} is the largest message to build (the kernel's
     * {@code sync_maxlen}, e.g. {@link SyncProtocol#masterMaxLen}); the buffer must have that much room.
     */
    public SyncEncoder begin(ByteBuffer buf, SyncVersion version, int syncId, int maxLen) {
        if (syncId < 0 || syncId > 255) {
            throw new IllegalArgumentException("sync ID " + syncId + " outside 0..255");
        }
        if (maxLen < version.headerLength() || maxLen > 65535) {
            throw new IllegalArgumentException("maxLen " + maxLen + " outside " + version.headerLength() + "..65535");
        }
        if (buf.remaining() < maxLen) {
            throw new IllegalArgumentException("buffer has " + buf.remaining() + " bytes, maxLen is " + maxLen);
        }
        if (buf.isReadOnly()) {
            throw new IllegalArgumentException("read-only buffer");
        }
        this.buf = buf;
        this.start = buf.position();
        this.version = version;
        this.syncId = syncId;
        this.maxLen = maxLen;
        this.used = version.headerLength();
        this.count = 0;
        this.open = true;
        this.lastRejection = Rejection.NONE;
        return this;
    }

    /** Appends {@code c}; false (nothing written) when it does not fit or cannot be represented. */
    public boolean add(SyncConn c) {
        if (!open) {
            throw new IllegalStateException("add before begin or after finish");
        }
        checkRecord(c);
        if (count == SyncProtocol.MAX_CONNS) {
            return reject(Rejection.FULL);
        }
        return version == SyncVersion.V0 ? addV0(c) : addV1(c);
    }

    /** Writes the header, moves the buffer's position past the message, and returns the message length. */
    public int finish() {
        if (!open) {
            throw new IllegalStateException("finish before begin or twice");
        }
        open = false;
        if (version == SyncVersion.V0) {
            Wire.put8(buf, start, count);
            Wire.put8(buf, start + 1, syncId);
            Wire.put16(buf, start + 2, used);
        } else {
            Wire.put8(buf, start, 0); // reserved: the old nr_conns, 0 so that v0-only receivers ignore us
            Wire.put8(buf, start + 1, syncId);
            Wire.put16(buf, start + 2, used);
            Wire.put8(buf, start + 4, count);
            Wire.put8(buf, start + 5, SyncVersion.V1.number());
            Wire.put16(buf, start + 6, 0);
        }
        buf.position(start + used);
        return used;
    }

    public Rejection lastRejection() {
        return lastRejection;
    }

    /** Records in the message so far. */
    public int count() {
        return count;
    }

    /** Bytes of the message so far, header included. */
    public int length() {
        return used;
    }

    /** Bytes a v1 entry for {@code c} takes, without alignment padding (its ver_size). */
    public static int v1EntryLength(SyncConn c) {
        int len = c.v6() ? SyncProtocol.V1_ENTRY_V6_LEN : SyncProtocol.V1_ENTRY_V4_LEN;
        if (c.seqPresent()) {
            len += 2 + SyncProtocol.SEQ_DATA_LEN;
        }
        if (c.peDataLength() > 0) {
            len += 2 + c.peDataLength();
        }
        if (c.peNameLength() > 0) {
            len += 2 + c.peNameLength();
        }
        return len;
    }

    private boolean addV0(SyncConn c) {
        if (c.v6()) {
            return reject(Rejection.V0_IPV6);
        }
        boolean seq = ConnFlags.hasSeq(c.flags());
        if (c.peDataLength() > 0 || c.peNameLength() > 0 || (c.seqPresent() && !seq)) {
            return reject(Rejection.V0_UNREPRESENTABLE);
        }
        int len = seq ? SyncProtocol.V0_ENTRY_SEQ_LEN : SyncProtocol.V0_ENTRY_LEN;
        if (used + len > maxLen) {
            return reject(Rejection.NO_ROOM);
        }
        int p = start + used;
        Wire.put8(buf, p, 0);
        Wire.put8(buf, p + 1, c.protocol());
        Wire.put16(buf, p + 2, c.cport());
        Wire.put16(buf, p + 4, c.vport());
        Wire.put16(buf, p + 6, c.dport());
        Wire.put32(buf, p + 8, (int) c.caddrLo());
        Wire.put32(buf, p + 12, (int) c.vaddrLo());
        Wire.put32(buf, p + 16, (int) c.daddrLo());
        Wire.put16(buf, p + 20, c.flags() & ~ConnFlags.HASHED & 0xFFFF);
        Wire.put16(buf, p + 22, c.state());
        if (seq) {
            // the kernel memcpy()s its host-order struct ip_vs_seq pair: little-endian on every real master
            Wire.putLe32(buf, p + 24, c.inInitSeq());
            Wire.putLe32(buf, p + 28, c.inDelta());
            Wire.putLe32(buf, p + 32, c.inPreviousDelta());
            Wire.putLe32(buf, p + 36, c.outInitSeq());
            Wire.putLe32(buf, p + 40, c.outDelta());
            Wire.putLe32(buf, p + 44, c.outPreviousDelta());
        }
        used += len;
        count++;
        lastRejection = Rejection.NONE;
        return true;
    }

    private boolean addV1(SyncConn c) {
        int len = v1EntryLength(c);
        int pad = (4 - (used & 3)) & 3;
        if (used + pad + len > maxLen) {
            return reject(Rejection.NO_ROOM);
        }
        int p = start + used;
        for (int i = 0; i < pad; i++) {
            Wire.put8(buf, p++, 0);
        }
        Wire.put8(buf, p, c.v6() ? SyncProtocol.TYPE_INET6 : 0);
        Wire.put8(buf, p + 1, c.protocol());
        Wire.put16(buf, p + 2, len); // entry version 0 in the top four bits
        Wire.put32(buf, p + 4, c.flags() & ~ConnFlags.HASHED);
        Wire.put16(buf, p + 8, c.state());
        Wire.put16(buf, p + 10, c.cport());
        Wire.put16(buf, p + 12, c.vport());
        Wire.put16(buf, p + 14, c.dport());
        Wire.put32(buf, p + 16, c.fwmark());
        Wire.put32(buf, p + 20, (int) c.timeout());
        int q;
        if (c.v6()) {
            Wire.put64(buf, p + 24, c.caddrHi());
            Wire.put64(buf, p + 32, c.caddrLo());
            Wire.put64(buf, p + 40, c.vaddrHi());
            Wire.put64(buf, p + 48, c.vaddrLo());
            Wire.put64(buf, p + 56, c.daddrHi());
            Wire.put64(buf, p + 64, c.daddrLo());
            q = p + SyncProtocol.V1_ENTRY_V6_LEN;
        } else {
            Wire.put32(buf, p + 24, (int) c.caddrLo());
            Wire.put32(buf, p + 28, (int) c.vaddrLo());
            Wire.put32(buf, p + 32, (int) c.daddrLo());
            q = p + SyncProtocol.V1_ENTRY_V4_LEN;
        }
        if (c.seqPresent()) {
            Wire.put8(buf, q, SyncProtocol.OPT_SEQ_DATA);
            Wire.put8(buf, q + 1, SyncProtocol.SEQ_DATA_LEN);
            Wire.put32(buf, q + 2, c.inInitSeq());
            Wire.put32(buf, q + 6, c.inDelta());
            Wire.put32(buf, q + 10, c.inPreviousDelta());
            Wire.put32(buf, q + 14, c.outInitSeq());
            Wire.put32(buf, q + 18, c.outDelta());
            Wire.put32(buf, q + 22, c.outPreviousDelta());
            q += 2 + SyncProtocol.SEQ_DATA_LEN;
        }
        // the kernel's order: PE data, then PE name
        if (c.peDataLength() > 0) {
            q = putOption(q, SyncProtocol.OPT_PE_DATA, c.peDataBuffer(), c.peDataLength());
        }
        if (c.peNameLength() > 0) {
            putOption(q, SyncProtocol.OPT_PE_NAME, c.peNameBuffer(), c.peNameLength());
        }
        used += pad + len;
        count++;
        lastRejection = Rejection.NONE;
        return true;
    }

    private int putOption(int q, int type, byte[] data, int len) {
        Wire.put8(buf, q, type);
        Wire.put8(buf, q + 1, len);
        buf.put(q + 2, data, 0, len);
        return q + 2 + len;
    }

    private boolean reject(Rejection why) {
        lastRejection = why;
        return false;
    }

    private static void checkRecord(SyncConn c) {
        if (ConnFlags.hasSeq(c.flags()) && !c.seqPresent()) {
            // a kernel backup would keep the flags and install stale memory as sequence offsets (the bug fixed by
            // "ipvs: reset full ip_vs_seq structs in ip_vs_conn_new")
            throw new IllegalArgumentException("IN_SEQ/OUT_SEQ flags without sequence data: " + c);
        }
        if (c.peDataLength() > 0 && c.peNameLength() == 0) {
            throw new IllegalArgumentException("PE data without the PE name: a backup cannot use it: " + c);
        }
        if (!c.v6() && ((c.caddrLo() | c.vaddrLo() | c.daddrLo()) >>> 32 != 0
                || (c.caddrHi() | c.vaddrHi() | c.daddrHi()) != 0)) {
            throw new IllegalArgumentException("IPv4 record with an address beyond 32 bits: " + c);
        }
    }
}
