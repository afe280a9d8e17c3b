package org.jvs.sync;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

/** What the decoder does with bad messages, reason by reason, and that earlier records stay delivered. */
class MalformedMessageTest {

    static final List<Golden.Vector> VECTORS = Golden.ALL;

    private final SyncDecoder d = new SyncDecoder();

    private Collected decode(byte[] msg) {
        return Collected.decode(d, msg, SyncDecoder.ANY_SYNC_ID);
    }

    private static byte[] withSize(byte[] msg) {
        ByteBuffer.wrap(msg).putShort(2, (short) msg.length);
        return msg;
    }

    @ParameterizedTest(name = "{0}")
    @FieldSource("VECTORS")
    void everyTruncationIsDroppedWhole(Golden.Vector v) {
        byte[] msg = v.bytes();
        for (int len = 0; len < msg.length; len++) {
            Collected got = decode(Arrays.copyOf(msg, len));
            assertThat(got.conns).as("length %d", len).isEmpty();
            assertThat(d.lastReason()).as("length %d", len)
                    .isEqualTo(len < 4 ? DropReason.TOO_SHORT : DropReason.SIZE_MISMATCH);
        }
    }

    @ParameterizedTest(name = "{0}")
    @FieldSource("VECTORS")
    void everyTruncationWithAMatchingSizeFieldKeepsTheWholeEntriesBeforeTheCut(Golden.Vector v) {
        byte[] msg = v.bytes();
        List<SyncConn> expected = v.conns().get();
        int[] ends = entryEnds(v);
        for (int len = v.version().headerLength(); len < msg.length; len++) {
            Collected got = decode(withSize(Arrays.copyOf(msg, len)));
            int whole = 0;
            while (whole < ends.length && ends[whole] <= len) {
                whole++;
            }
            Collected.assertSame(got.conns, expected.subList(0, whole));
            assertThat(d.lastReason()).as("length %d", len).isNotNull();
            assertThat(d.lastReason().scope()).isEqualTo(DropReason.Scope.REST);
            assertThat(d.stats().messages()).isEqualTo(d.stats().accepted() + d.stats().partial() + d.stats().dropped());
        }
    }

    /** Offsets where each entry of {@code v} ends (without padding). */
    private static int[] entryEnds(Golden.Vector v) {
        List<SyncConn> conns = v.conns().get();
        int[] ends = new int[conns.size()];
        int at = v.version().headerLength();
        for (int i = 0; i < ends.length; i++) {
            SyncConn c = conns.get(i);
            if (v.version() == SyncVersion.V0) {
                at += ConnFlags.hasSeq(c.flags()) ? 48 : 24;
            } else {
                at = (at + 3) & ~3;
                at += SyncEncoder.v1EntryLength(c);
            }
            ends[i] = at;
        }
        return ends;
    }

    @Test
    void sizeFieldLargerOrSmallerThanTheDatagram() {
        byte[] msg = Golden.V1_DR.bytes();
        ByteBuffer.wrap(msg).putShort(2, (short) 0xFFFF);
        assertThat(decode(msg).conns).isEmpty();
        assertThat(d.lastReason()).isEqualTo(DropReason.SIZE_MISMATCH);
        byte[] longer = Arrays.copyOf(Golden.V1_DR.bytes(), 100); // datagram longer than its size field
        assertThat(decode(longer).conns).isEmpty();
        assertThat(d.lastReason()).isEqualTo(DropReason.SIZE_MISMATCH);
    }

    @Test
    void unknownVersionsAndReservedBits() {
        for (int version : new int[] {0, 2, 3, 0x7F, 0x80, 0xFF}) {
            byte[] msg = Golden.V1_DR.bytes();
            msg[5] = (byte) version;
            assertThat(d.decode(ByteBuffer.wrap(msg), -1, c -> { })).isEqualTo(SyncDecoder.Result.DROPPED);
            assertThat(d.lastReason()).as("version %d", version).isEqualTo(DropReason.UNKNOWN_VERSION);
        }
        byte[] spare = Golden.V1_DR.bytes();
        spare[7] = 1;
        assertThat(decode(spare).conns).isEmpty();
        assertThat(d.lastReason()).isEqualTo(DropReason.RESERVED_NONZERO);
        assertThat(d.stats().dropped()).isEqualTo(7);
    }

    @Test
    void aV1MessageWithANonZeroFirstByteIsReadAsV0LikeTheKernelDoes() {
        byte[] msg = Golden.V1_DR.bytes();
        msg[0] = 1; // now "nr_conns 1" of a v0 message whose 24-byte entry is the v1 header's tail and more
        decode(msg);
        assertThat(d.lastVersion()).isEqualTo(SyncVersion.V0);
    }

    @Test
    void nrConnsLargerThanTheEntries() {
        byte[] msg = Golden.V1_SEQ.bytes();
        msg[4] = 3;
        Collected got = decode(msg);
        Collected.assertSame(got.conns, Golden.V1_SEQ.conns().get());
        assertThat(d.lastReason()).isEqualTo(DropReason.ENTRY_TRUNCATED);
        assertThat(d.decode(ByteBuffer.wrap(msg), -1, c -> { })).isEqualTo(SyncDecoder.Result.PARTIAL);
        byte[] v0 = Golden.V0_SEQ.bytes();
        v0[0] = 3;
        Collected.assertSame(decode(v0).conns, Golden.V0_SEQ.conns().get());
        assertThat(d.lastReason()).isEqualTo(DropReason.ENTRY_TRUNCATED);
    }

    @Test
    void nrConnsSmallerThanTheEntriesCountsTrailingBytes() {
        byte[] msg = Golden.V1_SEQ.bytes();
        msg[4] = 1;
        Collected.assertSame(decode(msg).conns, Golden.V1_SEQ.conns().get().subList(0, 1));
        assertThat(d.lastReason()).isNull();
        assertThat(d.stats().trailingBytes()).isEqualTo(1);
    }

    @Test
    void entryOverrunningTheMessageDropsTheRest() {
        byte[] msg = Golden.V1_SEQ.bytes();
        ByteBuffer.wrap(msg).putShort(8 + 64 + 2, (short) 37); // entry 2 claims one byte more than is left
        Collected.assertSame(decode(msg).conns, Golden.V1_SEQ.conns().get().subList(0, 1));
        assertThat(d.lastReason()).isEqualTo(DropReason.ENTRY_OVERRUN);
    }

    @Test
    void entryVersionTypeAndSize() {
        byte[] ver = Golden.V1_DR.bytes();
        ver[8 + 2] = 0x10; // ver_size: version 1
        decode(ver);
        assertThat(d.lastReason()).isEqualTo(DropReason.ENTRY_VERSION);
        for (int type : new int[] {2, 3, 0x80}) {
            byte[] t = Golden.V1_DR.bytes();
            t[8] = (byte) type;
            decode(t);
            assertThat(d.lastReason()).as("type %d", type).isEqualTo(DropReason.ENTRY_TYPE);
        }
        byte[] small = Golden.V1_DR.bytes();
        small[8 + 3] = 35;
        decode(small);
        assertThat(d.lastReason()).isEqualTo(DropReason.ENTRY_TOO_SMALL);
        byte[] v4AsV6 = withSize(Arrays.copyOf(Golden.V1_DR.bytes(), 8 + 72)); // size 36 but type IPv6
        v4AsV6[8] = 1;
        decode(v4AsV6);
        assertThat(d.lastReason()).isEqualTo(DropReason.ENTRY_TOO_SMALL);
    }

    /** A v1 message of the DR entry followed by {@code options} (entry size adjusted). */
    private static byte[] drWithOptions(int... options) {
        byte[] base = Golden.V1_DR.bytes();
        byte[] msg = Arrays.copyOf(base, base.length + options.length);
        for (int i = 0; i < options.length; i++) {
            msg[base.length + i] = (byte) options[i];
        }
        ByteBuffer.wrap(msg).putShort(8 + 2, (short) (36 + options.length));
        return withSize(msg);
    }

    @Test
    void badOptionsDropTheRest() {
        decode(drWithOptions(1));
        assertThat(d.lastReason()).isEqualTo(DropReason.OPTION_TRUNCATED);
        decode(drWithOptions(2, 5, 1, 2));
        assertThat(d.lastReason()).isEqualTo(DropReason.OPTION_TRUNCATED);
        decode(drWithOptions(2, 0));
        assertThat(d.lastReason()).isEqualTo(DropReason.OPTION_ZERO_LENGTH);
        decode(drWithOptions(0x45, 0)); // zero length is fatal even for an optional option
        assertThat(d.lastReason()).isEqualTo(DropReason.OPTION_ZERO_LENGTH);
        decode(drWithOptions(1, 4, 0, 0, 0, 0));
        assertThat(d.lastReason()).isEqualTo(DropReason.SEQ_OPTION_INVALID);
        int[] seq = new int[26];
        seq[0] = 1;
        seq[1] = 24;
        int[] twice = new int[52];
        System.arraycopy(seq, 0, twice, 0, 26);
        System.arraycopy(seq, 0, twice, 26, 26);
        decode(drWithOptions(twice));
        assertThat(d.lastReason()).isEqualTo(DropReason.SEQ_OPTION_INVALID);
        int[] longName = new int[19];
        longName[0] = 3;
        longName[1] = 17;
        decode(drWithOptions(longName));
        assertThat(d.lastReason()).isEqualTo(DropReason.PE_OPTION_INVALID);
        decode(drWithOptions(3, 1, 's', 3, 1, 's'));
        assertThat(d.lastReason()).isEqualTo(DropReason.PE_OPTION_INVALID);
        assertThat(d.stats().conns()).isZero();
    }

    @Test
    void entryLevelProblemsSkipOnlyThatEntry() {
        // unknown mandatory option 5, then a later entry that is fine
        assertSkippedThenNext(drWithOptions(5, 1, 0, 0), DropReason.UNKNOWN_MANDATORY_OPTION);
        // the kernel stops at the unknown option: a broken option after it is not noticed
        assertSkippedThenNext(drWithOptions(5, 1, 0, 2, 0), DropReason.UNKNOWN_MANDATORY_OPTION);
        byte[] proto = Golden.V1_DR.bytes();
        proto[9] = 47; // GRE
        assertSkippedThenNext(proto, DropReason.UNSUPPORTED_PROTOCOL);
        byte[] state = Golden.V1_DR.bytes();
        state[8 + 9] = 11; // TCP has states 0..10
        assertSkippedThenNext(state, DropReason.INVALID_STATE);
        byte[] udpState = Golden.V1_DR.bytes();
        udpState[9] = 17;
        assertSkippedThenNext(udpState, DropReason.INVALID_STATE); // UDP's only state is 0; this one is 1
        byte[] seqFlags = Golden.V1_DR.bytes();
        seqFlags[8 + 6] = 0x06;
        assertSkippedThenNext(seqFlags, DropReason.SEQ_FLAGS_WITHOUT_DATA);
        assertSkippedThenNext(drWithOptions(2, 2, 'i', 'd'), DropReason.PE_DATA_WITHOUT_NAME);
    }

    @Test
    void optionalUnknownOptionsAreSkippedAndTheEntryDelivered() {
        Collected got = decode(drWithOptions(0x45, 3, 1, 2, 3));
        assertThat(d.lastReason()).isNull();
        Collected.assertSame(got.conns, List.of(Golden.drConn()));
        got = decode(drWithOptions(0x41, 24, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 4, 0, 0, 0, 5, 0, 0, 0, 6));
        assertThat(got.conns.getFirst().seqPresent()).isTrue(); // 0x41: the optional bit does not hide seq data
        assertThat(got.conns.getFirst().outPreviousDelta()).isEqualTo(6);
    }

    @Test
    void templatesAreNotCheckedForProtocolOrState() {
        byte[] msg = Golden.V1_FWMARK.bytes();
        ByteBuffer.wrap(msg).putShort(8 + 36 + 8, (short) 1); // template state ASSURED
        assertThat(decode(msg).conns).hasSize(2);
        assertThat(d.lastSkipped()).isZero();
    }

    @Test
    void v0EntryWithSequenceFlagsButNoRoomForTheData() {
        byte[] msg = withSize(Arrays.copyOf(Golden.V0_PLAIN.bytes(), 4 + 24 + 23));
        msg[4 + 20] = 0x02; // OUT_SEQ
        assertThat(decode(msg).conns).isEmpty();
        assertThat(d.lastReason()).isEqualTo(DropReason.V0_SEQ_TRUNCATED);
    }

    @Test
    void countersAddUp() {
        badOptionsDropTheRest();
        entryLevelProblemsSkipOnlyThatEntry();
        SyncStats s = d.stats();
        long ends = 0;
        long skips = 0;
        for (DropReason r : DropReason.values()) {
            if (r.scope() == DropReason.Scope.ENTRY) {
                skips += s.count(r);
            } else {
                ends += s.count(r);
            }
        }
        assertThat(s.messages()).isEqualTo(s.accepted() + s.partial() + s.dropped());
        assertThat(ends).isEqualTo(s.partial() + s.dropped());
        assertThat(skips).isEqualTo(s.skippedEntries()).isEqualTo(7);
    }

    /** Decodes {@code first} followed by a good entry: the first is skipped for {@code why}, the second delivered. */
    private void assertSkippedThenNext(byte[] first, DropReason why) {
        byte[] good = Golden.V1_DR.bytes();
        int firstEntries = first.length - 8;
        int padded = (firstEntries + 3) & ~3;
        byte[] msg = new byte[8 + padded + 36];
        System.arraycopy(first, 0, msg, 0, first.length);
        System.arraycopy(good, 8, msg, 8 + padded, 36);
        msg[4] = 2;
        withSize(msg);
        long before = d.stats().count(why);
        Collected got = decode(msg);
        assertThat(d.lastReason()).as(why.name()).isNull();
        assertThat(d.stats().count(why)).as(why.name()).isEqualTo(before + 1);
        assertThat(d.lastSkipped()).isEqualTo(1);
        Collected.assertSame(got.conns, List.of(Golden.drConn()));
    }
}
