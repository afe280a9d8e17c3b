package org.jvs.sync;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/** Properties: random bytes never break the decoder; random records survive encode and decode unchanged. */
class SyncPropertiesTest {

    @Property(tries = 2000)
    void randomBytesNeverThrowAndOnlyInRangeRecordsComeOut(@ForAll @Size(max = 700) byte[] bytes,
                                                           @ForAll @IntRange(min = 0, max = 3) int shape,
                                                           @ForAll @IntRange(min = -1, max = 255) int syncId) {
        byte[] msg = shaped(bytes, shape);
        SyncDecoder d = new SyncDecoder();
        List<SyncConn> got = new ArrayList<>();
        SyncDecoder.Result r = d.decode(ByteBuffer.wrap(msg), syncId, c -> {
            assertInRange(c);
            got.add(new SyncConn().copyFrom(c));
        });
        assertThat(d.lastDelivered()).isEqualTo(got.size());
        assertThat(r == SyncDecoder.Result.ACCEPTED).isEqualTo(d.lastReason() == null);
        assertThat(r == SyncDecoder.Result.PARTIAL).isEqualTo(d.lastReason() != null && !got.isEmpty());
        assertCountersAddUp(d.stats(), got.size());
        // whatever the decoder delivers, the encoder accepts and writes back to a record equal to it
        if (!got.isEmpty()) {
            Collected again = Collected.decode(new SyncDecoder(), Collected.encode(SyncVersion.V1, 1, got), 1);
            Collected.assertSame(again.conns, got);
        }
    }

    /**
     * Random bytes rarely pass the size check; shapes 1..3 make them pass it and look like a v1 message (1, 2)
     * or a v0 one (3), so that the entry and option parsing sees random input too.
     */
    private static byte[] shaped(byte[] bytes, int shape) {
        if (shape == 0 || bytes.length < 8) {
            return bytes;
        }
        byte[] m = bytes.clone();
        ByteBuffer.wrap(m).putShort(2, (short) m.length);
        switch (shape) {
            case 1, 2 -> {
                m[0] = 0;
                m[5] = 1;
                m[6] = 0;
                m[7] = 0;
                if (shape == 2 && m.length > 12) { // a plausible first entry: type 0/1, version 0
                    m[8] &= 1;
                    m[10] &= 0x0F;
                }
            }
            default -> m[0] |= 1;
        }
        return m;
    }

    private static void assertInRange(SyncConn c) {
        assertThat(c.protocol()).isBetween(0, 255);
        assertThat(c.state()).isBetween(0, 65535);
        assertThat(c.cport()).isBetween(0, 65535);
        assertThat(c.vport()).isBetween(0, 65535);
        assertThat(c.dport()).isBetween(0, 65535);
        assertThat(c.timeout()).isBetween(0L, 0xFFFF_FFFFL);
        if (!c.v6()) {
            assertThat(c.caddrHi() | c.vaddrHi() | c.daddrHi()).isZero();
            assertThat((c.caddrLo() | c.vaddrLo() | c.daddrLo()) >>> 32).isZero();
        }
        assertThat(c.peDataLength()).isBetween(0, SyncProtocol.PE_DATA_MAX);
        assertThat(c.peNameLength()).isBetween(0, SyncProtocol.PE_NAME_MAX);
        if (c.peDataLength() > 0) {
            assertThat(c.peNameLength()).isPositive();
        }
        if (ConnFlags.hasSeq(c.flags())) {
            assertThat(c.seqPresent()).isTrue();
        }
        if (!c.template()) {
            assertThat(c.state()).isLessThan(SyncProtocol.stateCount(c.protocol()));
        }
    }

    private static void assertCountersAddUp(SyncStats s, int delivered) {
        long ends = 0;
        long skips = 0;
        for (DropReason r : DropReason.values()) {
            if (r.scope() == DropReason.Scope.ENTRY) {
                skips += s.count(r);
            } else {
                ends += s.count(r);
            }
        }
        assertThat(s.messages()).isEqualTo(1).isEqualTo(s.accepted() + s.partial() + s.dropped());
        assertThat(ends).isEqualTo(s.partial() + s.dropped());
        assertThat(skips).isEqualTo(s.skippedEntries());
        assertThat(s.conns()).isEqualTo(delivered);
        assertThat(s.v0Messages() + s.v1Messages()).isLessThanOrEqualTo(1);
    }

    @Provide
    Arbitrary<List<SyncConn>> v1Conns() {
        return Arbitraries.randomValue(RandomConns::v1).list().ofMaxSize(300);
    }

    @Provide
    Arbitrary<List<SyncConn>> v0Conns() {
        return Arbitraries.randomValue(RandomConns::v0).list().ofMaxSize(300);
    }

    @Property(tries = 300)
    void v1RoundTrip(@ForAll("v1Conns") List<SyncConn> conns, @ForAll @IntRange(min = 0, max = 255) int syncId) {
        Collected.assertSame(roundTrip(SyncVersion.V1, syncId, conns), conns);
    }

    @Property(tries = 300)
    void v0RoundTrip(@ForAll("v0Conns") List<SyncConn> conns, @ForAll @IntRange(min = 0, max = 255) int syncId) {
        Collected.assertSame(roundTrip(SyncVersion.V0, syncId, conns), conns);
    }

    /** Encodes into as many kernel-sized messages as it takes, as a master would, and decodes them all. */
    private static List<SyncConn> roundTrip(SyncVersion v, int syncId, List<SyncConn> conns) {
        ByteBuffer buf = ByteBuffer.allocate(SyncProtocol.DEFAULT_MAXLEN_V4);
        SyncEncoder enc = new SyncEncoder();
        SyncDecoder dec = new SyncDecoder();
        Collected out = new Collected();
        enc.begin(buf.clear(), v, syncId, SyncProtocol.DEFAULT_MAXLEN_V4);
        for (SyncConn c : conns) {
            if (!enc.add(c)) {
                assertThat(enc.lastRejection()).isIn(SyncEncoder.Rejection.NO_ROOM, SyncEncoder.Rejection.FULL);
                flush(enc, buf, dec, syncId, out);
                enc.begin(buf.clear(), v, syncId, SyncProtocol.DEFAULT_MAXLEN_V4);
                assertThat(enc.add(c)).isTrue();
            }
        }
        flush(enc, buf, dec, syncId, out);
        assertThat(dec.stats().skippedEntries()).isZero();
        assertThat(dec.stats().trailingBytes()).isZero();
        return out.conns;
    }

    private static void flush(SyncEncoder enc, ByteBuffer buf, SyncDecoder dec, int syncId, Collected out) {
        int len = enc.finish();
        assertThat(len).isLessThanOrEqualTo(SyncProtocol.DEFAULT_MAXLEN_V4);
        buf.flip();
        assertThat(dec.decode(buf, syncId, out)).isEqualTo(SyncDecoder.Result.ACCEPTED);
    }

    @Property(tries = 50)
    void everyMessageOfASeededStreamIsWithinMaxLenAndAligned(@ForAll long seed) {
        Random r = new Random(seed);
        ByteBuffer buf = ByteBuffer.allocate(1472);
        SyncEncoder enc = new SyncEncoder().begin(buf, SyncVersion.V1, 1, 1472);
        int entryStart;
        while (true) {
            entryStart = enc.length();
            SyncConn c = RandomConns.v1(r);
            if (!enc.add(c)) {
                break;
            }
            int padded = (entryStart + 3) & ~3;
            assertThat(enc.length() - padded).isEqualTo(SyncEncoder.v1EntryLength(c));
        }
        assertThat(enc.finish()).isLessThanOrEqualTo(1472);
    }
}
