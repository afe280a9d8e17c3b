package org.jvs.sync;

import java.nio.ByteBuffer;

/**
 * Decodes sync messages (v0 and v1, told apart as the kernel does) and hands each valid record to a
 * {@link SyncConnSink}. It validates everything a kernel backup validates, in the kernel's order and with the
 * kernel's consequences ({@link DropReason.Scope}), and a little more where the kernel would act on garbage
 * (see {@link DropReason#ENTRY_TYPE}, {@link DropReason#SEQ_FLAGS_WITHOUT_DATA}). It never throws on bad input
 * and never reads outside {@code position..limit} of the buffer, whose position it leaves alone. One decoder
 * serves one thread; it allocates nothing per message.
 *
 * <p>Records keep the sender's flags except {@link ConnFlags#HASHED}, which both kernel receivers clear (it is
 * the sender's own bookkeeping, and a correct sender never sets it); what a backup then keeps of them is its
 * business ({@link ConnFlags#forNewBackupEntry}).
 *
 * <p>The sync ID check follows the kernel: {@link #ANY_SYNC_ID} or 0 accepts every message (a kernel backup
 * with syncid 0 does), any other value only messages with that ID.
 *
 * <p>Version detection: a v1 message starts with a 0 byte (the old nr_conns, so v0 receivers see an empty
 * message) and has version 1 and spare 0 at bytes 5..7; anything with a non-zero first byte is v0. A 0 first
 * byte with another version is {@link DropReason#UNKNOWN_VERSION} (the kernel reads it as an empty v0
 * message: the effect is the same, nothing happens). A datagram of 4..7 bytes with a 0 first byte is an empty
 * v0 message.
 */
public final class SyncDecoder {

    /** What became of one message. */
    public enum Result {
        /** Read to the end; every valid record delivered (single entries may have been skipped). */
        ACCEPTED,
        /** Cut short by a malformed entry after at least one record was delivered. */
        PARTIAL,
        /** Nothing delivered: the header, or the entries from the first one, were bad. */
        DROPPED
    }

    /** Accept messages of every sync ID. */
    public static final int ANY_SYNC_ID = -1;

    private final SyncStats stats;
    private final SyncConn conn = new SyncConn();
    private DropReason lastReason;
    private SyncVersion lastVersion;
    private int lastDelivered;
    private int lastSkipped;

    public SyncDecoder() {
        this(new SyncStats());
    }

    public SyncDecoder(SyncStats stats) {
        this.stats = stats;
    }

    public SyncStats stats() {
        return stats;
    }

    /** The reason that ended the last message early, or null; skipped entries are not "ending" reasons. */
    public DropReason lastReason() {
        return lastReason;
    }

    /** Version of the last message, or null if its header was rejected before the version was known. */
    public SyncVersion lastVersion() {
        return lastVersion;
    }

    public int lastDelivered() {
        return lastDelivered;
    }

    public int lastSkipped() {
        return lastSkipped;
    }

    /**
     * Decodes the datagram in {@code msg} (position to limit). {@code expectedSyncId} is 0..255, or
     * {@link #ANY_SYNC_ID}.
     */
    public Result decode(ByteBuffer msg, int expectedSyncId, SyncConnSink sink) {
        if (expectedSyncId < ANY_SYNC_ID || expectedSyncId > 255) {
            throw new IllegalArgumentException("expected sync ID " + expectedSyncId + " outside -1..255");
        }
        stats.message();
        lastReason = null;
        lastVersion = null;
        lastDelivered = 0;
        lastSkipped = 0;
        int start = msg.position();
        int len = msg.remaining();
        if (len < SyncProtocol.V0_HEADER_LEN) {
            return end(DropReason.TOO_SHORT);
        }
        if (Wire.u16(msg, start + 2) != len) {
            return end(DropReason.SIZE_MISMATCH);
        }
        int syncId = Wire.u8(msg, start + 1);
        if (expectedSyncId > 0 && syncId != expectedSyncId) {
            return end(DropReason.SYNCID_MISMATCH);
        }
        int first = Wire.u8(msg, start);
        if (first != 0 || len < SyncProtocol.V1_HEADER_LEN) {
            lastVersion = SyncVersion.V0;
            stats.version(SyncVersion.V0);
            return end(decodeV0(msg, start, start + len, first, sink));
        }
        if (Wire.u8(msg, start + 5) != SyncVersion.V1.number()) {
            return end(DropReason.UNKNOWN_VERSION);
        }
        if (Wire.u16(msg, start + 6) != 0) {
            return end(DropReason.RESERVED_NONZERO);
        }
        lastVersion = SyncVersion.V1;
        stats.version(SyncVersion.V1);
        return end(decodeV1(msg, start, start + len, Wire.u8(msg, start + 4), sink));
    }

    private Result end(DropReason reason) {
        Result r;
        if (reason == null) {
            r = Result.ACCEPTED;
        } else {
            lastReason = reason;
            stats.reason(reason);
            r = lastDelivered > 0 ? Result.PARTIAL : Result.DROPPED;
        }
        stats.outcome(r);
        return r;
    }

    private DropReason decodeV0(ByteBuffer b, int start, int end, int nr, SyncConnSink sink) {
        int p = start + SyncProtocol.V0_HEADER_LEN;
        for (int i = 0; i < nr; i++) {
            if (end - p < SyncProtocol.V0_ENTRY_LEN) {
                return DropReason.ENTRY_TRUNCATED;
            }
            int flags = Wire.u16(b, p + 20) & ~ConnFlags.HASHED;
            boolean seq = ConnFlags.hasSeq(flags);
            if (seq && end - p < SyncProtocol.V0_ENTRY_SEQ_LEN) {
                return DropReason.V0_SEQ_TRUNCATED;
            }
            SyncConn c = conn;
            c.clearSeq().clearPe();
            // byte 0 is reserved; the kernel does not check it, and neither do we
            c.setRaw(false, Wire.u8(b, p + 1), flags, Wire.u16(b, p + 22), Wire.u16(b, p + 2), Wire.u16(b, p + 4),
                    Wire.u16(b, p + 6), 0, 0);
            c.caddr(0, Wire.i32(b, p + 8) & 0xFFFF_FFFFL);
            c.vaddr(0, Wire.i32(b, p + 12) & 0xFFFF_FFFFL);
            c.daddr(0, Wire.i32(b, p + 16) & 0xFFFF_FFFFL);
            if (seq) {
                c.seq(Wire.le32(b, p + 24), Wire.le32(b, p + 28), Wire.le32(b, p + 32),
                        Wire.le32(b, p + 36), Wire.le32(b, p + 40), Wire.le32(b, p + 44));
                p += SyncProtocol.V0_ENTRY_SEQ_LEN;
            } else {
                p += SyncProtocol.V0_ENTRY_LEN;
            }
            DropReason skip = protocolAndState(c);
            if (skip != null) {
                skip(skip);
                continue;
            }
            deliver(c, sink);
        }
        if (p < end) {
            stats.trailing();
        }
        return null;
    }

    private DropReason decodeV1(ByteBuffer b, int start, int end, int nr, SyncConnSink sink) {
        int next = start + SyncProtocol.V1_HEADER_LEN;
        int lastEnd = next;
        for (int i = 0; i < nr; i++) {
            int p = next;
            if (end - p < SyncProtocol.V1_ENTRY_V4_LEN) {
                return DropReason.ENTRY_TRUNCATED;
            }
            int verSize = Wire.u16(b, p + 2);
            int size = verSize & 0x0FFF;
            if (size > end - p) {
                return DropReason.ENTRY_OVERRUN;
            }
            if (verSize >>> 12 != 0) {
                return DropReason.ENTRY_VERSION;
            }
            int type = Wire.u8(b, p);
            int fixed = switch (type) {
                case 0 -> SyncProtocol.V1_ENTRY_V4_LEN;
                case SyncProtocol.TYPE_INET6 -> SyncProtocol.V1_ENTRY_V6_LEN;
                default -> -1;
            };
            if (fixed < 0) {
                return DropReason.ENTRY_TYPE;
            }
            if (size < fixed) {
                return DropReason.ENTRY_TOO_SMALL;
            }
            int entryEnd = p + size;
            lastEnd = entryEnd;
            // the next entry starts 4-byte aligned relative to the message (the sender's buffer is aligned)
            next = start + ((entryEnd - start + 3) & ~3);

            SyncConn c = conn;
            c.clearSeq().clearPe();
            c.setRaw(type != 0, Wire.u8(b, p + 1), Wire.i32(b, p + 4) & ~ConnFlags.HASHED, Wire.u16(b, p + 8),
                    Wire.u16(b, p + 10), Wire.u16(b, p + 12), Wire.u16(b, p + 14), Wire.i32(b, p + 16),
                    Wire.i32(b, p + 20) & 0xFFFF_FFFFL);
            if (type != 0) {
                c.caddr(Wire.i64(b, p + 24), Wire.i64(b, p + 32));
                c.vaddr(Wire.i64(b, p + 40), Wire.i64(b, p + 48));
                c.daddr(Wire.i64(b, p + 56), Wire.i64(b, p + 64));
            } else {
                c.caddr(0, Wire.i32(b, p + 24) & 0xFFFF_FFFFL);
                c.vaddr(0, Wire.i32(b, p + 28) & 0xFFFF_FFFFL);
                c.daddr(0, Wire.i32(b, p + 32) & 0xFFFF_FFFFL);
            }
            int optionResult = options(b, p + fixed, entryEnd, c);
            if (optionResult < 0) {
                return REASONS[-optionResult - 1];
            }
            if (optionResult > 0) {
                skip(REASONS[optionResult - 1]);
                continue;
            }
            DropReason skip = ConnFlags.hasSeq(c.flags()) && !c.seqPresent()
                    ? DropReason.SEQ_FLAGS_WITHOUT_DATA : protocolAndState(c);
            if (skip == null && c.peDataLength() > 0 && c.peNameLength() == 0) {
                skip = DropReason.PE_DATA_WITHOUT_NAME;
            }
            if (skip != null) {
                skip(skip);
                continue;
            }
            deliver(c, sink);
        }
        if (end > start + ((lastEnd - start + 3) & ~3)) {
            stats.trailing();
        }
        return null;
    }

    private static final DropReason[] REASONS = DropReason.values();

    /**
     * Parses the options of one entry into {@code c}: 0 when fine, -(ordinal + 1) of a REST reason, or
     * +(ordinal + 1) of an ENTRY reason (an int, so the hot path returns no object).
     */
    private static int options(ByteBuffer b, int p, int end, SyncConn c) {
        while (p < end) {
            if (end - p < 2) {
                return -(DropReason.OPTION_TRUNCATED.ordinal() + 1);
            }
            int type = Wire.u8(b, p);
            int len = Wire.u8(b, p + 1);
            p += 2;
            if (len == 0) {
                return -(DropReason.OPTION_ZERO_LENGTH.ordinal() + 1);
            }
            if (len > end - p) {
                return -(DropReason.OPTION_TRUNCATED.ordinal() + 1);
            }
            // like the kernel, the optional bit does not change what a known type means
            switch (type & ~SyncProtocol.OPT_F_OPTIONAL) {
                case SyncProtocol.OPT_SEQ_DATA -> {
                    if (len != SyncProtocol.SEQ_DATA_LEN || c.seqPresent()) {
                        return -(DropReason.SEQ_OPTION_INVALID.ordinal() + 1);
                    }
                    c.seq(Wire.i32(b, p), Wire.i32(b, p + 4), Wire.i32(b, p + 8),
                            Wire.i32(b, p + 12), Wire.i32(b, p + 16), Wire.i32(b, p + 20));
                }
                case SyncProtocol.OPT_PE_DATA -> {
                    if (c.peDataLength() > 0) {
                        return -(DropReason.PE_OPTION_INVALID.ordinal() + 1);
                    }
                    b.get(p, c.peDataBuffer(), 0, len); // len <= 255 = the buffer, by the u8
                    c.peDataLength(len);
                }
                case SyncProtocol.OPT_PE_NAME -> {
                    if (len > SyncProtocol.PE_NAME_MAX || c.peNameLength() > 0) {
                        return -(DropReason.PE_OPTION_INVALID.ordinal() + 1);
                    }
                    b.get(p, c.peNameBuffer(), 0, len);
                    c.peNameLength(len);
                }
                default -> {
                    if ((type & SyncProtocol.OPT_F_OPTIONAL) == 0) {
                        // the kernel stops here too: later options of this entry are not looked at
                        return DropReason.UNKNOWN_MANDATORY_OPTION.ordinal() + 1;
                    }
                }
            }
            p += len;
        }
        return 0;
    }

    /** The kernel's per-entry check: templates skip it (their protocol is 0 for fwmark services). */
    private static DropReason protocolAndState(SyncConn c) {
        if (c.template()) {
            return null;
        }
        int states = SyncProtocol.stateCount(c.protocol());
        if (states == 0) {
            return DropReason.UNSUPPORTED_PROTOCOL;
        }
        return c.state() >= states ? DropReason.INVALID_STATE : null;
    }

    private void skip(DropReason r) {
        lastSkipped++;
        stats.reason(r);
    }

    private void deliver(SyncConn c, SyncConnSink sink) {
        lastDelivered++;
        stats.delivered(c);
        sink.accept(c);
    }
}
